"""Parse a 部门整体支出绩效(自评)表: one row per department-wide indicator, and the total."""

from __future__ import annotations

from typing import Final

from filings.align import align, columns_from_header, number_of
from filings.grid import find_cell
from filings.project import LayoutNotRecognised, read_header_fields, read_total, skip
from filings.records import DepartmentIndicator, Form, new
from filings.split import FormBlock
from filings.templates import DEPARTMENT_HEADERS, TOTAL_LABELS
from filings.values import measure_fields

KINDS: Final = {
    "seq": "number", "indicator": "name", "weight": "number", "target": "value",
    "actual": "value", "scoring_method": "text", "score": "number", "shortfall_reason": "text",
    "level1": "text", "level2": "text", "level3": "name",
}


def parse_department(block: FormBlock, form: Form) -> None:
    rows = block.rows
    at = next((i for i, r in enumerate(rows) if find_cell(r, "绩效指标", "指标名称") and find_cell(r, "得分")), None)
    if at is None:
        raise LayoutNotRecognised("未找到部门整体支出绩效表的表头(绩效指标/分值/得分)")
    read_header_fields(rows[:at], form)
    form.template_id = "department_wide"
    columns = columns_from_header(rows[at], DEPARTMENT_HEADERS, KINDS)
    form.indicator_columns = ",".join(c.role for c in columns)
    for row in rows[at + 1:]:
        if row.cells[0].key.startswith(TOTAL_LABELS):
            read_total(row, columns, form)
            form.complete = True
            break
        form.indicator_rows_read += 1
        cells = align(row, columns)
        if "indicator" not in cells:
            skip(form, row, "no_indicator")
            continue
        target, actual = cells.get("target"), cells.get("actual")
        method, reason = cells.get("scoring_method"), cells.get("shortfall_reason")
        seq = number_of(cells, "seq")
        form.department_indicators.append(new(DepartmentIndicator, (  # every field, in order
            form.form_id, len(form.department_indicators), int(seq) if seq is not None else None,
            cells["indicator"].text, number_of(cells, "weight"),
            *measure_fields(target.raw if target else None), *measure_fields(actual.raw if actual else None),
            method.text if method else None, number_of(cells, "score"), reason.text if reason else None, row.line)))
    if not form.complete:
        form.problems = "缺少总分行(表格可能被截断)"
