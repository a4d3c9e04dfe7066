"""The Dagster layer, run for real: an ephemeral instance, in-process materialisation, real files."""

import shutil
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
    load_assets_from_package_module,
    materialize,
)

import assets
from checks.catalogue import CATALOGUE
from filings.schemas import TABLES
from conftest import RAW, XINGQING
from test_rules import KNOWN_FINDINGS
from filings.warehouse import committed, publish, read
from pipelines.definitions import defs
from pipelines.jobs import annual_schedule
from pipelines.resources import JixiaoPaths
from pipelines.sensors import raw_files_sensor


def test_definitions_load_with_job_schedule_sensor_and_checks():
    job = defs.resolve_job_def("jixiao_year")
    assert job.partitions_def.get_partition_keys()[0] == "2010"
    assert "2024" in job.partitions_def.get_partition_keys()
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
        partition_key="2024",
        resources={"paths": JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(warehouse))},
        instance=DagsterInstance.ephemeral(),
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
    assert gx_forms.metadata["expectations"].value >= 50 and gx_forms.metadata["failed"].value == 0
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


def test_sensor_requests_changed_years_only(raw_copy, tmp_path):
    paths = JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(tmp_path / "warehouse"))
    first = raw_files_sensor(build_sensor_context(resources={"paths": paths}))
    assert isinstance(first, SensorResult)
    assert sorted(r.partition_key for r in first.run_requests) == ["2016", "2020", "2022", "2023", "2024"]

    again = raw_files_sensor(build_sensor_context(cursor=first.cursor, resources={"paths": paths}))
    assert isinstance(again, SkipReason)

    new_file = raw_copy / "2022" / "补报" / "新表.txt"
    new_file.parent.mkdir()
    new_file.write_text("项目支出绩效自评表", encoding="utf-8")
    changed = raw_files_sensor(build_sensor_context(cursor=first.cursor, resources={"paths": paths}))
    assert [r.partition_key for r in changed.run_requests] == ["2022"]


def test_sensor_first_look_skips_years_already_published(raw_copy, tmp_path, tables):
    warehouse = tmp_path / "warehouse"
    publish(warehouse, 2024, {"filings": tables["filings"].filter(pl.col("reporting_year") == 2024)})
    paths = JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(warehouse))
    first = raw_files_sensor(build_sensor_context(resources={"paths": paths}))
    assert sorted(r.partition_key for r in first.run_requests) == ["2016", "2020", "2022", "2023"]


def test_annual_schedule_runs_the_year_that_ended():
    context = build_schedule_context(scheduled_execution_time=datetime(2025, 7, 1, 6))
    request = annual_schedule(context)
    assert request.partition_key == "2024"


def test_quarantined_files_are_published_and_shown_to_the_steward(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    shutil.copy(RAW / XINGQING, raw / XINGQING)
    (raw / "2024" / "空白.txt").write_bytes(b"")
    (raw / "2024" / "扫描件.pdf").write_bytes((Path(__file__).parent / "fixtures" / "formats" / "scan.pdf").read_bytes())
    (raw / "2024" / "报告.wps").write_bytes(b"WPS")
    result = materialize(load_assets_from_package_module(assets), partition_key="2024",
                         resources={"paths": JixiaoPaths(raw_dir=str(raw), warehouse_dir=str(tmp_path / "w"))},
                         instance=DagsterInstance.ephemeral())
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
    assert "2024" in [r.partition_key for r in first.run_requests]
