"""Records → Polars tables, and their validation against the Pandera schemas."""

from __future__ import annotations

from itertools import chain
from operator import attrgetter

import pandera.polars as pa
from pandera.config import ValidationDepth, config_context
import polars as pl

from filings.records import Filing, Form
from filings.schemas import RECORDS, TABLES, columns, polars_schema

PARSED_TABLES = tuple(RECORDS)  # the tables built from parsed records
DERIVED_TABLES = ("quarantine",)  # built from those (check_results comes later, from the rules)


def to_tables(filings: list[Filing]) -> dict[str, pl.DataFrame]:
    """One DataFrame per parsed table, typed by the published schema."""
    return from_columns([to_columns(filings)])


def to_columns(filings: list[Filing]) -> dict[str, dict[str, list]]:
    """The parsed tables' values column by column, in plain lists: what a parser process sends
    back (lists of strings and numbers travel between processes ten times faster than records,
    and Polars must not run in a forked process)."""
    forms = [form for filing in filings for form in filing.forms]
    rows: dict[str, list] = {
        **{child: [r for form in forms for r in getattr(form, child)] for child in Form.CHILDREN},
        "source_positions": [p for filing in filings for p in filing.positions],
    }
    return {"filings": _attributes(filings, columns("filings")), "forms": _attributes(forms, columns("forms")),
            **{name: _transposed(rows[name], columns(name)) for name in rows}}


def _attributes(records: list, names: list[str]) -> dict[str, list]:
    """The records' attributes `names`, column by column."""
    return {name: list(map(attrgetter(name), records)) for name in names}


def _transposed(records: list[tuple], names: list[str]) -> dict[str, list]:
    """Records that are tuples of the fields `names`, column by column (see filings/records.py)."""
    if records and len(records[0]) != len(names):
        raise ValueError(f"a record of {len(records[0])} fields for the {len(names)} columns {names}")
    values = zip(*records, strict=True) if records else [()] * len(names)
    return dict(zip(names, map(list, values), strict=True))  # strict: every row read, a long one found


def from_columns(parts: list[dict[str, dict[str, list]]]) -> dict[str, pl.DataFrame]:
    """Consecutive parts of `to_columns` (files in path order) as one set of tables, in canonical order."""
    return canonical_order({
        name: pl.DataFrame({c: list(chain.from_iterable(part[name][c] for part in parts)) for c in columns(name)},
                           schema=polars_schema(name))
        for name in PARSED_TABLES})


def canonical_order(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Files by path, forms by file and position, rows by form and row: the same for any run."""
    filings = tables["filings"].sort("source_file")
    forms = tables["forms"].sort("source_file", "ordinal")
    rank = forms.select("form_id", _rank=pl.int_range(pl.len()))
    ordered = {"filings": filings, "forms": forms}
    for child in Form.CHILDREN:
        ordered[child] = (tables[child].join(rank, on="form_id", how="left", maintain_order="left")
                          .sort("_rank", "row_index").drop("_rank"))
    ordered["source_positions"] = tables["source_positions"].sort("source_file", "line")
    ordered["quarantine"] = filings.filter(pl.col("status") == "quarantined").select(
        "source_file", "filing_id", "reporting_year", "bytes", "reason_code", message=pl.col("error"))
    return ordered


def validate(name: str, frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | None:
    """None when `frame` satisfies its schema, else the failure cases (column, check, value, row).
    A scan is checked in full as well (Pandera checks only a LazyFrame's schema by default), a
    check's columns at a time."""
    try:
        with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            TABLES[name].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return None
