"""The rule catalogue: every quality rule as data (id, severity, table, title, message, query).

A rule's query returns, lazily, one row per finding (form_id, row_index, line, field, expected,
actual, optionally its own severity, and the words its message needs); `Rule.evaluate` adds the
form's file and name and renders the Chinese message with a Polars expression. No Dagster here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import polars as pl

from checks import consistency, funds, scores
from checks.config import RulesConfig
from checks.expr import Tables
from filings.schemas import columns, empty

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def compile_message(template: str) -> pl.Expr:
    """A `{column}` template as one string expression; a missing value reads `None`, as
    `str.format` wrote it."""
    pieces = _PLACEHOLDER.split(template)  # text, column, text, column, …, text
    return pl.concat_str([pl.col(piece).cast(pl.String).fill_null("None") if i % 2 else pl.lit(piece)
                          for i, piece in enumerate(pieces) if i % 2 or piece])


@dataclass(frozen=True)
class Rule:
    check_id: str
    severity: str  # error / warning: the default; a finding may carry its own
    table: str  # the published table whose rows the findings point at
    title: str  # what the rule guards, in Chinese (shown in the Dagster UI)
    message: str  # template over a finding's columns and its form's: `{column}` is the column's value
    find: Callable[[Tables, RulesConfig], pl.LazyFrame]

    @cached_property
    def message_expr(self) -> pl.Expr:
        return compile_message(self.message)

    def evaluate(self, tables: Tables, config: RulesConfig) -> pl.LazyFrame:
        """Findings as rows of the `check_results` table. The rule's query runs first (narrow rows,
        far fewer than the tables'); then the forms they name are read (a semi join, collected
        once), and the lazy plan returned joins them to those and to their files' source positions:
        a join with every form held a million forms' names in memory (0.5 GB) whatever the findings."""
        found = self.find(tables, config).collect().lazy()
        context = tables["forms"].join(found.select("form_id"), on="form_id", how="semi").select(
            "form_id", "filing_id", "source_file", "reporting_year", "project_name", "implementing_unit",
            form=pl.coalesce("project_name", "title", pl.lit("(无标题)")),
        ).collect().lazy()  # once: the positions' files are taken from it too (0.15 s a rule at a million forms)
        positions = (tables["source_positions"].join(context.select("source_file"), on="source_file", how="semi")
                     .select("source_file", "line", "position"))
        found = (
            found.join(context, on="form_id", how="left", maintain_order="left")
            .join(positions, on=["source_file", "line"], how="left", maintain_order="left")
            .with_columns(where=pl.coalesce("position", pl.format("第{}行", "line")))
        )
        severity = pl.col("severity") if "severity" in found.collect_schema() else pl.lit(self.severity)
        return found.with_columns(
            check_id=pl.lit(self.check_id), severity=severity, message=self.message_expr,
        ).select(columns("check_results")).cast(empty("check_results").schema)


_AT = "{source_file} {where}《{form}》"  # where: 第12行, or 第2页第5行 / 工作表「自评表」第12行

CATALOGUE: tuple[Rule, ...] = (
    Rule("funds_total_equals_parts", "error", "fund_rows", "年度资金总额应等于其中各项之和",
         _AT + "{item}的{field}为{actual},其中各项合计为{expected}。", funds.funds_total_equals_parts),
    Rule("execution_rate_matches", "error", "fund_rows", "填报的执行率应等于全年执行数÷全年预算数(B/A)",
         _AT + "{item}:填报执行率{actual},按全年执行数÷全年预算数(B/A)计算应为{expected}。",
         funds.execution_rate_matches),
    Rule("execution_score_matches", "error", "fund_rows", "预算执行率得分应为 min(执行率,100%)×分值",
         _AT + "预算执行率得分填写{actual}分,按 min(执行率{rate},100%)×分值{weight} 计算应为{expected}分。",
         funds.execution_score_matches),
    Rule("over_execution", "warning", "fund_rows", "全年执行数超过全年预算数(B>A)",
         _AT + "{item}:全年执行数{spent}超过全年预算数(执行率{actual}),请核实是否超预算支出。",
         funds.over_execution),
    Rule("weights_sum_100", "error", "indicators", "资金分值与各指标分值合计应为100分",
         "{source_file} 第{line}行起《{form}》:分值合计为{actual}分({parts}),应为{expected}分。",
         scores.weights_sum_100),
    Rule("section_weights_match", "error", "indicators", "各级指标下的分值之和应等于其标注分数",
         _AT + "{field}「{section}」{basis}为{expected}分,其下各指标分值合计为{actual}分。",
         scores.section_weights_match),
    Rule("score_within_weight", "error", "indicators", "每项得分应在0与其分值之间",
         _AT + "「{name}」得分{actual}分,超出分值范围{expected}分。", scores.score_within_weight),
    Rule("score_follows_rule", "error", "indicators", "得分应符合计分规则(满分、B/A、A/B、定性三档、表上印的规则)",
         _AT + "「{name}」{why}:指标值{target},完成值{actual_value};计分规则:{rule},应得{expected}分,填写{actual}分。",
         scores.score_follows_rule),
    Rule("shortfall_reason_present", "error", "indicators", "扣分的指标应填写未完成原因(表中设有原因栏时)",
         _AT + "「{name}」得分{score}分低于分值{weight}分,未填写未完成原因分析。", scores.shortfall_reason_present),
    Rule("indicator_values_present", "error", "indicators", "有分值的指标应填写指标值、完成值和得分",
         _AT + "「{name}」有分值,但未填写{field}。", scores.indicator_values_present),
    Rule("scores_sum_to_total", "error", "forms", "各项得分之和应等于总分",
         _AT + ":各项得分之和为{expected}分,总分行填写{actual}分。", scores.scores_sum_to_total),
    Rule("self_score_matches_total", "error", "forms", "表头自评得分应等于总分",
         _AT + ":自评得分填写{actual}分,{basis}为{expected}分。", scores.self_score_matches_total),
    Rule("year_matches_reporting_year", "error", "forms", "标题年度及表内日期、期间应属于报告年度",
         _AT + "{field}「{cell}」中的年份{years}与报告年度{expected}年不符。",
         consistency.year_matches_reporting_year),
    Rule("summary_matches_forms", "error", "summary_rows", "汇总表应与各项目自评表一致",
         _AT + "{field}:填写「{actual}」,{detail}。", consistency.summary_matches_forms),
    Rule("department_score_follows_band", "error", "department_indicators", "部门整体指标应按表上印的|B−A|分档计分",
         _AT + "「{name}」|B−A|={gap},按表上印的分档应得{expected}分,填写{actual}分。",
         consistency.department_score_follows_band),
    Rule("duplicate_forms", "error", "forms", "同一单位同一项目同一年度只应报送一次",
         "{source_file} 第{line}行起《{form}》与 {expected} 是{kind}。", consistency.duplicate_forms),
    Rule("figures_confirmed", "warning", "indicators", "数字连写无分隔、拆分不唯一的行,应对照原表核对(资金行与指标行)",
         _AT + "「{name}」的数字在原文中连写无分隔,可有多种拆分,已按最合理的一种读取({actual}),请对照原表核对。",
         consistency.figures_confirmed),
)


def markdown() -> str:
    """The catalogue as markdown (docs/rules.md): what each rule checks and where."""
    out = ["# Quality rules\n", "Generated from `checks/catalogue.py` by `python -m checks.catalogue`. "
           "Thresholds and provincial variants are in `checks/rules.toml` (or the file named by "
           "`JIXIAO_RULES_FILE`).\n", "| check_id | severity | table | rule | how |", "|---|---|---|---|---|"]
    for rule in CATALOGUE:
        how = " ".join((rule.find.__doc__ or "").split())
        out.append(f"| `{rule.check_id}` | {rule.severity} | `{rule.table}` | {rule.title} | {how} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
