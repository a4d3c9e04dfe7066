"""Scoring bands printed on a form, read and applied.

Department-wide tables print bands on |B−A| (`|B-A|≤10,得15分;10<|B-A|≤20,得10分 …`); some
project forms print bands on the actual value (`预算执行率≥90%得10分;90%>预算执行率≥80%得5分 …`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import polars as pl

from filings.text import clean

_SCORE = re.compile(r"得\s*(\d+(?:\.\d+)?)\s*分")
_VARIABLE = re.compile(r"\|?B\s*-\s*A\|?|[\u4e00-\u9fff\s]+")
_LOWER = re.compile(r"(\d+(?:\.\d+)?)%?(<|≤|>|≥)x")
_UPPER = re.compile(r"x(<|≤|>|≥)(\d+(?:\.\d+)?)%?")


@dataclass(frozen=True)
class Band:
    low: float  # the band holds values v with low < v (or ≤ when low_closed) …
    low_closed: bool
    high: float  # … and v < high (or ≤ when high_closed)
    high_closed: bool
    score: float

    def holds(self, value: float) -> bool:
        above = value >= self.low if self.low_closed else value > self.low
        below = value <= self.high if self.high_closed else value < self.high
        return above and below


@dataclass(frozen=True)
class BandRule:
    on_difference: bool  # bands on |B−A| rather than on B
    bands: tuple[Band, ...]

    def score(self, target: float | None, actual: float | None) -> float | None:
        if actual is None or (self.on_difference and target is None):
            return None
        value = abs(actual - target) if self.on_difference else actual
        return next((band.score for band in self.bands if band.holds(value)), None)


def parse_bands(text: str | None) -> BandRule | None:
    """The bands of a printed rule, or None when the text is not a band table (two bands at least)."""
    s = clean(text)
    if not s:
        return None
    bands = []
    for segment in re.split(r"[;。]", s):
        score = _SCORE.search(segment)
        if not score:
            continue
        condition = _VARIABLE.sub("x", segment[: score.start()].strip(" ,,"))
        condition = re.sub(r"x+", "x", condition)
        band = _bounds(condition, float(score.group(1)))
        if band is None:
            return None
        bands.append(band)
    if len(bands) < 2:
        return None
    return BandRule("B-A" in s.replace(" ", ""), tuple(bands))


def _bounds(condition: str, score: float) -> Band | None:
    low, low_closed, high, high_closed = -math.inf, False, math.inf, False
    lower, upper = _LOWER.search(condition), _UPPER.search(condition)
    if lower is None and upper is None:
        return None
    if lower:  # `10<x` or `90%>x`
        number, op = float(lower.group(1)), lower.group(2)
        if op in "<≤":
            low, low_closed = number, op == "≤"
        else:
            high, high_closed = number, op == "≥"
    if upper:  # `x≤20` or `x≥80%`
        op, number = upper.group(1), float(upper.group(2))
        if op in "<≤":
            high, high_closed = number, op == "≤"
        else:
            low, low_closed = number, op == "≥"
    return Band(low, low_closed, high, high_closed, score)


def band_score() -> pl.Expr:
    """The score a row's printed band table gives its target and actual (null without one)."""
    def apply(row: dict) -> float | None:
        rule = parse_bands(row["scoring_method"])
        return rule.score(row["target_value"], row["actual_value"]) if rule else None

    return pl.struct("scoring_method", "target_value", "actual_value").map_elements(apply, return_dtype=pl.Float64)
