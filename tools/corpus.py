"""A synthetic corpus of filings with known mistakes: `make corpus FORMS=10000 SEED=1`.

Forms come from clean sample forms of several template families (tools/corpus_forms.py): national
as tab text, as one line of words per form, or in a file headed by a summary sheet (汇总表) and a
department-wide form; four-dimension (兴庆); Sichuan one cell per line. They get other units,
projects, amounts, indicator figures, shifted cells and stray spaces, several forms per file, in
.txt mostly and .xlsx, .xls, .docx, .html, .pdf (tools/corpus_files.py), under raw/<year>/<region>/.
A share of the forms carries one injected mistake; `manifest.jsonl` records, per mistake, the
findings a reviewer expects (rule, line as the finding reports it, field). Files are written one at
a time: the corpus is never held in memory. The same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "tools")]

import corpus_forms as cf  # noqa: E402
from corpus_files import one_line, write  # noqa: E402

REGIONS = ["中卫", "银川", "吴忠", "固原", "石嘴山"]
UNITS = ["公安局", "教育局", "卫生健康委员会", "民政局", "农业农村局", "水务局", "交通运输局", "文化旅游局"]
LAYOUTS = {"national": 0.42, "one_line": 0.12, "summary": 0.16, "four_dimension": 0.18, "sichuan": 0.12}
# The mistakes each layout's project forms may carry (a duplicate is a form filed twice).
LAYOUT_MISTAKES = {
    "national": (*cf.NATIONAL_MISTAKES, "duplicate_forms"),
    "one_line": (*cf.NATIONAL_MISTAKES, "duplicate_forms"),
    "summary": cf.NATIONAL_MISTAKES,
    "four_dimension": (*cf.FOUR_MISTAKES, "duplicate_forms"),
    "sichuan": cf.SICHUAN_MISTAKES,
}
MAKERS = {"national": cf.national, "one_line": cf.national, "summary": cf.national,
          "four_dimension": cf.four_dimension, "sichuan": cf.sichuan}
FORMATS = {".txt": 0.70, ".xlsx": 0.10, ".xls": 0.06, ".docx": 0.06, ".html": 0.06, ".pdf": 0.02}
TEXT_ONLY = {"one_line", "sichuan"}  # flattenings of converter text
MISTAKES = tuple(sorted({m for kinds in LAYOUT_MISTAKES.values() for m in kinds} | set(cf.SUMMARY_MISTAKES)))


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), list(shares.values()))[0]


def _forms(rng: random.Random, layout: str, unit: str, count: int, serial: int, mistake_rate: float):
    """(project name, Form) for up to `count` project forms; a duplicate is a clean form filed twice."""
    out: list[tuple[str, cf.Form]] = []
    while len(out) < count:
        mistake = rng.choice(LAYOUT_MISTAKES[layout]) if rng.random() < mistake_rate else None
        if mistake == "duplicate_forms" and len(out) + 2 > count:
            mistake = None
        name = f"{rng.choice(cf.PROJECTS)}{serial + len(out):06d}"
        if mistake == "duplicate_forms":
            form = MAKERS[layout](rng, unit, name, None)
            copy = cf.Form(list(form.lines), [("duplicate_forms", form.title, "项目名称")])
            out += [(name, form), (name, copy)]
        else:
            out.append((name, MAKERS[layout](rng, unit, name, mistake)))
    return out


def _file_forms(rng, layout, unit, count, serial, mistake_rate) -> list[cf.Form]:
    """The forms of one file in order: a summary file leads with its sheet and department form."""
    if layout != "summary":
        return [form for _, form in _forms(rng, layout, unit, count, serial, mistake_rate)]
    named = _forms(rng, layout, unit, count - 2, serial, mistake_rate)
    mistake = rng.choice(cf.SUMMARY_MISTAKES) if rng.random() < mistake_rate else None
    names, forms = [n for n, _ in named], [f for _, f in named]
    return [cf.summary(rng, names, forms, mistake), cf.department(mistake), *forms]


def _lay_out(forms: list[cf.Form], layout: str) -> tuple[list[str], list[tuple[list, int]]]:
    """The file's lines, and per form its findings with the text line each form starts on."""
    lines: list[str] = []
    placed = []
    for form in forms:
        placed.append((form.findings, len(lines) + 1))
        if layout == "one_line":
            lines += [one_line(form.lines), ""]
        else:
            lines += form.lines + [""]
    return lines, placed


def _manifest_rows(source_file: str, placed, line_of: dict[int, int], layout: str):
    for findings, start in placed:
        if findings:
            yield {"source_file": source_file, "mistake": findings[0][0], "findings": [
                {"check_id": check, "field": field,
                 "line": line_of[start if layout == "one_line" else start + offset]}
                for check, offset, field in findings]}


def generate(out: Path, forms: int, seed: int, year: int = cf.YEAR, mistake_rate: float = 0.2,
             forms_per_file: tuple[int, int] = (1, 12)) -> dict:
    """Write the corpus; returns counts of forms and files. Deterministic for a seed."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = files = 0
    with open(out / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        while written < forms:
            layout = _pick(rng, LAYOUTS)
            suffix = ".txt" if layout in TEXT_ONLY else _pick(rng, FORMATS)
            region, unit = rng.choice(REGIONS), f"{rng.choice(REGIONS)}市{rng.choice(UNITS)}"
            most = 3 if suffix == ".pdf" else forms_per_file[1]  # PDFs are slow to write and read
            count = min(rng.randint(forms_per_file[0], max(most, forms_per_file[0])), forms - written)
            if layout == "summary":  # the sheet, the department form and at least one project form
                count = max(count, 3)
                layout = layout if count <= forms - written else "national"
            file_forms = _file_forms(rng, layout, unit, count, written, mistake_rate)
            source_file = f"{year}/{region}/{unit}_{files:06d}{suffix}"
            path = out / "raw" / source_file
            path.parent.mkdir(parents=True, exist_ok=True)
            lines, placed = _lay_out(file_forms, layout)
            line_of = write(path, lines, suffix)
            for row in _manifest_rows(source_file, placed, line_of, layout):
                manifest.write(json.dumps(row, ensure_ascii=False) + "\n")
            written, files = written + len(file_forms), files + 1
    return {"forms": written, "files": files}


def expected_findings(manifest: Path):
    """Each expected finding as (source_file, check_id, line, field), read from the manifest."""
    with open(manifest, encoding="utf-8") as rows:
        for row in map(json.loads, rows):
            for f in row["findings"]:
                yield row["source_file"], f["check_id"], f["line"], f["field"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "corpus")
    parser.add_argument("--forms", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    counts = generate(args.out, args.forms, args.seed)
    print(f"{counts['forms']} forms in {counts['files']} files under {args.out / 'raw'}; "
          f"mistakes in {args.out / 'manifest.jsonl'}")


if __name__ == "__main__":
    main()
