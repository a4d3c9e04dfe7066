"""Staging asset: one partition's (reporting year and region) raw filings, parsed and validated but
not yet published."""

from dagster import AssetExecutionContext, Output, asset

from checks.asset_checks import accounted_result, integrity_specs, schema_result
from filings.discover import discover
from filings.incremental import DamagedWarehouse, merge, split_unchanged
from filings.parse import parse_many
from filings.tables import to_tables
from pipelines.partitions import YEAR_REGIONS, year_region
from pipelines.resources import JixiaoPaths
from pipelines.stopwatch import Stopwatch


@asset(
    partitions_def=YEAR_REGIONS,
    check_specs=integrity_specs(YEAR_REGIONS),
    group_name="staging",
    description="一个报告年度一个地区 raw/<年>/<地区>/ 下的全部文件(直接放在 raw/<年>/ 下的为地区 _,"
    "未分地区),解析为规范化表格(尚未发布) / one reporting year's filings of one region (the first folder "
    "under the year; _ for files directly in it) parsed into the normalised tables, before publishing.",
)
def parsed_filings(context: AssetExecutionContext, paths: JixiaoPaths):
    year, region = year_region(context.partition_key)
    clock = Stopwatch()
    files = discover(paths.raw, year, region)
    rebuilt = False
    try:
        reused, changed = split_unchanged(paths.warehouse, paths.raw, year, files, region=region)
    except DamagedWarehouse as exc:
        context.log.warning(f"published tables unreadable, rebuilding {year} region={region} from raw/: {exc}")
        reused, changed, rebuilt = {}, files, True
    clock.lap("discover")
    context.log.info(f"{len(files)} files of region {region} under {paths.raw / str(year)}: {len(changed)} new or changed")
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
