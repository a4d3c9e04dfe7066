"""Score the parser against hand annotations, field by field: `make accuracy`.

Annotations: tests/data/expected.jsonl (other provinces, read by eye) and
tests/data/expected_2024.jsonl (the 2024 samples, as verified in tests/test_parse_2024.py).
Prints a table per template and the overall field accuracy.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import polars as pl

from filings.parse import parse_path
from filings.project import TO_WAN
from filings.tables import to_tables
from filings.text import clean

PROJECT = Path(__file__).resolve().parent.parent
ANNOTATIONS = [PROJECT / "tests" / "data" / "expected.jsonl", PROJECT / "tests" / "data" / "expected_2024.jsonl"]
# annotation field → (forms column or computed name, kind)
FIELDS = {
    "project_name": "project_name", "主管部门": "supervising_dept", "实施单位": "implementing_unit",
    "reporting_year": "title_year", "年初预算数": "budget_initial", "全年预算数": "budget_adjusted",
    "全年执行数": "spent", "执行率_reported": "execution_rate_raw", "总分_reported": "total_score_reported",
    "n_indicators": "n_indicators", "sum_weights": "sum_weights", "complete": "complete",
}


def form_facts(raw: Path, files: list[str]) -> pl.DataFrame:
    """The parser's answer for every project form of `files`, in the annotations' terms."""
    tables = to_tables([parse_path(raw / f, raw) for f in files])
    counts = tables["indicators"].group_by("form_id").agg(
        n_indicators=pl.col("level3").count(), weights=pl.col("weight").sum(), n_weights=pl.col("weight").count(),
        sections=pl.struct("level1", "level1_points").unique().struct.field("level1_points").sum())
    # Visible weights: the funds weight and every row's weight, or the sections' points where
    # a template weighs sections rather than rows (湖北).
    as_printed = pl.col("amount_unit").replace_strict(TO_WAN, default=1.0)  # annotations keep the form's unit
    return (tables["forms"].filter(pl.col("form_type") == "project").join(counts, on="form_id", how="left")
            .with_columns(*(pl.col(c) / as_printed for c in ("budget_initial", "budget_adjusted", "spent")))
            .with_columns(n_indicators=pl.col("n_indicators").fill_null(0),
                          sum_weights=pl.col("funds_weight").fill_null(0)
                          + pl.when(pl.col("n_weights") > 0).then("weights").otherwise(
                              pl.when(pl.col("sections") > 0).then("sections"))))


def score(annotations: list[dict], facts: pl.DataFrame) -> list[dict]:
    """One row per (form, field): the annotated value, the parser's, and whether they agree."""
    out = []
    for note in annotations:
        candidates = facts.filter(pl.col("source_file") == note["file"])
        named = candidates.filter(pl.col("project_name") == note["project_name"])
        form = (named if named.height else candidates).row(0, named=True) if candidates.height else {}
        for field, column in FIELDS.items():
            expected, got = note.get(field), form.get(column)
            out.append({"file": note["file"], "template": form.get("template_id") or "unrecognised",
                        "field": field, "expected": expected, "got": got, "right": _same(expected, got)})
    return out


def _same(expected, got) -> bool:
    if isinstance(expected, str) or isinstance(got, str):
        return clean(str(expected)) == clean(str(got)) if expected is not None and got is not None else expected == got
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if expected is None or got is None:
        return expected is None and got is None
    return abs(float(expected) - float(got)) < 1e-6


def report(rows: list[dict]) -> str:
    by_template: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_template[row["template"]].append(row)
    lines = ["field accuracy by template (right / annotated fields)", ""]
    header = f"{'template':<24}{'forms':>6}" + "".join(f"{f[:8]:>10}" for f in FIELDS) + f"{'all':>9}"
    lines.append(header)
    for template, found in sorted(by_template.items()):
        forms = len({(r["file"], r["expected"]) for r in found if r["field"] == "project_name"})
        cells = []
        for field in FIELDS:
            mine = [r for r in found if r["field"] == field]
            cells.append(f"{sum(r['right'] for r in mine)}/{len(mine)}")
        right = sum(r["right"] for r in found)
        lines.append(f"{template:<24}{forms:>6}" + "".join(f"{c:>10}" for c in cells) + f"{right / len(found):>9.1%}")
    right = sum(r["right"] for r in rows)
    lines += ["", f"overall field accuracy: {right}/{len(rows)} = {right / len(rows):.1%}"]
    wrong = [r for r in rows if not r["right"]]
    if wrong:
        lines += ["", "disagreements (annotation → parser):"]
        lines += [f"  {r['file']}  {r['field']}: {r['expected']!r} → {r['got']!r}" for r in wrong]
    return "\n".join(lines)


def main() -> int:
    annotations = [json.loads(line) for path in ANNOTATIONS for line in path.open(encoding="utf-8")]
    facts = form_facts(PROJECT / "raw", sorted({a["file"] for a in annotations}))
    print(report(score(annotations, facts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
