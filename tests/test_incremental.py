"""Nothing re-done that has not changed: a re-run parses nothing, a new or changed file is the
only one parsed, and the published tables are the same as a full run's."""

import shutil
from pathlib import Path

import polars as pl
from dagster import DagsterInstance, load_assets_from_package_module, materialize

import assets
from conftest import RAW, ZHONGWEI, edit_line, ephemeral_instance, sample_text
from filings.discover import discover
from filings.incremental import batches
from filings.schemas import TABLES
from filings.tables import PARSED_TABLES
from filings.warehouse import committed, publish, read
from pipelines.partitions import partition_key
from pipelines.resources import JixiaoPaths


def _run(raw, warehouse, damaged: bool = False) -> dict:
    result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2024),
                         resources={"paths": JixiaoPaths(raw_dir=str(raw), warehouse_dir=str(warehouse))},
                         instance=ephemeral_instance())
    assert result.success
    meta = result.asset_materializations_for_node("parsed_filings")[0].metadata
    assert meta["rebuilt_from_damaged_warehouse"].value == damaged
    return {k: meta[k].value for k in ("files", "files_parsed", "files_reused")}


def _tables(warehouse) -> dict[str, pl.DataFrame]:
    return {name: read(warehouse, name, 2024) for name in TABLES}


def test_rerun_reuses_unchanged_files_and_matches_a_full_run(raw_copy, tmp_path):
    warehouse = tmp_path / "warehouse"
    assert _run(raw_copy, warehouse) == {"files": 2, "files_parsed": 2, "files_reused": 0}
    first = _tables(warehouse)
    assert _run(raw_copy, warehouse) == {"files": 2, "files_parsed": 0, "files_reused": 2}
    assert all(first[name].equals(table) for name, table in _tables(warehouse).items())

    shutil.copy(RAW / ZHONGWEI, raw_copy / "2024" / "补报_中卫市公安局.txt")  # a new file
    changed = edit_line(sample_text(ZHONGWEI), 35, "\t100\t96\t", "\t100\t95\t")
    (raw_copy / ZHONGWEI).write_text(changed, encoding="utf-8")  # a changed one
    assert _run(raw_copy, warehouse) == {"files": 3, "files_parsed": 2, "files_reused": 1}
    full = tmp_path / "full"
    assert _run(raw_copy, full)["files_parsed"] == 3
    for name, table in _tables(warehouse).items():
        assert table.equals(_tables(full)[name]), name
    assert read(warehouse, "check_results", 2024).filter(pl.col("check_id") == "duplicate_forms").height == 7


def test_the_same_input_gives_identical_tables(raw_copy, tmp_path):
    """Idempotent: two runs from scratch over the same raw/ publish the same rows with the same ids."""
    for warehouse in ("a", "b"):
        assert _run(raw_copy, tmp_path / warehouse)["files_parsed"] == 2
    again = _tables(tmp_path / "b")
    assert all(table.equals(again[name]) and (table.height or name in ("quarantine", "source_positions"))
               for name, table in _tables(tmp_path / "a").items())


def test_a_new_parser_version_parses_everything_again(tmp_path, tables):
    filings = tables["filings"].filter(pl.col("reporting_year") == 2024)
    publish(tmp_path, 2024, {"filings": filings.with_columns(parser_version=pl.lit("0")),
                             **{name: tables[name] for name in PARSED_TABLES if name != "filings"}})
    assert [(batch.files, batch.parsed) for batch in batches(tmp_path, RAW, 2024, discover(RAW, 2024))] == [(2, 2)]


def test_a_damaged_warehouse_is_rebuilt_from_raw_which_is_never_touched(raw_copy, tmp_path):
    warehouse = tmp_path / "warehouse"
    before = {p: p.read_bytes() for p in raw_copy.rglob("*") if p.is_file()}
    _run(raw_copy, warehouse)
    first = _tables(warehouse)
    damaged = committed(warehouse, 2024)["indicators"]
    damaged.write_bytes(damaged.read_bytes()[:200])  # a torn file on disk
    assert _run(raw_copy, warehouse, damaged=True) == {"files": 2, "files_parsed": 2, "files_reused": 0}
    assert all(first[name].equals(table) for name, table in _tables(warehouse).items())
    assert {p: p.read_bytes() for p in raw_copy.rglob("*") if p.is_file()} == before


def test_a_file_quarantined_for_what_the_machine_lacked_is_read_again(tmp_path, monkeypatch):
    """A PDF refused for want of a Chinese font is parsed again at the next run (the font may have
    been installed meanwhile), though its bytes are unchanged."""
    from filings.readers import pdf

    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "fixtures" / "formats" / "中卫市公安局_项目支出绩效自评表.pdf", raw / "2024" / "中卫.pdf")
    files = discover(raw, 2024)
    monkeypatch.setattr(pdf, "chinese_font_installed", lambda: False)
    (first,) = batches(tmp_path / "warehouse", raw, 2024, files)
    assert first.tables["filings"]["reason_code"].to_list() == ["needs_font"]
    publish(tmp_path / "warehouse", 2024, first.tables)
    monkeypatch.undo()
    (again,) = batches(tmp_path / "warehouse", raw, 2024, files)
    assert (again.parsed, again.tables["filings"]["status"].to_list()) == (1, ["parsed"])
