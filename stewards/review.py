"""One reporting year's published tables, arranged for review: forms and findings by filing unit."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from filings.readers import READERS, text
from filings.storage import Location
from filings.warehouse import read


_TEXT_SUFFIXES = tuple(suffix for suffix, reader in READERS.items() if reader is text.read)  # lines as filed


@dataclass(frozen=True)
class Review:
    year: int
    filings: pl.DataFrame
    forms: pl.DataFrame  # with `unit`, `errors`, `warnings`
    findings: pl.DataFrame  # check_results with `unit` and `source_text` (the line as filed): by unit, file, line
    quarantine: pl.DataFrame  # files that could not be read at all

    def units(self) -> list[str]:
        """Units with findings first (most errors first), then the rest, by name."""
        order = self.forms.group_by("unit").agg(pl.col("errors").sum(), pl.col("warnings").sum())
        return order.sort(["errors", "warnings", "unit"], descending=[True, True, False])["unit"].to_list()


# What the report and the workbook show of a form (a region's forms table whole is most of a review's memory).
_COLUMNS = {"filings": ["source_file"], "forms": [
    "form_id", "source_file", "ordinal", "line_start", "form_type", "title", "project_name", "supervising_dept",
    "implementing_unit", "budget_initial", "budget_adjusted", "spent", "execution_rate_reported",
    "execution_rate_computed", "total_score_reported", "self_score_reported", "complete", "problems"]}


def load_review(warehouse: Location, raw: Location, year: int, region: str | None = None) -> Review:
    """The year's published tables for review: one region's, or (region None) every region's. Only
    the tables a review shows are read (FileNotFoundError when they are not published)."""
    filings, forms, findings, quarantine = (read(warehouse, name, year, region, _COLUMNS.get(name))
                                            for name in ("filings", "forms", "check_results", "quarantine"))
    units = _units(forms, filings)
    counts = findings.group_by("form_id").agg(
        errors=(pl.col("severity") == "error").sum(), warnings=(pl.col("severity") == "warning").sum())
    forms = (forms.join(units, on="source_file", how="left")
             .join(counts, on="form_id", how="left")
             .with_columns(pl.col("errors", "warnings").fill_null(0).cast(pl.Int64))
             .sort("unit", "source_file", "ordinal"))
    # a unit's findings by file and line; findings on one line in check_results' order (by rule)
    findings = (findings.join(units, on="source_file", how="left", maintain_order="left")
                .sort("unit", "source_file", "line", maintain_order=True))
    findings = findings.with_columns(source_text=pl.Series(_source_lines(raw, findings), dtype=pl.String)).drop(
        "position")
    return Review(year, filings, forms, findings, quarantine)


def _units(forms: pl.DataFrame, filings: pl.DataFrame) -> pl.DataFrame:
    """The unit behind each file: its most frequent 主管部门, else the file's name."""
    common = (forms.filter(pl.col("supervising_dept").is_not_null())
              .group_by("source_file", "supervising_dept").len()
              .sort(["len", "supervising_dept"], descending=[True, False])
              .group_by("source_file", maintain_order=True).first().select("source_file", unit="supervising_dept"))
    return filings.select("source_file").join(common, on="source_file", how="left").with_columns(
        unit=pl.coalesce("unit", pl.col("source_file").str.extract(r"([^/]+?)(?:\.[^./]+)?$")))


def _source_lines(raw: Location, findings: pl.DataFrame) -> list[str | None]:
    """The line each finding points at: as written in a text file (tabs shown as │); in a PDF,
    spreadsheet, Word or HTML file, where its row stands (the finding's `position`: their lines are
    the grid's, not the file's). The text files are visited one by one, so that one
    file's lines are held at a time, whatever the region's size."""
    out: list[str | None] = [f"原文位置:{p}" if p else None for p in findings["position"]]
    current, lines = None, []
    in_text = pl.col("source_file").str.to_lowercase().str.extract(r"(\.[^./]+)$").is_in(_TEXT_SUFFIXES)
    todo = (findings.with_row_index().filter(pl.col("position").is_null() & in_text)
            .select("index", "source_file", "line").sort("source_file", maintain_order=True))
    for index, source_file, line in todo.iter_rows():
        if source_file != current:
            current, lines = source_file, _lines(raw, source_file)
        text = lines[line - 1] if line and 0 < line <= len(lines) else None
        out[index] = " │ ".join(c.strip() for c in text.split("\t") if c.strip()) if text else None
    return out


def _lines(raw: Location, source_file: str) -> list[str]:
    try:
        return (raw / source_file).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
