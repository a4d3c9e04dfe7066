"""The stewards' report and findings workbook for a reporting year and region, from the published tables."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from pipelines import report_ahead
from pipelines.partitions import YEAR_REGIONS, year_region
from pipelines.resources import JixiaoPaths
from pipelines.stopwatch import Stopwatch
from stewards.written import write_reports


@asset(
    partitions_def=YEAR_REGIONS,
    deps=["check_results", "forms", "filings"],
    group_name="review",
    description="审核报告(单个 HTML 文件)与按单位分表的问题清单(Excel) / stewards' HTML report and "
    "the findings workbook with one sheet per unit, in reports/<year>/ (reports/<year>/<region>/ for a region folder)",
)
def stewards_report(context: AssetExecutionContext, paths: JixiaoPaths) -> MaterializeResult:
    """Written here, or taken as written beside the run once its tables were published (jixiao run,
    pipelines/report_ahead.py)."""
    year, region = year_region(context.partition_key)
    clock = Stopwatch()
    ahead = report_ahead.take(paths, year, region)
    if ahead:
        clock.lap("wait_for_report")
    written = ahead or write_reports(paths.warehouse, paths.raw, paths.report_folder(year, region), year, region)
    return MaterializeResult(metadata={
        "report": MetadataValue.path(str(written.html)),
        "workbook": MetadataValue.path(str(written.xlsx)),
        "units": written.units,
        "findings": written.findings,
        "report_written_ahead": ahead is not None,
        "seconds_report": round(written.seconds, 3),  # where it was written
        **clock.seconds(),
    })
