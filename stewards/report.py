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
    for number, unit in enumerate(review.units(), start=1):
        yield _unit_section(number, unit, forms.filter(pl.col("unit") == unit), findings.filter(pl.col("unit") == unit))
    yield "</body></html>"


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


def _unit_section(number: int, unit: str, forms: pl.DataFrame, findings: pl.DataFrame) -> str:
    rows = []
    for form in forms.iter_rows(named=True):
        rate = form["execution_rate_computed"] if form["execution_rate_computed"] is not None \
            else form["execution_rate_reported"]
        rows.append("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in (
            form["project_name"] or form["title"] or "", form["implementing_unit"] or "",
            {"project": "项目", "department": "部门整体", "summary": "汇总表"}[form["form_type"]],
            _figure(form["budget_adjusted"] or form["budget_initial"]), _figure(form["spent"]),
            f"{rate:.2%}" if rate is not None else "", _figure(form["total_score_reported"]),
            _figure(form["self_score_reported"]), "是" if form["complete"] else f"否:{form['problems'] or ''}",
            form["errors"], form["warnings"], f"{form['source_file']} 第{form['line_start']}行起",
        )) + "</tr>")
    items = []
    for i, f in enumerate(findings.sort("source_file", "line").iter_rows(named=True)):
        items.append(
            f"<tr class='{f['severity']}' id='u{number}-f{i}' data-check='{escape(f['check_id'])}' "
            f"data-line='{f['line'] or ''}'>"
            f"<td class='sev'>{_SEVERITY[f['severity']]}</td><td>{escape(_TITLES[f['check_id']])}"
            f"<br><small>{escape(f['check_id'])}</small></td>"
            f"<td>{escape(f['project_name'] or '')}</td><td>{escape(f['source_file'])}<br>第{f['line'] or '—'}行</td>"
            f"<td>{escape(f['field'])}</td><td>{escape(f['expected'] or '')}</td><td>{escape(f['actual'] or '')}</td>"
            f"<td>{escape(f['message'])}</td><td class='source'>{escape(f['source_text'] or '')}</td></tr>")
    findings_table = (
        "<table class='findings'><tr><th>严重程度</th><th>规则</th><th>项目</th><th>文件与行</th><th>栏目</th>"
        "<th>应为</th><th>填写</th><th>说明</th><th>原文</th></tr>" + "".join(items) + "</table>"
        if items else "<p>未发现问题。</p>"
    )
    return (
        f"<section class='unit' id='unit-{number}'><h2>{escape(unit)}</h2>"
        f"<p>{forms.height} 张表,错误 {int(forms['errors'].sum())} 条,提示 {int(forms['warnings'].sum())} 条</p>"
        "<table class='forms'><tr><th>项目/表</th><th>实施单位</th><th>类型</th><th>预算数(A)</th><th>执行数(B)</th>"
        "<th>执行率</th><th>总分</th><th>自评得分</th><th>完整</th><th>错误</th><th>提示</th><th>位置</th></tr>"
        + "".join(rows) + "</table>" + findings_table + "</section>"
    )


def _quarantine_section(quarantine: pl.DataFrame) -> str:
    rows = "".join(
        f"<tr><td>{escape(q['source_file'])}</td><td>{escape(q['reason_code'])}</td><td>{escape(q['message'])}</td></tr>"
        for q in quarantine.iter_rows(named=True))
    return (f"<section id='quarantine'><h2>无法读取的文件(隔离区)</h2><p>{quarantine.height} 个文件未能读取,"
            "请按说明处理后重新报送。</p><table><tr><th>文件</th><th>原因代码</th><th>说明</th></tr>"
            f"{rows}</table></section>")


def _figure(value) -> str:
    return "" if value is None else f"{value:g}"
