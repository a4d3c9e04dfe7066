"""The stewards' report and findings workbook for a reporting year and region, from the published tables."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from filings.discover import UNPLACED
from pipelines.partitions import YEAR_REGIONS, year_region
from pipelines.resources import JixiaoPaths
from pipelines.stopwatch import Stopwatch
from stewards import report, workbook
from stewards.review import load_review


@asset(
    partitions_def=YEAR_REGIONS,
    deps=["check_results", "forms", "filings"],
    group_name="review",
    description="审核报告(单个 HTML 文件)与按单位分表的问题清单(Excel) / stewards' HTML report and "
    "the findings workbook with one sheet per unit, in reports/<year>/ (reports/<year>/<region>/ for a region folder)",
)
def stewards_report(context: AssetExecutionContext, paths: JixiaoPaths) -> MaterializeResult:
    year, region = year_region(context.partition_key)
    clock = Stopwatch()
    review = load_review(paths.warehouse, paths.raw, year, region)
    folder = paths.reports / str(year) if region == UNPLACED else paths.reports / str(year) / region
    html, xlsx = report.write(review, folder), workbook.write(review, folder)
    clock.lap("report")
    return MaterializeResult(metadata={
        "report": MetadataValue.path(str(html)),
        "workbook": MetadataValue.path(str(xlsx)),
        "units": len(review.units()),
        "findings": review.findings.height,
        **clock.seconds(),
    })
