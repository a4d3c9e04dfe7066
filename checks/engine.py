"""Run the rule catalogue over a year's tables: every finding as one `check_results` row."""

from __future__ import annotations

import polars as pl

from checks.rules import CATALOGUE, Rule, Tables, Tolerances


def run_rules(tables: Tables, rules: tuple[Rule, ...] = CATALOGUE,
              tolerances: Tolerances = Tolerances()) -> pl.DataFrame:
    """All findings, ordered by rule, file and line."""
    return pl.concat([rule.evaluate(tables, tolerances) for rule in rules]).sort(
        "check_id", "source_file", "line", maintain_order=True, nulls_last=True)
