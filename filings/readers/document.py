"""Word documents (.docx): paragraphs as one-cell rows, tables row by row (spans counted, the
continuations of vertically merged cells left empty, as in converted text)."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from filings.grid import Row, row_of


def read(data: bytes) -> list[Row]:
    body = docx.Document(io.BytesIO(data)).element.body
    rows, line, tables = [], 0, 0
    for block in body.iterchildren():
        if block.tag == qn("w:p"):
            grid, table = [[_text(block)]], None
        elif block.tag == qn("w:tbl"):
            grid, tables = [_row_values(tr) for tr in block.iter(qn("w:tr"))], tables + 1
            table = tables
        else:
            continue
        for number, values in enumerate(grid, start=1):
            line += 1
            row = row_of(line, values, f"第{table}个表格第{number}行" if table else None)
            if row is not None:
                rows.append(row)
    return rows


def _row_values(tr) -> list[str | None]:
    values = []
    for tc in tr.iterchildren(qn("w:tc")):
        properties = tc.find(qn("w:tcPr"))
        span = properties.find(qn("w:gridSpan")) if properties is not None else None
        merge = properties.find(qn("w:vMerge")) if properties is not None else None
        continued = merge is not None and merge.get(qn("w:val")) in (None, "continue")
        values.append(None if continued else "".join(_text(p) for p in tc.iter(qn("w:p"))))
        values += [None] * (int(span.get(qn("w:val"))) - 1 if span is not None else 0)
    return values


def _text(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
