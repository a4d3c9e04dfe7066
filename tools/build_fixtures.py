"""Build the file-format fixtures from the 2024 text samples with real writers (run once, commit
the output): tests/fixtures/formats/<sample>.{html,xlsx,xls,docx,pdf}, scan.pdf, encrypted.pdf,
encrypted.xlsx.

Each keeps the text grid: one-cell rows become headings or paragraphs, runs of table rows become
one table whose columns are the text's tab columns. Writers: xlsxwriter, xlwt (Excel 97-2003
.xls), python-docx, and
reportlab with its built-in Adobe CID font for Chinese (`.venv/bin/python tools/build_fixtures.py`).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from filings.readers.text import read  # noqa: E402

SAMPLES = ["2024/中卫市公安局_项目支出绩效自评表.txt", "2024/银川市兴庆区_绩效评价汇总表及自评表.txt"]
OUT = PROJECT / "tests" / "fixtures" / "formats"


def blocks(rows):
    """('p', row) for a one-cell row at column 0, ('table', [rows]) for a run of table rows."""
    out = []
    for row in rows:
        if len(row.cells) == 1 and row.cells[0].col == 0:
            out.append(("p", row))
        elif out and out[-1][0] == "table":
            out[-1][1].append(row)
        else:
            out.append(("table", [row]))
    return out


def values(row, width):
    cells = [""] * width
    for cell in row.cells:
        cells[cell.col] = cell.raw
    return cells


def write_html(rows, path):
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"]
    for kind, item in blocks(rows):
        if kind == "p":
            parts.append(f"<p>{html.escape(item.cells[0].raw)}</p>")
        else:
            width = max(c.col for r in item for c in r.cells) + 1
            parts.append("<table border='1'>" + "".join(
                "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in values(r, width)) + "</tr>" for r in item)
                + "</table>")
    path.write_text("".join(parts) + "</body></html>", encoding="utf-8")


def write_xlsx(rows, path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("自评表")
    for row in rows:  # the same row numbers as the text's lines
        for cell in row.cells:
            sheet.write_string(row.line - 1, cell.col, cell.raw)
    book.close()


def write_xls(rows, path):
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("自评表")
    for row in rows:
        for cell in row.cells:
            sheet.write(row.line - 1, cell.col, cell.raw)
    book.save(str(path))


def write_docx(rows, path):
    import docx

    document = docx.Document()
    for kind, item in blocks(rows):
        if kind == "p":
            document.add_paragraph(item.cells[0].raw)
            continue
        width = max(c.col for r in item for c in r.cells) + 1
        table = document.add_table(rows=len(item), cols=width)
        for row, cells in zip(item, table.rows):  # a row's cells at once: table.cell(r, c) is slow
            for cell, value in zip(cells.cells, values(row, width)):
                cell.text = value
    document.save(str(path))


def write_pdf(rows, path):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    text = ParagraphStyle("text", fontName="STSong-Light", fontSize=7, leading=9, wordWrap="CJK")
    page_width = landscape(A4)[0] - 60
    story = []
    for kind, item in blocks(rows):
        if kind == "p":
            story.append(Paragraph(html.escape(item.cells[0].raw), text))
            continue
        width = max(c.col for r in item for c in r.cells) + 1
        data = [[Paragraph(html.escape(v), text) for v in values(r, width)] for r in item]
        table = Table(data, colWidths=[page_width / width] * width)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story.append(table)
    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=30, rightMargin=30).build(story)


WRITERS = {".html": write_html, ".xlsx": write_xlsx, ".xls": write_xls, ".docx": write_docx, ".pdf": write_pdf}


def write_unreadable_pdfs():
    """A scan (a PDF with no text layer) and a password-protected PDF."""
    from reportlab.pdfgen import canvas

    scan = canvas.Canvas(str(OUT / "scan.pdf"))
    scan.rect(50, 50, 400, 600, fill=1)  # an image of a page, as far as text goes
    scan.save()
    locked = canvas.Canvas(str(OUT / "encrypted.pdf"), encrypt="secret")
    locked.drawString(100, 700, "locked")
    locked.save()


def write_encrypted_xlsx(source):
    """The xlsx fixture saved with an opening password (msoffcrypto-tool, as Excel does)."""
    import io

    import msoffcrypto.format.ooxml

    encrypted = io.BytesIO()
    with open(source, "rb") as plain:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("secret", encrypted)
    (OUT / "encrypted.xlsx").write_bytes(encrypted.getvalue())


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write_unreadable_pdfs()
    for sample in SAMPLES:
        rows = read((PROJECT / "raw" / sample).read_bytes())
        stem = OUT / Path(sample).stem
        for suffix, writer in WRITERS.items():
            writer(rows, stem.with_suffix(suffix))
    write_encrypted_xlsx(OUT / f"{Path(SAMPLES[0]).stem}.xlsx")
    print(f"fixtures written to {OUT}")


if __name__ == "__main__":
    main()
