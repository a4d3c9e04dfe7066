"""Word documents (.docx): paragraphs as one-cell rows, tables row by row (spans counted, the
continuations of vertically merged cells left empty, as in converted text). The main document's
XML is read straight from the archive with lxml and its rows written by one XSLT pass
(filings.readers.transform): python-docx's object model costs four times as much and gives nothing
a grid needs."""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Final

from lxml import etree

from filings.grid import Row, UnreadableFiling
from filings.readers.transform import CELL, FIELD, ROW, compile_stylesheet, rows_of, text_of

_W: Final = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BODY: Final = f"{{{_W}}}body"
_MAIN: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

# The body's paragraphs and tables in order; a table's rows, nested tables' rows among them, under
# its number. A cell's text is its w:t elements' (a paragraph's too); its span its gridSpan; a
# vMerge other than `restart` continues the cell above.
_TEXT: Final = f'<xsl:for-each select=".//w:t"><xsl:value-of select="{text_of(".")}"/></xsl:for-each>'
_ROWS: Final = compile_stylesheet(
    '<xsl:template match="/"><xsl:for-each select="/*/w:body[1]/w:p | /*/w:body[1]/w:tbl">'
    f'<xsl:choose><xsl:when test="self::w:p">{ROW}p{_TEXT}</xsl:when>'
    f'<xsl:otherwise><xsl:variable name="table" select="generate-id()"/>{ROW}t<xsl:value-of select="$table"/>'
    f'<xsl:for-each select=".//w:tr">{ROW}r<xsl:value-of select="$table"/>'
    f'<xsl:for-each select="w:tc">{CELL}<xsl:value-of select="{text_of("(w:tcPr/w:gridSpan)[last()]/@w:val")}"/>'
    f"{FIELD}<xsl:if test=\"(w:tcPr/w:vMerge)[last()][not(@w:val) or @w:val='continue']\">c</xsl:if>"
    f"{FIELD}{_TEXT}</xsl:for-each></xsl:for-each></xsl:otherwise></xsl:choose></xsl:for-each></xsl:template>",
    f'xmlns:w="{_W}"')


def read(data: bytes) -> list[Row]:
    document = _main_document(data)
    if document.find(_BODY) is None:
        raise UnreadableFiling("Word 文档没有正文(w:body):文件已损坏,请重新导出后报送", "damaged")
    return rows_of(str(_ROWS(document)))


def _main_document(data: bytes) -> etree._Element:
    """The root of the package's main document part, found through the package relationships."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        relationships = etree.fromstring(package.read("_rels/.rels"), _PARSER)
        target = next(r.get("Target") for r in relationships if r.get("Type") == _MAIN)
        return etree.fromstring(package.read(posixpath.normpath(target.lstrip("/"))), _PARSER)
