"""Published tables: the parsed year and its quality findings, written as parquet for BI.

Runs only when the staging integrity checks pass (they are blocking). Quality findings never
block: they are what stewards review, so each rule reports as an asset check on its table.
"""

from pathlib import Path
from tempfile import TemporaryDirectory

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    multi_asset,
)

from checks.asset_checks import (
    STAGING,
    expectation_result,
    expectation_specs,
    quarantine_result,
    quarantine_spec,
    rule_results,
    rule_specs,
)
from checks.engine import scan_findings, write_findings
from checks.expectations import validate_published
from filings.discover import UNPLACED
from filings.schemas import TABLES, columns
from filings.staging import Staged, remove_staging
from filings.warehouse import publish, scans
from pipelines import report_ahead
from pipelines.partitions import YEAR_REGIONS, year_region
from pipelines.resources import JixiaoPaths
from pipelines.stopwatch import Stopwatch


def _column_schema(name: str) -> TableSchema:
    specs = TABLES[name].to_schema().columns
    return TableSchema(columns=[
        TableColumn(column, str(specs[column].dtype), description=specs[column].description)
        for column in columns(name)
    ])


SPECS = [
    AssetSpec(name, deps=[STAGING], group_name="warehouse", description=(model.__doc__ or "").strip(),
              metadata={"dagster/column_schema": _column_schema(name)})
    for name, model in TABLES.items()
]


@multi_asset(
    specs=SPECS,
    check_specs=[*rule_specs(YEAR_REGIONS), *expectation_specs(list(TABLES), YEAR_REGIONS),
                 quarantine_spec(YEAR_REGIONS)],
    partitions_def=YEAR_REGIONS,
    ins={"parsed": AssetIn(STAGING)},
)
def warehouse_tables(context: AssetExecutionContext, paths: JixiaoPaths, parsed: Staged):
    """Run the quality rules on the staged tables (each rule's findings streamed to a temporary
    parquet part), publish every table's partition for the year and region as one commit (streamed
    from the staged batches and the parts), remove the staging, then validate what was written with
    Great Expectations; the rules' check results are read from the published findings."""
    year, region = year_region(context.partition_key)
    clock = Stopwatch()
    with scans(parsed.parts()) as staged, TemporaryDirectory(prefix="jixiao-findings-") as folder:
        parts = write_findings(staged, Path(folder))  # rule by rule, never all findings in memory
        clock.lap("rules")
        published = publish(paths.warehouse, year, {**staged, "check_results": scan_findings(parts)},
                            log=context.log.debug, region=region)
        quarantine = staged["quarantine"].collect()
    remove_staging(paths.warehouse, year, region)
    report_ahead.start(paths, year, region, parsed.rows["forms"])  # in jixiao run, beside the validation below
    clock.lap("publish")
    context.log.info(f"published {len(published)} tables for {year} region={region} to {paths.warehouse}")
    label = str(year) if region == UNPLACED else f"{year}-{region}"
    with scans({name: [path] for name, path in published.items()}) as on_disk:
        suites = validate_published(on_disk, label, paths.great_expectations)
        clock.lap("great_expectations")
        checked = rule_results(on_disk["check_results"], published["check_results"])
    rows = {**parsed.rows, "check_results": sum(part.rows for part in parts)}
    for name, path in published.items():
        yield MaterializeResult(asset_key=name, metadata={
            "dagster/row_count": rows[name], "path": MetadataValue.path(str(path)),
            **(clock.seconds() if name == "check_results" else {})})
    yield from checked
    yield quarantine_result(quarantine)
    for result in suites.values():
        yield expectation_result(result)
