"""Readers: the bytes of a filing in any format → one grid of rows and cells (filings.grid).

Formats differ only here; everything after the grid is the same for all of them.
"""

from __future__ import annotations

from filings.grid import Row, UnreadableFiling
from filings.readers import document, guards, html, pdf, spreadsheet, text

READERS = {
    ".txt": text.read, ".md": text.read,
    ".html": html.read, ".htm": html.read,
    ".xlsx": spreadsheet.read, ".xls": spreadsheet.read, ".xlsm": spreadsheet.read, ".ods": spreadsheet.read,
    ".docx": document.read,
    ".pdf": pdf.read,
}
# What each reader takes, by content (guards.content_kind); text and HTML take no binary kind.
_KINDS_READ = {spreadsheet.read: {".xlsx", ".ods", "ole"}, document.read: {".docx"}, pdf.read: {".pdf"}}


def read_grid(data: bytes, suffix: str) -> list[Row]:
    """The grid of a file; UnreadableFiling (with a reason) for an unknown, unreadable or hostile file."""
    reader = READERS.get(suffix.lower())
    if reader is None:
        known = " ".join(sorted(READERS))
        raise UnreadableFiling(f"暂不支持的文件格式 {suffix or '(无扩展名)'}:可读取 {known}", "unsupported_format")
    guards.refuse_oversized(len(data))
    guards.refuse_encrypted_office(data)
    guards.refuse_wrong_extension(data, suffix, _KINDS_READ.get(reader, set()))
    if reader is text.read:
        guards.refuse_long_lines(data)
    try:
        if data.startswith(b"PK\x03\x04"):
            guards.refuse_hostile_archive(data)
        return reader(data)
    except (UnreadableFiling, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a library's own error on a damaged file (a Rust panic, calamine's, is no Exception)
        if guards.truncated(data):
            raise UnreadableFiling("文件不完整,像是在复制或上传时被截断:请重新报送完整的文件", "truncated") from exc
        raise UnreadableFiling(f"文件已损坏或不是有效的 {suffix} 文件({type(exc).__name__})", "damaged") from exc
