"""The rules take lazy scans of the published parquet as well as DataFrames, with the same findings
in the same order, and render messages exactly as `str.format` does."""

import json
import sys

import polars as pl
from polars.testing import assert_frame_equal

from checks.catalogue import CATALOGUE, compile_message
from checks.engine import run_rules
from checks import expr
from checks.expr import as_lazy
from conftest import PROJECT, RAW

sys.path.insert(0, str(PROJECT / "tools"))
from bench_checks import EXPECTED, scan, synthesize  # noqa: E402


def test_messages_render_as_str_format_did():
    rows = [{"source_file": "2024/a.txt", "line": 7, "name": "「满意度」", "actual": None},
            {"source_file": "2024/b.txt", "line": None, "name": "", "actual": "95"}]
    template = "{source_file} 第{line}行{name}:填写{actual}分。"
    rendered = pl.DataFrame(rows).select(message=compile_message(template))["message"].to_list()
    assert rendered == [template.format_map(row) for row in rows]


def test_lazy_scans_give_the_findings_of_dataframes(tables, tmp_path):
    for name, frame in tables.items():
        frame.write_parquet(tmp_path / f"{name}.parquet")
    scans = {name: pl.scan_parquet(tmp_path / f"{name}.parquet") for name in tables}
    assert_frame_equal(run_rules(scans), run_rules(tables))


def test_a_synthetic_warehouse_scanned_lazily(findings, tmp_path):
    """Ten copies of the samples in the pipeline's parquet layout: the scans give exactly the
    findings of the same tables read into memory, ten times the samples' per rule, as the
    benchmark's record of the warehouse expects."""
    synthesize(tmp_path, 220, RAW)
    scans = scan(tmp_path)
    lazily = run_rules(scans)
    assert_frame_equal(lazily, run_rules({name: frame.collect() for name, frame in scans.items()}))
    per_rule = dict(findings["check_id"].value_counts().iter_rows())
    found = dict(lazily["check_id"].value_counts().iter_rows())
    assert found == {check: 10 * n for check, n in per_rule.items()}
    assert json.loads((tmp_path / EXPECTED).read_text()) == {
        "raw": str(RAW), "base_forms": 22, "copies": 10, "findings": found}


def test_the_per_form_sums_are_made_once_and_each_rule_finds_alone_what_it_finds_among_all(
        tables, monkeypatch):
    """weights_sum_100, scores_sum_to_total and self_score_matches_total read the same per-form
    sums (Tables.scored_forms), made at the first rule's turn and kept for the others."""
    made = []
    scored_forms = expr._scored_forms
    monkeypatch.setattr(expr, "_scored_forms", lambda t: made.append(t) or scored_forms(t))
    lazy = as_lazy(tables)
    assert "scored_forms" not in vars(lazy)
    together = run_rules(lazy)
    assert len(made) == 1  # by run_rules' own tables, for the three rules
    assert lazy.scored_forms is lazy.scored_forms and "scored_forms" in vars(lazy)
    for rule in CATALOGUE:
        alone = run_rules(tables, rules=(rule,))
        assert_frame_equal(alone, together.filter(pl.col("check_id") == rule.check_id))
