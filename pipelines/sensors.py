"""A sensor on raw/: a run for every reporting year whose files were added, changed or removed."""

from __future__ import annotations

import json

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from filings.discover import discover, fingerprint, reporting_years, unplaced
from pipelines.jobs import year_job
from pipelines.partitions import REPORTING_YEARS
from pipelines.resources import JixiaoPaths


@sensor(job=year_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING)
def raw_files_sensor(context: SensorEvaluationContext, paths: JixiaoPaths):
    """Compares each year's file list, sizes and modification times with the last look."""
    seen = json.loads(context.cursor) if context.cursor else {}
    valid = set(REPORTING_YEARS.get_partition_keys())
    current, requests = {}, []
    for year in reporting_years(paths.raw):
        key = str(year)
        if key not in valid:
            context.log.warning(f"raw/{key}/ is outside the reporting years {min(valid)}–{max(valid)}; not run")
            continue
        current[key] = fingerprint(discover(paths.raw, year))
        if seen.get(key) != current[key]:
            requests.append(RunRequest(run_key=f"{key}-{current[key]}", partition_key=key))
    for year in set(seen) - set(current):  # a year emptied: republish it as empty
        requests.append(RunRequest(run_key=f"{year}-removed", partition_key=year))
    for stray in unplaced(paths.raw):
        context.log.warning(f"raw/{stray} is not under a reporting-year folder (raw/<YYYY>/…); not read")
    if not requests:
        return SkipReason("raw/ unchanged since the last look")
    return SensorResult(run_requests=requests, cursor=json.dumps(current, sort_keys=True))
