"""`jixiao run` parses each partition ahead of its run (pipelines/parse_ahead.py): the runs publish
exactly what runs parsing for themselves publish, a run whose files changed since parses them
itself, the thread keeps one partition ahead, and nothing parsed ahead is left staged. It writes
each stewards' report beside the validation (pipelines/report_ahead.py): the same report as a run's
own step writes. Partitions of few files run side by side instead (pipelines/partition_runs.py),
publishing the same."""

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from dagster import DagsterInstance, load_assets_from_package_module, materialize
from python_calamine import CalamineWorkbook

import assets
from conftest import PROJECT, RAW, ephemeral_instance
from filings.discover import discover
from filings.schemas import TABLES
from filings.staging import staging_folder
from filings.warehouse import STAGING, read
from pipelines import parse_ahead, partition_runs, report_ahead
from pipelines.cli import dagster_home
from pipelines.partition_runs import regions_to_run, run_partitions
from pipelines.partitions import partition_key
from pipelines.resources import JixiaoPaths

sys.path.insert(0, str(PROJECT / "tools"))
from bench import untimed  # noqa: E402

REGIONS = {"云南": ["云南永德", "四川中江"], "安徽": ["安徽池州贵池", "安徽霍邱"], "湖北": ["湖北黄石"]}


@pytest.fixture()
def year_of_regions(tmp_path, monkeypatch):
    """raw/2022/ of three regions, with the warehouse and DAGSTER_HOME `jixiao run` would use."""
    raw, warehouse, home = tmp_path / "raw", tmp_path / "warehouse", tmp_path / "dagster_home"
    for region, places in REGIONS.items():
        (raw / "2022" / region).mkdir(parents=True)
        for source in (RAW / "2022").iterdir():
            if source.name.split("_")[0] in places:
                shutil.copy(source, raw / "2022" / region / source.name)
    for name, value in (("JIXIAO_RAW_DIR", raw), ("JIXIAO_WAREHOUSE_DIR", warehouse), ("DAGSTER_HOME", home)):
        monkeypatch.setenv(name, str(value))
    dagster_home()
    return raw, warehouse


def _partitions(year: int) -> list[str]:
    """The regions of `year` that `jixiao run --force` runs."""
    return list(regions_to_run(JixiaoPaths(), year, force=True)[0])


def _published(warehouse) -> dict[tuple[str, str], pl.DataFrame]:
    """Every table of every region of 2022 as published."""
    return {(region, name): read(warehouse, name, 2022, region) for region in REGIONS for name in TABLES}


def _nothing_staged(warehouse) -> bool:
    return not [f for f in (warehouse / STAGING).rglob("*") if f.is_file()]


def test_runs_parsed_ahead_publish_what_runs_parsing_for_themselves_publish(year_of_regions, tmp_path, monkeypatch):
    raw, warehouse = year_of_regions
    regions = _partitions(2022)
    made = []  # the instances made for the runs: one, made once for them all (a third of a second each)
    get = DagsterInstance.get
    monkeypatch.setattr(DagsterInstance, "get", staticmethod(lambda: made.append(1) or get()))
    runs = run_partitions(dict.fromkeys((2022, region) for region in regions))
    outcomes = {region: outcome for _, region, outcome in runs}
    assert sorted(outcomes) == sorted(REGIONS) and len(made) == 1
    assert all(outcome.success and outcome.metadata["parsed_ahead"] for outcome in outcomes.values())
    assert _nothing_staged(warehouse)
    with DagsterInstance.get() as instance:  # every run in the one instance the runs shared
        assert {instance.get_run_by_id(o.run_id).tags["dagster/partition"] for o in outcomes.values()} == {
            partition_key(2022, region) for region in REGIONS}
    for outcome in outcomes.values():  # what the benchmark reads of each run: the report's seconds, and its own
        assert outcome.metadata["report_written_ahead"] and outcome.metadata["seconds_report"] > 0
        assert 0 < untimed(outcome.metadata) < outcome.metadata["run_seconds"]

    themselves = tmp_path / "own" / "warehouse"  # as the UI, the sensor and the schedule run them
    for region in REGIONS:
        result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2022, region),
                             resources={"paths": JixiaoPaths(raw_dir=str(raw), warehouse_dir=str(themselves))},
                             instance=ephemeral_instance(*REGIONS))
        assert result.success
        assert result.asset_materializations_for_node("parsed_filings")[0].metadata["parsed_ahead"].value is False
        reported = result.asset_materializations_for_node("stewards_report")[0].metadata
        assert reported["report_written_ahead"].value is False
    ahead, own = _published(warehouse), _published(themselves)
    assert sum(frame.height for (_, name), frame in ahead.items() if name == "forms") == 5
    for key, frame in ahead.items():
        assert frame.equals(own[key]), key
    for region in REGIONS:  # the reports written ahead are the reports a run's own step writes
        written, mine = (folder / "reports" / "2022" / region for folder in (tmp_path, tmp_path / "own"))
        text, cells = _report_text(written), _workbook_cells(written)
        assert text == _report_text(mine) and all(place in text for place in REGIONS[region])
        assert cells == _workbook_cells(mine) and len(cells) >= 2


def _report_text(folder) -> str:
    """The HTML report but for the minute it was made at."""
    return re.sub(r"生成于 [0-9: -]+", "", (folder / "stewards_report.html").read_text(encoding="utf-8"))


def _workbook_cells(folder) -> dict[str, list]:
    book = CalamineWorkbook.from_path(str(folder / "findings.xlsx"))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_a_partition_of_more_forms_than_written_ahead_writes_its_report_in_its_step(year_of_regions, monkeypatch):
    """Above AHEAD_FORMS forms (a review's memory beside Great Expectations'), the run's own step
    writes the report, after the validation."""
    monkeypatch.setattr(report_ahead, "AHEAD_FORMS", 1)
    forms = {region: len(places) for region, places in REGIONS.items()}  # one form a file
    outcomes = {region: outcome for _, region, outcome in run_partitions(dict.fromkeys(
        (2022, region) for region in _partitions(2022)))}
    assert {region: o.success and o.metadata["report_written_ahead"] for region, o in outcomes.items()} == {
        region: n <= 1 for region, n in forms.items()}


def test_a_report_that_cannot_be_written_ahead_fails_its_run(year_of_regions, tmp_path):
    """Written ahead in a process of its own, a report that cannot be written (its folder is a
    file) fails the partition's run, at its report step; the other regions' runs publish and report."""
    (tmp_path / "reports" / "2022").mkdir(parents=True)
    (tmp_path / "reports" / "2022" / "湖北").write_text("not a folder")
    outcomes = {region: outcome for _, region, outcome in run_partitions(dict.fromkeys(
        (2022, region) for region in _partitions(2022)))}
    assert not outcomes["湖北"].success
    assert all(outcomes[region].success and outcomes[region].metadata["report_written_ahead"]
               for region in ("云南", "安徽"))
    with DagsterInstance.get() as instance:
        failed = instance.get_run_by_id(outcomes["湖北"].run_id)
        steps = {event.step_key for event in instance.all_logs(failed.run_id)
                 if event.dagster_event and event.dagster_event.is_step_failure}
    assert steps == {"stewards_report"}


def test_a_rerun_skips_regions_as_published_and_republishes_one_whose_folder_is_gone(year_of_regions):
    """What `jixiao run` runs of a year: every region folder at first; then none, as all are as
    published; then, once a region's folder is removed, that region alone, with no files, so that
    it is republished empty."""
    raw, warehouse = year_of_regions
    counts = {region: len(discover(raw, 2022, region)) for region in REGIONS}
    assert regions_to_run(JixiaoPaths(), 2022) == (counts, {})
    assert all(outcome.success for _, _, outcome in run_partitions({(2022, r): n for r, n in counts.items()}))
    assert regions_to_run(JixiaoPaths(), 2022) == ({}, counts)
    shutil.rmtree(raw / "2022" / "湖北")
    todo, skipped = regions_to_run(JixiaoPaths(), 2022)
    assert todo == {"湖北": 0} and skipped == {region: counts[region] for region in ("云南", "安徽")}
    [(_, _, outcome)] = run_partitions({(2022, "湖北"): 0})
    assert outcome.success and read(warehouse, "filings", 2022, "湖北").is_empty()
    assert read(warehouse, "filings", 2022).height == counts["云南"] + counts["安徽"]


def test_the_runs_make_their_regions_partitions_and_jixiao_run_the_regions_it_skips(
        year_of_regions, tmp_path, monkeypatch, capsys):
    """Listing a year adds nothing to the instance (so the first partition is parsed while the
    instance is made): each run adds its own region, and `jixiao run` the regions it skips, so that
    a new DAGSTER_HOME lists every region published, run now or not."""
    from pipelines.cli import run

    def regions_known() -> set[str]:
        with DagsterInstance.get() as instance:
            return set(instance.get_dynamic_partitions("region"))

    todo, _ = regions_to_run(JixiaoPaths(), 2022)
    assert sorted(todo) == sorted(REGIONS) and regions_known() == set()
    [(_, _, outcome)] = run_partitions({(2022, "湖北"): todo["湖北"]})
    assert outcome.success and regions_known() == {"湖北"}
    assert run([2022]) == 0
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "new_dagster_home"))
    dagster_home()
    assert run([2022]) == 0 and "nothing to do" in capsys.readouterr().out
    assert regions_known() == set(REGIONS)


def test_a_run_whose_files_changed_since_parses_them_itself(year_of_regions):
    raw, warehouse = year_of_regions
    paths = JixiaoPaths()
    with parse_ahead.parsing_ahead([(2022, "安徽")]) as ahead:
        ahead.results[2022, "安徽"].result(timeout=300)
        assert (staging_folder(warehouse, 2022, "安徽") / parse_ahead.AHEAD).is_dir()
        shutil.copy(raw / "2022" / "湖北" / next((raw / "2022" / "湖北").iterdir()).name, raw / "2022" / "安徽")
        assert parse_ahead.take(paths, 2022, "安徽", discover(raw, 2022, "安徽")) is None
    instance = ephemeral_instance(*REGIONS)
    result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2022, "安徽"),
                         resources={"paths": paths}, instance=instance)
    assert result.success
    assert read(warehouse, "filings", 2022, "安徽").height == 3
    assert _nothing_staged(warehouse)


def test_the_run_of_a_partition_changed_after_its_parse_ahead_reads_the_files_itself(year_of_regions):
    """Through `jixiao run`'s own path: 安徽 is parsed ahead, a file is added before its run starts;
    the run finds three files, not the two parsed, and parses them itself."""
    raw, warehouse = year_of_regions
    assert "安徽" in _partitions(2022)

    def add_a_file(year: int, region: str) -> None:  # called as the run starts
        parse_ahead._active.results[year, region].result(timeout=300)
        assert (staging_folder(warehouse, year, region) / parse_ahead.AHEAD).is_dir()
        shutil.copy(next((raw / "2022" / "湖北").iterdir()), raw / "2022" / region)

    [(_, _, outcome)] = run_partitions({(2022, "安徽"): None}, started=add_a_file)
    assert outcome.success and outcome.metadata["parsed_ahead"] is False
    assert outcome.metadata["files"] == outcome.metadata["files_parsed"] == 3
    assert read(warehouse, "filings", 2022, "安徽").height == 3
    assert _nothing_staged(warehouse)


def test_the_thread_keeps_one_partition_ahead_and_removes_what_no_run_took(year_of_regions):
    raw, warehouse = year_of_regions
    paths = JixiaoPaths()
    with parse_ahead.parsing_ahead([(2022, "云南"), (2022, "安徽"), (2022, "湖北")]) as ahead:
        taken = parse_ahead.take(paths, 2022, "云南", discover(raw, 2022, "云南"))
        assert taken is not None and taken.files == [f.source_file for f in discover(raw, 2022, "云南")]
        assert taken.parsed == 2 and taken.staged.rows["forms"] == 2
        ahead.results[2022, "安徽"].result(timeout=300)
        time.sleep(1)
        assert not ahead.results[2022, "湖北"].done()  # not before 安徽's run takes it or ends
        ahead.finished((2022, "安徽"))  # 安徽's run ended without taking it (a failed run)
        ahead.results[2022, "湖北"].result(timeout=300)
        assert parse_ahead.take(paths, 2022, "安徽", discover(raw, 2022, "安徽")) is None  # its run is over
    assert parse_ahead.take(paths, 2022, "湖北", discover(raw, 2022, "湖北")) is None  # no longer parsing ahead
    for region in ("安徽", "湖北"):
        assert not staging_folder(warehouse, 2022, region).exists(), region
    assert (staging_folder(warehouse, 2022, "云南") / parse_ahead.AHEAD).is_dir()  # taken: its run publishes it


def test_runs_left_early_stop_the_thread_and_leave_nothing_staged(year_of_regions):
    _, warehouse = year_of_regions
    regions = _partitions(2022)
    for _, _, outcome in run_partitions(dict.fromkeys((2022, region) for region in regions)):
        assert outcome.success
        break  # a caller that stops after the first region
    assert parse_ahead._active is None
    assert _nothing_staged(warehouse)


def test_the_next_year_is_parsed_ahead_too(year_of_regions):
    raw, warehouse = year_of_regions
    shutil.copytree(RAW / "2024", raw / "2024")
    assert "湖北" in _partitions(2022)  # registers the partitions, as jixiao run does
    partitions = [(2022, "湖北"), *((2024, region) for region in _partitions(2024))]
    outcomes = list(run_partitions(dict.fromkeys(partitions)))
    assert [(year, region) for year, region, _ in outcomes] == [(2022, "湖北"), (2024, "_")]
    assert all(outcome.success and outcome.metadata["parsed_ahead"] for _, _, outcome in outcomes)
    assert read(warehouse, "forms", 2024).height == 12
    assert _nothing_staged(warehouse)


def test_partitions_of_few_files_run_side_by_side_and_publish_what_runs_one_after_another_publish(
        year_of_regions, tmp_path, monkeypatch):
    raw, warehouse = year_of_regions
    partitions = [(2022, region) for region in _partitions(2022)]
    files = {(year, region): len(discover(raw, year, region)) for year, region in partitions}
    assert max(files.values()) < partition_runs.SMALL
    for _, _, outcome in run_partitions(dict.fromkeys(partitions)):  # not counted: one after another
        assert outcome.success and outcome.metadata["parsed_ahead"]

    monkeypatch.setattr(partition_runs, "SIDE_BY_SIDE_FROM", len(partitions))
    monkeypatch.setenv("JIXIAO_WAREHOUSE_DIR", str(tmp_path / "side_by_side"))
    started = []
    outcomes = list(run_partitions(files, started=lambda *partition: started.append(partition)))
    assert sorted(started) == sorted((year, region) for year, region, _ in outcomes) == sorted(partitions)
    assert all(outcome.success and not outcome.metadata["parsed_ahead"] for _, _, outcome in outcomes)
    with DagsterInstance.get() as instance:
        records = [instance.get_run_record_by_id(outcome.run_id) for _, _, outcome in outcomes]
    spans = sorted((record.start_time, record.end_time) for record in records)
    assert any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:])), "the runs did not overlap"
    side_by_side, one_after_another = _published(tmp_path / "side_by_side"), _published(warehouse)
    for key, frame in one_after_another.items():
        assert frame.equals(side_by_side[key]), key


def test_a_side_by_side_run_process_ends_when_jixiao_run_is_killed(tmp_path):
    """The pool's processes of a `jixiao run` that was killed (no shutdown of its pool) end too."""
    printed = tmp_path / "worker.txt"  # not a pipe: a process left behind would hold it open
    with printed.open("w") as out:
        subprocess.run([sys.executable, "-c", (
            "import multiprocessing, os\n"
            "from concurrent.futures import ProcessPoolExecutor\n"
            "from pipelines.partition_runs import exit_with_parent\n"
            "if __name__ == '__main__':\n"
            "    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context('spawn'),\n"
            "                               initializer=exit_with_parent)\n"
            "    print(pool.submit(os.getpid).result(), flush=True)\n"
            "    os._exit(0)\n")], stdout=out, check=True, timeout=120)
    worker = Path(f"/proc/{int(printed.read_text())}")
    deadline = time.monotonic() + 30
    while worker.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not worker.exists(), "the pool's process outlived the run that started it"


def test_each_years_largest_partitions_run_first_and_many_small_ones_side_by_side():
    """The last run's checks have no parse or other run beside them: within a year (years in the
    order given) the shortest runs last. The uncounted come first; equal ones keep their order;
    small ones run side by side only when there are enough of them and two processes, else one
    after another with the others, in that order too."""
    counted = {(2024, "甲"): 300, (2023, "乙"): None, (2024, "丙"): 900, (2024, "丁"): 300, (2023, "戊"): 0,
               (2023, "己"): 200}
    small = {(2024, f"小{n}"): n for n in range(1, partition_runs.SIDE_BY_SIDE_FROM + 1)}
    order = [(2024, "丙"), (2024, "甲"), (2024, "丁")]
    assert partition_runs.run_order({**counted, **small}, 2) == ([*order, (2023, "乙"), (2023, "己")],
                                                                [*reversed(small), (2023, "戊")])
    assert partition_runs.run_order({**counted, **small}, 1) == (
        [*order, *reversed(small), (2023, "乙"), (2023, "己"), (2023, "戊")], [])
    few = dict(list(small.items())[:2])
    assert partition_runs.run_order({**few, **counted}, 2) == (
        [*order, (2024, "小2"), (2024, "小1"), (2023, "乙"), (2023, "己"), (2023, "戊")], [])
