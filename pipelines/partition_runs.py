"""Run partitions (reporting year × region) of the job `jixiao_year`: what `jixiao run` does for
each region that changed, and what the benchmark times."""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Iterator

from filings.discover import UNPLACED
from filings.parse import PARALLEL_FROM

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # the UI keeps the full log
SMALL = PARALLEL_FROM  # files: a partition of fewer is parsed in its run's own process, in a moment
# Small partitions: fewer run one after another. Processes take seconds to start: 5 small regions
# took as long either way, 10 took 38–44 s side by side against 55–61 s.
SIDE_BY_SIDE_FROM = 8
Partition = tuple[int, str]  # reporting year, region


@dataclass(frozen=True)
class PartitionRun:
    success: bool
    run_id: str
    metadata: dict[str, object] = field(default_factory=dict)  # parsed_filings', the stages' seconds, run_seconds


def partition_name(year: int, region: str) -> str:
    """How a partition is named to people: `2024`, or `2024 湖北` for a region folder's."""
    return str(year) if region == UNPLACED else f"{year} {region}"


def regions_to_run(paths, year: int, force: bool = False) -> tuple[dict[str, int], dict[str, int]]:
    """The partitions of `year` a run goes through, and those it skips, unless `force`, because their
    files are all as last published; each with its number of files. The partitions are the year's
    region folders in raw/ and the regions published before but since emptied (republished empty),
    in order, `_` alone for a year with neither. The year folder is listed once, each region walked
    once, and one region's files are held at a time. `paths`: a JixiaoPaths."""
    from filings.discover import files_in, region_folders
    from filings.incremental import up_to_date
    from filings.warehouse import published_regions

    folders = region_folders(paths.raw, year)
    found = sorted(set(folders) | set(published_regions(paths.warehouse, year))) or [UNPLACED]
    todo, skipped = {}, {}
    for region in found:
        files = files_in(year, folders.get(region, []))
        if force or not up_to_date(paths.warehouse, paths.raw, year, files, region):
            todo[region] = len(files)
        else:
            skipped[region] = len(files)
    return todo, skipped


def add_regions(instance, regions: list[str]) -> None:
    """Make `regions` partitions of the instance (a run's region must be one; as the sensor and the
    schedule add the regions they find)."""
    from pipelines.partitions import REGIONS

    instance.add_dynamic_partitions(REGIONS.name, regions)


def run_partition(year: int, region: str, batch_files: int | None = None, workers: int | None = None,
                  instance=None) -> PartitionRun:
    """Materialise one partition with `instance`, by default the instance of DAGSTER_HOME made for
    this run alone (and disposed after: its event log's files closed, pipelines/event_log.py),
    `batch_files` files at a time parsed by `workers` processes (by default the parsed_filings
    op's: 500, one a core). The region is added to the instance's partitions first."""
    from dagster import DagsterInstance

    from pipelines.definitions import defs
    from pipelines.partitions import partition_key

    if instance is None:
        with DagsterInstance.get() as instance:
            return run_partition(year, region, batch_files, workers, instance)
    add_regions(instance, [region])
    parse = {key: value for key, value in (("batch_files", batch_files), ("workers", workers)) if value}
    started = time.perf_counter()
    result = defs.resolve_job_def("jixiao_year").execute_in_process(
        partition_key=partition_key(year, region), instance=instance, raise_on_error=False,
        run_config={**QUIET, "ops": {"parsed_filings": {"config": parse}}})
    if not result.success:
        return PartitionRun(False, result.run_id)
    metadata = {key: value.value for key, value in result.asset_materializations_for_node("parsed_filings")[0]
                .metadata.items()}
    published = next(m for m in result.asset_materializations_for_node("warehouse_tables")
                     if m.asset_key.to_user_string() == "check_results")
    reported = result.asset_materializations_for_node("stewards_report")[0]
    for materialization in (published, reported):
        metadata |= {key: value.value for key, value in materialization.metadata.items() if key.startswith("seconds_")}
    metadata["report_written_ahead"] = reported.metadata["report_written_ahead"].value
    return PartitionRun(True, result.run_id, metadata | {"run_seconds": round(time.perf_counter() - started, 3)})


def run_partitions(partitions: dict[Partition, int | None], batch_files: int | None = None,
                   workers: int | None = None, started: Callable[[int, str], object] = lambda year, region: None,
                   ) -> Iterator[tuple[int, str, PartitionRun]]:
    """Run `partitions` ((year, region) → its number of files, None when not counted), each as
    `run_partition` does; `started(year, region)` as each run starts; yields each one's outcome as
    its run ends, in the order of `run_order`."""
    processes = workers or os.cpu_count() or 1
    one_after_another, side_by_side = run_order(partitions, processes)
    yield from _one_after_another(one_after_another, batch_files, workers, started)
    yield from _side_by_side(side_by_side, batch_files, processes, started)


def run_order(partitions: dict[Partition, int | None], processes: int) -> tuple[list[Partition], list[Partition]]:
    """The partitions to run one after another, and those to run side by side on `processes`;
    each list year by year in the order given, the largest first within a year (the uncounted
    first of all): the last run's checks have no parse or other run beside them and leave a core
    idle, so a year's shortest comes last.

    Partitions of SMALL files or more, or not counted, run one after another, each one's files
    parsed while the run before checks and publishes (pipelines/parse_ahead.py), across years too.
    Partitions of fewer files, when there are SIDE_BY_SIDE_FROM or more and two processes, run
    side by side: their runs are nearly all one core's Python (Dagster's events, the rules, Great
    Expectations, the report), seconds each however few their forms, so they run one a core, each
    in a process of its own. Otherwise they run one after another with the others."""
    years = {year: n for n, year in enumerate(dict.fromkeys(year for year, _ in partitions))}
    ordered = sorted(partitions, key=lambda p: (years[p[0]], -(math.inf if partitions[p] is None else partitions[p])))
    small = [p for p in ordered if partitions[p] is not None and partitions[p] < SMALL]
    if len(small) < SIDE_BY_SIDE_FROM or processes < 2:
        return ordered, []
    side_by_side = set(small)
    return [p for p in ordered if p not in side_by_side], small


def _one_after_another(partitions: list[Partition], batch_files: int | None, workers: int | None,
                       started: Callable[[int, str], object]) -> Iterator[tuple[int, str, PartitionRun]]:
    from dagster import DagsterInstance

    from pipelines.parse_ahead import parsing_ahead
    from pipelines.report_ahead import reporting_ahead

    if not partitions:
        return
    # One instance for all the runs (made and checked against its stores' revisions in a third of
    # a second, a second when new), made while the first partition is parsed; its event log keeps
    # the latest runs' files open, no more (pipelines/event_log.py).
    with parsing_ahead(partitions, batch_files, workers) as ahead, reporting_ahead(), \
            DagsterInstance.get() as instance:
        for year, region in partitions:
            started(year, region)
            try:
                yield year, region, run_partition(year, region, batch_files, workers, instance)
            finally:
                ahead.finished((year, region))


def _side_by_side(partitions: list[Partition], batch_files: int | None, processes: int,
                  started: Callable[[int, str], object]) -> Iterator[tuple[int, str, PartitionRun]]:
    """Each partition's run in one of `processes` processes (spawned: this one holds Dagster's
    threads), the next started as one ends; outcomes in the order the runs end."""
    if not partitions:
        return
    waiting, processes = iter(partitions), min(processes, len(partitions))
    running: dict[Future[PartitionRun], Partition] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=exit_with_parent) as pool:

        def start_next() -> None:
            partition = next(waiting, None)
            if partition is not None:
                started(*partition)
                running[pool.submit(run_partition, *partition, batch_files)] = partition

        for _ in range(processes):
            start_next()
        while running:  # a caller that stops early waits for the runs started, no more
            ended, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in ended:
                year, region = running.pop(future)
                yield year, region, future.result()
                start_next()


def exit_with_parent() -> None:
    """End this process within a second of its parent's end, however that ends (killed, SIGTERM):
    a process pool's processes otherwise wait for work, or finish a run, for nobody."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
