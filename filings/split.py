"""Split a filing's rows into forms, each recognised by its title and given its kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from filings.grid import Row
from filings.values import title_year

TITLE: Final = re.compile(
    r"绩效评价汇总表|整体支出绩效(?:自评)?表|绩效(?:目标)?自评表|项目自评表|绩效目标表"
)
_FLATTENED_LINE: Final = 80  # longer than a title: a whole form flattened onto one line


@dataclass
class FormBlock:
    """The rows of one form: from its title to the next form's title."""

    kind: str  # project / department / summary
    title: str
    rows: list[Row]

    @property
    def line_start(self) -> int:
        return self.rows[0].line

    @property
    def line_end(self) -> int:
        return self.rows[-1].line

    @property
    def title_year(self) -> int | None:
        """The first year named between the title and the table (`(2024年度)`)."""
        for row in self.rows:
            year = title_year(row.joined)
            if year is not None:
                return year
            if has_content(row):
                return None
        return None


_FORM_LABELS: Final = re.compile(r"项目名称|专项资金名称|项目资金|绩效指标|预算执行|年初预算|一级指标|年度资金总额")


def has_content(row: Row) -> bool:
    """A row holding a form's own labels; page chrome (site notices, metadata) has none."""
    return bool(_FORM_LABELS.search(row.compact))


def kind_of(title: str) -> str:
    if "汇总表" in title:
        return "summary"
    if "整体" in title:
        return "department"
    return "project"


def split_forms(rows: list[Row]) -> list[FormBlock]:
    """Forms start at a title; a title repeated before any table (a page header) starts none.

    Rows before the first title (page chrome, document metadata) belong to no form.
    """
    blocks: list[FormBlock] = []
    for row in rows:
        match = TITLE.search(row.compact) if _names_a_table(row) else None
        current = blocks[-1] if blocks else None
        if match and (current is None or any(has_content(r) for r in current.rows)):
            blocks.append(FormBlock(kind_of(match.group()), _title_text(row, match.group()), [row]))
        elif current is not None:
            current.rows.append(row)
    return blocks


def _names_a_table(row: Row) -> bool:
    """Whether a cell holds 表, as every title does: a quick no for all other rows."""
    for cell in row.cells:
        if "表" in cell.key:
            return True
    return False


def _title_text(row: Row, keyword: str) -> str:
    """The title as printed: the first cell holding the keyword, cut short if a form follows it."""
    for cell in row.cells:
        if keyword in cell.key:
            text = cell.text
            end = text.find(keyword) + len(keyword)
            return text if len(text) <= _FLATTENED_LINE else text[:end]
    return keyword
