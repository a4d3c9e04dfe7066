"""The stewards' report and findings workbook for a reporting year, from the published tables."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from pipelines.partitions import REPORTING_YEARS
from pipelines.resources import JixiaoPaths
from stewards import report, workbook
from stewards.review import load_review


@asset(
    partitions_def=REPORTING_YEARS,
    deps=["check_results", "forms", "filings"],
    group_name="review",
    description="审核报告(单个 HTML 文件)与按单位分表的问题清单(Excel) / stewards' HTML report and "
    "the findings workbook with one sheet per unit, in reports/<year>/",
)
def stewards_report(context: AssetExecutionContext, paths: JixiaoPaths) -> MaterializeResult:
    year = int(context.partition_key)
    review = load_review(paths.warehouse, paths.raw, year)
    folder = paths.reports / str(year)
    html, xlsx = report.write(review, folder), workbook.write(review, folder)
    return MaterializeResult(metadata={
        "report": MetadataValue.path(str(html)),
        "workbook": MetadataValue.path(str(xlsx)),
        "units": len(review.units()),
        "findings": review.findings.height,
    })
