"""A synthetic corpus of filings with known mistakes: `make corpus FORMS=10000 SEED=1`.

Forms are made from a clean sample form (中卫 国内安全保卫经费项目, 2024) with other units,
projects, amounts and shifted cells (a vanished merged cell moves a row's cells), several forms
per file, files under raw/<year>/<region>/. A share of the forms carries one injected mistake;
`manifest.jsonl` records, per mistake, the findings a reviewer expects (rule and line).
Files are written one at a time: the corpus is never held in memory.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT / "raw" / "2024" / "中卫市公安局_项目支出绩效自评表.txt"
BASE_LINES = (37, 66)  # the clean form, lines 37–66 of the sample
REGIONS = ["中卫", "银川", "吴忠", "固原", "石嘴山"]
UNITS = ["公安局", "教育局", "卫生健康委员会", "民政局", "农业农村局", "水务局", "交通运输局", "文化旅游局"]
PROJECTS = ["办案经费", "设备运维", "专项补助", "信息化建设", "基础设施维修", "人员经费", "宣传教育", "应急保障"]
MISTAKES = ("scores_sum_to_total", "execution_rate_matches", "year_matches_reporting_year",
            "shortfall_reason_present", "self_score_matches_total")


def base_form() -> list[str]:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    return lines[BASE_LINES[0] - 1: BASE_LINES[1]]


def make_form(base: list[str], rng: random.Random, unit: str, project: str, mistake: str | None):
    """The form's lines, and the line offsets (within the form) where its mistake shows."""
    lines = list(base)
    amount = f"{rng.uniform(5, 5000):.2f}".rstrip("0").rstrip(".")
    lines[4] = f"项目名称\t\t{project}\t\t\t\t\t\t"
    lines[5] = f"主管部门\t\t{unit}\t\t实施单位\t\t{unit}{rng.choice(['办公室', '财务科', '业务科'])}\t\t"
    for i in (7, 8):
        lines[i] = lines[i].replace("\t20\t20\t20\t", f"\t{amount}\t{amount}\t{amount}\t")
    lines[22] = lines[22].replace("≤20万元\t20万元", f"≤{amount}万元\t{amount}万元")
    for i in range(14, 28):  # indicator rows: shift some by a vanished or an extra empty cell
        roll = rng.random()
        if roll < 0.1 and lines[i].startswith("\t\t"):
            lines[i] = lines[i][1:]
        elif roll < 0.2:
            lines[i] = "\t" + lines[i]
    at: list[int] = []
    if mistake == "scores_sum_to_total":
        lines[29], at = lines[29].replace("\t100\t99\t", "\t100\t97\t"), [29]
    elif mistake == "execution_rate_matches":
        lines[7], at = lines[7].replace("\t100%\t", "\t95%\t"), [7]
    elif mistake == "year_matches_reporting_year":
        lines[20], at = lines[20].replace("2024年1-12月", "2025年1-12月"), [20]
    elif mistake == "shortfall_reason_present":
        lines[16], at = lines[16].replace("业务工作繁忙,宣传活动开展频率低", ""), [16]
    elif mistake == "self_score_matches_total":
        lines.insert(6, "自评得分\t\t95\t\t\t\t\t\t")
        at = [6]
    return lines, at


def generate(out: Path, forms: int, seed: int, year: int = 2024, mistake_rate: float = 0.2,
             forms_per_file: tuple[int, int] = (1, 12)) -> dict:
    """Write the corpus; returns counts. Deterministic for a seed."""
    rng = random.Random(seed)
    base = base_form()
    raw = out / "raw"
    out.mkdir(parents=True, exist_ok=True)
    written = files = 0
    with open(out / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        while written < forms:
            region, unit = rng.choice(REGIONS), f"{rng.choice(REGIONS)}市{rng.choice(UNITS)}"
            count = min(rng.randint(*forms_per_file), forms - written)
            source_file = f"{year}/{region}/{unit}_{files:06d}.txt"
            lines: list[str] = []
            for k in range(count):
                mistake = rng.choice(MISTAKES) if rng.random() < mistake_rate else None
                form, at = make_form(base, rng, unit, f"{rng.choice(PROJECTS)}{written + k:06d}", mistake)
                for offset in at:
                    manifest.write(json.dumps({"source_file": source_file, "check_id": mistake,
                                               "line": len(lines) + offset + 1}, ensure_ascii=False) + "\n")
                lines += form + [""]
            path = raw / source_file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines), encoding="utf-8")
            written, files = written + count, files + 1
    return {"forms": written, "files": files}


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
