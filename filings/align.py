"""Align a row's cells to a table's columns by what they contain, not by where they stand.

Merged cells vanish in converted text, so a row's cells shift left or right and labels go
missing. Each column has a kind (a level-1 label, a number, a rate, a target value …); the cells
of a row keep their order. A small dynamic programme finds the order-preserving assignment of
cells to columns that fits their contents best, with the header position only as a tie-breaker.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from filings.grid import Cell, Row
from filings.templates import Template
from filings.text import remembered
from filings.values import is_number, parse_measure, parse_number, parse_rate

DROP: Final = -2.0  # a cell that fits no column (a stray duplicate label)


class Column:
    """A table column: its role, the position of its header cell, and the kind of cell it holds."""

    def __init__(self, role: str, col: int, kind: str) -> None:
        self.role = role
        self.col = col  # position of the header cell
        self.kind = kind  # level1 / level2 / name / value / number / rate / text


_INDICATOR_NAME_PREFIX: Final = ("指标",)
QUALITATIVE_NATURE: Final = ("定性", "定量")  # 指标性质 cells that are no comparison
_OPERATORS: Final = ("=", "≥", "≤", ">", "<", ">=", "<=", *QUALITATIVE_NATURE)


def _fit(kind: str, text: str, key: str, template: Template | None) -> float | None:
    """How well a cell fits a column of `kind`; None where it cannot stand there. Asked once per text
    and table (see _Table); what it reads of the text (numbers, measures, names) is memoised there."""
    if kind == "level1":  # a name that is both (满意度指标) is more likely the level-1 label
        return 4.5 if _is_level1(text, template) else None
    if kind == "level2":
        return 4.0 if _is_level2(text, template) else None
    if kind == "number":
        return 2.0 if is_number(text) else None
    if kind == "rate":
        rate = parse_rate(text)
        if rate is None:
            return None
        return 3.0 if text.endswith("%") else 1.5
    if kind == "name":
        if is_number(text):
            return None
        if _is_level1(text, template) or _is_level2(text, template):
            return 0.0
        return 3.0 if key.startswith(_INDICATOR_NAME_PREFIX) else 1.0
    if kind == "value":
        if key.startswith(_INDICATOR_NAME_PREFIX) or _is_level1(text, template) or _is_level2(text, template):
            return None
        measure = parse_measure(text)
        if measure.kind in ("quantity", "period", "empty"):
            return 2.0
        return 1.0 if len(key) <= 12 else 0.3
    if kind == "text":
        return 0.2 if is_number(text) else 1.0
    if kind == "operator":
        return 3.0 if key in _OPERATORS else None
    if kind == "unit":
        return 1.0 if len(key) <= 6 and not any(ch.isdigit() for ch in key) and key not in _OPERATORS else None
    raise ValueError(f"unknown column kind {kind!r}")


def _is_level1(text: str, template: Template | None) -> bool:
    return template is not None and template.level1(text) is not None


def _is_level2(text: str, template: Template | None) -> bool:
    return template is not None and template.level2(text) is not None


SHIFTS: Final = (0, 1, -1, 2, -2)  # a whole row shifted by vanished merged cells
SHIFT_COST: Final = 0.1
_DROP, _SKIP, _TAKE = 0, 1, 2


def align(row: Row, columns: list[Column], template: Template | None = None) -> dict[str, Cell]:
    """The best order-preserving assignment of `row`'s cells to `columns` (role → cell).

    Header positions break ties; they are tried with the row shifted a column or two either way,
    since a vanished merged cell moves every cell after it. Rows of the same shape (the same fits
    at the same positions) recur in every form of a template, so the assignment is cached by shape.
    """
    kinds = tuple([column.kind for column in columns])
    table = _TABLES.get((kinds, template))
    if table is None:
        table = remembered(_TABLES, (kinds, template), _Table(kinds, template), 256)
    numbers = table.numbers  # looked up in place (a bound `get` is called as a Python object)
    shape = tuple([n if (n := numbers.get(cell.text)) is not None else table.fit(cell) for cell in row.cells])
    key = (shape, tuple([cell.col for cell in row.cells]), tuple([column.col for column in columns]))
    taken = table.assignments.get(key)
    if taken is None:
        taken = table.assignments[key] = _assignment(tuple(table.fits[i] for i in shape), key[1], key[2])
    return {columns[j].role: row.cells[i] for i, j in taken}


class _Table:
    """What is known of a table's columns (their kinds, in a template): each distinct cell text's
    fits, numbered (a row's shape is the numbers of its cells' fits), and the assignment of each
    shape already met. Emptied when it grows large: the figures of a whole province never recur."""

    LIMIT = 1 << 16

    def __init__(self, kinds: tuple[str, ...], template: Template | None) -> None:
        self.kinds, self.template = kinds, template
        self.numbers: dict[str, int] = {}  # cell text → number of its fits
        self.fits: list[tuple[float | None, ...]] = []
        self.by_fits: dict[tuple[float | None, ...], int] = {}
        self.assignments: dict[tuple, tuple[tuple[int, int], ...]] = {}

    def fit(self, cell: Cell) -> int:
        number = self.numbers.get(cell.text)
        if number is None:
            if len(self.numbers) >= self.LIMIT:
                self.numbers.clear()
            fits = tuple(_fit(kind, cell.text, cell.key, self.template) for kind in self.kinds)
            number = self.numbers[cell.text] = self.by_fits.setdefault(fits, len(self.fits))
            if number == len(self.fits):
                self.fits.append(fits)
            if len(self.assignments) >= self.LIMIT:
                self.assignments.clear()
        return number


# What is known of each table (its kinds of column, in a template): looked up at every row.
_TABLES: Final[dict[tuple[tuple[str, ...], Template | None], _Table]] = {}


def _assignment(fits: tuple, cols: tuple[int, ...], positions: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """(cell index, column index) pairs of the best assignment over every shift."""
    best_score: float = float("-inf")
    best: tuple[tuple[int, int], ...] = ()
    for shift in SHIFTS:
        score, taken = _align_shifted(fits, cols, positions, shift)
        if score > best_score:
            best_score, best = score, taken
    return best


def _align_shifted(fits: tuple, cols: tuple[int, ...], positions: tuple[int, ...],
                   shift: int) -> tuple[float, tuple[tuple[int, int], ...]]:
    """Dynamic programme over (cells used, columns used); moves: drop a cell, skip a column, or
    put the cell in the column. Ties go to the earlier move in that order."""
    n, m = len(cols), len(positions)
    best = [[0.0] * (m + 1)] + [[0.0] * (m + 1) for _ in range(n)]
    move = [[_SKIP] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        previous, current, moves, cell_fits = best[i - 1], best[i], move[i], fits[i - 1]
        at = cols[i - 1] - shift
        current[0], moves[0] = previous[0] + DROP, _DROP
        for j in range(1, m + 1):
            value, chosen = previous[j] + DROP, _DROP
            if current[j - 1] > value:
                value, chosen = current[j - 1], _SKIP
            score = cell_fits[j - 1]
            if score is not None:
                offset = abs(at - positions[j - 1])
                take = previous[j - 1] + score + (0.5 if offset == 0 else 0.25 if offset == 1 else 0.0)
                if take > value:
                    value, chosen = take, _TAKE
            current[j], moves[j] = value, chosen
    taken = []
    i, j = n, m
    while i > 0:
        chosen = move[i][j]
        if chosen == _TAKE:
            taken.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif chosen == _SKIP:
            j -= 1
        else:
            i -= 1
    return best[n][m] - SHIFT_COST * abs(shift), tuple(reversed(taken))


class UnknownHeader(ValueError):
    """A header cell names a column no template entry knows: better no figures than wrong ones."""


UNIT_NOTE: Final = re.compile(r"^[((][^))]*[))]$")  # `(万元)` split off its label


def columns_from_header(row: Row, headers: tuple[tuple[str, str], ...], kinds: dict[str, str]) -> list[Column]:
    """Read a header row into columns: each header cell's role by its first matching word.

    The first cell may be the block's label (项目资金, 绩效指标); any other cell that matches no
    header word raises UnknownHeader, since rows would then be aligned to a table we misread.
    """
    roles = _roles(tuple((cell.key, cell.text) for cell in row.cells), headers)
    return [Column(role, cell.col, kinds[role]) for cell, role in zip(row.cells, roles) if role is not None]


@lru_cache(maxsize=1 << 12)  # a template's header rows recur in every form
def _roles(cells: tuple[tuple[str, str], ...], headers: tuple[tuple[str, str], ...]) -> tuple[str | None, ...]:
    """Each header cell's (key, text) role, None for the block's label and unit notes (see columns_from_header)."""
    roles, seen = [], set()
    for i, (key, text) in enumerate(cells):
        role = next((r for word, r in headers if key.startswith(word) and r not in seen), None)
        if role is None and i > 0 and not UNIT_NOTE.match(key):
            raise UnknownHeader(f"表头栏目「{text}」未能识别")
        roles.append(role)
        seen.add(role)
    return tuple(roles)


def number_of(cells: dict[str, Cell], role: str) -> float | None:
    """The number in the cell aligned to `role`, if any."""
    return parse_number(cells[role].text) if role in cells else None
