"""Forms for the synthetic corpus: clean base forms of each template family taken from the samples,
varied (units, projects, amounts, indicator figures, shifted cells, stray spaces), with at most one
injected mistake whose expected findings (rule, line offset in the form, field) are recorded.

Every edit here is one that tests/test_rules.py shows firing the rule; tests/test_corpus.py checks
that each base form is clean and each mistake yields exactly its findings.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

RAW = Path(__file__).resolve().parent.parent / "raw"
YEAR = 2024
PROJECTS = ["办案经费", "设备运维", "专项补助", "信息化建设", "基础设施维修", "人员经费", "宣传教育", "应急保障"]
INDICATORS = ["开展专项行动", "设备巡检维护", "业务培训", "走访服务对象", "案件办理", "宣传活动", "检查督导",
              "信息系统运维"]


@dataclass
class Form:
    """A form's text lines, its expected findings and what a summary sheet should say of it."""
    lines: list[str]
    findings: list[tuple[str, int, str]] = field(default_factory=list)  # (check_id, offset, field)
    title: int = 0  # offset of the title, where the form starts
    budget: str = ""
    rate: str = "100%"
    score: str = ""


def _sample(source_file: str, first: int, last: int) -> list[str]:
    return (RAW / source_file).read_text(encoding="utf-8").split("\n")[first - 1:last]


def edit(lines: list[str], offset: int, old: str, new: str) -> None:
    """Replace `old` (which must be there) by `new` in one line."""
    assert old in lines[offset], f"{old!r} not in line {offset}: {lines[offset]!r}"
    lines[offset] = lines[offset].replace(old, new, 1)


def amount(rng: random.Random) -> str:
    return f"{rng.uniform(5, 5000):.2f}".rstrip("0").rstrip(".")


# National (宁夏 中卫): the clean form 国内安全保卫经费项目, lines 37–66 of the sample.
NATIONAL = _sample("2024/中卫市公安局_项目支出绩效自评表.txt", 37, 66)
NATIONAL_MISTAKES = (
    "funds_total_equals_parts", "execution_rate_matches", "execution_score_matches", "over_execution",
    "weights_sum_100", "section_weights_match", "score_within_weight", "score_follows_rule",
    "shortfall_reason_present", "indicator_values_present", "scores_sum_to_total", "self_score_matches_total",
    "year_matches_reporting_year",
)
_QUANTITY = re.compile(r"指标(\d+):[^\t]*\t≥(\d+) ?(\S+)\t\d+ ?\S+\t")
_FUNDS = ("年初预算数", "全年预算数", "全年执行数")


def national(rng: random.Random, unit: str, project: str, mistake: str | None) -> Form:
    """A national project form: varied, one mistake injected, then shifted cells and stray spaces."""
    lines, money = list(NATIONAL), amount(rng)
    lines[4] = f"项目名称\t\t{project}\t\t\t\t\t\t"
    lines[5] = f"主管部门\t\t{unit}\t\t实施单位\t\t{unit}{rng.choice(['办公室', '财务科', '业务科'])}\t\t"
    for i in (7, 8):
        edit(lines, i, "\t20\t20\t20\t", f"\t{money}\t{money}\t{money}\t")
    edit(lines, 22, "≤20万元\t20万元", f"≤{money}万元\t{money}万元")
    for i in (14, 15, 17, 18):  # quantity indicators: other names and figures, targets met
        target = rng.randint(3, 400)
        lines[i] = _QUANTITY.sub(lambda m: f"指标{m[1]}:{rng.choice(INDICATORS)}\t≥{target}{m[3]}\t"
                                 f"{target + rng.randint(0, 40)}{m[3]}\t", lines[i], count=1)
    form = Form(lines, budget=money, score="99")
    if mistake:
        _NATIONAL_EDITS[mistake](form, money, rng)
    _shift_and_space(lines, rng)
    return form


def _funds_rows(form: Form, money: str, spent: str, rate: str, score: str) -> None:
    edit(form.lines, 7, f"\t{money}\t{money}\t10\t100%\t10\t", f"\t{money}\t{spent}\t10\t{rate}\t{score}\t")
    edit(form.lines, 8, f"\t{money}\t{money}\t\t100%\t", f"\t{money}\t{spent}\t\t{rate}\t")
    form.rate = rate


def _execution_score(form: Form, money: str, rng: random.Random) -> None:
    _funds_rows(form, money, f"{float(money) * 0.9:.2f}", "90%", "10")
    form.findings.append(("execution_score_matches", 7, "得分"))


def _over_execution(form: Form, money: str, rng: random.Random) -> None:
    _funds_rows(form, money, f"{float(money) * 1.1:.2f}", "110%", "10")
    form.findings += [("over_execution", 7, "全年执行数"), ("over_execution", 8, "全年执行数")]


def _funds_total(form: Form, money: str, rng: random.Random) -> None:
    edit(form.lines, 9, "上年结转资金\t\t\t\t", "上年结转资金\t10\t10\t10\t")
    form.findings += [("funds_total_equals_parts", 7, name) for name in _FUNDS]


def _execution_rate(form: Form, money: str, rng: random.Random) -> None:
    edit(form.lines, 7, "\t100%\t", "\t95%\t")
    form.rate = "95%"
    form.findings.append(("execution_rate_matches", 7, "执行率"))


def _weights(form: Form, money: str, rng: random.Random) -> None:
    edit(form.lines, 7, "\t10\t100%\t10\t", "\t11\t100%\t11\t")
    edit(form.lines, 29, "\t100\t99\t", "\t101\t100\t")
    form.score = "100"
    form.findings.append(("weights_sum_100", 0, "分值合计"))


def _section(form: Form, money: str, rng: random.Random) -> None:
    edit(form.lines, 14, "(40分)", "(45分)")
    form.findings.append(("section_weights_match", 14, "一级指标分值"))


def _within(form: Form, money: str, rng: random.Random) -> None:
    edit(form.lines, 17, "\t5\t5\t", "\t5\t6\t")
    edit(form.lines, 29, "\t100\t99\t", "\t100\t100\t")
    form.score = "100"
    form.findings += [("score_within_weight", 17, "得分"), ("score_follows_rule", 17, "得分")]


def _follows_rule(form: Form, money: str, rng: random.Random) -> None:
    """A missed target (80% of it) with full marks kept."""
    form.lines[17] = re.sub(r"≥(\d+)笔\t\d+笔", lambda m: f"≥{m[1]}笔\t{int(m[1]) * 4 // 5}笔", form.lines[17])
    form.findings.append(("score_follows_rule", 17, "得分"))


def _reason(form: Form, money: str, rng: random.Random) -> None:
    edit(form.lines, 16, "业务工作繁忙,宣传活动开展频率低", "")
    form.findings.append(("shortfall_reason_present", 16, "未完成原因分析"))


def _values(form: Form, money: str, rng: random.Random) -> None:
    form.lines[18] = re.sub(r"\t≥\d+次\t\d+次\t", "\t\t\t", form.lines[18])
    form.findings.append(("indicator_values_present", 18, "年度指标值、实际完成值"))


def _total(form: Form, money: str, rng: random.Random) -> None:
    edit(form.lines, 29, "\t100\t99\t", "\t100\t97\t")
    form.score = "97"
    form.findings.append(("scores_sum_to_total", 29, "总分"))


def _self_score(form: Form, money: str, rng: random.Random) -> None:
    form.lines.insert(6, "自评得分\t\t95\t\t\t\t\t\t")
    form.score = "95"
    form.findings.append(("self_score_matches_total", 6, "自评得分"))


def _year(form: Form, money: str, rng: random.Random) -> None:
    if rng.random() < 0.5:  # the title's year or a period inside the form
        edit(form.lines, 2, "2024年度", "2023年度")
        form.findings.append(("year_matches_reporting_year", 0, "标题年度"))
    else:
        edit(form.lines, 20, "2024年1-12月", "2025年1-12月")
        form.findings.append(("year_matches_reporting_year", 20, "年度指标值"))


_NATIONAL_EDITS = {
    "funds_total_equals_parts": _funds_total, "execution_rate_matches": _execution_rate,
    "execution_score_matches": _execution_score, "over_execution": _over_execution,
    "weights_sum_100": _weights, "section_weights_match": _section, "score_within_weight": _within,
    "score_follows_rule": _follows_rule, "shortfall_reason_present": _reason,
    "indicator_values_present": _values, "scores_sum_to_total": _total,
    "self_score_matches_total": _self_score, "year_matches_reporting_year": _year,
}


def _shift_and_space(lines: list[str], rng: random.Random) -> None:
    """Vanished or extra merged cells on indicator rows; words split by stray spaces."""
    start = next(i for i, line in enumerate(lines) if line.startswith("绩效指标\t"))
    for i in range(start + 1, start + 15):
        roll = rng.random()
        if roll < 0.1 and lines[i].startswith("\t\t"):
            lines[i] = lines[i][1:]
        elif roll < 0.2:
            lines[i] = "\t" + lines[i]
    if rng.random() < 0.3:
        lines[start - 7] = lines[start - 7].replace("年初预算数", "年初预 算数")
        lines[-1] = lines[-1].replace("总分", "总 分")


# Four-dimension (兴庆: 决策 / 管理 / 产出 / 效益): 禁毒专项经费, lines 132–168, its 自评得分 97 made 100.
FOUR = _sample("2024/银川市兴庆区_绩效评价汇总表及自评表.txt", 132, 168)
FOUR[8] = FOUR[8].replace("97", "100")
FOUR_MISTAKES = ("execution_rate_matches", "section_weights_match", "scores_sum_to_total",
                 "self_score_matches_total", "year_matches_reporting_year")


def four_dimension(rng: random.Random, unit: str, project: str, mistake: str | None) -> Form:
    lines, money = list(FOUR), amount(rng)
    lines[6] = f"项目名称\t\t{project}\t\t\t\t\t\t"
    lines[7] = f"主管部门\t\t{unit}\t\t实施单位\t\t{unit}{rng.choice(['办公室', '业务科'])}\t\t"
    edit(lines, 10, "\t\t300\t\t300\t\t\t300\t", f"\t\t{money}\t\t{money}\t\t\t{money}\t")
    edit(lines, 28, "≤300万\t300万元", f"≤{money}万\t{money}万元")
    form = Form(lines, budget=money, score="100", title=2)
    if mistake == "execution_rate_matches":
        edit(lines, 10, "100%", "95%")
        form.rate = "95%"
        form.findings.append((mistake, 10, "执行率"))
    elif mistake == "section_weights_match":
        edit(lines, 21, "(10分)", "(12分)")
        form.findings.append((mistake, 21, "二级指标分值"))
    elif mistake == "scores_sum_to_total":
        edit(lines, 36, "100", "98")
        form.findings += [(mistake, 36, "总分"), ("self_score_matches_total", 8, "自评得分")]
    elif mistake == "self_score_matches_total":
        edit(lines, 8, "100", "97")
        form.score = "97"
        form.findings.append((mistake, 8, "自评得分"))
    elif mistake == "year_matches_reporting_year":
        edit(lines, 4, "2024年", "2025年")
        form.findings.append((mistake, 2, "标题年度"))
    return form


# Sichuan (指标性质 / 指标值 / 度量单位, one cell per line): 青神, its blank scores filled, year 2024.
SICHUAN = _sample("2023/四川青神_51000021R00000001995.txt", 1, 110)
for _line, _value in ((37, 10), (84, 100), (86, 60), (94, 100), (96, 30), (100, 100)):
    SICHUAN[_line - 1] = f"{_value} |"
SICHUAN[6] = SICHUAN[6].replace("2023", "2024")
SICHUAN_MISTAKES = ("execution_rate_matches", "indicator_values_present", "scores_sum_to_total",
                    "year_matches_reporting_year")


def sichuan(rng: random.Random, unit: str, project: str, mistake: str | None) -> Form:
    lines = list(SICHUAN)
    lines[8], lines[10], lines[12] = f"{project} |", f"{unit}本级 |", f"{unit} |"
    form = Form(lines, budget="251.89", rate="100.00%", score="100", title=6)
    if mistake == "execution_rate_matches":
        edit(lines, 34, "100.00%", "95.00%")
        form.findings.append((mistake, 30, "执行率"))
    elif mistake == "indicator_values_present":
        lines[83] = "|"
        form.findings.append((mistake, 77, "实际完成值"))
    elif mistake == "scores_sum_to_total":
        edit(lines, 99, "100 |", "98 |")
        form.findings.append((mistake, 97, "总分"))
    elif mistake == "year_matches_reporting_year":
        edit(lines, 6, "2024", "2025")
        form.findings.append((mistake, 6, "标题年度"))
    return form


# Department-wide (兴庆 部门整体支出绩效表, lines 38–53): scored by the |B−A| bands printed on it.
DEPARTMENT = _sample("2024/银川市兴庆区_绩效评价汇总表及自评表.txt", 38, 53)


def department(mistake: str | None) -> Form:
    form = Form(list(DEPARTMENT))
    if mistake == "department_score_follows_band":
        edit(form.lines, 13, "\t100%\t90%\t", "\t100%\t80%\t")  # |B−A| 20 → 5 points, 10 written
        form.findings.append((mistake, 13, "得分"))
    return form


# The summary sheet (汇总表) heading a file of project forms, one row per form.
SUMMARY_HEAD = _sample("2024/银川市兴庆区_绩效评价汇总表及自评表.txt", 3, 13)
SUMMARY_MISTAKES = ("summary_matches_forms", "department_score_follows_band")


def summary(rng: random.Random, names: list[str], forms: list[Form], mistake: str | None) -> Form:
    """The sheet listing `forms` as they read; a summary mistake changes one row's amount or score."""
    lines = list(SUMMARY_HEAD)
    for k, (name, form) in enumerate(zip(names, forms)):
        lines.append(f"{k + 1}\t{name}\t部门预算项目\t{form.budget}\t{form.budget}\t{form.rate}\t自评\t{form.score}\t自评表\t")
    sheet = Form(lines)
    if mistake == "summary_matches_forms":
        k = rng.randrange(len(forms))
        cells = lines[len(SUMMARY_HEAD) + k].split("\t")
        if rng.random() < 0.5:
            cells[3], label = f"{float(cells[3]) + 10:g}", "预算金额"
        else:
            cells[7], label = str(int(cells[7]) - 2), "评分"
        lines[len(SUMMARY_HEAD) + k] = "\t".join(cells)
        sheet.findings.append((mistake, len(SUMMARY_HEAD) + k, label))
    lines.append("")
    return sheet
