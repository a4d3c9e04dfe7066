"""Readers: the bytes of a filing in any format → one grid of rows and cells (filings.grid).

Formats differ only here; everything after the grid is the same for all of them.
"""

from __future__ import annotations

from filings.grid import Row, UnreadableFiling
from filings.readers import document, html, pdf, spreadsheet, text

READERS = {
    ".txt": text.read, ".md": text.read,
    ".html": html.read, ".htm": html.read,
    ".xlsx": spreadsheet.read, ".xls": spreadsheet.read, ".xlsm": spreadsheet.read, ".ods": spreadsheet.read,
    ".docx": document.read,
    ".pdf": pdf.read,
}


def read_grid(data: bytes, suffix: str) -> list[Row]:
    """The grid of a file; UnreadableFiling (with a reason) for an unknown or unreadable format."""
    reader = READERS.get(suffix.lower())
    if reader is None:
        known = " ".join(sorted(READERS))
        raise UnreadableFiling(f"暂不支持的文件格式 {suffix or '(无扩展名)'}:可读取 {known}")
    try:
        return reader(data)
    except UnreadableFiling:
        raise
    except Exception as exc:  # a library's own error on a damaged file
        raise UnreadableFiling(f"文件已损坏或不是有效的 {suffix} 文件({type(exc).__name__})") from exc
