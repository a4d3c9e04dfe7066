"""The rules and integrity checks as Dagster asset checks: specs, and results a steward can act on."""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    MetadataValue,
    PartitionsDefinition,
    PreviewWarning,
)

from checks.expectations import SuiteResult
from checks.integrity import count, unaccounted
from checks.catalogue import CATALOGUE, Rule

STAGING = "parsed_filings"
SHOWN = 20  # findings listed in the UI; the full list is in check_results


def _partitioned_spec(name: str, asset: str, partitions_def: PartitionsDefinition, **kwargs) -> AssetCheckSpec:
    """A check with one result per reporting year, so the UI shows each year's status.

    Partitioned checks are a Dagster preview feature; its warning is silenced here, on purpose.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PreviewWarning)
        return AssetCheckSpec(name, asset=asset, partitions_def=partitions_def, **kwargs)


def integrity_specs(partitions_def: PartitionsDefinition) -> list[AssetCheckSpec]:
    """Blocking checks on the staging asset, one result per reporting year."""
    return [
        _partitioned_spec("schemas_valid", STAGING, partitions_def, blocking=True,
                          description="每张表都符合其 Pandera 表结构 / every table satisfies its Pandera schema"),
        _partitioned_spec("inputs_accounted_for", STAGING, partitions_def, blocking=True,
                          description="发现的每个文件、每张表、指标表读取的每一行都在输出中(已发布或附原因跳过)"
                                      " / every file, form and indicator-table row found is published or skipped with a reason"),
    ]


def rule_specs(partitions_def: PartitionsDefinition) -> list[AssetCheckSpec]:
    """One check per quality rule, on the table its findings point at, one result per year."""
    return [
        _partitioned_spec(rule.check_id, rule.table, partitions_def, description=f"{rule.title}({rule.severity})")
        for rule in CATALOGUE
    ]


def quarantine_spec(partitions_def: PartitionsDefinition) -> AssetCheckSpec:
    return _partitioned_spec("no_quarantined_files", "quarantine", partitions_def,
                             description="没有被隔离(无法读取)的文件 / no file had to be quarantined")


def quarantine_result(quarantine: pl.DataFrame) -> AssetCheckResult:
    """Warn the steward about every file that could not be read, with what to do about it."""
    shown = quarantine.head(SHOWN).select(文件="source_file", 原因代码="reason_code", 说明="message")
    return AssetCheckResult(
        asset_key="quarantine", check_name="no_quarantined_files", passed=quarantine.is_empty(),
        severity=AssetCheckSeverity.WARN,
        metadata={"files": quarantine.height,
                  "quarantined": MetadataValue.md(_markdown(shown) if quarantine.height else "无 / none")},
    )


def expectation_specs(tables: list[str], partitions_def: PartitionsDefinition) -> list[AssetCheckSpec]:
    """The Great Expectations suite of each published table, as run on the file on disk."""
    return [
        _partitioned_spec("great_expectations", table, partitions_def,
                          description="Great Expectations 套件:类型、空值、取值范围、允许值、主键唯一 / "
                          "GX suite on the published parquet (types, nulls, ranges, allowed values, keys)")
        for table in tables
    ]


def expectation_result(result: SuiteResult) -> AssetCheckResult:
    failed = pl.DataFrame(result.failed, schema={"expectation": pl.String, "column": pl.String, "detail": pl.String})
    return AssetCheckResult(
        asset_key=result.table, check_name="great_expectations", passed=result.success,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "expectations": result.evaluated,
            "failed": failed.height,
            "failures": MetadataValue.md(_markdown(failed.head(SHOWN)) if failed.height else "无 / none"),
            "data_docs": MetadataValue.path(str(result.docs_index)),
        },
    )


def schema_result(failures: dict[str, pl.DataFrame]) -> AssetCheckResult:
    """The failure cases of `schema_failures` (of the staged partition) as the check's result."""
    metadata = {
        name: MetadataValue.md(_markdown(cases.head(SHOWN).select("column", "check", "failure_case", "index")))
        for name, cases in failures.items()
    }
    return AssetCheckResult(check_name="schemas_valid", asset_key=STAGING, passed=not failures,
                            severity=AssetCheckSeverity.ERROR,
                            metadata={"tables_failing": len(failures), **metadata})


def accounted_result(discovered: list[str], tables: dict[str, pl.DataFrame | pl.LazyFrame]) -> AssetCheckResult:
    """`unaccounted` as the check's result; the tables may be scans of the staged batches."""
    problems = unaccounted(discovered, tables)
    forms = tables["forms"].lazy().select(forms=pl.len(), read=pl.col("indicator_rows_read").sum()).collect()
    return AssetCheckResult(check_name="inputs_accounted_for", asset_key=STAGING, passed=not problems,
                            severity=AssetCheckSeverity.ERROR, metadata={
                                "files_discovered": len(discovered),
                                "forms": forms["forms"].item(),
                                "indicator_rows_read": int(forms["read"].item()),
                                "indicator_rows_skipped": count(tables["skipped_rows"].lazy()),
                                "problems": MetadataValue.md("\n".join(f"- {p}" for p in problems) or "无 / none"),
                            })


def rule_results(findings: pl.LazyFrame, full_list: Path) -> list[AssetCheckResult]:
    """One result per rule: passed when the partition has no finding of it. `findings` is a scan
    (of the published check_results): per rule only its counts and first rows are read."""
    counts, first = pl.collect_all([
        findings.group_by("check_id").agg(findings=pl.len(), forms_affected=pl.col("form_id").n_unique(),
                                          error=(pl.col("severity") == "error").any()),
        findings.group_by("check_id", maintain_order=True).head(SHOWN),
    ])
    counts = {row["check_id"]: row for row in counts.iter_rows(named=True)}
    first = first.partition_by("check_id", as_dict=True, include_key=True)
    return [_rule_result(rule, counts.get(rule.check_id), first.get((rule.check_id,)), full_list)
            for rule in CATALOGUE]


def _rule_result(rule: Rule, counts: dict | None, first: pl.DataFrame | None, full_list: Path) -> AssetCheckResult:
    """`counts` and `first` (its first findings) are None for a rule without findings."""
    shown = None if first is None else first.select(
        单位=pl.col("implementing_unit").fill_null("—"), 项目=pl.col("project_name").fill_null("—"),
        文件=pl.col("source_file"), 行=pl.col("line"),
        栏目=pl.col("field"), 应为=pl.col("expected"), 填写=pl.col("actual"), 说明=pl.col("message"),
    )
    return AssetCheckResult(
        asset_key=rule.table,
        check_name=rule.check_id,
        passed=counts is None,
        severity=AssetCheckSeverity.ERROR if _worst(rule, counts) == "error" else AssetCheckSeverity.WARN,
        metadata={
            "findings": counts["findings"] if counts else 0,
            "forms_affected": counts["forms_affected"] if counts else 0,
            "first_findings": MetadataValue.md(_markdown(shown) if shown is not None else "无 / none"),
            "full_list": MetadataValue.path(str(full_list)),
        },
    )


def _worst(rule: Rule, counts: dict | None) -> str:
    """A rule's findings may differ in severity: the check takes the worst, or the rule's own."""
    return "error" if (counts["error"] if counts else rule.severity == "error") else "warning"


def _markdown(frame: pl.DataFrame) -> str:
    """A markdown table; pipes and line breaks in cells are escaped."""
    def cell(value) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)
