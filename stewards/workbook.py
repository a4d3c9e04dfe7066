"""The findings workbook a bureau sends back: one sheet per unit, formulas neutralised."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import xlsxwriter

from checks.catalogue import CATALOGUE
from filings.warehouse import write_atomically
from stewards.review import Review

_TITLES = {rule.check_id: rule.title for rule in CATALOGUE}
_COLUMNS = (("严重程度", 8), ("规则", 28), ("项目", 28), ("文件", 36), ("行", 6), ("栏目", 14),
            ("应为", 14), ("填写", 18), ("说明", 60), ("原文", 60))
# A finding's row: the columns of check_results (and the review's source_text) under _COLUMNS' titles.
_ROW = ("severity", "check_id", "project_name", "source_file", "line", "field", "expected", "actual", "message",
        "source_text")
_TEXTS = [name for name in _ROW if name not in ("severity", "check_id", "line")]  # as the filers wrote them
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = "^[" + re.escape("".join(_FORMULA_START)) + "]"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Up to this many findings the book is built in memory (30 MB at most), twice as fast; beyond, each
# row goes to disk as the next begins (xlsxwriter's constant_memory): a region's 140,000 findings then
# take no memory rather than 200 MB.
IN_MEMORY_FINDINGS = 20_000


def neutralise(value):
    """A cell a spreadsheet will never run: text that starts like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write(review: Review, folder: Path) -> Path:
    return write_atomically(folder / "findings.xlsx", lambda path: _write_book(review, path))


def _write_book(review: Review, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "constant_memory": review.findings.height > IN_MEMORY_FINDINGS})
    header = book.add_format({"bold": True, "bg_color": "#EEF3F9", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    summary = book.add_worksheet("汇总")
    summary.write_row(0, 0, ["单位", "表数", "错误", "提示", "工作表"], header)
    names: set[str] = {"汇总"}
    counts = {unit: figures for unit, *figures in review.forms.group_by("unit").agg(
        pl.len(), pl.col("errors").sum(), pl.col("warnings").sum()).iter_rows()}  # forms, errors, warnings
    findings = _finding_rows(review.findings).partition_by("unit", as_dict=True, include_key=False)
    for row, unit in enumerate(review.units(), start=1):
        sheet_name = _sheet_name(unit, names)
        summary.write_row(row, 0, [neutralise(unit), *counts[unit], sheet_name])
        sheet = book.add_worksheet(sheet_name)
        for col, (title, width) in enumerate(_COLUMNS):
            sheet.write(0, col, title, header)
            sheet.set_column(col, col, width, wrap)
        if (unit,) in findings:
            for r, values in enumerate(findings[unit,].iter_rows(), start=1):
                sheet.write_row(r, 0, values)
        sheet.freeze_panes(1, 0)
    if review.quarantine.height:
        sheet = book.add_worksheet(_sheet_name("隔离的文件", names))
        for col, title in enumerate(("文件", "原因代码", "说明")):
            sheet.write(0, col, title, header)
        for r, q in enumerate(review.quarantine.iter_rows(named=True), start=1):
            sheet.write_row(r, 0, [neutralise(q["source_file"]), q["reason_code"], neutralise(q["message"])])
        sheet.set_column(0, 2, 40, wrap)
    summary.set_column(0, 0, 30)
    book.close()


def _finding_rows(findings: pl.DataFrame) -> pl.DataFrame:
    """Each finding as its sheet row (after its `unit`), in the review's order, text that starts like
    a formula neutralised as `neutralise` does; made by Polars column by column, not cell by cell."""
    return findings.with_columns(
        pl.when(pl.col("severity") == "error").then(pl.lit("错误")).otherwise(pl.lit("提示")).alias("severity"),
        pl.col("check_id").replace_strict(_TITLES, return_dtype=pl.String),
        pl.col(_TEXTS).str.replace(_FORMULA_PATTERN, "'$0"),
    ).select("unit", *_ROW)


def _sheet_name(unit: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = _SHEET_FORBIDDEN.sub("_", unit).strip("'")[:28] or "单位"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name
