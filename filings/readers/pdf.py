"""PDF with a text layer, through PDFium (pypdfium2): ruled tables row by row, the text around them as
one-cell rows, in reading order. A PDF without text (a scan) needs OCR and is refused as such.

The grid is the one pdfplumber (pdfminer) gave, in a seventh of the time: its table finder
(ported in filings.readers.pdf_tables) and its way of putting characters into cells, words and
lines, run on PDFium's characters and path segments. PDFium's loose character boxes stand for
pdfminer's: they differ by under a point, against tolerances of 3. One difference is kept: every
character is taken as upright, where pdfplumber reads text turned sideways on the page in columns.
"""

from __future__ import annotations

import ctypes
import subprocess
from bisect import bisect_left
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from filings.grid import Row, UnreadableFiling, row_of
from filings.readers.pdf_tables import TOLERANCE, clusters, find_tables

LIGATURES = str.maketrans({"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"})


# A box (left, bottom, right, top) in PDF space → (x0, top, x1, bottom) on the page as shown: from
# its top left corner down, the page's /Rotate applied as pdfminer does. m: the page's media box.
SHOWN = {
    0: lambda l, b, r, t, m: (l - m[0], m[3] - t, r - m[0], m[3] - b),
    90: lambda l, b, r, t, m: (b - m[1], l - m[0], t - m[1], r - m[0]),
    180: lambda l, b, r, t, m: (m[2] - r, b - m[1], m[2] - l, t - m[1]),
    270: lambda l, b, r, t, m: (m[3] - t, m[2] - r, m[3] - b, m[2] - l),
}


class Char(NamedTuple):  # on the page as shown (see SHOWN), in points
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


class Word(NamedTuple):
    text: str
    top: float


def read(data: bytes) -> list[Row]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise UnreadableFiling("PDF 已加密,需要密码才能读取", "encrypted") from exc
        raise
    with document:
        pages = [_page(document[index]) for index in range(len(document))]
        if not any(chars for chars, _ in pages):
            raise UnreadableFiling("PDF 没有文字层(扫描件),需要 OCR 识别后再报送", "needs_ocr")
        if not chinese_font_installed() and any(
                _needs_system_font(document[n]) for n, (chars, _) in enumerate(pages) if _chinese(chars)):
            raise UnreadableFiling("PDF 的中文字体未嵌入文件,而本机没有中文字体,读取会丢字:请在本机安装中文字体"
                                   "(如 fonts-wqy-microhei,及 fontconfig)后重新运行", "needs_font")
    rows, line = [], 0
    for number, (chars, edges) in enumerate(pages, start=1):
        for on_page, values in enumerate(_page_items(chars, *edges), start=1):
            line += 1
            row = row_of(line, values, f"第{number}页第{on_page}行")
            if row is not None:
                rows.append(row)
    return rows


def _page(page) -> tuple[list[Char], tuple[list, list]]:
    """The page's characters and its (horizontal, vertical) path segments, as the page is shown."""
    shown, media = SHOWN[page.get_rotation()], page.get_mediabox()
    textpage = page.get_textpage()
    return _chars(textpage.raw, shown, media), _edges(page.raw, shown, media)


def _chars(textpage, shown, media) -> list[Char]:
    """The characters in content order with PDFium's loose boxes, without PDFium's own spaces and line breaks."""
    box, chars = pdfium_c.FS_RECTF(), []
    for index in range(pdfium_c.FPDFText_CountChars(textpage)):
        text = chr(pdfium_c.FPDFText_GetUnicode(textpage, index))
        if text in " \r\n" and pdfium_c.FPDFText_IsGenerated(textpage, index):  # the only ones it adds
            continue
        pdfium_c.FPDFText_GetLooseCharBox(textpage, index, box)
        chars.append(Char(text, *shown(box.left, box.bottom, box.right, box.top, media)))
    return chars


def _edges(page, shown, media) -> tuple[list, list]:
    """The horizontal (top, x0, x1) and vertical (x, top, bottom) pieces of the page's paths."""
    horizontal, vertical = [], []
    for path, matrix in _objects(page, pdfium.PdfMatrix(), pdfium_c.FPDF_PAGEOBJ_PATH):
        for (xa, ya), (xb, yb) in _segments(path, matrix):
            x0, top, x1, bottom = shown(min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb), media)
            if x0 == x1:
                vertical.append((x0, top, bottom))
            elif top == bottom:
                horizontal.append((top, x0, x1))
    return horizontal, vertical


def _objects(parent, matrix, kind: int, form: bool = False):
    """(object, its matrix to the page) for every object of `kind` of the page, inside forms too."""
    count, get = ((pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject) if form
                  else (pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject))
    for index in range(count(parent)):
        obj = get(parent, index)
        own_kind = pdfium_c.FPDFPageObj_GetType(obj)
        if own_kind in (kind, pdfium_c.FPDF_PAGEOBJ_FORM):
            own = pdfium_c.FS_MATRIX()
            pdfium_c.FPDFPageObj_GetMatrix(obj, own)
            to_page = pdfium.PdfMatrix.from_raw(own).multiply(matrix)
            if own_kind == kind:
                yield obj, to_page
            else:
                yield from _objects(obj, to_page, kind, form=True)


# Fonts PDFium carries its own forms of (the PDF standard 14 and their usual names), so that text in
# them reads whole without the font in the file or on the machine.
_STANDARD_FONTS = ("Helvetica", "Arial", "Times", "Courier", "Symbol", "ZapfDingbats")


def _needs_system_font(page) -> bool:
    """Whether the page has text in a font neither embedded in the file nor carried by PDFium."""
    name = ctypes.create_string_buffer(256)
    for text, _ in _objects(page.raw, pdfium.PdfMatrix(), pdfium_c.FPDF_PAGEOBJ_TEXT):
        font = pdfium_c.FPDFTextObj_GetFont(text)
        pdfium_c.FPDFFont_GetBaseFontName(font, name, len(name))
        if not pdfium_c.FPDFFont_GetIsEmbedded(font) and not name.value.decode("latin-1").startswith(_STANDARD_FONTS):
            return True
    return False


def _chinese(chars: list[Char]) -> bool:
    return any("\u4e00" <= char.text <= "\u9fff" for char in chars)


@lru_cache(maxsize=1)
def chinese_font_installed() -> bool:
    """Whether the machine has a Chinese font for PDFium to stand in for one the file lacks. PDFium
    scans the usual font folders (/usr/share/fonts …) itself; fontconfig's list of them stands for
    what it finds there, and without fontconfig no font is taken to be there."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(listed.stdout.strip())


def _segments(path, matrix):
    """Each straight piece of a path between consecutive points (curves by their control points,
    as pdfminer has them), closing pieces included."""
    x, y = ctypes.c_float(), ctypes.c_float()
    start = last = None
    for index in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, index)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = matrix.on_point(x.value, y.value)
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = point
        else:
            yield last, point
        last = point
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            yield last, start
            last = start


def _page_items(chars: list[Char], horizontal, vertical) -> list[list[str | None]]:
    """The cell values of every table row and every text line outside the tables, top to bottom."""
    tables = find_tables(horizontal, vertical)
    by_height = sorted(((c.top + c.bottom) / 2, (c.x0 + c.x1) / 2, n) for n, c in enumerate(chars))  # centres
    heights = [y for y, _, _ in by_height]
    items = []
    for table in tables:
        for (x0, top, x1, bottom), cells in table.rows:
            in_row = sorted((x, n, y) for y, x, n in by_height[bisect_left(heights, top):bisect_left(heights, bottom)]
                            if x0 <= x < x1)
            items.append((top, [_cell_value(chars, in_row, cell) for cell in cells]))
    outside = chars
    for x0, top, x1, bottom in (table.bbox for table in tables):
        outside = [c for c in outside if not (x0 <= c.x0 and c.x1 <= x1 and top <= c.top and c.bottom <= bottom)]
    for line in clusters(_words(outside), key=attrgetter("top"), preserve_order=True):
        items.append((min(w.top for w in line), [" ".join(w.text for w in line)]))
    return [values for _, values in sorted(items, key=lambda item: item[0])]


def _cell_value(chars: list[Char], in_row: list[tuple], cell) -> str | None:
    """The text of the row's characters centred in the cell (in_row: their centre x, index and
    centre y, by x); None for an empty cell or a span."""
    if cell is None:
        return None
    x0, top, x1, bottom = cell
    start, end = bisect_left(in_row, (x0,)), bisect_left(in_row, (x1,))
    inside = sorted(n for _, n, y in in_row[start:end] if top <= y < bottom)  # in page order
    return (_cell_text([chars[n] for n in inside]) or None) if inside else None


def _cell_text(chars: list[Char]) -> str:
    """A cell's lines run together (a line break in a cell is only the cell's width)."""
    return "".join(" ".join(w.text for w in line) for line in clusters(_words(chars), key=attrgetter("top")))


def _words(chars: list[Char]) -> list[Word]:
    """pdfplumber's words: the characters of each line left to right, cut at blanks and at gaps
    wider than TOLERANCE."""
    words = []
    for line in clusters(chars, key=attrgetter("top")):
        word = []
        for char in sorted(line, key=attrgetter("x0")):
            blank = char.text.isspace()
            if word and (blank or char.x0 < word[-1].x0 or char.x0 > word[-1].x1 + TOLERANCE
                         or abs(char.top - word[-1].top) > TOLERANCE):
                words.append(_word(word))
                word = []
            if not blank:
                word.append(char)
        if word:
            words.append(_word(word))
    return words


def _word(chars: list[Char]) -> Word:
    return Word("".join(c.text for c in chars).translate(LIGATURES), min(c.top for c in chars))
