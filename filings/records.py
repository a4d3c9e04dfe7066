"""Normalised records, one per published table row. Field names are the column names, in order.

A form's rows (fund rows, indicators, … and the filing's source positions) are named tuples: a
parse makes them by the million, never changes one, and sends them on column by column. Made by
`new(Indicator, (…))` (tuple.__new__, run in C: a slotted dataclass's constructor, or a named
tuple's own, is a Python function the interpreter runs even when compiled code calls it) and
turned into columns by zip(*rows) (in C: reading each field of a dataclass by name took three
times as long). Forms and filings, filled in as a parse goes, are slotted dataclasses."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from filings import PARSER_VERSION

# new(FundRow, (…every field, in order…)): no field named, none left out. The grid's rows and cells
# (filings/grid.py) are made so too: a NamedTuple's own constructor cost 3,000 instructions a row.
new: Final = tuple.__new__


class FundRow(NamedTuple):
    """One row of the 项目资金 block (年度资金总额, 其中:当年财政拨款, 上年结转资金 …)."""

    form_id: str
    row_index: int
    item: str
    funds_total: float | None
    budget_initial: float | None
    budget_adjusted: float | None
    spent: float | None
    weight: float | None
    execution_rate_raw: str | None
    execution_rate_reported: float | None
    execution_rate_tolerance: float | None
    execution_rate_computed: float | None
    score: float | None
    reason: str | None
    figures_uncertain: bool  # cut from figures run together in one of several plausible ways
    line: int


class Indicator(NamedTuple):
    """One 三级指标 row of a project form, with its 一级/二级 labels carried down."""

    form_id: str
    row_index: int
    level1: str | None
    level1_points: float | None
    level1_inferred: bool
    level2: str | None
    level2_points: float | None
    level3: str | None
    target_raw: str | None
    target_text: str | None
    target_kind: str
    target_op: str | None
    target_value: float | None
    target_unit: str | None
    actual_raw: str | None
    actual_text: str | None
    actual_kind: str
    actual_op: str | None
    actual_value: float | None
    actual_unit: str | None
    weight: float | None
    score: float | None
    shortfall_reason: str | None
    scoring_method: str | None
    figures_uncertain: bool
    line: int


class DepartmentIndicator(NamedTuple):
    """One row of a 部门整体支出绩效自评表 (年度支出进度, 预算调整率 …)."""

    form_id: str
    row_index: int
    seq: int | None
    indicator: str
    weight: float | None
    target_raw: str | None
    target_text: str | None
    target_kind: str
    target_op: str | None
    target_value: float | None
    target_unit: str | None
    actual_raw: str | None
    actual_text: str | None
    actual_kind: str
    actual_op: str | None
    actual_value: float | None
    actual_unit: str | None
    scoring_method: str | None
    score: float | None
    shortfall_reason: str | None
    line: int


class SummaryRow(NamedTuple):
    """One project row of a 绩效评价汇总表."""

    form_id: str
    row_index: int
    seq: int | None
    project_name: str
    project_nature: str | None
    budget_amount: float | None
    fiscal_amount: float | None
    execution_rate_raw: str | None
    execution_rate_reported: float | None
    evaluation_method: str | None
    score: float | None
    submitted_content: str | None
    remark: str | None
    line: int


class SkippedRow(NamedTuple):
    """A row of an indicator table read but holding no indicator, and why."""

    form_id: str
    row_index: int
    line: int
    reason: str  # section_label / empty_slot / no_indicator
    text: str  # the row as written, cells joined by " | "


@dataclass(slots=True)
class Form:
    """One form of a filing, whatever its kind, with its header, funds and totals."""

    form_id: str
    filing_id: str
    source_file: str
    ordinal: int
    form_type: str  # project / department / summary
    template_id: str | None
    reporting_year: int
    title: str | None
    title_year: int | None
    indicator_columns: str | None = None  # roles of the indicator table's columns, comma-separated
    project_name: str | None = None
    supervising_dept: str | None = None
    implementing_unit: str | None = None
    goal_planned: str | None = None
    goal_achieved: str | None = None
    goal_line: int | None = None
    amount_unit: str | None = None
    budget_initial: float | None = None
    budget_adjusted: float | None = None
    budget_base: float | None = None  # A as the form's arithmetic uses it (see project.budget_base)
    spent: float | None = None
    execution_rate_raw: str | None = None
    execution_rate_reported: float | None = None
    execution_rate_tolerance: float | None = None
    execution_rate_computed: float | None = None
    funds_weight: float | None = None
    funds_score: float | None = None
    total_weight_reported: float | None = None
    total_score_reported: float | None = None
    total_line: int | None = None
    self_score_reported: float | None = None
    self_score_line: int | None = None
    indicator_rows_read: int = 0  # rows between the indicator header and the total
    complete: bool = False
    problems: str | None = None
    line_start: int = 0
    line_end: int = 0
    fund_rows: list[FundRow] = field(default_factory=list, repr=False)
    indicators: list[Indicator] = field(default_factory=list, repr=False)
    department_indicators: list[DepartmentIndicator] = field(default_factory=list, repr=False)
    summary_rows: list[SummaryRow] = field(default_factory=list, repr=False)
    skipped_rows: list[SkippedRow] = field(default_factory=list, repr=False)

    CHILDREN = ("fund_rows", "indicators", "department_indicators", "summary_rows", "skipped_rows")


class SourcePosition(NamedTuple):
    """Where a grid row stands in a paged, sheeted or tabled original (PDF, spreadsheet, Word, HTML)."""

    filing_id: str
    source_file: str
    reporting_year: int
    line: int
    position: str  # 第2页第5行, 工作表「自评表」第12行, 第1个表格第7行


@dataclass(slots=True)
class Filing:
    """One input file and what became of it."""

    filing_id: str
    source_file: str
    reporting_year: int
    bytes: int
    status: str  # parsed / partial / quarantined
    n_forms: int
    error: str | None
    reason_code: str | None = None  # why it was quarantined (see filings.schemas.REASON_CODES)
    parser_version: str = PARSER_VERSION
    forms: list[Form] = field(default_factory=list, repr=False)
    positions: list[SourcePosition] = field(default_factory=list, repr=False)


def field_names(record: type) -> list[str]:
    """A record type's fields, in order."""
    return list(record._fields) if issubclass(record, tuple) else [f.name for f in dataclasses.fields(record)]
