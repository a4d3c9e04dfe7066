"""Reader: bytes of a converter-text filing → a grid of rows and cells with their line numbers."""

from __future__ import annotations

from dataclasses import dataclass

from filings.text import clean


class UnreadableFiling(ValueError):
    """The bytes are not text in any encoding a filing arrives in."""


@dataclass(frozen=True)
class Cell:
    col: int  # position in the line's tab-separated cells
    raw: str  # as written, trimmed
    text: str  # cleaned (see filings.text.clean)

    @property
    def key(self) -> str:
        return self.text.replace(" ", "")


@dataclass(frozen=True)
class Row:
    line: int  # 1-based line number in the file
    cells: tuple[Cell, ...]  # non-empty cells only, in order

    @property
    def joined(self) -> str:
        return " ".join(c.text for c in self.cells)


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


def read_rows(text: str) -> list[Row]:
    """Split lines on tabs; drop markdown heading marks; keep only rows with some text."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.lstrip("#").strip() if line.lstrip().startswith("#") else line
        cells = tuple(
            Cell(col, raw.strip(), clean(raw))
            for col, raw in enumerate(line.split("\t"))
            if clean(raw)
        )
        if cells:
            rows.append(Row(number, cells))
    return rows


def find_cell(row: Row, *labels: str) -> Cell | None:
    """The first cell of `row` whose compact text starts with one of `labels`."""
    for cell in row.cells:
        if cell.key.startswith(labels):
            return cell
    return None

