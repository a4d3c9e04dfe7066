"""Refusals before any parser sees the bytes: a file too large or with an endless line, contents
that are not what the extension says, a zip bomb, an XML document type declaration (the door of
entity bombs and external entities; no office file or filing needs one)."""

from __future__ import annotations

import io
import re
import zipfile

from filings.grid import UnreadableFiling

MAX_BYTES = 100 * 1024 * 1024  # any file: a department's filings are a few MB
MAX_LINE = 1024 * 1024  # a text line: a whole form on one line is a few KB
# Office files are zip archives: refuse one that would inflate beyond reason (a zip bomb).
MAX_INFLATED = 200 * 1024 * 1024
MAX_RATIO = 200

# An optional byte-order mark, the XML declaration, white space, then the root element's tag.
_PLAIN_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml[^<>]*\?>)?[ \t\r\n]*<[A-Za-z_]")
_HEAD = 4096  # bytes of a member read first, for its prolog
_DTD = [b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")]
_KINDS = {".pdf": "PDF 文件", ".xlsx": "Excel 工作簿(.xlsx)", ".docx": "Word 文档(.docx)",
          ".ods": "OpenDocument 表格(.ods)", "ole": "旧版 Office 文件(.xls/.doc)或加密的 Office 文件"}


def refuse_oversized(size: int) -> None:
    if size > MAX_BYTES:
        raise UnreadableFiling(f"文件大小 {size / 1024 / 1024:.0f} MB,超过 {MAX_BYTES // 1024 // 1024} MB 的上限,"
                               "拒绝读取:请按单位拆分后重新报送", "too_large")


def refuse_long_lines(data: bytes) -> None:
    if len(data) <= MAX_LINE:  # no line of it can be longer (nearly every filing): not split into lines
        return
    for number, line in enumerate(data.split(b"\n"), start=1):
        if len(line) > MAX_LINE:
            raise UnreadableFiling(f"第 {number} 行长达 {len(line) / 1024 / 1024:.1f} MB(上限 "
                                   f"{MAX_LINE // 1024 // 1024} MB),不是自评表的文本,拒绝读取", "line_too_long")


def content_kind(data: bytes) -> str | None:
    """What the bytes are by their signature (a key of _KINDS), None for text or anything else."""
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(_OLE):
        return "ole"
    if data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return ".docx"
            if "xl/workbook.xml" in names:
                return ".xlsx"
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100 \
                    and b"opendocument.spreadsheet" in archive.read("mimetype"):
                return ".ods"
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # the stream a password-protected .xlsx/.docx holds


def refuse_encrypted_office(data: bytes) -> None:
    """An .xlsx or .docx saved with an opening password is an OLE container holding it encrypted."""
    if data.startswith(_OLE) and _ENCRYPTED_PACKAGE in data:
        raise UnreadableFiling("Office 文件已加密(设置了打开密码),需要密码才能读取:请报送未加密的文件", "encrypted")


def refuse_wrong_extension(data: bytes, suffix: str, accepted: set[str]) -> None:
    """`accepted`: the kinds the suffix's reader takes (none for text and HTML)."""
    kind = content_kind(data)
    if kind is not None and kind not in accepted:
        raise UnreadableFiling(f"扩展名为 {suffix},内容却是{_KINDS[kind]}:请改正扩展名后重新报送", "wrong_extension")


def refuse_hostile_archive(data: bytes) -> None:
    """A zip bomb, by inflated size and ratio; a member declaring a document type."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # the reader reports the damage
    members = archive.infolist()
    inflated = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if inflated > MAX_INFLATED or (inflated > 10 * 1024 * 1024 and inflated / packed > MAX_RATIO):
        raise UnreadableFiling(f"压缩内容解压后达 {inflated // 1024 // 1024} MB(压缩比 {inflated // packed}:1),"
                               "疑似压缩炸弹,拒绝读取", "zip_bomb")
    for member in members:
        if _declares_doctype(archive, member):
            raise entities_refused(member.filename)


def entities_refused(where: str) -> UnreadableFiling:
    return UnreadableFiling(f"{where} 含 XML 文档类型或实体声明(<!DOCTYPE>/<!ENTITY>),疑似 XML 炸弹或外部实体"
                           "攻击,拒绝读取", "xml_entities")


def truncated(data: bytes) -> bool:
    """A zip without its closing directory, a PDF without its end mark: cut off in copying."""
    if data.startswith(b"PK\x03\x04"):
        return b"PK\x05\x06" not in data[-65_600:]
    return data.startswith(b"%PDF-") and b"%%EOF" not in data[-1024:]


def html_declares_entities(text: str) -> bool:
    """An HTML page never needs an entity declaration; a crafted one has them."""
    return re.search(r"<!ENTITY", text, re.IGNORECASE) is not None


def _declares_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether the member declares a document type anywhere. A document type stands in an XML
    document's prolog, before its root element: a member that opens as office XML does (see
    _PLAIN_PROLOG) declares none, and is not inflated further (an office file's styles are most of
    its bytes). Any other member is searched whole."""
    with archive.open(member) as stream:
        chunk, tail = stream.read(_HEAD), b""
        if _PLAIN_PROLOG.match(chunk):
            return False
        while chunk:
            window = tail + chunk
            if any(pattern in window for pattern in _DTD):
                return True
            tail = window[-32:]
            chunk = stream.read(1024 * 1024)
    return False
