"""Staging asset: one partition's (reporting year and region) raw filings, parsed a batch of files
at a time and staged in the warehouse (filings/staging.py), then validated, not yet published."""

import polars as pl
from dagster import AssetExecutionContext, Config, Output, asset

from checks.asset_checks import accounted_result, integrity_specs, schema_result
from checks.integrity import schema_failures
from filings.discover import RawFile, discover
from filings.incremental import BATCH_FILES, DamagedWarehouse
from filings.staging import Staged, stage_partition
from filings.warehouse import scans
from pipelines.parse_ahead import PARSING, take
from pipelines.partitions import YEAR_REGIONS, year_region
from pipelines.resources import JixiaoPaths
from pipelines.stopwatch import Stopwatch


class ParseConfig(Config):
    batch_files: int = BATCH_FILES  # files parsed, validated and staged at a time: memory grows with it
    workers: int = 0  # parser processes; 0: one a core


@asset(
    partitions_def=YEAR_REGIONS,
    check_specs=integrity_specs(YEAR_REGIONS),
    group_name="staging",
    description="一个报告年度一个地区 raw/<年>/<地区>/ 下的全部文件(直接放在 raw/<年>/ 下的为地区 _,"
    "未分地区),分批解析为规范化表格,暂存于 warehouse/_staging/(尚未发布) / one reporting year's filings of "
    "one region (the first folder under the year; _ for files directly in it) parsed into the normalised "
    "tables a batch at a time and staged under warehouse/_staging/, before publishing.",
)
def parsed_filings(context: AssetExecutionContext, config: ParseConfig, paths: JixiaoPaths):
    year, region = year_region(context.partition_key)
    clock = Stopwatch()
    files = discover(paths.raw, year, region)
    clock.lap("discover")
    context.log.info(f"{len(files)} files of region {region} under {paths.raw / str(year)}, "
                     f"{config.batch_files} at a time")
    rebuilt = False
    try:
        staged, parsed, ahead = _stage(context, paths, files, config, clock, reuse=True)
    except DamagedWarehouse as exc:
        context.log.warning(f"published tables unreadable, rebuilding {year} region={region} from raw/: {exc}")
        rebuilt = True
        staged, parsed, ahead = _stage(context, paths, files, config, clock, reuse=False)
    with scans(staged.parts()) as tables:
        failures = schema_failures(tables)
        clock.lap("validate")
        accounted = accounted_result([f.source_file for f in files], tables)
        statuses = tables["filings"].group_by("status").len().sort("status").collect()
    clock.lap("account")
    yield Output(staged, metadata={
        "files": len(files),
        "files_parsed": parsed,
        "files_reused": len(files) - parsed,
        "rebuilt_from_damaged_warehouse": rebuilt,
        "parsed_ahead": ahead,
        "batches": staged.batches,
        "forms": staged.rows["forms"],
        "indicators": staged.rows["indicators"],
        **{f"status_{s}": n for s, n in statuses.iter_rows()},
        **clock.seconds(),
    })
    yield schema_result(failures)
    yield accounted


def _stage(context: AssetExecutionContext, paths: JixiaoPaths, files: list[RawFile], config: ParseConfig,
           clock: Stopwatch, reuse: bool) -> tuple[Staged, int, bool]:
    """Parse (or reuse) and stage the partition batch by batch, or take it as `jixiao run` parsed it
    ahead of this run (pipelines/parse_ahead.py): what was staged, the number of files parsed, and
    whether it was parsed ahead."""
    year, region = year_region(context.partition_key)
    ahead = take(paths, year, region, files) if reuse else None
    if ahead is not None:
        clock.lap("wait_for_parse_ahead")
        clock.add(ahead.seconds)
        context.log.info(f"{len(files)} files parsed ahead of this run by `jixiao run` ({ahead.parsed} parsed, "
                         f"the others unchanged since the last run)")
        return ahead.staged, ahead.parsed, True
    with PARSING:
        staged, parsed = stage_partition(
            paths.warehouse, paths.raw, year, region, files, context.run_id, config.batch_files, config.workers or None,
            reuse, progress=lambda done: context.log.info(f"read {done}/{len(files)} files"), lap=clock.lap)
    return staged, parsed, False
