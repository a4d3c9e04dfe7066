"""Parse a 绩效评价汇总表: one row per evaluated project of a department."""

from __future__ import annotations

from typing import Final

from filings.align import Column, align, columns_from_header, number_of
from filings.grid import find_cell
from filings.project import LayoutNotRecognised
from filings.records import Form, SummaryRow
from filings.split import FormBlock
from filings.templates import SUMMARY_HEADERS
from filings.values import parse_rate

KINDS: Final = {
    "seq": "number", "project_name": "name", "project_nature": "text", "budget_amount": "number",
    "fiscal_amount": "number", "execution_rate": "rate", "evaluation_method": "text",
    "score": "number", "submitted_content": "text", "remark": "text",
}
_NOTE: Final = ("注", "部门主要负责人", "经办人", "联系电话")


def parse_summary(block: FormBlock, form: Form) -> None:
    rows = block.rows
    at = next((i for i, r in enumerate(rows) if find_cell(r, "项目名称") and find_cell(r, "评分", "预算执行率")), None)
    if at is None:
        raise LayoutNotRecognised("未找到绩效评价汇总表的表头(项目名称/预算执行率/评分)")
    form.template_id = "summary_sheet"
    columns = columns_from_header(rows[at], SUMMARY_HEADERS, KINDS)
    body = rows[at + 1:]
    sub_header = find_cell(body[0], "其中") if body else None
    if sub_header is not None:  # 预算金额 spans two columns: the total and 其中: 财政资金
        columns.append(Column("fiscal_amount", sub_header.col, "number"))
        columns.sort(key=lambda c: c.col)
        body = body[1:]
    for row in body:
        if row.cells[0].key.startswith(_NOTE):
            break
        cells = align(row, columns)
        if "project_name" not in cells:
            continue  # an unused numbered line of the printed sheet
        rate_cell = cells.get("execution_rate")
        rate = parse_rate(rate_cell.text) if rate_cell else None
        seq = number_of(cells, "seq")
        form.summary_rows.append(SummaryRow(
            form_id=form.form_id,
            row_index=len(form.summary_rows),
            seq=int(seq) if seq is not None else None,
            project_name=cells["project_name"].text,
            project_nature=_text(cells, "project_nature"),
            budget_amount=number_of(cells, "budget_amount"),
            fiscal_amount=number_of(cells, "fiscal_amount"),
            execution_rate_raw=rate_cell.raw if rate_cell else None,
            execution_rate_reported=rate.value if rate else None,
            evaluation_method=_text(cells, "evaluation_method"),
            score=number_of(cells, "score"),
            submitted_content=_text(cells, "submitted_content"),
            remark=_text(cells, "remark"),
            line=row.line,
        ))
    form.complete = True


def _text(cells: dict, role: str) -> str | None:
    return cells[role].text if role in cells else None
