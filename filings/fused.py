"""Text with every separator gone (`年度资金总额:202010100.00%10`): cells found again.

Labels are cut out by the forms' own vocabulary (header fields, column headings, fund items,
一级/二级 names, 总分). What lies between two labels is a run of fused values, split by
`segment` into the columns the table's header names: numbers must be whole numbers, a rate ends
in %, B/A must equal the rate, a score cannot exceed its weight, and a target and its actual are
usually written alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Final

from filings.templates import FUND_HEADERS, HEADER_FIELDS, INDICATOR_HEADERS, TEMPLATES, TOTAL_LABELS
from filings.text import simplified
from filings.values import parse_measure, parse_number, parse_rate

_POINTS: Final = r"(?:\(\d+(?:\.\d+)?分\))?"
_NOTE: Final = r"(?:\([A-Z/]{1,5}\)|\(万元\)|\(元\))?"
_EXTRA_LABELS: Final = (
    "年初预算数", "全年预算数", "调整后预算数", "全年执行数", "预算执行数", "项目负责人及电话", "负责人及电话", "资金情况", "项目资金", "年度总体目标完成情况综述", "年度总体目标",
    "年初设定目标", "全年实际完成情况", "实际完成情况", "预期目标", "绩效指标",
    "未完成原因及拟采取的改进措施", "未完成原因和改进措施", "偏差原因分析及改进措施", "未完成原因分析",
    "得分计算方法",
)
_FUND_ITEMS: Final = r"年度资金总额[::]?|其中[::][^\d::]{2,14}?(?:拨款|资金)|上年结转资金|其他资金"


@lru_cache(maxsize=1)
def _labels() -> re.Pattern:
    words = {w for w, _ in chain(HEADER_FIELDS, FUND_HEADERS, INDICATOR_HEADERS)} | set(_EXTRA_LABELS)
    levels = {name for t in TEMPLATES for name in t.families}
    levels |= {f"{key}指标" for t in TEMPLATES for family in t.families.values() for key in family}
    plain = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    level = "|".join(re.escape(w) for w in sorted(levels, key=len, reverse=True))
    totals = "|".join(TOTAL_LABELS)
    return re.compile(rf"{_FUND_ITEMS}|(?:{plain}){_NOTE}{_POINTS}|(?:{level}){_POINTS}|(?:{totals})|注[::]|…+|\.{{3,}}")


def fused(line: str) -> bool:
    """A long line whose indicator headings run together (`一级指标二级指标`): a page's text with
    its table separators gone."""
    return len(line) >= 200 and "指标二级" in simplified(line)


def cut(line: str) -> list[str]:
    """The line cut into labels and the runs of values between them (ellipses dropped)."""
    parts, at = [], 0
    for match in _labels().finditer(line):
        if match.start() > at:
            parts.append(line[at:match.start()])
        if not match.group().startswith(("…", "...")):
            parts.append(match.group())
        at = match.end()
    if at < len(line):
        parts.append(line[at:])
    return [part for part in (p.strip().lstrip("::") for p in parts) if part]


@dataclass(frozen=True)
class Split:
    cells: tuple[str, ...]
    score: float  # how well the split fits (see _plausibility)
    uncertain: bool  # other splits fit too and no arithmetic confirms this one


_NUMBER: Final = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?$")
_WORDS: Final = re.compile(r"[\u4e00-\u9fff]")
_KINDS: Final = {"execution_rate": "rate", "target": "value", "actual": "value", "level3": "name", "item": "name",
          "shortfall_reason": "text", "reason": "text", "scoring_method": "text"}


def segment(run: str, roles: tuple[str, ...]) -> Split | None:
    """Split `run` into consecutive cells for the columns `roles` (trailing columns may stay
    empty); the split that fits best, or None when none fits."""
    best: list[tuple[float, tuple[str, ...]]] = []
    for cells in _splits(run, tuple(_KINDS.get(r, "number") for r in roles)):
        score = _plausibility(dict(zip(roles, cells)))
        if score is not None:
            best.append((score, cells))
    if not best:
        return None
    score, cells = max(best, key=lambda b: b[0])
    return Split(cells, score, len(best) > 1 and not _confirmed(dict(zip(roles, cells))))


_ROW_COST: Final = 3.0  # one row more must fit clearly better than one row fewer


def segment_rows(run: str, roles: tuple[str, ...]) -> list[Split] | None:
    """Split a run holding one or more whole rows (`水标尺10≥266米≥266米10水标尺宽度10…`): rows end
    where a figure is followed by words; the split whose rows fit best overall."""
    ends = [i + 1 for i in range(len(run) - 1) if (run[i].isdigit() or run[i] == "%") and _WORDS.match(run[i + 1])]
    ends.append(len(run))
    needed = len([r for r in roles if _KINDS.get(r, "number") != "text"])  # whole rows only

    # The best rows from each place a row can start to the end of the run, the last place first.
    best: dict[int, tuple[float, tuple[Split, ...]] | None] = {len(run): (0.0, ())}
    for start in sorted({0, *ends[:-1]} - {len(run)}, reverse=True):
        options = []
        for end in (e for e in ends if e > start):
            first, rest = segment(run[start:end], roles), best[end]
            if first is not None and rest is not None and len(first.cells) >= needed:
                options.append((first.score - _ROW_COST + rest[0], (first, *rest[1])))
        best[start] = max(options, key=lambda o: o[0]) if options else None
    found = best[0]
    return list(found[1]) if found else None


def _splits(run: str, kinds: tuple[str, ...], limit: int = 20000):
    """Every way to cut `run` into at most len(kinds) valid cells, in order."""
    for n, cells in enumerate(_walk(run, kinds, 0, 0, ())):
        if n >= limit:
            return
        yield cells


def _walk(run: str, kinds: tuple[str, ...], at: int, k: int, cells: tuple[str, ...]):
    """The cuts of `run` from `at` into cells of kinds[k:], after `cells`. Not nested in _splits:
    compiled, a nested function and the variables it shares hold each other, a cycle only the
    garbage collector frees (see filings.parse._collect_young)."""
    if at == len(run):
        yield cells
        return
    if k == len(kinds):
        return
    last = k == len(kinds) - 1 or all(kind == "text" for kind in kinds[k + 1:])
    ends = [len(run)] if kinds[k] == "text" and last else range(at + 1, len(run) + 1)
    for end in ends:
        part = run[at:end]
        if _valid(part, kinds[k]):
            yield from _walk(run, kinds, end, k + 1, cells + (part,))


def _valid(part: str, kind: str) -> bool:
    if kind == "number":
        return bool(_NUMBER.match(part))
    if kind == "rate":
        return part.endswith("%") and bool(_NUMBER.match(part[:-1]))
    if kind == "value":  # a measure, or a few words (显著提升)
        return not (part[0] == "0" and part[1:2].isdigit()) and (
            len(part) <= 8 or parse_measure(part).kind in ("quantity", "period"))
    if kind == "name":  # the figures after a name start with a digit or an operator
        return len(part) >= 3 and not (part[-1].isdigit() or part[-1] in "≥≤><=%.")
    return bool(_WORDS.search(part)) and not part[0] in "0123456789.%"  # a reason starts with words


def _confirmed(cells: dict[str, str]) -> bool:
    """Arithmetic or repetition backs the split: B/A equals the rate, B equals A, or the actual
    repeats the target."""
    base = parse_number(cells.get("budget_adjusted")) or parse_number(cells.get("budget_initial"))
    spent = parse_number(cells.get("spent"))
    return (("execution_rate" in cells and bool(base) and spent is not None) or (base is not None and spent == base)
            or ("target" in cells and cells.get("target") == cells.get("actual")))


def _plausibility(cells: dict[str, str]) -> float | None:
    """How well a split fits: None when arithmetic rules it out, higher for a better fit."""
    number = {role: parse_number(text) for role, text in cells.items()}
    # An indicator row fills its columns; a fund sub-row often leaves its weight and score empty.
    score = (0.5 if "level3" in cells else -0.25) * len(cells) + 0.01 * len(cells.get("level3", ""))  # names run long
    base, spent = number.get("budget_adjusted") or number.get("budget_initial"), number.get("spent")
    if "execution_rate" in cells and base and spent is not None:
        rate = parse_rate(cells["execution_rate"])
        if rate is None or abs(spent / base - rate.value) > 0.005:
            return None
        score += 3
    if base is not None and spent == base:
        score += 1  # spent in full, the common case
    for role, value in number.items():
        decimals = len(cells[role].partition(".")[2]) if value is not None else 0
        score -= 0.5 * max(0, decimals - (1 if role in ("weight", "score") else 2))  # 54.74105 分?
    weight, points = number.get("weight"), number.get("score")
    if weight is not None and (weight > 100 or (points is not None and points > weight)):
        return None
    target, actual = cells.get("target"), cells.get("actual")
    if target is not None and target == actual:
        score += 2  # a target met as written
    written = [(text, parse_measure(text)) for text in (target, actual) if text]
    measures = [measure for _, measure in written]
    if len(measures) == 2 and all(m.kind == "quantity" for m in measures) and measures[0].unit != measures[1].unit:
        score -= 1  # 10 | 0%: a number cut in two
    for text, measure in written:
        if measure.kind == "qualitative" and any(ch.isdigit() for ch in text):
            score -= 1  # a number glued to words: more likely a split too few
        elif measure.kind == "quantity":
            score += 0.5
    return score
