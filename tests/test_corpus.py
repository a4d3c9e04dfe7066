"""The synthetic corpus: reproducible from its seed, and every injected mistake is caught with no
false finding (the same scoring `make bench` prints, on a small corpus, without Dagster)."""

import json
import sys

from checks.engine import run_rules
from conftest import PROJECT
from filings.discover import discover
from filings.parse import parse_many
from filings.tables import to_tables

sys.path.insert(0, str(PROJECT / "tools"))
from corpus import MISTAKES, generate  # noqa: E402


def test_corpus_is_reproducible_from_its_seed(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert generate(first, 120, seed=7) == generate(second, 120, seed=7)
    for path in (first / "raw").rglob("*.txt"):
        assert path.read_bytes() == (second / path.relative_to(first)).read_bytes()
    assert (first / "manifest.jsonl").read_text() == (second / "manifest.jsonl").read_text()


def test_every_injected_mistake_is_found_and_nothing_else(tmp_path):
    counts = generate(tmp_path, 250, seed=11, mistake_rate=0.4, forms_per_file=(1, 1))
    files = discover(tmp_path / "raw", 2024)
    assert len(files) == 250  # enough files for parse_many to use worker processes
    filings = parse_many([f.path for f in files], tmp_path / "raw", workers=2)
    assert sum(f.n_forms for f in filings) == counts["forms"] == 250
    assert {f.status for f in filings} == {"parsed"}
    found = set(run_rules(to_tables(filings)).select("source_file", "check_id", "line").rows())
    expected = {(m["source_file"], m["check_id"], m["line"])
                for m in map(json.loads, (tmp_path / "manifest.jsonl").open(encoding="utf-8"))}
    assert {check for _, check, _ in expected} == set(MISTAKES)
    assert found == expected
