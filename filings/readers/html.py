"""HTML pages and Word-exported HTML: tables row by row, headings and paragraphs as one-cell rows,
written by one XSLT pass over the parsed page (filings.readers.transform)."""

from __future__ import annotations

import re
from typing import Final

import lxml.html

from filings.grid import Row, UnreadableFiling
from filings.readers.guards import entities_refused, html_declares_entities
from filings.readers.text import decode
from filings.readers.transform import CELL, FIELD, ROW, compile_stylesheet, rows_of, text_of

_BLOCKS: Final = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "li", "caption", "title")
_BLOCK: Final = " or ".join(f"self::{tag}" for tag in _BLOCKS)
# Every tr of a table, nested tables' among them, its td and th cells (a colspan counted) under its
# nearest table; every block outside tables that holds no block nor table: a heading, a paragraph.
# Templates rather than one selection of all of them: libxslt then looks into no table for blocks.
_ROWS: Final = compile_stylesheet(
    '<xsl:template match="table | tr"><xsl:for-each select="descendant-or-self::tr">'
    f'{ROW}r<xsl:value-of select="generate-id(ancestor::table[1])"/><xsl:for-each select="td | th">'
    f'{CELL}<xsl:value-of select="{text_of("@colspan")}"/>{FIELD}{FIELD}<xsl:value-of select="{text_of(".")}"/>'
    f'</xsl:for-each></xsl:for-each></xsl:template><xsl:template match="{" | ".join(_BLOCKS)}"><xsl:choose>'
    f'<xsl:when test=".//*[{_BLOCK} or self::table]"><xsl:apply-templates/></xsl:when>'
    f'<xsl:otherwise>{ROW}p<xsl:value-of select="{text_of(".")}"/></xsl:otherwise></xsl:choose></xsl:template>')


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
    return rows_of(str(_ROWS(root)))
