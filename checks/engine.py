"""Run the rule catalogue over a year's tables: every finding as one `check_results` row, returned
(`run_rules`) or streamed to parquet rule by rule (`write_findings`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from checks.catalogue import CATALOGUE, Rule
from checks.config import RulesConfig, load
from checks.expr import Tables, as_lazy
from filings.warehouse import write_parquet


def findings(rule: Rule, tables: Tables, config: RulesConfig) -> pl.LazyFrame:
    """One rule's findings ordered by file and line (stable: the rule's own order breaks ties)."""
    return rule.evaluate(tables, config).sort("source_file", "line", maintain_order=True, nulls_last=True)


def _by_id(rules: tuple[Rule, ...]) -> list[Rule]:
    return sorted(rules, key=lambda rule: rule.check_id)


def run_rules(tables: dict[str, pl.DataFrame | pl.LazyFrame], config: RulesConfig | None = None,
              rules: tuple[Rule, ...] = CATALOGUE) -> pl.DataFrame:
    """All findings, ordered by rule, file and line; `config` defaults to checks/rules.toml. The
    tables may be DataFrames or LazyFrames (scans of the published parquet). Each rule is one lazy
    query, collected in turn: over a million forms that peaks at half the memory of one query over
    all rules, and is faster (docs/benchmarks.md)."""
    config = config or load()
    lazy = as_lazy(tables)
    return pl.concat([findings(rule, lazy, config).collect() for rule in _by_id(rules)])


@dataclass(frozen=True)
class Part:
    """One rule's findings as written: the parquet file, its rows, the seconds the rule took."""

    check_id: str
    path: Path
    rows: int
    seconds: float


def write_findings(tables: dict[str, pl.DataFrame | pl.LazyFrame], folder: Path,
                   config: RulesConfig | None = None, rules: tuple[Rule, ...] = CATALOGUE) -> list[Part]:
    """`run_rules` written to `folder` rather than returned, for warehouses whose findings do not
    fit in memory: each rule's query is streamed into its own part, `00-<check_id>.parquet`,
    `01-…`, in `run_rules`' order, so at most one rule's findings are held at a time (its sort)."""
    config = config or load()
    lazy = as_lazy(tables)
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    for i, rule in enumerate(_by_id(rules)):
        started, path = time.perf_counter(), folder / f"{i:02d}-{rule.check_id}.parquet"
        write_parquet(findings(rule, lazy, config), path)
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()  # from its metadata
        parts.append(Part(rule.check_id, path, rows, time.perf_counter() - started))
    return parts


def scan_findings(parts: list[Part]) -> pl.LazyFrame:
    """Written findings read back lazily: the rows `run_rules` returns, in its order."""
    return pl.scan_parquet([part.path for part in parts])
