"""A sensor on raw/: a run for every reporting year and region whose files were added, changed or
removed; a region folder not seen before becomes a new region partition."""

from __future__ import annotations

import json

import polars as pl
from dagster import (
    AddDynamicPartitionsRequest,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from filings.discover import RawFile, files_in, fingerprint, region_folders, unplaced, year_folders
from filings.warehouse import committed, read, uncommitted
from pipelines.jobs import year_job
from pipelines.partitions import REGIONS, REPORTING_YEARS, partition_key
from pipelines.resources import JixiaoPaths


@sensor(job=year_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING)
def raw_files_sensor(context: SensorEvaluationContext, paths: JixiaoPaths):
    """Compares each year and region's file list, sizes and modification times with the last look;
    on the very first look, with what the warehouse already holds (so `make run` then `make ui`
    re-runs nothing). The cursor is keyed "<year>|<region>"."""
    seen = json.loads(context.cursor) if context.cursor else {}
    valid = set(REPORTING_YEARS.get_partition_keys())
    current, requests = {}, []
    for year in year_folders(paths.raw):
        folders = region_folders(paths.raw, year)  # the year folder's one listing this tick
        if folders and str(year) not in valid:
            context.log.warning(f"raw/{year}/ is outside the reporting years {min(valid)}–{max(valid)}; not run")
            continue
        for region, entries in folders.items():  # one region's files held at a time
            files = files_in(year, entries)
            key = f"{year}|{region}"
            current[key] = fingerprint(files)
            unchanged = seen.get(key) == current[key] if seen else _published(paths, year, region, files)
            if not unchanged:
                requests.append(RunRequest(run_key=f"{year}-{region}-{current[key]}",
                                           partition_key=partition_key(year, region)))
    for key in sorted(k for k in set(seen) - set(current) if "|" in k):  # a region emptied: republish it empty
        year, region = key.split("|", 1)
        requests.append(RunRequest(run_key=f"{year}-{region}-removed", partition_key=partition_key(year, region)))
    for stray in unplaced(paths.raw):
        context.log.warning(f"raw/{stray} is not under a reporting-year folder (raw/<YYYY>/…); not read")
    if not requests:
        return SkipReason("raw/ unchanged since the last look")
    new_regions = sorted({r.partition_key.keys_by_dimension["region"] for r in requests})
    return SensorResult(run_requests=requests, cursor=json.dumps(current, sort_keys=True, ensure_ascii=False),
                        dynamic_partitions_requests=[AddDynamicPartitionsRequest(REGIONS.name, new_regions)])


def _published(paths: JixiaoPaths, year: int, region: str, files: list[RawFile]) -> bool:
    """Whether the warehouse already holds exactly these files (by path and size) for the year and
    region, with nothing left over from an interrupted publish."""
    try:
        if committed(paths.warehouse, year, region) is None or uncommitted(paths.warehouse, year, region):
            return False
        published = read(paths.warehouse, "filings", year, region).select("source_file", "bytes").rows()
    except (pl.exceptions.PolarsError, OSError, ValueError, KeyError):
        return False  # unreadable: a run will rebuild it
    return set(published) == {(f.source_file, f.path.stat().st_size) for f in files}
