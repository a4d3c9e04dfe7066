"""Parse a 项目支出绩效自评表 laid out as a table: header fields, funds block, indicators, totals."""

from __future__ import annotations

import re
from typing import Final

from filings.align import QUALITATIVE_NATURE, Column, align, columns_from_header, number_of
from filings.grid import Cell, Row, find_cell
from filings.records import Form, FundRow, Indicator, SkippedRow, new
from filings.split import FormBlock
from filings.templates import (
    FUND_END,
    FUND_HEADERS,
    GOAL_BLOCK,
    GOAL_LABELS,
    HEADER_FIELDS,
    HEADER_LABELS,
    LABEL_LEAD,
    TOTAL_LABELS,
    Template,
    choose_template,
    name_key,
)
from filings.text import split_points
from filings.values import is_number, measure_fields, parse_number, parse_rate


class LayoutNotRecognised(ValueError):
    """The block has no table this parser knows; the message says what is missing (in Chinese)."""


INDICATOR_KINDS: Final = {
    "level1": "level1", "level2": "level2", "level3": "name", "target": "value",
    "actual": "value", "operator": "operator", "unit": "unit", "weight": "number",
    "description": "text", "status": "text", "item_score": "number", "score": "number", "shortfall_reason": "text",
    "scoring_method": "text",
}
FUND_KINDS: Final = {
    "item": "name", "funds_total": "number", "budget_initial": "number",
    "budget_adjusted": "number", "spent": "number", "weight": "number",
    "execution_rate": "rate", "score": "number", "reason": "text", "scoring_method": "text",
    "received": "number",
}
TO_WAN: Final = {"万元": 1.0, "千元": 0.1, "元": 0.0001}  # amounts are published in 万元
_UNIT: Final = re.compile(rf"[((]({'|'.join(TO_WAN)})[))]")  # 项目资金(万元)
_SECTION: Final = re.compile(r"^[一二三四五六七八九十]+、")  # 三、目标完成情况: the next part of the form


def parse_project(block: FormBlock, form: Form) -> None:
    """Fill `form` from `block`; raise LayoutNotRecognised when its tables are not there."""
    rows = block.rows
    # Searched by generators, not a helper taking the test: compiled code calls a function passed
    # as a value through the interpreter, for every row.
    fund_at = next((i for i, row in enumerate(rows) if _fund_header(row)), None)
    indicator_at = next((i for i, row in enumerate(rows) if _indicator_header(row)), None)
    if fund_at is None and indicator_at is None:
        raise LayoutNotRecognised("未找到制表符分隔的项目资金表和绩效指标表")
    problems = []
    read_header_fields(rows[: fund_at if fund_at is not None else indicator_at], form)
    _read_goals(rows[:indicator_at], form)
    if fund_at is None:
        problems.append("缺少项目资金表")
    else:
        _read_funds(rows, fund_at, form)
    if indicator_at is None:
        problems.append("缺少绩效指标表")
        found_total = False
    else:
        found_total = _read_indicators(rows, indicator_at, form)
        if not found_total and _scored(rows[indicator_at]):
            problems.append("缺少总分行(表格可能被截断)")
    form.complete = not problems
    form.problems = ";".join(problems) or None


def _fund_header(row: Row) -> bool:
    """The funds block's heading row: a budget and a spending column, and no figures."""
    return bool(find_cell(row, "年初预算", "全年预算", "预算数", "预算安排") and find_cell(
        row, "全年执行", "执行数", "预算执行数", "资金执行") and not any(is_number(c.text) for c in row.cells))


def _indicator_header(row: Row) -> bool:
    """The indicator table's heading row: 二级指标 and 三级指标 columns."""
    return bool(find_cell(row, "三级指标") and find_cell(row, "二级指标"))


def _scored(header: Row) -> bool:
    """Whether the indicator table has 分值 or 得分 columns, and so a 总分 row to end it."""
    return bool(find_cell(header, "分值", "得分", "权重", "参考分值", "指标分值", "自评得分"))


def read_header_fields(rows: list[Row], form: Form) -> None:
    """项目名称 / 主管部门 / 实施单位 / 自评得分: the value is the next cell after its label."""
    for row in rows:
        for i, cell in enumerate(row.cells):
            if not cell.key.startswith(HEADER_LABELS):  # most cells: one test for every label
                continue
            label, fields = next((l, f) for l, f in HEADER_FIELDS if cell.key.startswith(l))
            rest = LABEL_LEAD.sub("", cell.text[len(label):])
            value = rest or _next_value(row, i)
            for field in fields:
                if value is None or getattr(form, field) is not None:
                    continue
                if field == "self_score_reported":
                    form.self_score_reported, form.self_score_line = parse_number(value), row.line
                else:
                    setattr(form, field, value)


def _next_value(row: Row, i: int) -> str | None:
    """The cell right after a label, unless it is another label (the value was left blank)."""
    following = row.cells[i + 1: i + 2]
    if not following or following[0].key.startswith(HEADER_LABELS):
        return None
    return following[0].text


def _read_funds(rows: list[Row], at: int, form: Form) -> None:
    header = rows[at]
    unit = _UNIT.search(header.cells[0].key)
    form.amount_unit = unit.group(1) if unit else "万元"
    scale = TO_WAN[form.amount_unit]
    stated_weight = split_points(header.cells[0].text)[1]  # 预算执行情况(万元) (20分)
    columns = [Column("item", header.cells[0].col, "name")]
    columns += columns_from_header(header, FUND_HEADERS, FUND_KINDS)
    for row in rows[at + 1:]:
        if row.cells[0].key.startswith(FUND_END) or _SECTION.match(row.cells[0].key) or find_cell(row, "三级指标"):
            break
        cells = align(row, columns)
        item = cells["item"].text if "item" in cells else "年度资金总额"
        rate_cell = cells.get("execution_rate")
        rate = parse_rate(rate_cell.text) if rate_cell else None
        initial, adjusted = _amount(cells, "budget_initial", scale), _amount(cells, "budget_adjusted", scale)
        spent = _amount(cells, "spent", scale)
        funds_total = _amount(cells, "funds_total", scale)
        form.fund_rows.append(new(FundRow, (  # every field, in order (see filings/records.py)
            form.form_id, len(form.fund_rows), item.rstrip("::"), funds_total, initial, adjusted, spent,
            number_of(cells, "weight"), rate_cell.raw if rate_cell else None, rate.value if rate else None,
            rate.tolerance if rate else None, _execution_rate(initial, adjusted, spent), number_of(cells, "score"),
            cells["reason"].text if "reason" in cells else None, _uncertain(cells), row.line)))
        if len(form.fund_rows) == 1 or "总额" in item:
            _set_form_funds(form, form.fund_rows[-1], stated_weight)


def _amount(cells: dict, role: str, scale: float) -> float | None:
    """An amount in 万元, whatever unit the form printed it in (to the fen, 0.000001 万元)."""
    value = number_of(cells, role)
    return round(value * scale, 6) if value is not None else None


def _set_form_funds(form: Form, total: FundRow, stated_weight: float | None) -> None:
    """The form's budget figures are those of its 年度资金总额 row; its weight, where the row
    prints none, is the one the block's label states."""
    form.budget_initial = total.budget_initial
    form.budget_adjusted = total.budget_adjusted
    form.budget_base = budget_base(total.budget_initial, total.budget_adjusted)
    form.spent = total.spent
    form.funds_weight = total.weight if total.weight is not None else stated_weight
    form.funds_score = total.score
    form.execution_rate_raw = total.execution_rate_raw
    form.execution_rate_reported = total.execution_rate_reported
    form.execution_rate_tolerance = total.execution_rate_tolerance
    form.execution_rate_computed = total.execution_rate_computed


def budget_base(initial: float | None, adjusted: float | None) -> float | None:
    """A: the adjusted budget, or the initial one when the adjustment is 0 or blank."""
    return adjusted if adjusted else initial


def _execution_rate(initial: float | None, adjusted: float | None, spent: float | None) -> float | None:
    """B/A (see budget_base)."""
    base = budget_base(initial, adjusted)
    return spent / base if base and spent is not None else None


def _read_goals(rows: list[Row], form: Form) -> None:
    """年度总体目标: the planned goal and what was achieved, under or beside their labels."""
    at = next((i for i, row in enumerate(rows) if row.cells[0].key.startswith(GOAL_BLOCK)), None)
    if at is None:
        return
    columns = [Column(GOAL_LABELS[c.key], c.col, "text") for c in rows[at].cells if c.key in GOAL_LABELS]
    for row in rows[at: at + 2]:
        texts = Row(row.line, tuple(
            c for c in row.cells if c.key not in GOAL_LABELS and not c.key.startswith(GOAL_BLOCK)))
        for role, cell in align(texts, columns).items():
            if getattr(form, role) is None:
                setattr(form, role, cell.text)
                form.goal_line = form.goal_line or row.line


def _read_indicators(rows: list[Row], at: int, form: Form) -> bool:
    """Read indicator rows up to the 总分 row; returns whether the total row was found."""
    template = choose_template([c.key for c in rows[at].cells], [c.text for row in rows[at + 1:] for c in row.cells])
    form.template_id = template.template_id
    header, at = _with_subheaders(rows, at, template)
    columns = columns_from_header(header, template.indicator_headers, INDICATOR_KINDS)
    form.indicator_columns = ",".join(c.role for c in columns)
    body, total = rows[at + 1:], None
    for i, row in enumerate(body):
        if row.cells[0].key.startswith(TOTAL_LABELS):
            body, total = body[:i], row
            break
    _carry_labels(body, columns, template, form)
    if total is not None:
        read_total(total, columns, form)
    return total is not None


def _with_subheaders(rows: list[Row], at: int, template: Template) -> tuple[Row, int]:
    """The indicator header with the cells a second header row splits (预期指标值 → 符号 / 值 /
    单位) replaced by their sub-columns; and the index of the header's last row."""
    below = rows[at + 1] if at + 1 < len(rows) else None
    words = {word for split in template.subheaders.values() for word in split}
    if below is None or not words or not all(c.key.startswith(tuple(words)) for c in below.cells):
        return rows[at], at
    cells: list[Cell] = []
    for cell in rows[at].cells:
        split = next((parts for word, parts in template.subheaders.items() if cell.key.startswith(word)), None)
        for part in split or (cell.text,):
            cells.append(Cell(len(cells), part, part, part))
    return Row(rows[at].line, tuple(cells)), at + 1


def _carry_labels(rows: list[Row], columns: list[Column], template: Template, form: Form) -> None:
    """Align each row, carry 一级/二级 labels (and the printed scoring rule) down to the rows below.

    A level-2 label implies its level-1 family (数量指标 → 产出指标), which repairs rows whose
    level-1 label is missing or stands a row too low; such rows say `level1_inferred`.
    """
    level1 = level2 = method = None
    inferred = False
    points: dict[str | None, float | None] = {}
    level2_points = None
    form.indicator_rows_read += len(rows)
    for row in rows:
        cells = align(row, columns, template)
        if "level1" in cells:
            level1, inferred = template.level1(cells["level1"].text), False
            stated = split_points(cells["level1"].text)[1]
            points[level1] = stated if stated is not None else points.get(level1)
            level2 = level2_points = method = None
        if "level2" in cells:
            level2, level2_points = split_points(cells["level2"].text)
            family = template.family_of(name_key(level2))
            if family != level1 and "level1" not in cells:
                level1, inferred, method = family, True, None
        if "scoring_method" in cells:
            method = cells["scoring_method"].text
        name = _name(cells)
        if name is None and not any(role in cells for role in _VALUE_ROLES):
            skip(form, row, "section_label" if "level1" in cells or "level2" in cells else "empty_slot")
            continue
        weight = number_of(cells, "weight")
        if name is None and "level2" in cells and weight is not None:
            # A level-2 name written in the 三级 column with values beside it (社会效应指标 | 10 | …):
            # the filer named the indicator after its section.
            name = level2
        actual, reason = cells.get("actual"), cells.get("shortfall_reason")
        form.indicators.append(new(Indicator, (
            form.form_id, len(form.indicators), level1, points.get(level1), inferred, level2, level2_points, name,
            *measure_fields(_target_text(cells)), *measure_fields(actual.raw if actual else None),
            weight, number_of(cells, "score"), reason.text if reason else None, method, _uncertain(cells), row.line)))


def skip(form: Form, row: Row, reason: str) -> None:
    """Record an indicator-table row that holds no indicator, so every row read is accounted for."""
    form.skipped_rows.append(new(SkippedRow, (form.form_id, len(form.skipped_rows), row.line, reason,
                                              " | ".join(c.raw for c in row.cells))))


_VALUE_ROLES: Final = ("target", "actual", "weight", "score")


def _name(cells: dict[str, Cell]) -> str | None:
    """The 三级 name of an aligned row; None for none, or for the template's empty slot (`指标 2:`)."""
    if "level3" not in cells:
        return None
    cell = cells["level3"]
    return None if _placeholder(cell.key) else cell.text


def _placeholder(key: str) -> bool:
    """The template's empty slot: 指标, then digits or none, then one colon or none (指标, 指标2, 指标2:;
    a key is cleaned, its colon ASCII). Not a regex: asked of every name, most of which begin 指标1:,
    it cost more than the rest of the name's reading."""
    if not key.startswith("指标"):
        return False
    number = key[2:].removesuffix(":")
    return number == "" or number.isdecimal()


def _uncertain(cells: dict[str, Cell]) -> bool:
    for cell in cells.values():
        if cell.uncertain:
            return True
    return False


def _target_text(cells: dict[str, Cell]) -> str | None:
    """The target as written; where it is split into 指标性质 / 指标值 / 度量单位 (`≥`, `95`, `%`),
    the three cells joined (a 定性 nature is no operator)."""
    if "operator" not in cells and "unit" not in cells:  # most tables: the target in one cell
        return (cells["target"].raw or None) if "target" in cells else None
    parts = [cells[role].raw for role in ("operator", "target", "unit") if role in cells]
    if "operator" in cells and cells["operator"].key in QUALITATIVE_NATURE:
        parts = parts[1:]
    return " ".join(parts) or None


def read_total(row: Row, columns: list[Column], form: Form) -> None:
    """总分 / 合计 row: the weight total and the score total, told apart by position."""
    totals = [c for c in columns if c.role in ("weight", "score")]
    cells = align(Row(row.line, row.cells[1:]), totals)
    form.total_weight_reported = number_of(cells, "weight")
    form.total_score_reported = number_of(cells, "score")
    form.total_line = row.line
