"""A sensor on raw/: a run for every reporting year whose files were added, changed or removed."""

from __future__ import annotations

import json

import polars as pl
from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from filings.discover import RawFile, discover, fingerprint, reporting_years, unplaced
from filings.warehouse import committed, read, uncommitted
from pipelines.jobs import year_job
from pipelines.partitions import REPORTING_YEARS
from pipelines.resources import JixiaoPaths


@sensor(job=year_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING)
def raw_files_sensor(context: SensorEvaluationContext, paths: JixiaoPaths):
    """Compares each year's file list, sizes and modification times with the last look; on the
    very first look, with what the warehouse already holds (so `make run` then `make ui` re-runs
    nothing)."""
    seen = json.loads(context.cursor) if context.cursor else {}
    valid = set(REPORTING_YEARS.get_partition_keys())
    current, requests = {}, []
    for year in reporting_years(paths.raw):
        key = str(year)
        if key not in valid:
            context.log.warning(f"raw/{key}/ is outside the reporting years {min(valid)}–{max(valid)}; not run")
            continue
        files = discover(paths.raw, year)
        current[key] = fingerprint(files)
        unchanged = seen.get(key) == current[key] if seen else _published(paths, year, files)
        if not unchanged:
            requests.append(RunRequest(run_key=f"{key}-{current[key]}", partition_key=key))
    for year in set(seen) - set(current):  # a year emptied: republish it as empty
        requests.append(RunRequest(run_key=f"{year}-removed", partition_key=year))
    for stray in unplaced(paths.raw):
        context.log.warning(f"raw/{stray} is not under a reporting-year folder (raw/<YYYY>/…); not read")
    if not requests:
        return SkipReason("raw/ unchanged since the last look")
    return SensorResult(run_requests=requests, cursor=json.dumps(current, sort_keys=True))


def _published(paths: JixiaoPaths, year: int, files: list[RawFile]) -> bool:
    """Whether the warehouse already holds exactly these files (by path and size) for `year`, with
    nothing left over from an interrupted publish."""
    try:
        if committed(paths.warehouse, year) is None or uncommitted(paths.warehouse, year):
            return False
        published = read(paths.warehouse, "filings", year).select("source_file", "bytes").rows()
    except (pl.exceptions.PolarsError, OSError, ValueError, KeyError):
        return False  # unreadable: a run will rebuild it
    return set(published) == {(f.source_file, f.path.stat().st_size) for f in files}
