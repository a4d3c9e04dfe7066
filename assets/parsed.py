"""Staging asset: one reporting year's raw filings, parsed and validated but not yet published."""

import time

from dagster import AssetExecutionContext, Output, asset

from checks.asset_checks import accounted_result, integrity_specs, schema_result
from filings.discover import discover
from filings.parse import parse_path
from filings.tables import to_tables
from pipelines.partitions import REPORTING_YEARS
from pipelines.resources import JixiaoPaths

PROGRESS_EVERY = 500  # files between progress lines in the run log


@asset(
    partitions_def=REPORTING_YEARS,
    check_specs=integrity_specs(REPORTING_YEARS),
    group_name="staging",
    description="一个报告年度 raw/<年>/ 下的全部文件,解析为规范化表格(尚未发布) / "
    "one reporting year's filings parsed into the normalised tables, before publishing.",
)
def parsed_filings(context: AssetExecutionContext, paths: JixiaoPaths):
    year = int(context.partition_key)
    files = discover(paths.raw, year)
    context.log.info(f"{len(files)} files under {paths.raw / str(year)}")
    started, filings = time.monotonic(), []
    for done, raw in enumerate(files, start=1):
        filings.append(parse_path(raw.path, paths.raw))
        if done % PROGRESS_EVERY == 0:
            context.log.info(f"parsed {done}/{len(files)} files ({done / (time.monotonic() - started):.0f}/s)")
    tables = to_tables(filings)
    statuses = tables["filings"]["status"].value_counts()
    yield Output(tables, metadata={
        "files": len(files),
        "forms": tables["forms"].height,
        "indicators": tables["indicators"].height,
        **{f"files_{s}": n for s, n in statuses.iter_rows()},
    })
    yield schema_result(tables)
    yield accounted_result([f.source_file for f in files], tables)
