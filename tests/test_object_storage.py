"""raw/ and the warehouse at fsspec URLs: a real Dagster materialisation with both in fsspec's
in-memory filesystem publishes what a local run publishes, re-runs parse nothing, the commit
record names exactly the objects present, and file:// URLs are local folders."""

import uuid

import fsspec
import polars as pl
import pytest
import yaml
from dagster import (
    DagsterInstance,
    SensorResult,
    SkipReason,
    build_sensor_context,
    load_assets_from_package_module,
    materialize,
)
from dagster._config import process_config
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.storage.tags import PARTITION_NAME_TAG

import assets
from conftest import PROJECT, RAW, ZHONGWEI, edit_line, ephemeral_instance, sample_text
from filings.schemas import TABLES
from filings.storage import is_local
from filings.warehouse import COMMITS, commit_file, committed, publish, read, read_year, uncommitted
from pipelines.partitions import partition_key, year_region
from pipelines.resources import JixiaoPaths
from pipelines.sensors import raw_files_sensor

MEMORY = fsspec.filesystem("memory")


def _materialise(paths: JixiaoPaths) -> dict:
    """Run every asset for 2024; the parsing counts of the run."""
    result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2024),
                         resources={"paths": paths}, instance=ephemeral_instance())
    assert result.success
    meta = result.asset_materializations_for_node("parsed_filings")[0].metadata
    return {k: meta[k].value for k in ("files", "files_parsed", "files_reused")}


def _tables(warehouse) -> dict[str, pl.DataFrame]:
    return {name: read(warehouse, name, 2024) for name in TABLES}


@pytest.fixture(scope="module")
def local_tables(tmp_path_factory) -> dict[str, pl.DataFrame]:
    """2024 published by a local run over the committed samples."""
    warehouse = tmp_path_factory.mktemp("local") / "warehouse"
    _materialise(JixiaoPaths(raw_dir=str(RAW), warehouse_dir=str(warehouse)))
    return _tables(warehouse)


@pytest.fixture()
def bucket():
    """A private bucket in fsspec's in-memory filesystem, holding a copy of raw/."""
    name = f"jixiao-{uuid.uuid4().hex[:8]}"
    MEMORY.put(str(RAW), f"/{name}/raw", recursive=True)
    yield f"memory://{name}"
    MEMORY.rm(f"/{name}", recursive=True)


def test_a_run_from_and_to_memory_publishes_what_a_local_run_publishes(bucket, tmp_path, local_tables):
    paths = JixiaoPaths(raw_dir=f"{bucket}/raw", warehouse_dir=f"{bucket}/warehouse", local_dir=str(tmp_path))
    assert not is_local(paths.raw) and not is_local(paths.warehouse)
    assert _materialise(paths) == {"files": 2, "files_parsed": 2, "files_reused": 0}
    for name, table in _tables(paths.warehouse).items():
        assert table.equals(local_tables[name]), name

    assert _materialise(paths) == {"files": 2, "files_parsed": 0, "files_reused": 2}  # nothing parsed again
    for name, table in _tables(paths.warehouse).items():
        assert table.equals(local_tables[name]), name

    named = {path.path for path in committed(paths.warehouse, 2024).values()}
    assert len(named) == len(TABLES)
    assert set(MEMORY.find(paths.warehouse.path)) == named | {commit_file(paths.warehouse, 2024).path}
    assert uncommitted(paths.warehouse, 2024) == []
    assert set(MEMORY.ls(paths.warehouse.parent.path, detail=False)) == {paths.raw.path, paths.warehouse.path}
    assert {p.name for p in (tmp_path / "reports" / "2024").iterdir()} == {"stewards_report.html", "findings.xlsx"}
    assert " │ " in (tmp_path / "reports" / "2024" / "stewards_report.html").read_text(encoding="utf-8")  # raw lines
    assert (tmp_path / "great_expectations" / "index.html").exists()


def test_the_sensor_watches_raw_in_memory(bucket, tmp_path, local_tables):
    paths = JixiaoPaths(raw_dir=f"{bucket}/raw", warehouse_dir=f"{bucket}/warehouse", local_dir=str(tmp_path))
    publish(paths.warehouse, 2024, {"filings": local_tables["filings"]})
    first = raw_files_sensor(build_sensor_context(resources={"paths": paths}))
    assert isinstance(first, SensorResult)  # 2024 is published with these very files: not run again
    assert sorted(year_region(r.partition_key) for r in first.run_requests) == [
        (2016, "_"), (2020, "_"), (2022, "_"), (2023, "_")]
    assert isinstance(raw_files_sensor(build_sensor_context(cursor=first.cursor, resources={"paths": paths})),
                      SkipReason)

    changed = edit_line(sample_text(ZHONGWEI), 35, "\t100\t96\t", "\t100\t95\t")
    (paths.raw / ZHONGWEI).write_text(changed, encoding="utf-8")  # same size, new bytes
    again = raw_files_sensor(build_sensor_context(cursor=first.cursor, resources={"paths": paths}))
    assert [year_region(r.partition_key) for r in again.run_requests] == [(2024, "_")]


def test_a_publish_that_fails_midway_leaves_the_committed_year_and_the_next_one_cleans_up(bucket, local_tables):
    """An object store has no rename: until the commit record is put, readers see the previous
    generation, and the objects a failed publish put are removed by the next publish."""
    warehouse = JixiaoPaths(warehouse_dir=f"{bucket}/warehouse").warehouse
    publish(warehouse, 2024, local_tables)
    before = committed(warehouse, 2024)
    unwritable = pl.DataFrame({"x": [object()]}, schema={"x": pl.Object})  # parquet has no Object type
    with pytest.raises(Exception):
        publish(warehouse, 2024, {"forms": local_tables["forms"].head(1), "indicators": unwritable})
    assert committed(warehouse, 2024) == before
    assert all(table.equals(local_tables[name]) for name, table in read_year(warehouse, 2024).items())
    assert [p.parent.parent.parent.name for p in uncommitted(warehouse, 2024)] == ["forms"]  # the orphan of the failure

    publish(warehouse, 2024, {**local_tables, "forms": local_tables["forms"].head(2)})
    assert uncommitted(warehouse, 2024) == [] and read(warehouse, "forms", 2024).height == 2
    assert MEMORY.find(f"{warehouse.path}/{COMMITS}") == [commit_file(warehouse, 2024).path]


def test_file_urls_are_local_folders(tmp_path, local_tables):
    """A file:// URL is the local folder: links out of raw/ are refused, publishing renames under a
    lock, and the stewards' files land beside the warehouse."""
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    for source_file in sorted(local_tables["filings"]["source_file"]):
        (raw / source_file).write_bytes((RAW / source_file).read_bytes())
    (raw / "2024" / "外部.txt").symlink_to(RAW.parent / "README.md")
    paths = JixiaoPaths(raw_dir=f"file://{raw}", warehouse_dir=f"file://{tmp_path}/warehouse")
    assert paths.raw == raw and paths.warehouse == tmp_path / "warehouse" and paths.reports == tmp_path / "reports"
    assert _materialise(paths)["files_parsed"] == 3
    assert read(paths.warehouse, "quarantine", 2024).select("source_file", "reason_code").rows() == [
        ("2024/外部.txt", "outside_raw")]
    forms = read(paths.warehouse, "forms", 2024)
    assert forms.equals(local_tables["forms"])
    assert commit_file(paths.warehouse, 2024).with_suffix(".lock").exists()
    assert (tmp_path / "reports" / "2024" / "stewards_report.html").exists()


def test_the_cluster_never_runs_a_year_twice_at_once():
    """Object stores have no lock: the cluster's run queue keeps the runs of a reporting year apart."""
    queue = yaml.safe_load((PROJECT / "deploy" / "dagster.yaml").read_text(encoding="utf-8"))["run_queue"]
    config = process_config(QueuedRunCoordinator.config_type(), queue)
    assert config.success
    assert {"key": PARTITION_NAME_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in \
        config.value["tag_concurrency_limits"]
