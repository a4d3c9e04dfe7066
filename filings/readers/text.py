"""Converter text (.txt, .md): tab-separated cells (or `|` / spaces where a file has no tab),
markdown headings; UTF-8, UTF-16 or GB18030."""

from __future__ import annotations

import re

from filings.grid import Row, UnreadableFiling, row_of


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by BOM, else GB18030; refuse binary junk."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise UnreadableFiling("文件含二进制内容,不是文本格式的自评表", "binary_content")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFiling("无法识别文件编码(既不是 UTF-8,也不是 GB18030)", "unknown_encoding")


def read(data: bytes) -> list[Row]:
    """One row per line; cells split on tabs, or, in a file without tabs, on `|` where a line has
    them and on spaces otherwise (web pages flatten tables so); markdown heading marks dropped."""
    text = decode(data)
    tabbed = "\t" in text
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            line = line.lstrip().lstrip("#")
        row = row_of(number, _cells(line, tabbed))
        if row is not None:
            rows.append(row)
    return rows


def _cells(line: str, tabbed: bool) -> list[str]:
    if tabbed:
        return line.split("\t")
    if "|" in line:
        return line.split("|")
    return re.split(r"\s+", line.strip())
