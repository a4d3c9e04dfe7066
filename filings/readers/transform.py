"""A document tree's rows in one XSLT pass: libxslt walks the tree in C and writes the rows as one
string, which is split here. Walking the same tree element by element from Python (lxml's proxy
objects, one made for each element touched) took two thirds of a Word document's or an HTML
page's read.

A stylesheet writes a record for each row, in document order:
- `ROW p` and the text: a paragraph, one cell;
- `ROW r` and the key of its table, then for each cell `CELL`, the cell's span, `FIELD`, `c` if it
  continues a vertically merged cell (then read as empty), `FIELD` and its text: a table row;
- `ROW t` and a table's key: a table counted before its rows (a Word table with no rows has a number).
Tables are numbered as first met. The separators are Unicode noncharacters; the stylesheet deletes
them from the texts it writes (`text_of`).
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from filings.grid import Row, row_of

ROW: Final = "\ufdd0"
CELL: Final = "\ufdd1"
FIELD: Final = "\ufdd2"
MAX_SPAN: Final = 50  # a span larger than any real form's: the rest ignored


def text_of(path: str) -> str:
    """XSLT for the text of the nodes `path` selects, less the separators."""
    return f"translate({path}, '{ROW}{CELL}{FIELD}', '')"


def compile_stylesheet(templates: str, namespaces: str = "") -> etree.XSLT:
    """A text-output stylesheet of `templates` (XSLT 1.0); `namespaces`: xmlns declarations. Text
    is written only where a template writes it."""
    source = (f'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" {namespaces}>'
              f'<xsl:output method="text" encoding="UTF-8"/><xsl:template match="text()"/>{templates}'
              "</xsl:stylesheet>")
    return etree.XSLT(etree.XML(source), access_control=etree.XSLTAccessControl.DENY_ALL)


def rows_of(written: str) -> list[Row]:
    """The grid rows of a stylesheet's output; a table row's position as `第2个表格第5行`."""
    rows: list[Row] = []
    tables: dict[str, tuple[int, int]] = {}  # table key → (its number, rows so far)
    line = 0
    for record in written.split(ROW)[1:]:
        kind = record[0]
        if kind == "p":
            line += 1
            row = row_of(line, [record[1:]])
        else:
            key, *cells = record[1:].split(CELL)
            number, seen = tables.get(key, (len(tables) + 1, 0))
            if kind == "t":
                tables[key] = (number, seen)
                continue
            tables[key] = (number, seen + 1)
            line += 1
            row = row_of(line, _values(cells), f"第{number}个表格第{seen + 1}行")
        if row is not None:
            rows.append(row)
    return rows


def _values(cells: list[str]) -> list[str | None]:
    """A row's cell values, spans counted: a cell spanning n columns is followed by n - 1 empty ones."""
    values: list[str | None] = []
    for cell in cells:
        span, continued, text = cell.split(FIELD)
        values.append(None if continued else text)
        values += [None] * (min(int(span or 1), MAX_SPAN) - 1)
    return values
