"""Pipeline-integrity checks: the tables match their schemas and every input is accounted for.

Unlike the quality rules (findings in the filings, which are the product), a failure here means
the pipeline itself went wrong, so it blocks publishing.
"""

from __future__ import annotations

import polars as pl

from filings.records import Form
from filings.tables import DERIVED_TABLES, PARSED_TABLES, validate


def schema_failures(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Failure cases per table that breaks its Pandera schema (empty when all are valid)."""
    failures = {name: validate(name, tables[name]) for name in PARSED_TABLES + DERIVED_TABLES}
    return {name: cases for name, cases in failures.items() if cases is not None}


def unaccounted(discovered: list[str], tables: dict[str, pl.DataFrame]) -> list[str]:
    """What went missing between the files found and the rows produced, in Chinese; [] when nothing."""
    problems = []
    filings, forms = tables["filings"], tables["forms"]
    listed = set(filings["source_file"].to_list())
    missing = sorted(set(discovered) - listed)
    if missing:
        problems.append(f"{len(missing)} 个文件未出现在 filings 表中:{'、'.join(missing[:5])}")
    extra = sorted(listed - set(discovered))
    if extra:
        problems.append(f"filings 表中有 {len(extra)} 个未发现的文件:{'、'.join(extra[:5])}")
    quarantined = filings.filter(pl.col("status") == "quarantined").height
    if quarantined != tables["quarantine"].height:
        problems.append(f"{quarantined} 个文件被隔离,quarantine 表却有 {tables['quarantine'].height} 行")
    declared, found = int(filings["n_forms"].sum()), forms.height
    if declared != found:
        problems.append(f"filings 表记录 {declared} 张表,forms 表却有 {found} 行")
    problems += _rows_unaccounted(tables)
    form_ids = forms["form_id"]
    for child in Form.CHILDREN:
        orphans = tables[child].filter(~pl.col("form_id").is_in(form_ids.implode()))
        if orphans.height:
            problems.append(f"{child} 表有 {orphans.height} 行指向不存在的表(form_id)")
    return problems


def _rows_unaccounted(tables: dict[str, pl.DataFrame]) -> list[str]:
    """Indicator-table rows read = indicators published + rows skipped with a reason, form by form."""
    counts = [tables[t].group_by("form_id").len(t) for t in ("indicators", "department_indicators", "skipped_rows")]
    forms = tables["forms"].select("form_id", "source_file", "indicator_rows_read")
    for count in counts:
        forms = forms.join(count, on="form_id", how="left")
    forms = forms.fill_null(0).with_columns(
        published=pl.col("indicators") + pl.col("department_indicators"))
    off = forms.filter(pl.col("indicator_rows_read") != pl.col("published") + pl.col("skipped_rows"))
    if off.is_empty():
        return []
    first = off.row(0, named=True)
    return [f"{off.height} 张表的指标行对不上:例如 {first['source_file']} 读取 {first['indicator_rows_read']} 行,"
            f"发布 {first['published']} 行、跳过 {first['skipped_rows']} 行"]
