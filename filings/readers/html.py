"""HTML pages and Word-exported HTML: tables row by row, headings and paragraphs as one-cell rows."""

from __future__ import annotations

import re
from typing import Final

import lxml.html

from filings.grid import Row, UnreadableFiling, row_of
from filings.readers.guards import entities_refused, html_declares_entities
from filings.readers.text import decode

_BLOCKS: Final = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "li", "caption", "title"}
_MAX_SPAN: Final = 50  # a colspan larger than any real form: ignore the rest


def read(data: bytes) -> list[Row]:
    page = decode(data)
    if html_declares_entities(page):
        raise entities_refused("HTML 页面")
    if not re.search(r"<(html|body|table|tr|p|div|h[1-6])\b", page, re.IGNORECASE):
        raise UnreadableFiling("扩展名为 HTML,内容却不是网页(没有 html、body、table 等标签):"
                               "若是文本,请改为 .txt 后重新报送", "wrong_extension")
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    root = lxml.html.fromstring(page, parser=parser)
    for junk in root.iter("script", "style"):
        junk.drop_tree()
    rows, line = [], 0
    tables: dict[object, tuple[int, int]] = {}  # table element → (its number, rows so far)
    for element in root.iter():
        where = None
        if element.tag == "tr":
            table = next(element.iterancestors("table"), None)
            number, seen = tables.get(table, (len(tables) + 1, 0))
            tables[table] = (number, seen + 1)
            where = f"第{number}个表格第{seen + 1}行"
            values = []
            for cell in element.iterchildren("td", "th"):
                values.append(cell.text_content())
                values += [None] * (min(int(cell.get("colspan", "1") or 1), _MAX_SPAN) - 1)
        elif (element.tag in _BLOCKS and next(element.iterancestors("table"), None) is None
              and not any(child.tag in _BLOCKS or child.tag == "table" for child in element.iterdescendants())):
            values = [element.text_content()]
        else:
            continue
        line += 1
        row = row_of(line, values, where)
        if row is not None:
            rows.append(row)
    return rows
