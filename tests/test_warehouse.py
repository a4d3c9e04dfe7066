"""Publishing: a year's tables switch as one through its commit record, leftovers of an interrupted
publish are removed by the next one, and BI readers (DuckDB) read the committed files."""

import json
import re

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from conftest import PROJECT
from filings.schemas import TABLES, empty
from filings.warehouse import commit_file, committed, publish, read, read_year, uncommitted


def _files(warehouse):
    return sorted(p.relative_to(warehouse).as_posix() for p in warehouse.rglob("*") if p.is_file())


def test_publish_then_read_round_trips(tmp_path, tables):
    forms = tables["forms"].filter(pl.col("reporting_year") == 2024)
    path = publish(tmp_path, 2024, {"forms": forms})["forms"]
    assert re.fullmatch(r"part-\d{8}T\d{6}-[0-9a-f]{8}\.parquet", path.name)
    assert path.parent == tmp_path / "forms" / "reporting_year=2024" / "region=_"
    assert committed(tmp_path, 2024) == {"forms": path}
    assert_frame_equal(read(tmp_path, "forms", 2024).select(forms.columns), forms)
    some = read(tmp_path, "forms", 2024, columns=["form_id", "spent"])
    assert some.columns == ["form_id", "spent", "reporting_year"]
    assert_frame_equal(some, forms.select("form_id", "spent", "reporting_year"))


def test_republish_switches_every_table_and_leaves_only_the_committed_files(tmp_path, tables):
    publish(tmp_path, 2024, {"forms": tables["forms"], "indicators": tables["indicators"]})
    first = committed(tmp_path, 2024)
    publish(tmp_path, 2024, {"forms": tables["forms"].head(2), "indicators": tables["indicators"].head(3)})
    second = committed(tmp_path, 2024)
    assert set(first.values()).isdisjoint(second.values())
    assert {name: frame.height for name, frame in read_year(tmp_path, 2024).items()} == {"forms": 2, "indicators": 3}
    assert _files(tmp_path) == sorted([
        "_commits/reporting_year=2024/region=_.json", "_commits/reporting_year=2024/region=_.lock",
        *(p.relative_to(tmp_path).as_posix() for p in second.values())])
    assert uncommitted(tmp_path, 2024) == []


def test_files_no_commit_names_are_invisible_and_removed_by_the_next_publish(tmp_path, tables):
    """What a publish killed before its commit leaves: new files, a staging file, a staging record."""
    publish(tmp_path, 2024, {"indicators": tables["indicators"].head(1)})
    partition = tmp_path / "indicators" / "reporting_year=2024" / "region=_"
    tables["indicators"].write_parquet(partition / "part-20990101T000000-deadbeef.parquet")
    (partition / ".part-20990101T000000-deadbeef.parquet.0123.tmp").write_bytes(b"PAR1 half")
    (tmp_path / "_commits" / "reporting_year=2024" / ".region=_.json.0123.tmp").write_text('{"reporting_ye')
    assert read(tmp_path, "indicators", 2024).height == 1
    assert len(uncommitted(tmp_path, 2024)) == 3
    publish(tmp_path, 2024, {"indicators": tables["indicators"].head(2)})
    assert uncommitted(tmp_path, 2024) == [] and read(tmp_path, "indicators", 2024).height == 2


def test_a_damaged_commit_record_is_reported_on_read_and_replaced_by_the_next_publish(tmp_path, tables):
    publish(tmp_path, 2024, {"forms": tables["forms"]})
    commit_file(tmp_path, 2024).write_text('{"reporting_year": 20')
    with pytest.raises(ValueError):
        read_year(tmp_path, 2024)
    publish(tmp_path, 2024, {"forms": tables["forms"].head(1)})
    assert read(tmp_path, "forms", 2024).height == 1 and uncommitted(tmp_path, 2024) == []


def test_a_warehouse_from_before_commit_records_is_republished_cleanly(tmp_path, tables):
    legacy = tmp_path / "forms" / "reporting_year=2024" / "part-0.parquet"
    legacy.parent.mkdir(parents=True)
    tables["forms"].write_parquet(legacy)
    record = tmp_path / "_commits" / "reporting_year=2024.json"  # the year's record before regions
    record.parent.mkdir()
    record.write_text('{"reporting_year": 2024, "tables": {"forms": "forms/reporting_year=2024/part-0.parquet"}}')
    assert committed(tmp_path, 2024) is None and read_year(tmp_path, 2024) is None
    assert set(uncommitted(tmp_path, 2024)) == {legacy, record}
    publish(tmp_path, 2024, {"forms": tables["forms"]})
    assert not legacy.exists() and not record.exists()


def test_empty_table_keeps_its_schema(tmp_path):
    publish(tmp_path, 2024, {"check_results": empty("check_results")})
    back = read(tmp_path, "check_results", 2024)
    assert back.height == 0 and back.columns == list(TABLES["check_results"].to_schema().columns)


def test_the_commit_record_names_one_file_per_table(tmp_path, tables):
    files = publish(tmp_path, 2024, {"forms": tables["forms"], "quarantine": tables["quarantine"]})
    record = json.loads(commit_file(tmp_path, 2024).read_text(encoding="utf-8"))
    assert record["reporting_year"] == 2024 and record["generation"] in files["forms"].name
    assert record["tables"] == {name: path.relative_to(tmp_path).as_posix() for name, path in files.items()}


def test_partitions_read_together_with_reporting_year_from_the_path(tmp_path, tables):
    for year in (2023, 2024):
        publish(tmp_path, year, {"indicators": tables["indicators"].head(2)})
    both = read(tmp_path, "indicators")
    assert both.height == 4 and sorted(both["reporting_year"].unique()) == [2023, 2024]
    count = duckdb.sql(
        f"select reporting_year, count(*) from read_parquet('{tmp_path}/indicators/*/*/*.parquet', "
        "hive_partitioning = true) group by all order by 1").fetchall()
    assert count == [(2023, 2), (2024, 2)]


def test_the_readme_consistent_duckdb_read_ignores_uncommitted_files(tmp_path, tables, monkeypatch):
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    query = re.search(r"<!-- duckdb-committed -->\n```sql\n(.*?)```", readme, re.S).group(1)
    publish(tmp_path / "warehouse", 2024, {"indicators": tables["indicators"].head(2)})
    stray = tmp_path / "warehouse" / "indicators" / "reporting_year=2024" / "region=_" / "part-20990101T000000-deadbeef.parquet"
    tables["indicators"].write_parquet(stray)  # as a publish killed before its commit leaves it
    monkeypatch.chdir(tmp_path)
    assert duckdb.sql(query).fetchall() == [(2024, 2)]
