"""The benchmark's re-runs of its corpus (`make bench`): with nothing changed no region runs; with
one filing added only its region runs, parsing that file alone, and publishes what the region run
from scratch publishes."""

import os
import shutil
import sys

import pytest

from conftest import PROJECT
from pipelines.cli import dagster_home

sys.path.insert(0, str(PROJECT / "tools"))
from bench import differing_tables, one_filing_added, run_year  # noqa: E402
from corpus import generate  # noqa: E402


@pytest.fixture()
def published_corpus(tmp_path, monkeypatch):
    """A small corpus (three regions) run as the benchmark runs it, with its warehouse and DAGSTER_HOME."""
    counts = generate(tmp_path, 40, seed=3)
    home = tmp_path / "dagster_home"
    for name, value in (("JIXIAO_RAW_DIR", tmp_path / "raw"), ("JIXIAO_WAREHOUSE_DIR", tmp_path / "warehouse"),
                        ("DAGSTER_HOME", home)):
        monkeypatch.setenv(name, str(value))
    dagster_home()
    success, _, parsed, regions = run_year(2024)
    assert success and parsed == counts["files"] and regions == len(list((tmp_path / "raw" / "2024").iterdir())) == 3
    assert not list((home / "history" / "runs").glob("*.db-wal"))  # each run's event log closed when it ended
    return tmp_path


def test_one_filing_added_is_all_a_rerun_parses_and_its_region_matches_a_run_from_scratch(published_corpus):
    work = published_corpus
    assert run_year(2024, skip_unchanged=True)[2:] == (0, 0)  # nothing changed: no region runs
    shutil.copytree(work / "warehouse", work / "before")
    added = one_filing_added(work, seed=3)  # the benchmark's step, as make bench runs it
    assert os.environ["JIXIAO_WAREHOUSE_DIR"] == str(work / "warehouse")  # the run from scratch's, put back
    assert (work / "raw" / added.source_file).parent == work / "raw" / "2024" / added.region
    assert added.source_file.split("/")[-1].startswith("补报_")
    assert added.success and (added.parsed, added.ran) == (1, 1)
    assert added.differing is not None  # the region's run from scratch succeeded
    assert added.differing == []
    changed = differing_tables(work / "before", work / "warehouse", 2024, added.region)
    assert {"filings", "forms"} <= set(changed)  # the comparison sees the filing added
