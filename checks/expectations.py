"""Great Expectations suites for the published tables, run on the parquet files as published.

Each suite is derived from the table's Pandera contract (columns, types, nullability, allowed
values, ranges, keys), so the two cannot drift apart; GX checks what actually landed on disk and
renders Data Docs (static HTML) a steward or an auditor can open without a server.
GX is imported lazily: it takes seconds, and every Dagster process loads this code location.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from pathlib import Path
from typing import Iterator

import polars as pl

from filings.schemas import TABLES, columns

# Each polars type as the pandas type GX is handed (GX 1.x reads no polars) and its GX name. Strings
# stay pandas' own string type (Arrow-backed): checked as strings, not as Python objects, they take a
# fraction of the memory and time that objects do.
_PANDAS_TYPES = {"String": ("str", "str"), "Int64": ("Int64", "int64"),
                 "Float64": ("float64", "float64"), "Boolean": ("boolean", "bool")}
# A column of integers or booleans without nulls is handed over as numpy's type instead of pandas'
# nullable one (the same GX type, int64 or bool): GX compares numpy columns vectorised, but the
# values of a nullable one one by one in Python (expect_column_values_to_be_between).
_NUMPY_TYPES = {"Int64": "int64", "Boolean": "bool"}
# What a result holds: BASIC is the count and the first values that failed (what SuiteResult and
# Data Docs show); SUMMARY also counts every failing value, and COMPLETE lists them all.
RESULT_FORMAT = "BASIC"
# Keys that identify a row, beyond the single-column `unique` of the schemas.
_KEYS = {**{name: ["form_id", "row_index"] for name in ("fund_rows", "indicators", "department_indicators",
                                                         "summary_rows", "skipped_rows")},
         "source_positions": ["source_file", "line"]}
FIRST_YEAR, LAST_YEAR = 2000, 2100
GX_ROWS = 125_000  # rows GX is handed at once (as pandas): what its memory grows with


@dataclass(frozen=True)
class SuiteResult:
    table: str
    success: bool
    evaluated: int
    failed: list[dict]  # expectation, column, detail
    docs_index: Path


def expectations(table: str) -> list:
    """The GX expectations of one published table, from its Pandera schema."""
    import great_expectations.expectations as gxe

    from checks.table_expectations import (
        ExpectTableColumnsToBeBetween,
        ExpectTableColumnsToBeInSets,
        ExpectTableColumnsToBeOfTypes,
        ExpectTableColumnsToNotBeNull,
        ExpectTableKeysToBeUnique,
    )

    specs = TABLES[table].to_schema().columns
    found = [gxe.ExpectTableColumnsToMatchSet(column_set=columns(table), exact_match=True),
             ExpectTableColumnsToBeOfTypes(column_types={
                 name: _PANDAS_TYPES[str(specs[name].dtype)][1] for name in columns(table)})]
    required = [name for name in columns(table) if not specs[name].nullable]
    if required:
        found.append(ExpectTableColumnsToNotBeNull(column_list=required))
    value_sets = {name: check.statistics["allowed_values"] for name in columns(table)
                  for check in specs[name].checks if check.name == "isin"}
    if value_sets:
        found.append(ExpectTableColumnsToBeInSets(value_sets=value_sets))
    ranges = {name: [check.statistics["min_value"], None] for name in columns(table)
              for check in specs[name].checks if check.name == "greater_than_or_equal_to"}
    if "reporting_year" in specs:  # a year any filing can be of
        ranges["reporting_year"] = [FIRST_YEAR, LAST_YEAR]
    if ranges:
        found.append(ExpectTableColumnsToBeBetween(ranges=ranges))
    keys = _keys(table)
    if keys:
        found.append(ExpectTableKeysToBeUnique(keys=keys))
    return found


def validate_published(frames: dict[str, pl.DataFrame | pl.LazyFrame], year: int | str,
                       project_root: Path) -> dict[str, SuiteResult]:
    """Validate each table (as read back from the warehouse: scans, read a slice at a time) with its
    suite and update Data Docs; `year` names the partition: the year, or "<year>-<region>" for a
    region folder's. GX validates a pandas frame whole, so a table of more than GX_ROWS rows is
    handed over in slices (one Data Docs page each); as a slice's suite sees only its own rows,
    keys repeated across slices are then looked for by Polars. One partition at a time: GX's stores
    (suites, results, Data Docs) are files that two writers at once would leave torn."""
    with _locked(project_root):
        return _validate(frames, year, project_root)


@contextmanager
def _locked(project_root: Path) -> Iterator[None]:
    """This process alone in the GX project (the kernel drops the lock when its process dies)."""
    project_root.mkdir(parents=True, exist_ok=True)
    with open(project_root / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _validate(frames: dict[str, pl.DataFrame | pl.LazyFrame], year: int | str,
              project_root: Path) -> dict[str, SuiteResult]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import ValidationResultIdentifier

    context = _context(project_root)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    try:  # as configured by an earlier run, with its assets and batch definitions
        source = context.data_sources.get("warehouse")
    except KeyError:
        source = context.data_sources.add_pandas("warehouse")
    run_id = RunIdentifier(run_name=f"reporting-year-{year}")
    try:
        results = {table: _validate_table(context, source, table, frame.lazy(), run_id, project_root)
                   for table, frame in frames.items()}
    finally:
        _drop_batches(source)
    # Render only this run's results, and not GX's own index page (it reads every stored result):
    # both would grow with every year and region published. write_index lists them instead.
    stored = _results_folder(project_root)
    this_run = {f"{table}/{run_id.run_name}": sorted((stored / table / run_id.run_name).glob("*/*.json"))
                for table in frames}
    context.build_data_docs(build_index=False, resource_identifiers=[
        ValidationResultIdentifier.from_tuple(path.relative_to(stored).with_suffix("").parts)
        for paths in this_run.values() for path in paths])
    write_index(project_root, this_run)
    return results


def _context(project_root: Path):
    """The GX project's file context, its config variables file set to none the first time (as GX
    scaffolds a project it names one): jixiao names no variable, and GX parses that file (YAML)
    again at each substitution, 141 times a region, 5% of its time."""
    import great_expectations as gx

    context = gx.get_context(mode="file", project_root_dir=str(project_root))
    if context.variables.config_variables_file_path is None:
        return context
    context.variables.config_variables_file_path = None
    context.variables.save()
    return gx.get_context(mode="file", project_root_dir=str(project_root))


def _validate_table(context, source, table: str, frame: pl.LazyFrame, run_id, project_root: Path) -> SuiteResult:
    """One table's suite run on it, GX_ROWS rows at a time, and its keys checked across the slices."""
    from great_expectations.core.run_identifier import RunIdentifier

    from checks.table_expectations import ExpectTableKeysToBeUnique

    # Keep the latest result per table and year, so Data Docs stay the size of the warehouse.
    shutil.rmtree(_results_folder(project_root) / table / run_id.run_name, ignore_errors=True)
    asset = next((a for a in source.assets if a.name == table), None) or source.add_dataframe_asset(table)
    batch = next((b for b in asset.batch_definitions if b.name == "whole"), None) \
        or asset.add_batch_definition_whole_dataframe("whole")
    definition = _definition(context, table, batch)
    rows = frame.select(pl.len()).collect().item()
    starts = range(0, max(rows, 1), GX_ROWS)
    failed, evaluated, sliced = [], 0, len(starts) > 1
    for n, start in enumerate(starts):  # a result per slice: each its own run time, or one overwrites another
        outcome = definition.run(
            batch_parameters={"dataframe": _to_pandas(frame.slice(start, GX_ROWS).collect())},
            result_format=RESULT_FORMAT,
            run_id=RunIdentifier(run_id.run_name, run_id.run_time + timedelta(milliseconds=n)))
        where = f"rows {start + 1}–{min(start + GX_ROWS, rows)}: " if sliced else ""
        failed += [failure | {"detail": where + failure["detail"]} for r in outcome.results if not r.success
                   for failure in _failures(r)
                   if not (sliced and failure["expectation"] == ExpectTableKeysToBeUnique.expectation_type)]
        evaluated = len(outcome.results)
    if sliced:  # the keys of the whole table: a key repeated within a slice is reported once, here
        failed += _repeated_keys(frame, table)
    return SuiteResult(table, not failed, evaluated, failed, project_root / "index.html")


def _drop_batches(source) -> None:
    """Let go of the slices GX's execution engine keeps (the last of every table: 170 MB for a
    region of 200,000 forms), which it would hold, with the context, for the life of the process,
    whether the validation ended or failed."""
    import pyarrow

    batches = source.get_execution_engine().batch_manager
    batches.reset_batch_cache()
    batches.batch_data_cache.clear()
    pyarrow.default_memory_pool().release_unused()  # the strings' pages, kept by Arrow's allocator


def _keys(table: str) -> list[list[str]]:
    """The table's keys: its unique columns (one a key) and its compound key."""
    specs = TABLES[table].to_schema().columns
    return [[name] for name in columns(table) if specs[name].unique] + ([_KEYS[table]] if table in _KEYS else [])


def _repeated_keys(frame: pl.LazyFrame, table: str) -> list[dict]:
    """The table's keys that more than one row holds, across all its slices."""
    from checks.table_expectations import ExpectTableKeysToBeUnique

    failed = []
    for key in _keys(table):
        repeated = _rows_sharing(frame, key)
        if repeated:
            failed.append({"expectation": ExpectTableKeysToBeUnique.expectation_type, "column": ", ".join(key),
                           "detail": f"{repeated} rows share their {', '.join(key)} with another row of the table"})
    return failed


def _rows_sharing(frame: pl.LazyFrame, key: list[str]) -> int:
    """The rows whose `key` another row holds too. Each row's key is hashed (a streaming scan) and
    the hashes sorted; only rows whose hash repeats are grouped by the key itself. Grouping a
    region's millions of indicator keys whole took 400 MB; their hashes take a fifth of that."""
    hashed = frame.select(*key, _hash=pl.struct(key).hash())
    hashes = hashed.select("_hash").collect(engine="streaming")["_hash"].sort()
    doubled = hashes.filter(hashes == hashes.shift(1)).unique()
    if doubled.is_empty():
        return 0
    return (hashed.filter(pl.col("_hash").is_in(doubled)).group_by(key).len()
            .filter(pl.col("len") > 1).select(pl.col("len").sum()).collect().item())


def _definition(context, table: str, batch):
    """The table's suite and validation definition: as stored when the expectations they were made
    of are unchanged (a digest of them is stored with the suite: comparing whole stored suites costs
    seconds a run), else made afresh."""
    import great_expectations as gx
    from great_expectations.exceptions import DataContextError

    made = expectations(table)
    contract = hashlib.sha256(json.dumps([e.configuration.to_json_dict() for e in made], sort_keys=True,
                                         default=str).encode()).hexdigest()[:16]
    try:
        stored = context.validation_definitions.get(table)
        if stored.suite.meta.get("jixiao_contract") == contract:
            return stored
    except DataContextError:
        pass
    suite = context.suites.add_or_update(
        gx.ExpectationSuite(name=table, expectations=made, meta={"jixiao_contract": contract}))
    return context.validation_definitions.add_or_update(gx.ValidationDefinition(name=table, data=batch, suite=suite))


def _results_folder(project_root: Path) -> Path:
    """Where GX's file store keeps the results: <table>/<run name>/<run time>/<batch>.json."""
    return project_root / "gx" / "uncommitted" / "validations"


_INDEX_FORM = 2  # of index.json's entries (1: rows of HTML)


def write_index(project_root: Path, this_run: dict[str, list[Path]]) -> Path:
    """An index of the latest validation per table and year that works offline (GX's own index
    draws its tables with scripts from the internet). What it lists is kept in index.json, where a
    run replaces the entries of its own results (`this_run`: "<table>/<run name>" → result files;
    each run read every stored result: a nation's years and regions are tens of thousands); rebuilt
    from every stored result when missing, unreadable or of another form (an earlier version's)."""
    stored, listing = _results_folder(project_root), project_root / "index.json"
    try:
        kept = json.loads(listing.read_text(encoding="utf-8"))
        if not isinstance(kept, dict) or kept.get("form") != _INDEX_FORM:
            raise ValueError("index.json of an earlier version")
        entries, found = kept["entries"], this_run
    except (FileNotFoundError, ValueError):  # none yet, torn, or an earlier version's
        entries, found = {}, {}
        for path in sorted(stored.glob("*/*/*/*.json")):
            found.setdefault("/".join(path.relative_to(stored).parts[:2]), []).append(path)
    for key, paths in found.items():
        entries[key] = [_index_entry(stored, path) for path in paths]
    listing.write_text(json.dumps({"form": _INDEX_FORM, "entries": entries}, ensure_ascii=False, sort_keys=True),
                       encoding="utf-8")
    site = Path("gx") / "uncommitted" / "data_docs" / "local_site" / "validations"
    index = project_root / "index.html"
    index.write_text(
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>jixiao Data Docs</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px 8px}"
        "table{border-collapse:collapse}.failed td{color:#b00020;font-weight:bold}</style></head><body>"
        "<h1>Great Expectations: 发布表的校验结果 / validation of the published tables</h1>"
        "<table><tr><th>报告年度</th><th>表</th><th>结果</th><th>通过的期望</th><th></th></tr>"
        + "".join(_index_row(site, entry) for key in sorted(entries) for entry in entries[key])
        + "</table></body></html>", encoding="utf-8")
    return index


def _index_entry(stored: Path, result: Path) -> dict:
    """What the index shows of one stored result: year, suite, outcome, expectations met, its page."""
    data = json.loads(result.read_text(encoding="utf-8"))
    relative = result.relative_to(stored).with_suffix(".html")
    stats = data["statistics"]
    return {"year": relative.parts[1].removeprefix("reporting-year-"), "suite": data["suite_name"],
            "success": data["success"], "met": stats["successful_expectations"],
            "evaluated": stats["evaluated_expectations"], "page": relative.as_posix()}


def _index_row(site: Path, entry: dict) -> str:
    return (f"<tr class='{'ok' if entry['success'] else 'failed'}'><td>{escape(entry['year'])}</td>"
            f"<td>{escape(entry['suite'])}</td><td>{'通过' if entry['success'] else '未通过'}</td>"
            f"<td>{entry['met']}/{entry['evaluated']}</td>"
            f"<td><a href='{escape((site / entry['page']).as_posix())}'>详情 / details</a></td></tr>")


def _to_pandas(frame: pl.DataFrame):
    """The slice as pandas, each column of the type it was written with (a column of another type
    than the contract's fails its type expectation instead of being cast to it): strings as pandas'
    strings, integers and booleans as numpy's where the column holds no null, else as pandas'
    nullable types, floats as floats; any other type as polars hands it over."""
    nulls = frame.null_count().row(0, named=True)
    types = {name: _NUMPY_TYPES[str(dtype)] if str(dtype) in _NUMPY_TYPES and not nulls[name]
             else _PANDAS_TYPES[str(dtype)][0]
             for name, dtype in frame.schema.items() if str(dtype) in _PANDAS_TYPES}
    return frame.to_pandas().astype(types)


def _failures(result) -> list[dict]:
    """A failed expectation's result as failures (expectation, column, detail): one a column for
    the table-wide ones (checks/table_expectations.py), else one."""
    from checks.table_expectations import PER_COLUMN

    config = result.expectation_config
    if config.type in PER_COLUMN:
        return [{"expectation": config.type, "column": name, "detail": detail}
                for name, detail in result.result["observed_value"].items()]
    return [{"expectation": config.type, "column": config.kwargs.get("column", ""), "detail": _detail(result.result)}]


def _detail(result: dict) -> str:
    if result.get("unexpected_count"):
        return f"{result['unexpected_count']} rows, e.g. {result.get('partial_unexpected_list', [])[:3]}"
    return str(result.get("observed_value", ""))
