"""Converter text (.txt, .md): tab-separated cells (or `|` / spaces where a file has no tab),
markdown headings; UTF-8, UTF-16 or GB18030. Text that kept only the order of a table's cells
(one cell per line, a form on one line) has its rows rebuilt (filings.reflow)."""

from __future__ import annotations

import codecs
import re
from typing import Final

from filings import interleaved
from filings.grid import Cell, Row, UnreadableFiling, row_at, row_of
from filings.text import clean, remembered
from filings.fused import cut, fused
from filings.reflow import Token, reflow


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by BOM, else GB18030; refuse binary junk."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise UnreadableFiling("文件含二进制内容,不是文本格式的自评表", "binary_content")
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")  # not the utf-8-sig codec: it runs as Python
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableFiling("无法识别文件编码(既不是 UTF-8,也不是 GB18030)", "unknown_encoding") from None


def read(data: bytes) -> list[Row]:
    """One row per line; cells split on tabs, or, in a file without tabs, on `|` where a line has
    them and on spaces otherwise (web pages flatten tables so); markdown heading marks dropped."""
    text = decode(data)
    lines = text.splitlines()
    if _one_cell_per_line(lines):
        tokens = [Token(n, line.rstrip().removesuffix("|").strip()) for n, line in enumerate(lines, 1)]
        rebuilt = reflow(tokens, blanks_kept=True)
        if rebuilt is not None:
            return rebuilt
    tabbed = "\t" in text
    if not tabbed and _rows_run_together(lines):
        tokens = [Token(n, cell) for n, line in enumerate(lines, 1) for cell in line.split("|") if cell.strip()]
        rebuilt = reflow(tokens, blanks_kept=False)
        if rebuilt is not None:
            return rebuilt
    rows: list[Row] = []
    plain = _PLAIN_LINES[tabbed]
    for number, line in _joined_chunks(lines):
        known = plain.get(line)
        if known is not None:
            if known:
                rows.append(row_at(number, known))
            continue
        key = line
        if line.lstrip().startswith("#"):
            line = line.lstrip().lstrip("#")
        cells = _cells(line, tabbed)
        if fused(line):
            rebuilt = reflow([Token(number, c) for c in cut(clean(line))], blanks_kept=False, fused=True)
        elif len(cells) >= _FORM_ON_ONE_LINE:
            tokens = [Token(number, c) for c in cells if c]
            rebuilt = interleaved.rebuild(tokens) or reflow(tokens, blanks_kept=False)
        else:
            rebuilt = None
        if rebuilt is not None:
            rows += rebuilt
            continue
        row = row_of(number, cells)
        if len(key) <= _REMEMBERED_LINE:
            remembered(plain, key, row.cells if row else (), 1 << 15)
        if row:
            rows.append(row)
    return rows


# A line read as one row of its cells → those cells, for text with tabs and without: forms repeat
# their labels' and headings' lines (three lines in four of a province's tabbed text), each cut and
# cleaned once. The same line is the same row wherever it stands; only its number differs.
_PLAIN_LINES: Final[tuple[dict[str, tuple[Cell, ...]], dict[str, tuple[Cell, ...]]]] = ({}, {})
_REMEMBERED_LINE: Final = 1000  # characters: longer lines (a form run together) are not kept, nor met again


def _rows_run_together(lines: list[str]) -> bool:
    """`|` rows of a merged-cell sheet exported out of step: the indicator headings begin deep
    inside a line that also holds other rows (goals, the funds block)."""
    for line in lines:
        cells = [c.strip() for c in line.split("|") if c.strip()]
        at = next((i for i, c in enumerate(cells) if c.replace(" ", "").startswith("一级指标")), None)
        if at is not None:
            return at > 3
    return False


_CHUNK: Final = re.compile(r"^(\d+)、")


def _joined_chunks(lines: list[str]) -> list[tuple[int, str]]:
    """Numbered lines; a document preview's numbered chunks (`1、…`, `2、…`, cut anywhere, even
    inside a number) joined back into the first chunk's line."""
    joined: list[tuple[int, str]] = []
    expected = None
    for number, line in enumerate(lines, start=1):
        chunk = _CHUNK.match(line)
        if chunk and expected is not None and int(chunk.group(1)) == expected:
            joined[-1] = (joined[-1][0], joined[-1][1] + line[chunk.end():])
            expected += 1
        elif chunk or line.strip() or expected is None:
            joined.append((number, line[chunk.end():] if chunk and chunk.group(1) == "1" else line))
            expected = 2 if chunk and chunk.group(1) == "1" else None
    return joined


_FORM_ON_ONE_LINE: Final = 40  # cells: more than any table row has


def _one_cell_per_line(lines: list[str]) -> bool:
    """Most lines hold one cell closed by `|`, empty cells as a bare `|` (an HTML table so flattened)."""
    filled = [line for line in lines if line.strip()]
    single = sum(line.count("|") == 1 and line.rstrip().endswith("|") for line in filled)
    return len(filled) >= 20 and single >= 0.8 * len(filled)


def _cells(line: str, tabbed: bool) -> list[str]:
    if tabbed:
        return line.split("\t")
    if "|" in line:
        return line.split("|")
    return line.split()
