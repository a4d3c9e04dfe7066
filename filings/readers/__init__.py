"""Readers: the bytes of a filing in any format → one grid of rows and cells (filings.grid).

Formats differ only here; everything after the grid is the same for all of them.
"""

from __future__ import annotations

import io
import zipfile

from filings.grid import Row, UnreadableFiling
from filings.readers import document, html, pdf, spreadsheet, text

READERS = {
    ".txt": text.read, ".md": text.read,
    ".html": html.read, ".htm": html.read,
    ".xlsx": spreadsheet.read, ".xls": spreadsheet.read, ".xlsm": spreadsheet.read, ".ods": spreadsheet.read,
    ".docx": document.read,
    ".pdf": pdf.read,
}


# Office files are zip archives: refuse one that would inflate beyond reason (a zip bomb).
MAX_INFLATED = 200 * 1024 * 1024
MAX_RATIO = 200


def read_grid(data: bytes, suffix: str) -> list[Row]:
    """The grid of a file; UnreadableFiling (with a reason) for an unknown or unreadable format."""
    reader = READERS.get(suffix.lower())
    if reader is None:
        known = " ".join(sorted(READERS))
        raise UnreadableFiling(f"暂不支持的文件格式 {suffix or '(无扩展名)'}:可读取 {known}", "unsupported_format")
    if data.startswith(b"PK\x03\x04"):
        _refuse_bombs(data)
    try:
        return reader(data)
    except UnreadableFiling:
        raise
    except Exception as exc:  # a library's own error on a damaged file
        raise UnreadableFiling(f"文件已损坏或不是有效的 {suffix} 文件({type(exc).__name__})", "damaged") from exc


def _refuse_bombs(data: bytes) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        return  # the reader reports the damage
    inflated = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if inflated > MAX_INFLATED or (inflated > 10 * 1024 * 1024 and inflated / packed > MAX_RATIO):
        raise UnreadableFiling(f"压缩内容解压后达 {inflated // 1024 // 1024} MB(压缩比 {inflated // packed}:1),"
                               "疑似压缩炸弹,拒绝读取", "zip_bomb")
