"""The quality rules a finance bureau's reviewer applies, as data: one `Rule` per check.

A rule's `find` is a Polars query over the parsed tables that returns one row per finding
(form_id, row_index, line, field, expected, actual and the words its message needs); `evaluate`
adds the form's file and name and renders the Chinese message. No Dagster here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

from filings.schemas import columns, empty
from filings.values import PERIOD_YEAR

Tables = dict[str, pl.DataFrame]


@dataclass(frozen=True)
class Tolerances:
    """How far apart two figures may be before a reviewer calls them different."""

    total_points: float = 100.0  # every form's weights add up to this
    points: float = 0.05  # scores and weights are written to at most one or two decimals


@dataclass(frozen=True)
class Rule:
    check_id: str
    severity: str  # error / warning
    table: str  # the published table whose rows the findings point at
    title: str  # what the rule guards, in Chinese (shown in the Dagster UI)
    message: str  # str.format template over a finding's columns
    find: Callable[[Tables, Tolerances], pl.DataFrame]

    def evaluate(self, tables: Tables, tolerances: Tolerances = Tolerances()) -> pl.DataFrame:
        """Findings as rows of the `check_results` table."""
        found = self.find(tables, tolerances)
        if found.is_empty():
            return empty("check_results")
        context = tables["forms"].select(
            "form_id", "filing_id", "source_file", "reporting_year", "project_name",
            form=pl.coalesce("project_name", "title", pl.lit("(无标题)")),
        )
        found = found.join(context, on="form_id", how="left")
        messages = [self.message.format_map(row) for row in found.iter_rows(named=True)]
        return found.with_columns(
            check_id=pl.lit(self.check_id),
            severity=pl.lit(self.severity),
            message=pl.Series(messages, dtype=pl.String),
        ).select(columns("check_results")).cast(empty("check_results").schema)


def _num(expr: pl.Expr) -> pl.Expr:
    """A figure as a reviewer writes it: `100`, `2.5`, `199.433563`."""
    return expr.round(6).cast(pl.String).str.replace(r"\.0+$", "").str.replace(r"(\.\d*?)0+$", "$1")


def _pct(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str(_num((expr * 100).round(2)), pl.lit("%"))


def _finding(line: pl.Expr, field: str | pl.Expr, expected: pl.Expr, actual: pl.Expr,
             row_index: pl.Expr = pl.lit(None, pl.Int64), **words: pl.Expr) -> list[pl.Expr]:
    field_expr = pl.lit(field) if isinstance(field, str) else field
    return [pl.col("form_id"), row_index.alias("row_index"), line.alias("line"),
            field_expr.alias("field"), expected.alias("expected"), actual.alias("actual"),
            *(expr.alias(name) for name, expr in words.items())]


def _scored_forms(t: Tables) -> pl.DataFrame:
    """Complete project and department forms with their funds part and indicator sums."""
    rows = pl.concat([
        t["indicators"].select("form_id", "weight", "score"),
        t["department_indicators"].select("form_id", "weight", "score"),
    ])
    sums = rows.group_by("form_id").agg(
        indicator_weights=pl.col("weight").sum(), n_weights=pl.col("weight").count(),
        indicator_scores=pl.col("score").sum(), n_scores=pl.col("score").count(),
    )
    return (
        t["forms"].filter(pl.col("complete") & pl.col("form_type").is_in(["project", "department"]))
        .join(sums, on="form_id", how="inner")
        .with_columns(
            weights=pl.col("funds_weight").fill_null(0) + pl.col("indicator_weights"),
            scores=pl.col("funds_score").fill_null(0) + pl.col("indicator_scores"),
            parts=pl.when(pl.col("funds_weight").is_not_null())
            .then(pl.concat_str(pl.lit("预算执行率"), _num(pl.col("funds_weight")), pl.lit("分 + 绩效指标"),
                                _num(pl.col("indicator_weights")), pl.lit("分")))
            .otherwise(pl.concat_str(pl.lit("绩效指标"), _num(pl.col("indicator_weights")), pl.lit("分"))),
        )
    )


def weights_sum_100(t: Tables, tol: Tolerances) -> pl.DataFrame:
    return (
        _scored_forms(t)
        .filter((pl.col("n_weights") > 0) & ((pl.col("weights") - tol.total_points).abs() > tol.points))
        .select(_finding(pl.col("line_start"), "分值合计", _num(pl.lit(tol.total_points)),
                         _num(pl.col("weights")), parts=pl.col("parts")))
    )


def execution_rate_matches(t: Tables, tol: Tolerances) -> pl.DataFrame:
    return (
        t["fund_rows"]
        .filter((pl.col("execution_rate_computed") - pl.col("execution_rate_reported")).abs()
                > pl.col("execution_rate_tolerance") + 1e-9)
        .select(_finding(pl.col("line"), "执行率", _pct(pl.col("execution_rate_computed")),
                         pl.col("execution_rate_raw"), row_index=pl.col("row_index"), item=pl.col("item")))
    )


# Where dates and periods are written: table → (its row and line columns, {column: field name}).
_YEAR_FIELDS = {
    "forms": (None, "goal_line", {"goal_planned": "年度目标", "goal_achieved": "目标完成情况"}),
    "indicators": ("row_index", "line", {"level3": "三级指标", "target_raw": "年度指标值", "actual_raw": "实际完成值"}),
    "department_indicators": ("row_index", "line", {"indicator": "绩效指标", "target_raw": "绩效目标值",
                                                    "actual_raw": "全年实际值"}),
}


def year_matches_reporting_year(t: Tables, tol: Tolerances) -> pl.DataFrame:
    forms = t["forms"]
    title = forms.filter(pl.col("title_year").is_not_null() & (pl.col("title_year") != pl.col("reporting_year")))
    found = [title.select(_finding(pl.col("line_start"), "标题年度", pl.col("reporting_year").cast(pl.String),
                                   pl.col("title_year").cast(pl.String), years=pl.col("title_year").cast(pl.String),
                                   cell=pl.col("title")))]
    years_of = pl.element().str.extract(r"((?:19|20)\d{2})").cast(pl.Int64)
    for table, (row_index, line, fields) in _YEAR_FIELDS.items():
        rows = forms if table == "forms" else t[table].join(forms.select("form_id", "reporting_year"), on="form_id")
        row_expr = pl.col(row_index) if row_index else pl.lit(None, pl.Int64)
        for column, label in fields.items():
            found.append(
                rows.with_columns(years=pl.col(column).str.extract_all(PERIOD_YEAR).list.eval(years_of),
                                  row=row_expr, at=pl.col(line))
                .explode("years")
                .filter(pl.col("years") != pl.col("reporting_year"))
                .group_by("form_id", "row", "at", "reporting_year", column, maintain_order=True)
                .agg(years=pl.col("years").unique(maintain_order=True).cast(pl.String).str.join("、"))
                .select(_finding(pl.col("at"), label, pl.col("reporting_year").cast(pl.String), pl.col(column),
                                 row_index=pl.col("row"), years=pl.col("years"), cell=pl.col(column)))
            )
    return pl.concat(found)


def score_within_weight(t: Tables, tol: Tolerances) -> pl.DataFrame:
    sources = (
        ("indicators", pl.coalesce("level3", "level2", pl.lit("(未命名指标)"))),
        ("department_indicators", pl.col("indicator")),
        ("fund_rows", pl.col("item")),
    )
    found = []
    for table, name in sources:
        found.append(
            t[table].filter(pl.col("score").is_not_null() & pl.col("weight").is_not_null()
                            & ((pl.col("score") < 0) | (pl.col("score") > pl.col("weight") + tol.points)))
            .select(_finding(pl.col("line"), "得分", pl.concat_str(pl.lit("0–"), _num(pl.col("weight"))),
                             _num(pl.col("score")), row_index=pl.col("row_index"), name=name))
        )
    return pl.concat(found)


def scores_sum_to_total(t: Tables, tol: Tolerances) -> pl.DataFrame:
    return (
        _scored_forms(t)
        .filter(pl.col("total_score_reported").is_not_null() & (pl.col("n_scores") > 0)
                & ((pl.col("scores") - pl.col("total_score_reported")).abs() > tol.points))
        .select(_finding(pl.coalesce("total_line", "line_end"), "总分", _num(pl.col("scores")),
                         _num(pl.col("total_score_reported"))))
    )


def self_score_matches_total(t: Tables, tol: Tolerances) -> pl.DataFrame:
    computed = _scored_forms(t).select("form_id", computed=pl.col("scores"))
    return (
        t["forms"].filter(pl.col("self_score_reported").is_not_null())
        .join(computed, on="form_id", how="left")
        .with_columns(reference=pl.coalesce("total_score_reported", "computed"),
                      basis=pl.when(pl.col("total_score_reported").is_not_null())
                      .then(pl.lit("总分行")).otherwise(pl.lit("各项得分之和")))
        .filter(pl.col("reference").is_not_null()
                & ((pl.col("self_score_reported") - pl.col("reference")).abs() > tol.points))
        .select(_finding(pl.coalesce("self_score_line", "line_start"), "自评得分", _num(pl.col("reference")),
                         _num(pl.col("self_score_reported")), basis=pl.col("basis")))
    )


CATALOGUE: tuple[Rule, ...] = (
    Rule("weights_sum_100", "error", "indicators", "资金分值与各指标分值合计应为100分",
         "{source_file} 第{line}行起《{form}》:分值合计为{actual}分({parts}),应为{expected}分。",
         weights_sum_100),
    Rule("execution_rate_matches", "error", "fund_rows", "填报的执行率应等于全年执行数÷全年预算数(B/A)",
         "{source_file} 第{line}行《{form}》{item}:填报执行率{actual},按全年执行数÷全年预算数(B/A)计算应为{expected}。",
         execution_rate_matches),
    Rule("year_matches_reporting_year", "error", "forms", "标题年度及表内日期、期间应属于报告年度",
         "{source_file} 第{line}行《{form}》{field}「{cell}」中的年份{years}与报告年度{expected}年不符。",
         year_matches_reporting_year),
    Rule("score_within_weight", "error", "indicators", "每项得分应在0与其分值之间",
         "{source_file} 第{line}行《{form}》「{name}」得分{actual}分,超出分值范围{expected}分。",
         score_within_weight),
    Rule("scores_sum_to_total", "error", "forms", "各项得分之和应等于总分",
         "{source_file} 第{line}行《{form}》:各项得分之和为{expected}分,总分行填写{actual}分。",
         scores_sum_to_total),
    Rule("self_score_matches_total", "error", "forms", "表头自评得分应等于总分",
         "{source_file} 第{line}行《{form}》:自评得分填写{actual}分,{basis}为{expected}分。",
         self_score_matches_total),
)
