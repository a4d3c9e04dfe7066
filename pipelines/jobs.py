"""The job of one reporting year and region, and its annual schedule."""

from __future__ import annotations

from datetime import datetime

from dagster import AssetSelection, RunRequest, ScheduleEvaluationContext, SkipReason, define_asset_job, schedule

from filings.discover import regions
from pipelines.partitions import REGIONS, YEAR_REGIONS, partition_key
from pipelines.resources import JixiaoPaths

year_job = define_asset_job(
    "jixiao_year",
    selection=AssetSelection.all(),
    partitions_def=YEAR_REGIONS,
    description="解析、检查并发布一个报告年度的一个地区 / parse, check and publish one reporting year's region",
)


@schedule(job=year_job, cron_schedule="0 6 1 7 *", execution_timezone="Asia/Shanghai")
def annual_schedule(context: ScheduleEvaluationContext, paths: JixiaoPaths):
    """Every 1 July, once the previous year's self-evaluations are due, run every region of that
    reporting year (adding region partitions not seen before)."""
    scheduled = context.scheduled_execution_time or datetime.now()
    year = scheduled.year - 1
    found = regions(paths.raw, year)
    if not found:
        return SkipReason(f"no filings under raw/{year}/")
    context.instance.add_dynamic_partitions(REGIONS.name, found)
    return [RunRequest(run_key=f"annual-{year}-{region}", partition_key=partition_key(year, region))
            for region in found]
