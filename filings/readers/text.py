"""Converter text (.txt, .md): tab-separated cells, markdown headings; UTF-8, UTF-16 or GB18030."""

from __future__ import annotations

from filings.grid import Row, UnreadableFiling, row_of


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by BOM, else GB18030; refuse binary junk."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise UnreadableFiling("文件含二进制内容,不是文本格式的自评表")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFiling("无法识别文件编码(既不是 UTF-8,也不是 GB18030)")


def read(data: bytes) -> list[Row]:
    """One row per line, cells split on tabs; markdown heading marks dropped."""
    rows = []
    for number, line in enumerate(decode(data).splitlines(), start=1):
        if line.lstrip().startswith("#"):
            line = line.lstrip().lstrip("#")
        row = row_of(number, line.split("\t"))
        if row is not None:
            rows.append(row)
    return rows
