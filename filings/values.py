"""Parse the values written in cells: amounts, rates, targets and actuals, years in periods."""

from __future__ import annotations

import re
from typing import Final

from filings.text import clean, remembered

_NUMBER: Final = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_FULL_NUMBER: Final = re.compile(rf"^{_NUMBER.pattern}$")


def parse_number(text: str | None) -> float | None:
    """A cell that holds one plain number (`199.433563`, `1,200`), else None. Forms repeat their
    figures and labels: each text is read once."""
    if not text:
        return None
    if text in _NUMBERS:
        return _NUMBERS[text]
    return remembered(_NUMBERS, text, _parse_number(text))


_NUMBERS: Final[dict[str, float | None]] = {}


def _parse_number(text: str) -> float | None:
    s = clean(text)
    if not _FULL_NUMBER.match(s):
        return None
    return float(s.replace(",", ""))


def is_number(text: str | None) -> bool:
    return parse_number(text) is not None


class Rate:
    """An execution rate as a fraction (1.0 = 100%) and the tolerance its printed precision allows."""

    def __init__(self, value: float, tolerance: float) -> None:
        self.value = value
        self.tolerance = tolerance


def parse_rate(text: str | None) -> Rate | None:
    """`100%`, `100 %`, `98.10%`, `0.958`, `1` or `79.27` → a fraction.

    Without a % sign a value above 2 is read as percent points (`79.27`), otherwise as a fraction.
    The tolerance is one unit of the last printed digit, so rounding and truncation both pass.
    """
    s = clean(text)
    percent = s.endswith("%")
    body = s[:-1] if percent else s
    if not _FULL_NUMBER.match(body):
        return None
    number = float(body.replace(",", ""))
    decimals = len(body.split(".")[1]) if "." in body else 0
    unit = 10.0 ** -decimals
    if percent or number > 2:
        return Rate(number / 100, unit / 100)
    return Rate(number, unit)


class Measure:
    """A target or actual split into kind, operator, number and unit; `raw` is the cell as written."""

    def __init__(self, raw: str, kind: str, op: str | None = None, value: float | None = None,
                 unit: str | None = None) -> None:
        self.raw = raw
        self.kind = kind  # quantity / period / qualitative / empty
        self.op = op
        self.value = value
        self.unit = unit


_OP_PREFIX: Final = re.compile(r"^(≥|≤|>=|<=|>|<|=|不低于|不少于|不高于|不超过|大于等于|小于等于)")
_OP_WORDS: Final = {">=": "≥", "<=": "≤", "不低于": "≥", "不少于": "≥", "大于等于": "≥",
             "不高于": "≤", "不超过": "≤", "小于等于": "≤"}
_OP_SUFFIX: Final = {"以内": "≤", "以下": "≤", "内": "≤", "以上": "≥"}
_UNIT: Final = re.compile(r"^[%‰A-Za-z\u4e00-\u9fff/·.]{1,8}$")
_UNIT_NOTE: Final = re.compile(r"\([^()]*\)$")  # the unit explained after it (NFKC made the brackets ASCII)
_PERIOD: Final = re.compile(
    r"^(?:19|20)\d{2}年(?:度|底前?|末|初|内|全年|上半年|下半年|\d{1,2}(?:月|[-~至—]\d{1,2}月)|"
    r"\d{1,2}月\d{1,2}日)"
)
_DATE: Final = re.compile(r"^(?:19|20)\d{2}[-./]\d{1,2}(?:[-./]\d{1,2})?$")
_PLACEHOLDER: Final = {"", "-", "—", "/", "无", "——"}


def parse_measure(text: str | None) -> Measure:
    """Read a 年度指标值 / 实际完成值 cell: `≥3000 起`, `≤100%`, `3小时内`, `2024年1-12月`, `逐年上升`."""
    key = text or ""
    done = _MEASURES.get(key)
    return done if done is not None else remembered(_MEASURES, key, _parse_measure(key))


_MEASURES: Final[dict[str, Measure]] = {}


def _parse_measure(text: str) -> Measure:
    raw = text.strip()
    s = clean(raw)
    if s in _PLACEHOLDER:
        return Measure(raw, "empty")
    if _PERIOD.match(s) or _DATE.match(s):
        return Measure(raw, "period")
    op = None
    rest = s
    prefix = _OP_PREFIX.match(rest)
    if prefix:
        op = _OP_WORDS.get(prefix.group(1), prefix.group(1))
        rest = rest[prefix.end():]
    number = _NUMBER.match(rest)
    if not number:
        return Measure(raw, "qualitative", op)
    unit = _UNIT_NOTE.sub("", rest[number.end():]) or rest[number.end():]  # %(百分比) → %
    for suffix, suffix_op in _OP_SUFFIX.items():
        if unit.endswith(suffix) and op is None:
            op, unit = suffix_op, unit[: -len(suffix)]
            break
    if unit and not _UNIT.match(unit):
        return Measure(raw, "qualitative", op)
    return Measure(raw, "quantity", op, float(number.group().replace(",", "")), unit or None)


# A year that dates something: `2025年1-12月`, `2024年底`, `2024年度`, `2025.01`, `2024-12-31`; not
# an amount (`2000元`) nor a comparison base (`较2023年`). Written for both Python's and Polars'
# (Rust) regex engines, so no look-around: the year is capture group 1.
PERIOD_YEAR: Final = (
    r"(?:^|[^\d较比上同])((?:19|20)\d{2})\s*(?:年\s*(?:度|底|末|初|内|全年|上半年|下半年|\d{1,2}\s*[-—~至月])"
    r"|[-./]\d{1,2}(?:[-./]\d{1,2})?(?:$|[^\d万元%千亿.]))"
)
_TITLE_YEAR: Final = re.compile(r"((?:19|20)\d{2})\s*年")


def title_year(text: str | None) -> int | None:
    """The year a form's title or sub-title names: `(2024年度)`, `( 2024 年度 )`, `(2024年)`."""
    match = _TITLE_YEAR.search(clean(text))
    return int(match.group(1)) if match else None


def measure_fields(raw: str | None) -> tuple[str | None, str | None, str, str | None, float | None, str | None]:
    """`≥3000 起` → (raw, text, kind, op, value, unit): a target's or an actual's columns, in the
    order of the records' fields (target_raw, target_text, target_kind …)."""
    key = raw or ""
    done = _FIELDS.get(key)
    if done is None:
        measure = parse_measure(key)
        done = remembered(_FIELDS, key, (key or None, clean(key) or None, measure.kind, measure.op, measure.value,
                                         measure.unit))
    return done


_FIELDS: Final[dict[str, tuple[str | None, str | None, str, str | None, float | None, str | None]]] = {}
