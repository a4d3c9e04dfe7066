"""The Dagster layer, run for real: an ephemeral instance, in-process materialisation, real files."""

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import polars as pl
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    DagsterInstance,
    SensorResult,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
    load_assets_from_package_module,
    materialize,
)

import assets
from checks.catalogue import CATALOGUE
from checks.expectations import expectations
from filings.schemas import TABLES
from conftest import RAW, XINGQING, ephemeral_instance
from test_rules import KNOWN_FINDINGS
from checks.engine import run_rules
from filings import discover as discover_module
from filings.discover import discover
from filings.parse import parse_path
from filings.tables import to_tables
from filings.warehouse import committed, publish, published_regions, read, read_year
from pipelines.definitions import defs
from pipelines.jobs import annual_schedule
from pipelines.partitions import partition_key, year_region
from pipelines.resources import JixiaoPaths
from pipelines.sensors import raw_files_sensor


def test_definitions_load_with_job_schedule_sensor_and_checks():
    job = defs.resolve_job_def("jixiao_year")
    years = job.partitions_def.get_partitions_def_for_dimension("reporting_year").get_partition_keys()
    assert years[0] == "2010" and "2024" in years
    assert job.partitions_def.get_partitions_def_for_dimension("region").name == "region"
    assert defs.resolve_schedule_def("annual_schedule") and defs.resolve_sensor_def("raw_files_sensor")
    graph = defs.resolve_asset_graph()
    checks = {(key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys}
    assert ("parsed_filings", "schemas_valid") in checks and ("indicators", "weights_sum_100") in checks
    assert len(checks) == 2 + len(CATALOGUE) + len(TABLES) + 1  # integrity, rules, GX per table, quarantine
    blocking = {key.name for key in graph.asset_check_keys if graph.get_check_spec(key).blocking}
    assert blocking == {"schemas_valid", "inputs_accounted_for"}, "findings in filings never block publishing"
    forms = graph.get(AssetKey("forms"))
    assert forms.description and forms.metadata["dagster/column_schema"].columns[0].name == "form_id"


def test_materialise_2024_publishes_tables_and_reports_checks(raw_copy, tmp_path):
    warehouse = tmp_path / "warehouse"
    result = materialize(
        load_assets_from_package_module(assets),
        partition_key=partition_key(2024),
        resources={"paths": JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(warehouse))},
        instance=ephemeral_instance(),
    )
    assert result.success
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    failing = {check_id for check_id, source_file, *_ in KNOWN_FINDINGS if source_file.startswith("2024/")}
    assert {k: e.passed for k, e in evaluations.items()} == {
        ("parsed_filings", "schemas_valid"): True,
        ("parsed_filings", "inputs_accounted_for"): True,
        **{(rule.table, rule.check_id): rule.check_id not in failing for rule in CATALOGUE},
        **{(table, "great_expectations"): True for table in TABLES},
        ("quarantine", "no_quarantined_files"): True,
    }
    gx_forms = evaluations[("forms", "great_expectations")]
    assert gx_forms.metadata["expectations"].value == len(expectations("forms")) and gx_forms.metadata["failed"].value == 0
    assert Path(gx_forms.metadata["data_docs"].value).exists()
    assert evaluations[("indicators", "score_follows_rule")].severity == AssetCheckSeverity.WARN  # warnings only
    assert evaluations[("indicators", "section_weights_match")].severity == AssetCheckSeverity.ERROR
    year_check = evaluations[("forms", "year_matches_reporting_year")]
    assert year_check.severity == AssetCheckSeverity.ERROR
    assert year_check.metadata["findings"].value == 4
    assert "2025年1-12月" in year_check.metadata["first_findings"].value
    files = committed(warehouse, 2024)
    assert year_check.metadata["full_list"].value == str(files["check_results"])

    assert set(files) == set(TABLES) and all(f.exists() for f in files.values())
    assert read(warehouse, "forms", 2024).height == 12
    assert read(warehouse, "check_results", 2024).filter(pl.col("source_file") == XINGQING).height == 9
    report = result.asset_materializations_for_node("stewards_report")[0]
    assert Path(report.metadata["report"].value).exists() and Path(report.metadata["workbook"].value).exists()
    assert report.metadata["findings"].value == len([f for f in KNOWN_FINDINGS if f[1].startswith("2024/")])
    published = {m.asset_key.to_user_string() for m in result.asset_materializations_for_node("warehouse_tables")}
    assert published == set(TABLES)


def _requested(result) -> list[tuple[int, str]]:
    return sorted(year_region(r.partition_key) for r in result.run_requests)


def test_sensor_requests_changed_years_and_regions_only(raw_copy, tmp_path):
    paths = JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(tmp_path / "warehouse"))
    first = raw_files_sensor(build_sensor_context(resources={"paths": paths}))
    assert isinstance(first, SensorResult)
    assert _requested(first) == [(2016, "_"), (2020, "_"), (2022, "_"), (2023, "_"), (2024, "_")]
    assert [(r.partitions_def_name, r.partition_keys) for r in first.dynamic_partitions_requests] == [("region", ["_"])]

    again = raw_files_sensor(build_sensor_context(cursor=first.cursor, resources={"paths": paths}))
    assert isinstance(again, SkipReason)

    new_file = raw_copy / "2022" / "补报" / "新表.txt"  # a new region folder: a new region partition
    new_file.parent.mkdir()
    new_file.write_text("项目支出绩效自评表", encoding="utf-8")
    changed = raw_files_sensor(build_sensor_context(cursor=first.cursor, resources={"paths": paths}))
    assert _requested(changed) == [(2022, "补报")]
    assert [(r.partitions_def_name, r.partition_keys) for r in changed.dynamic_partitions_requests] == [
        ("region", ["补报"])]

    new_file.write_text("项目支出绩效自评表 补充", encoding="utf-8")  # a change in that region only
    edited = raw_files_sensor(build_sensor_context(cursor=changed.cursor, resources={"paths": paths}))
    assert _requested(edited) == [(2022, "补报")]
    new_file.unlink()  # the region emptied: republished empty
    emptied = raw_files_sensor(build_sensor_context(cursor=edited.cursor, resources={"paths": paths}))
    assert _requested(emptied) == [(2022, "补报")]


def test_a_sensor_tick_lists_a_year_folder_as_often_whatever_its_regions(raw_copy, tmp_path, monkeypatch):
    """A tick lists each year's folder once, however many regions it has; each region's folder is
    peeked into, then walked. On an object store a listing is a request: a region's files are not
    found by listing the year again."""
    listed = Counter()
    visible = discover_module._visible
    monkeypatch.setattr(discover_module, "_visible", lambda folder: listed.update([folder]) or visible(folder))
    paths = JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(tmp_path / "warehouse"))
    raw_files_sensor(build_sensor_context(resources={"paths": paths}))
    assert listed[raw_copy / "2022"] == 1
    sample = next(p for p in (raw_copy / "2022").iterdir() if p.is_file())
    for region in ("甲市", "乙市", "丙市"):
        (raw_copy / "2022" / region).mkdir()
        shutil.copy(sample, raw_copy / "2022" / region / sample.name)
    listed.clear()
    ticked = raw_files_sensor(build_sensor_context(resources={"paths": paths}))
    assert {(2022, "甲市"), (2022, "乙市"), (2022, "丙市")} <= set(_requested(ticked))
    assert listed[raw_copy / "2022"] == 1 and listed[raw_copy / "2022" / "甲市"] == 1  # peeked; then walked


def test_a_sensor_tick_runs_no_empty_year_and_warns_of_a_year_outside_the_reporting_years(
        raw_copy, tmp_path, capfd):
    paths = JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(tmp_path / "warehouse"))
    expected = _requested(raw_files_sensor(build_sensor_context(resources={"paths": paths})))
    (raw_copy / "2025" / "银川").mkdir(parents=True)  # folders, no file yet
    (raw_copy / "1990").mkdir()
    (raw_copy / "1980").mkdir()  # outside them too, and empty: nothing to warn of
    shutil.copy(next(p for p in (raw_copy / "2022").iterdir() if p.is_file()), raw_copy / "1990")
    assert _requested(raw_files_sensor(build_sensor_context(resources={"paths": paths}))) == expected
    warned = [line for line in capfd.readouterr().err.splitlines() if "outside the reporting years" in line]
    assert len(warned) == 1 and "raw/1990/" in warned[0]


def test_sensor_first_look_skips_years_already_published(raw_copy, tmp_path, tables):
    warehouse = tmp_path / "warehouse"
    publish(warehouse, 2024, {"filings": tables["filings"].filter(pl.col("reporting_year") == 2024)})
    paths = JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(warehouse))
    first = raw_files_sensor(build_sensor_context(resources={"paths": paths}))
    assert _requested(first) == [(2016, "_"), (2020, "_"), (2022, "_"), (2023, "_")]


def test_annual_schedule_runs_every_region_of_the_year_that_ended(raw_copy, tmp_path):
    (raw_copy / "2024" / "兴庆区").mkdir()
    (raw_copy / XINGQING).rename(raw_copy / "2024" / "兴庆区" / Path(XINGQING).name)
    paths = JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(tmp_path / "warehouse"))
    with instance_for_test() as instance:  # the schedule adds regions to the instance: a persistent one
        with build_schedule_context(scheduled_execution_time=datetime(2025, 7, 1, 6), instance=instance,
                                    resources={"paths": paths}) as context:  # closed before the instance
            requests = annual_schedule(context)
        assert sorted(year_region(r.partition_key) for r in requests) == [(2024, "_"), (2024, "兴庆区")]
        assert set(instance.get_dynamic_partitions("region")) == {"_", "兴庆区"}


def test_quarantined_files_are_published_and_shown_to_the_steward(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    shutil.copy(RAW / XINGQING, raw / XINGQING)
    (raw / "2024" / "空白.txt").write_bytes(b"")
    (raw / "2024" / "扫描件.pdf").write_bytes((Path(__file__).parent / "fixtures" / "formats" / "scan.pdf").read_bytes())
    (raw / "2024" / "报告.wps").write_bytes(b"WPS")
    result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2024),
                         resources={"paths": JixiaoPaths(raw_dir=str(raw), warehouse_dir=str(tmp_path / "w"))},
                         instance=ephemeral_instance())
    quarantine = read(tmp_path / "w", "quarantine", 2024).sort("source_file")
    assert quarantine.select("source_file", "reason_code").rows() == [
        ("2024/扫描件.pdf", "needs_ocr"), ("2024/报告.wps", "unsupported_format"), ("2024/空白.txt", "empty")]
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    shown = evaluations[("quarantine", "no_quarantined_files")]
    assert not shown.passed and shown.severity == AssetCheckSeverity.WARN
    assert "需要 OCR" in shown.metadata["quarantined"].value
    assert evaluations[("parsed_filings", "inputs_accounted_for")].passed
    assert read(tmp_path / "w", "filings", 2024).height == 4


def test_sensor_treats_an_unreadable_published_year_as_changed(raw_copy, tmp_path, tables):
    warehouse = tmp_path / "warehouse"
    damaged = publish(warehouse, 2024, {"filings": tables["filings"].filter(pl.col("reporting_year") == 2024)})["filings"]
    damaged.write_bytes(b"not parquet")
    paths = JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(warehouse))
    first = raw_files_sensor(build_sensor_context(resources={"paths": paths}))
    assert (2024, "_") in _requested(first)


def _rows(frame: pl.DataFrame, columns: list[str]) -> list[str]:
    return sorted(repr(row) for row in frame.select(columns).rows())


def test_two_regions_of_a_year_are_two_partitions_that_together_are_the_year(tmp_path):
    """raw/2022/<region>/…: each region is its own partition (run, commit record, report); the year
    read back is every region's rows, exactly the tables of the whole year parsed and checked at once."""
    raw = tmp_path / "raw"
    for region, files in {"云南": ["云南永德", "四川中江"], "安徽": ["安徽池州贵池", "安徽霍邱", "湖北黄石"]}.items():
        (raw / "2022" / region).mkdir(parents=True)
        for source in (RAW / "2022").iterdir():
            if source.name.split("_")[0] in files:
                shutil.copy(source, raw / "2022" / region / source.name)
    warehouse = tmp_path / "warehouse"
    resources = {"paths": JixiaoPaths(raw_dir=str(raw), warehouse_dir=str(warehouse))}
    instance = ephemeral_instance("云南", "安徽")
    for region in ("云南", "安徽"):
        result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2022, region),
                             resources=resources, instance=instance)
        assert result.success
    assert sorted(published_regions(warehouse, 2022)) == sorted(["云南", "安徽"])
    assert read(warehouse, "filings", 2022, "云南").height == 2 and read(warehouse, "filings", 2022, "安徽").height == 3
    assert {p.parent.name for p in (warehouse / "forms" / "reporting_year=2022").glob("*/*.parquet")} == {
        "region=云南", "region=安徽"}
    assert (tmp_path / "reports" / "2022" / "云南" / "stewards_report.html").exists()

    whole = to_tables([parse_path(f.path, raw) for f in discover(raw, 2022)])
    whole["check_results"] = run_rules(whole)
    year = read_year(warehouse, 2022)
    assert set(year) == set(TABLES)
    for name, expected in whole.items():
        assert _rows(year[name], expected.columns) == _rows(expected, expected.columns), name
