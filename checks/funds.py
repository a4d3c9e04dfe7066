"""Rules on the 项目资金 block: totals, execution rate, its score, over-execution."""

from __future__ import annotations

import polars as pl

from checks.config import RulesConfig
from checks.expr import Tables, finding, num, pct

_AMOUNTS = {"budget_initial": "年初预算数", "budget_adjusted": "全年预算数", "spent": "全年执行数"}
_IS_TOTAL = pl.col("item").str.contains("总额|合计")


def funds_total_equals_parts(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """年度资金总额 equals the sum of its 其中 rows, column by column."""
    rows = t["fund_rows"]
    parts = rows.filter(~_IS_TOTAL).group_by("form_id").agg(
        *(pl.col(c).sum().alias(f"{c}_parts") for c in _AMOUNTS),
        *(pl.col(c).count().alias(f"{c}_n") for c in _AMOUNTS),
    )
    totals = rows.filter(_IS_TOTAL).join(parts, on="form_id", maintain_order="left")
    return pl.concat([
        totals.filter(pl.col(c).is_not_null() & (pl.col(f"{c}_n") > 0)
                      & ((pl.col(c) - pl.col(f"{c}_parts")).abs() > config.tolerances.amount))
        .select(finding(pl.col("line"), label, num(pl.col(f"{c}_parts")), num(pl.col(c)),
                        row_index=pl.col("row_index"), item=pl.col("item")))
        for c, label in _AMOUNTS.items()
    ])


def execution_rate_matches(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """The reported 执行率 equals B/A within the precision it is printed to."""
    return (
        t["fund_rows"]
        .filter((pl.col("execution_rate_computed") - pl.col("execution_rate_reported")).abs()
                > pl.col("execution_rate_tolerance") + 1e-9)
        .select(finding(pl.col("line"), "执行率", pct(pl.col("execution_rate_computed")),
                        pl.col("execution_rate_raw"), row_index=pl.col("row_index"), item=pl.col("item")))
    )


def execution_score_matches(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """The funds score is min(执行率, 100%) × its weight."""
    rate = pl.coalesce("execution_rate_computed", "execution_rate_reported")
    return (
        t["fund_rows"]
        .filter(pl.col("weight").is_not_null() & pl.col("score").is_not_null() & rate.is_not_null())
        .with_columns(expected=pl.min_horizontal(rate, pl.lit(1.0)) * pl.col("weight"))
        .filter((pl.col("expected") - pl.col("score")).abs() > config.tolerances.execution_score)
        .select(finding(pl.col("line"), "得分", num(pl.col("expected").round(2)), num(pl.col("score")),
                        row_index=pl.col("row_index"), item=pl.col("item"), rate=pct(rate),
                        weight=num(pl.col("weight"))))
    )


def over_execution(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """Spent more than the budget (B > A): allowed, but worth a question."""
    return (
        t["fund_rows"].filter(pl.col("execution_rate_computed") > 1 + 1e-9)
        .select(finding(pl.col("line"), "全年执行数", pl.lit("≤ 100%"), pct(pl.col("execution_rate_computed")),
                        row_index=pl.col("row_index"), item=pl.col("item"), spent=num(pl.col("spent"))))
    )
