"""Run one partition (reporting year × region) of the job `jixiao_year` in this process: what
`jixiao run` does for each region that changed, and what the benchmark times."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

from filings.discover import UNPLACED

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # the UI keeps the full log


@dataclass(frozen=True)
class PartitionRun:
    success: bool
    run_id: str
    metadata: dict[str, object] = field(default_factory=dict)  # parsed_filings' and the stages' seconds


def partition_name(year: int, region: str) -> str:
    """How a partition is named to people: `2024`, or `2024 湖北` for a region folder's."""
    return str(year) if region == UNPLACED else f"{year} {region}"


def year_regions(paths, year: int) -> list[str]:
    """The partitions of `year` a run goes through, added to the instance of DAGSTER_HOME: its region
    folders in raw/ and the regions published before but since emptied (republished empty), in order;
    `_` alone for a year with neither. `paths`: a JixiaoPaths."""
    from dagster import DagsterInstance

    from filings.discover import regions
    from filings.warehouse import published_regions
    from pipelines.partitions import REGIONS

    found = sorted(set(regions(paths.raw, year)) | set(published_regions(paths.warehouse, year))) or [UNPLACED]
    DagsterInstance.get().add_dynamic_partitions(REGIONS.name, found)
    return found


def regions_to_run(paths, year: int, force: bool = False) -> tuple[list[str], dict[str, int]]:
    """The partitions of `year` (see `year_regions`) a run goes through, and those it skips, unless
    `force`, because their files are all as last published (with their number of files)."""
    from filings.discover import discover
    from filings.incremental import up_to_date

    todo, skipped = [], {}
    for region in year_regions(paths, year):
        files = discover(paths.raw, year, region)
        if force or not up_to_date(paths.warehouse, paths.raw, year, files, region):
            todo.append(region)
        else:
            skipped[region] = len(files)
    return todo, skipped


def run_partition(year: int, region: str, batch_files: int | None = None, workers: int | None = None) -> PartitionRun:
    """Materialise one partition with the instance of DAGSTER_HOME, `batch_files` files at a time
    parsed by `workers` processes (by default the parsed_filings op's: 500, one a core). The region
    must have been added to the instance's dynamic partitions."""
    from dagster import DagsterInstance

    from pipelines.definitions import defs
    from pipelines.partitions import partition_key

    parse = {key: value for key, value in (("batch_files", batch_files), ("workers", workers)) if value}
    result = defs.resolve_job_def("jixiao_year").execute_in_process(
        partition_key=partition_key(year, region), instance=DagsterInstance.get(), raise_on_error=False,
        run_config={**QUIET, "ops": {"parsed_filings": {"config": parse}}})
    if not result.success:
        return PartitionRun(False, result.run_id)
    metadata = {key: value.value for key, value in result.asset_materializations_for_node("parsed_filings")[0]
                .metadata.items()}
    published = next(m for m in result.asset_materializations_for_node("warehouse_tables")
                     if m.asset_key.to_user_string() == "check_results")
    metadata |= {key: value.value for key, value in published.metadata.items() if key.startswith("seconds_")}
    return PartitionRun(True, result.run_id, metadata)


def run_partitions(partitions: list[tuple[int, str]], batch_files: int | None = None, workers: int | None = None,
                   started: Callable[[int, str], object] = lambda year, region: None,
                   ) -> Iterator[tuple[int, str, PartitionRun]]:
    """Run `partitions` (year, region) one after another (see `run_partition`), each one's files
    parsed while the run before checks and publishes (pipelines/parse_ahead.py), across years too;
    `started(year, region)` as each run starts; yields each one's outcome as its run ends."""
    from pipelines.parse_ahead import parsing_ahead

    with parsing_ahead(partitions, batch_files, workers) as ahead:
        for year, region in partitions:
            started(year, region)
            try:
                yield year, region, run_partition(year, region, batch_files, workers)
            finally:
                ahead.finished((year, region))
