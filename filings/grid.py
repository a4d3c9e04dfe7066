"""The grid every reader produces: rows of non-empty cells with their source positions."""

from __future__ import annotations

from typing import Final, Iterable, NamedTuple

from filings.records import new
from filings.text import clean, remembered


class UnreadableFiling(ValueError):
    """The file cannot be read as a filing: a message in Chinese and a stable reason code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Cell(NamedTuple):  # a tuple: millions are made, and a frozen dataclass is slow to build
    col: int  # position in its row: tab-separated cell, sheet column, table column (spans counted)
    raw: str  # as written, trimmed
    text: str  # cleaned (see filings.text.clean)
    key: str  # the text without any space, for matching labels
    uncertain: bool = False  # cut from figures run together, where another cut fits as well


class Row(NamedTuple):
    line: int  # 1-based: the line of a text file, the row of a sheet, the table row or paragraph of a document
    cells: tuple[Cell, ...]  # non-empty cells only, in order
    where: str | None = None  # the position a reader of the original sees (第2页第5行, 工作表「自评表」第12行)

    @property
    def joined(self) -> str:
        return " ".join(c.text for c in self.cells)

    @property
    def compact(self) -> str:
        """The row's text without any space, for finding titles and labels."""
        return "".join([c.key for c in self.cells])


def row_of(line: int, values, where: str | None = None, uncertain: frozenset[int] = frozenset()) -> Row | None:
    """A grid row from a reader's cell values (None or blank for an empty cell); None if all are
    empty. `uncertain`: the columns whose value is a guess (see Cell.uncertain)."""
    cells = [cell for col, value in enumerate(values) if value is not None
             and (cell := _cell(col, value if isinstance(value, str) else str(value))) is not None]
    if uncertain:
        cells = [cell._replace(uncertain=True) if cell.col in uncertain else cell for cell in cells]
    return new(Row, (line, tuple(cells), where)) if cells else None


def row_at(line: int, cells: tuple[Cell, ...]) -> Row:
    """A row of `cells` (non-empty, as a Row holds them) at `line`, with no other position."""
    return new(Row, (line, cells, None))


def _cell(col: int, raw: str) -> Cell | None:
    """The cell of `raw` in column `col`; None when it is blank once cleaned. Forms repeat their
    labels and figures in the same columns: each cell is made once, and found again by its text,
    then its column (a call through lru_cache, keyed by both, cost four times the lookups)."""
    by_col = _CELLS.get(raw)
    if by_col is None:
        by_col = remembered(_CELLS, raw, {}, 1 << 17)
    elif col in by_col:
        return by_col[col]
    text = clean(raw)
    cell = by_col[col] = new(Cell, (col, raw.strip(), text, text.replace(" ", ""), False)) if text else None
    return cell


_CELLS: Final[dict[str, dict[int, Cell | None]]] = {}  # raw text → column → its cell


def present(rows: Iterable[Row | None]) -> list[Row]:
    """The rows that are not None (row_of's None: a row whose cells are all empty)."""
    return [row for row in rows if row is not None]


def find_cell(row: Row, *labels: str) -> Cell | None:
    """The first cell of `row` whose compact text starts with one of `labels`."""
    for cell in row.cells:
        if cell.key.startswith(labels):
            return cell
    return None

