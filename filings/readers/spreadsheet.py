"""Spreadsheets (.xlsx, .xls, .ods) through calamine: every sheet, row by row; a merged area's value
stands in its top-left cell only, as in converted text."""

from __future__ import annotations

import io

from python_calamine import CalamineWorkbook

from filings.grid import Row, row_of


def read(data: bytes) -> list[Row]:
    """Rows numbered as in the sheet; later sheets continue the numbering after the earlier ones."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows, offset = [], 0
    for name in book.sheet_names:
        values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for number, cells in enumerate(values, start=offset + 1):
            row = row_of(number, [_text(v) for v in cells], f"工作表「{name}」第{number - offset}行")
            if row is not None:
                rows.append(row)
        offset += len(values)
    return rows


def _text(value) -> str | None:
    """Cell values as a filer typed them: 10.0 → `10`; dates as ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return f"{value:.10g}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
