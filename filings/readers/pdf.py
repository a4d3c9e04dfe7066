"""PDF with a text layer, through pdfplumber: ruled tables row by row, the text around them as
one-cell rows, in reading order. A PDF without text (a scan) needs OCR and is refused as such."""

from __future__ import annotations

import io

import pdfplumber

from filings.grid import Row, UnreadableFiling, row_of


def read(data: bytes) -> list[Row]:
    try:
        document = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        if "Password" in repr(exc) or "Encrypt" in repr(exc):
            raise UnreadableFiling("PDF 已加密,需要密码才能读取", "encrypted") from exc
        raise
    with document:
        if not any(page.chars for page in document.pages):
            raise UnreadableFiling("PDF 没有文字层(扫描件),需要 OCR 识别后再报送", "needs_ocr")
        rows, line = [], 0
        for number, page in enumerate(document.pages, start=1):
            for on_page, (_, values) in enumerate(_page_items(page), start=1):
                line += 1
                row = row_of(line, values, f"第{number}页第{on_page}行")
                if row is not None:
                    rows.append(row)
    return rows


def _page_items(page) -> list[tuple[float, list[str | None]]]:
    """(top, cell values) for every table row and every text line outside the tables, top to bottom."""
    tables = page.find_tables()
    items = []
    for table in tables:
        for row, values in zip(table.rows, table.extract()):
            items.append((row.bbox[1], [v.replace("\n", "") if v else None for v in values]))
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        return not any(x0 <= obj["x0"] and obj["x1"] <= x1 and top <= obj["top"] and obj["bottom"] <= bottom
                       for x0, top, x1, bottom in boxes)

    for text_line in page.filter(outside).extract_text_lines():
        items.append((text_line["top"], [text_line["text"]]))
    return sorted(items, key=lambda item: item[0])
