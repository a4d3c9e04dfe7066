"""Findings streamed to parquet rule by rule read back as exactly the rows `run_rules` returns:
same rows, same order (rule, then file and line), same types."""

import sys

import polars as pl
from polars.testing import assert_frame_equal

from checks.catalogue import CATALOGUE
from checks.engine import run_rules, scan_findings, write_findings
from conftest import PROJECT, RAW

sys.path.insert(0, str(PROJECT / "tools"))
from bench_checks import scan, synthesize  # noqa: E402


def _assert_written_as_returned(tables, folder):
    parts = write_findings(tables, folder)
    returned = run_rules(tables)
    written = scan_findings(parts).collect()
    assert_frame_equal(written, returned)
    assert written.height > 0
    # the order itself, not only agreement with run_rules: rule, then file and line
    assert_frame_equal(written, written.sort("check_id", "source_file", "line", maintain_order=True, nulls_last=True))
    assert [part.check_id for part in parts] == sorted(rule.check_id for rule in CATALOGUE)
    per_rule = dict(returned["check_id"].value_counts().iter_rows())
    assert {part.check_id: part.rows for part in parts} == {part.check_id: per_rule.get(part.check_id, 0)
                                                             for part in parts}
    # the parts' names sort in the same order: a glob over the folder reads the same rows
    assert_frame_equal(pl.scan_parquet(folder / "*.parquet").collect(), returned)
    return parts


def test_the_samples_written_rule_by_rule(tables, tmp_path):
    parts = _assert_written_as_returned(tables, tmp_path / "findings")
    assert any(part.rows == 0 for part in parts)  # an empty part reads back as no rows, typed


def test_a_synthetic_warehouse_written_rule_by_rule(tmp_path):
    """Ten copies of the samples, scanned lazily as the pipeline publishes them."""
    synthesize(tmp_path / "warehouse", 220, RAW)
    _assert_written_as_returned(scan(tmp_path / "warehouse"), tmp_path / "findings")
