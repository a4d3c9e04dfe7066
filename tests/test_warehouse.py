"""Publishing: one parquet file per table and year, replaced atomically, readable by DuckDB."""

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from filings.schemas import TABLES, empty
from filings.warehouse import partition_file, publish, read


def test_publish_then_read_round_trips(tmp_path, tables):
    forms = tables["forms"].filter(pl.col("reporting_year") == 2024)
    path = publish(tmp_path, "forms", 2024, forms)
    assert path == tmp_path / "forms" / "reporting_year=2024" / "part-0.parquet"
    assert_frame_equal(read(tmp_path, "forms", 2024).select(forms.columns), forms)


def test_republish_replaces_the_partition_and_leaves_no_temporary_file(tmp_path, tables):
    publish(tmp_path, "indicators", 2024, tables["indicators"])
    publish(tmp_path, "indicators", 2024, tables["indicators"].head(3))
    assert read(tmp_path, "indicators", 2024).height == 3
    assert [p.name for p in partition_file(tmp_path, "indicators", 2024).parent.iterdir()] == ["part-0.parquet"]


def test_empty_table_keeps_its_schema(tmp_path):
    publish(tmp_path, "check_results", 2024, empty("check_results"))
    back = read(tmp_path, "check_results", 2024)
    assert back.height == 0 and back.columns == list(TABLES["check_results"].to_schema().columns)


def test_partitions_read_together_with_reporting_year_from_the_path(tmp_path, tables):
    for year in (2023, 2024):
        publish(tmp_path, "indicators", year, tables["indicators"].head(2))
    both = read(tmp_path, "indicators")
    assert both.height == 4 and sorted(both["reporting_year"].unique()) == [2023, 2024]
    count = duckdb.sql(
        f"select reporting_year, count(*) from read_parquet('{tmp_path}/indicators/*/*.parquet', "
        "hive_partitioning = true) group by all order by 1").fetchall()
    assert count == [(2023, 2), (2024, 2)]
