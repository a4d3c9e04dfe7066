"""Run the rule catalogue over a year's tables: every finding as one `check_results` row."""

from __future__ import annotations

import polars as pl

from checks.catalogue import CATALOGUE, Rule
from checks.config import RulesConfig, load
from checks.expr import Tables


def run_rules(tables: Tables, config: RulesConfig | None = None,
              rules: tuple[Rule, ...] = CATALOGUE) -> pl.DataFrame:
    """All findings, ordered by rule, file and line; `config` defaults to checks/rules.toml."""
    config = config or load()
    return pl.concat([rule.evaluate(tables, config) for rule in rules]).sort(
        "check_id", "source_file", "line", maintain_order=True, nulls_last=True)
