"""The yearly job and its annual schedule."""

from __future__ import annotations

from datetime import datetime

from dagster import AssetSelection, RunRequest, ScheduleEvaluationContext, define_asset_job, schedule

from pipelines.partitions import REPORTING_YEARS

year_job = define_asset_job(
    "jixiao_year",
    selection=AssetSelection.all(),
    partitions_def=REPORTING_YEARS,
    description="解析、检查并发布一个报告年度 / parse, check and publish one reporting year",
)


@schedule(job=year_job, cron_schedule="0 6 1 7 *", execution_timezone="Asia/Shanghai")
def annual_schedule(context: ScheduleEvaluationContext):
    """Every 1 July, once the previous year's self-evaluations are due, run that reporting year."""
    scheduled = context.scheduled_execution_time or datetime.now()
    year = str(scheduled.year - 1)
    return RunRequest(run_key=f"annual-{year}", partition_key=year)
