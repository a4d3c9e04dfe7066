"""Staging asset: one reporting year's raw filings, parsed and validated but not yet published."""

from dagster import AssetExecutionContext, Output, asset

from checks.asset_checks import accounted_result, integrity_specs, schema_result
from filings.discover import discover
from filings.incremental import DamagedWarehouse, merge, split_unchanged
from filings.parse import parse_many
from filings.tables import to_tables
from pipelines.partitions import REPORTING_YEARS
from pipelines.resources import JixiaoPaths
from pipelines.stopwatch import Stopwatch


@asset(
    partitions_def=REPORTING_YEARS,
    check_specs=integrity_specs(REPORTING_YEARS),
    group_name="staging",
    description="一个报告年度 raw/<年>/ 下的全部文件,解析为规范化表格(尚未发布) / "
    "one reporting year's filings parsed into the normalised tables, before publishing.",
)
def parsed_filings(context: AssetExecutionContext, paths: JixiaoPaths):
    year = int(context.partition_key)
    clock = Stopwatch()
    files = discover(paths.raw, year)
    rebuilt = False
    try:
        reused, changed = split_unchanged(paths.warehouse, paths.raw, year, files)
    except DamagedWarehouse as exc:
        context.log.warning(f"published tables unreadable, rebuilding {year} from raw/: {exc}")
        reused, changed, rebuilt = {}, files, True
    clock.lap("discover")
    context.log.info(f"{len(files)} files under {paths.raw / str(year)}: {len(changed)} new or changed")
    filings = parse_many([f.path for f in changed], paths.raw,
                         progress=lambda done: context.log.info(f"parsed {done}/{len(changed)} files"))
    clock.lap("parse")
    tables = merge(reused, to_tables(filings))
    clock.lap("tables")
    statuses = tables["filings"]["status"].value_counts()
    schemas = schema_result(tables)
    clock.lap("validate")
    yield Output(tables, metadata={
        "files": len(files),
        "files_parsed": len(changed),
        "files_reused": len(files) - len(changed),
        "rebuilt_from_damaged_warehouse": rebuilt,
        "forms": tables["forms"].height,
        "indicators": tables["indicators"].height,
        **{f"status_{s}": n for s, n in statuses.iter_rows()},
        **clock.seconds(),
    })
    yield schemas
    yield accounted_result([f.source_file for f in files], tables)
