"""Shared fixtures: the committed sample filings in raw/, parsed once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from checks.engine import run_rules
from filings.parse import parse_filing, parse_path
from filings.records import Filing
from filings.tables import to_tables

PROJECT = Path(__file__).resolve().parent.parent
RAW = PROJECT / "raw"
ZHONGWEI = "2024/中卫市公安局_项目支出绩效自评表.txt"
XINGQING = "2024/银川市兴庆区_绩效评价汇总表及自评表.txt"


def sample_text(source_file: str) -> str:
    return (RAW / source_file).read_text(encoding="utf-8")


def parse_text(text: str, source_file: str = ZHONGWEI) -> Filing:
    """Parse (possibly edited) sample text as if it were the file `source_file`."""
    return parse_filing(text.encode("utf-8"), source_file, int(source_file[:4]))


def edit_line(text: str, line: int, old: str, new: str) -> str:
    """Replace `old` by `new` in one line (1-based) of a sample, failing loudly if it is not there."""
    lines = text.split("\n")
    assert old in lines[line - 1], f"{old!r} not on line {line}: {lines[line - 1]!r}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines)


def findings_of(*filings: Filing, check_id: str | None = None) -> pl.DataFrame:
    found = run_rules(to_tables(list(filings)))
    return found if check_id is None else found.filter(pl.col("check_id") == check_id)


@pytest.fixture(scope="session")
def all_filings() -> list[Filing]:
    return [parse_path(p, RAW) for p in sorted(RAW.rglob("*.txt"))]


@pytest.fixture(scope="session")
def tables(all_filings) -> dict[str, pl.DataFrame]:
    return to_tables(all_filings)


@pytest.fixture(scope="session")
def findings(tables) -> pl.DataFrame:
    return run_rules(tables)


@pytest.fixture()
def raw_copy(tmp_path) -> Path:
    """A private copy of raw/ that a test may change."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target
