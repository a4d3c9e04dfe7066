"""The stewards' report: one static HTML file per reporting year, every value escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path
from typing import Iterator

import polars as pl

from checks.catalogue import CATALOGUE
from filings.warehouse import write_atomically
from stewards.charts import bar_chart
from stewards.review import Review

_TITLES = {rule.check_id: rule.title for rule in CATALOGUE}
_SEVERITY = {"error": "错误", "warning": "提示"}
_FORM_TYPES = {"project": "项目", "department": "部门整体", "summary": "汇总表"}
_SCORE_BANDS = (("优 (≥90)", 90, 1000), ("良 (80–90)", 80, 90), ("中 (60–80)", 60, 80), ("差 (<60)", -1000, 60))
_RATE_BANDS = (("超支 (>100%)", 1.0001, 1e9), ("100%", 0.9999, 1.0001), ("90%–100%", 0.9, 0.9999),
               ("60%–90%", 0.6, 0.9), ("<60%", -1e9, 0.6))
_STYLE = """
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.6em}h2{border-bottom:2px solid #3b6ea8;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eef3f9}.error td.sev{color:#b00020;font-weight:bold}.warning td.sev{color:#a46400}
.source{font-family:monospace;background:#f6f6f6;white-space:pre-wrap}
.stats span{display:inline-block;margin-right:2em}.charts{display:flex;flex-wrap:wrap;gap:2em}
"""


def render(review: Review) -> Iterator[str]:
    """The whole report as one HTML document, part by part: a region's report runs to tens of
    megabytes, so it is written as it is made rather than held whole."""
    forms, findings = review.forms, review.findings
    errors = int((findings["severity"] == "error").sum())
    yield from (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{review.year}年度绩效自评审核报告</title><style>{_STYLE}</style></head><body>",
        f"<h1>{review.year}年度 绩效自评表 审核报告</h1>",
        "<p class='stats'>"
        f"<span>文件 {review.filings.height} 个</span><span>表 {forms.height} 张"
        f"(完整 {int(forms['complete'].sum())} 张)</span>"
        f"<span>发现问题 {findings.height} 条:错误 {errors} 条,提示 {findings.height - errors} 条</span>"
        f"<span>生成于 {datetime.now():%Y-%m-%d %H:%M}</span></p>",
        "<div class='charts'>", *_charts(review), "</div>",
    )
    if review.quarantine.height:
        yield _quarantine_section(review.quarantine)
    numbers = pl.DataFrame({"unit": review.units()}, schema={"unit": pl.String}).with_row_index("number", 1)
    forms = forms.join(numbers, on="unit", maintain_order="left")  # each unit's number, in the report's order
    findings = findings.join(numbers, on="unit", maintain_order="left")
    for first, last in _batches(forms.group_by("number").len().sort("number")["len"].to_list()):
        in_batch = pl.col("number").is_between(first, last)
        found = dict(_finding_rows(findings.filter(in_batch)).iter_rows())
        for number, unit, rows, count, unit_errors, unit_warnings in _form_rows(forms.filter(in_batch)).iter_rows():
            yield _unit_section(number, unit, rows, count, unit_errors, unit_warnings, found.get(number))
    yield "</body></html>"


BATCH_FORMS = 2_000  # the forms whose rows are made at once: each batch costs milliseconds, its HTML memory


def _batches(sizes: list[int]) -> Iterator[tuple[int, int]]:
    """The first and last unit numbers (from 1) of batches of about BATCH_FORMS forms, in order;
    `sizes`: each unit's number of forms."""
    first, forms = 1, 0
    for number, size in enumerate(sizes, start=1):
        forms += size
        if forms >= BATCH_FORMS or number == len(sizes):
            yield first, number
            first, forms = number + 1, 0


def write(review: Review, folder: Path) -> Path:
    def save(path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            out.writelines(part + "\n" for part in render(review))
    return write_atomically(folder / "stewards_report.html", save)


def _charts(review: Review) -> list[str]:
    counts = dict(review.findings["check_id"].value_counts().iter_rows())
    by_check = [(check_id, counts[check_id]) for check_id in _TITLES if check_id in counts]
    scored = review.forms.filter(pl.col("complete") & (pl.col("form_type") == "project"))
    score = pl.coalesce("self_score_reported", "total_score_reported")
    rate = pl.coalesce("execution_rate_computed", "execution_rate_reported")
    return [
        bar_chart("各规则发现的问题数", by_check, "#b00020", " 条"),
        bar_chart("项目自评得分分布", _bands(scored, score, _SCORE_BANDS), "#3b6ea8", " 张"),
        bar_chart("预算执行率分布", _bands(scored, rate, _RATE_BANDS), "#2e7d32", " 张"),
    ]


def _bands(frame: pl.DataFrame, value: pl.Expr, bands) -> list[tuple[str, float]]:
    values = frame.select(value.alias("v")).drop_nulls()["v"]
    return [(label, int(((values >= low) & (values < high)).sum())) for label, low, high in bands]


def _unit_section(number: int, unit: str, form_rows: str, forms: int, errors: int, warnings: int,
                  finding_rows: str | None) -> str:
    findings_table = (
        "<table class='findings'><tr><th>严重程度</th><th>规则</th><th>项目</th><th>文件与行</th><th>栏目</th>"
        "<th>应为</th><th>填写</th><th>说明</th><th>原文</th></tr>" + finding_rows + "</table>"
        if finding_rows else "<p>未发现问题。</p>"
    )
    return (
        f"<section class='unit' id='unit-{number}'><h2>{escape(unit)}</h2>"
        f"<p>{forms} 张表,错误 {errors} 条,提示 {warnings} 条</p>"
        "<table class='forms'><tr><th>项目/表</th><th>实施单位</th><th>类型</th><th>预算数(A)</th><th>执行数(B)</th>"
        "<th>执行率</th><th>总分</th><th>自评得分</th><th>完整</th><th>错误</th><th>提示</th><th>位置</th></tr>"
        + form_rows + "</table>" + findings_table + "</section>"
    )


def _form_rows(forms: pl.DataFrame) -> pl.DataFrame:
    """Per unit number, in order: the unit, the rows of its forms table as HTML (its forms in the
    review's order), its number of forms, errors and warnings. Made column by column: a region's
    tens of thousands of forms, cell by cell in Python, took most of the report's time."""
    budget = pl.when(pl.col("budget_adjusted").fill_null(0) != 0).then("budget_adjusted").otherwise("budget_initial")
    rate = pl.coalesce("execution_rate_computed", "execution_rate_reported")
    figures = forms.select(budget=budget, spent="spent", rate=rate, total="total_score_reported",
                           own="self_score_reported")
    shown = {name: pl.Series([_figure(v) for v in figures[name]], dtype=pl.String)
             for name in ("budget", "spent", "total", "own")}
    shown["rate"] = pl.Series(["" if v is None else f"{v:.2%}" for v in figures["rate"]], dtype=pl.String)
    cells = [
        _filled("project_name", "title"), _filled("implementing_unit"), pl.col("form_type").replace_strict(_FORM_TYPES),
        pl.col("budget"), pl.col("spent"), pl.col("rate"), pl.col("total"), pl.col("own"),
        pl.when(pl.col("complete").fill_null(False)).then(pl.lit("是"))
        .otherwise(pl.concat_str(pl.lit("否:"), pl.col("problems").fill_null(""))),
        pl.col("errors").cast(pl.String), pl.col("warnings").cast(pl.String),
        pl.concat_str(pl.col("source_file"), pl.lit(" 第"), pl.col("line_start").cast(pl.String).fill_null("None"),
                      pl.lit("行起")),
    ]
    row = pl.concat_str(pl.lit("<tr><td>"), pl.concat_str([_escaped(cell) for cell in cells], separator="</td><td>"),
                        pl.lit("</td></tr>"))
    return (forms.with_columns(**shown).with_columns(html=row)
            .group_by("number", maintain_order=True)
            .agg(pl.col("unit").first(), pl.col("html").str.join(""), pl.len().alias("forms"), pl.col("errors").sum(),
                 pl.col("warnings").sum())
            .sort("number"))


def _finding_rows(findings: pl.DataFrame) -> pl.DataFrame:
    """Per unit number: the rows of its findings table as HTML, in the review's order (by file and line)."""
    line = pl.when(pl.col("line").fill_null(0) != 0).then(pl.col("line").cast(pl.String))
    row = pl.concat_str(
        pl.lit("<tr class='"), pl.col("severity"), pl.lit("' id='u"), pl.col("number").cast(pl.String),
        pl.lit("-f"), pl.int_range(pl.len()).over("number").cast(pl.String),
        pl.lit("' data-check='"), _escaped(pl.col("check_id")), pl.lit("' data-line='"), line.fill_null(""),
        pl.lit("'><td class='sev'>"), pl.col("severity").replace_strict(_SEVERITY),
        pl.lit("</td><td>"), _escaped(pl.col("check_id").replace_strict(_TITLES)),
        pl.lit("<br><small>"), _escaped(pl.col("check_id")), pl.lit("</small></td><td>"),
        _escaped(_filled("project_name")), pl.lit("</td><td>"), _escaped(pl.col("source_file")),
        pl.lit("<br>第"), line.fill_null("—"), pl.lit("行</td><td>"), _escaped(pl.col("field")),
        pl.lit("</td><td>"), _escaped(_filled("expected")), pl.lit("</td><td>"), _escaped(_filled("actual")),
        pl.lit("</td><td>"), _escaped(pl.col("message")), pl.lit("</td><td class='source'>"),
        _escaped(_filled("source_text")), pl.lit("</td></tr>"),
    )
    return findings.with_columns(html=row).group_by("number").agg(pl.col("html").str.join(""))


def _filled(*names: str) -> pl.Expr:
    """The first of the columns that holds a non-empty text, else "" (Python's `a or b or ""`)."""
    return pl.coalesce(*(pl.when(pl.col(name) != "").then(pl.col(name)) for name in names), pl.lit(""))


def _escaped(text: pl.Expr) -> pl.Expr:
    """html.escape (quotes too) as an expression."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;")):
        text = text.str.replace_all(char, entity, literal=True)
    return text


def _quarantine_section(quarantine: pl.DataFrame) -> str:
    rows = "".join(
        f"<tr><td>{escape(q['source_file'])}</td><td>{escape(q['reason_code'])}</td><td>{escape(q['message'])}</td></tr>"
        for q in quarantine.iter_rows(named=True))
    return (f"<section id='quarantine'><h2>无法读取的文件(隔离区)</h2><p>{quarantine.height} 个文件未能读取,"
            "请按说明处理后重新报送。</p><table><tr><th>文件</th><th>原因代码</th><th>说明</th></tr>"
            f"{rows}</table></section>")


def _figure(value) -> str:
    return "" if value is None else f"{value:g}"
