"""Pipeline-integrity checks: the tables match their schemas and every input is accounted for.

Unlike the quality rules (findings in the filings, which are the product), a failure here means
the pipeline itself went wrong, so it blocks publishing. A partition is validated against its
schemas through lazy scans of what was staged, a check's columns at a time (never the whole table
in memory); what is accounted for is counted over the whole partition the same way.
"""

from __future__ import annotations

import polars as pl

from checks.expr import as_lazy
from filings.records import Form
from filings.tables import DERIVED_TABLES, PARSED_TABLES, validate


def schema_failures(tables: dict[str, pl.DataFrame | pl.LazyFrame]) -> dict[str, pl.DataFrame]:
    """Failure cases per table that breaks its Pandera schema (empty when all are valid); the
    tables may be scans (of the staged batches)."""
    failures = {name: validate(name, tables[name]) for name in PARSED_TABLES + DERIVED_TABLES}
    return {name: cases for name, cases in failures.items() if cases is not None}


def count(frame: pl.LazyFrame) -> int:
    return frame.select(pl.len()).collect().item()


def unaccounted(discovered: list[str], tables: dict[str, pl.DataFrame | pl.LazyFrame]) -> list[str]:
    """What went missing between the files found and the rows produced, in Chinese; [] when nothing.
    Only the filings table (a row per file) is held whole; the others are counted lazily."""
    problems = []
    tables = as_lazy(tables)
    filings, forms = tables["filings"].select("source_file", "status", "n_forms").collect(), tables["forms"]
    listed = set(filings["source_file"].to_list())
    missing = sorted(set(discovered) - listed)
    if missing:
        problems.append(f"{len(missing)} 个文件未出现在 filings 表中:{'、'.join(missing[:5])}")
    extra = sorted(listed - set(discovered))
    if extra:
        problems.append(f"filings 表中有 {len(extra)} 个未发现的文件:{'、'.join(extra[:5])}")
    quarantined, in_quarantine = filings.filter(pl.col("status") == "quarantined").height, count(tables["quarantine"])
    if quarantined != in_quarantine:
        problems.append(f"{quarantined} 个文件被隔离,quarantine 表却有 {in_quarantine} 行")
    declared, found = int(filings["n_forms"].sum()), count(forms)
    if declared != found:
        problems.append(f"filings 表记录 {declared} 张表,forms 表却有 {found} 行")
    problems += _rows_unaccounted(tables)
    for child in Form.CHILDREN:
        orphans = count(tables[child].join(forms.select("form_id"), on="form_id", how="anti"))
        if orphans:
            problems.append(f"{child} 表有 {orphans} 行指向不存在的表(form_id)")
    return problems


def _rows_unaccounted(tables: dict[str, pl.LazyFrame]) -> list[str]:
    """Indicator-table rows read = indicators published + rows skipped with a reason, form by form."""
    forms = tables["forms"].select("form_id", "source_file", "indicator_rows_read")
    for table in ("indicators", "department_indicators", "skipped_rows"):
        forms = forms.join(tables[table].group_by("form_id").len(table), on="form_id", how="left", maintain_order="left")
    forms = forms.fill_null(0).with_columns(
        published=pl.col("indicators") + pl.col("department_indicators"))
    off = forms.filter(pl.col("indicator_rows_read") != pl.col("published") + pl.col("skipped_rows")).collect()
    if off.is_empty():
        return []
    first = off.row(0, named=True)
    return [f"{off.height} 张表的指标行对不上:例如 {first['source_file']} 读取 {first['indicator_rows_read']} 行,"
            f"发布 {first['published']} 行、跳过 {first['skipped_rows']} 行"]
