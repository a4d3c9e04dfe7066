"""Word documents (.docx): paragraphs as one-cell rows, tables row by row (spans counted, the
continuations of vertically merged cells left empty, as in converted text). The main document's
XML is read straight from the archive with lxml: python-docx's object model costs four times as
much and gives nothing a grid needs."""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Final

from lxml import etree

from filings.grid import Row, row_of

_W: Final = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC, _T = (f"{_W}{tag}" for tag in ("p", "tbl", "tr", "tc", "t"))
_TC_PR, _GRID_SPAN, _V_MERGE, _VAL = (f"{_W}{tag}" for tag in ("tcPr", "gridSpan", "vMerge", "val"))
_MAIN: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def read(data: bytes) -> list[Row]:
    body = _main_document(data).find(f"{_W}body")
    rows, line, tables = [], 0, 0
    for block in body.iterchildren(_P, _TBL):
        grid: list[list[str | None]]
        if block.tag == _P:
            grid, table = [[_text(block)]], None
        else:
            grid, tables = [_row_values(tr) for tr in block.iter(_TR)], tables + 1
            table = tables
        for number, values in enumerate(grid, start=1):
            line += 1
            row = row_of(line, values, f"第{table}个表格第{number}行" if table else None)
            if row is not None:
                rows.append(row)
    return rows


def _main_document(data: bytes) -> etree._Element:
    """The root of the package's main document part, found through the package relationships."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        relationships = etree.fromstring(package.read("_rels/.rels"), _PARSER)
        target = next(r.get("Target") for r in relationships if r.get("Type") == _MAIN)
        return etree.fromstring(package.read(posixpath.normpath(target.lstrip("/"))), _PARSER)


def _row_values(tr: etree._Element) -> list[str | None]:
    values = []
    for tc in tr.iterchildren(_TC):
        span, continued = 1, False
        for setting in tc.iterchildren(_TC_PR):  # at most one, the cell's first child
            for child in setting.iterchildren(_GRID_SPAN, _V_MERGE):
                if child.tag == _GRID_SPAN:
                    span = int(child.get(_VAL))
                else:
                    continued = child.get(_VAL) in (None, "continue")
        values.append(None if continued else "".join(tc.itertext(_T, with_tail=False)))
        values += [None] * (span - 1)
    return values


def _text(paragraph: etree._Element) -> str:
    return "".join(paragraph.itertext(_T, with_tail=False))
