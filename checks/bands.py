"""Scoring bands printed on a form, read and applied.

Department-wide tables print bands on |B−A| (`|B-A|≤10,得15分;10<|B-A|≤20,得10分 …`); some
project forms print bands on the actual value (`预算执行率≥90%得10分;90%>预算执行率≥80%得5分 …`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

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


@dataclass(frozen=True)
class BandRule:
    on_difference: bool  # bands on |B−A| rather than on B
    bands: tuple[Band, ...]  # tried in order: the first that holds the value gives the score


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


_BAND = {"order": pl.Int64, "on_difference": pl.Boolean, "low": pl.Float64, "low_closed": pl.Boolean,
         "high": pl.Float64, "high_closed": pl.Boolean, "score": pl.Float64}


@lru_cache(maxsize=4096)
def _bands_of(text: str) -> tuple[dict, ...]:
    """The bands of a printed rule as rows, in the order they are tried (none when it is no band table)."""
    rule = parse_bands(text)
    return tuple({"order": i, "on_difference": rule.on_difference, **vars(band)}
                 for i, band in enumerate(rule.bands)) if rule else ()


def band_score() -> pl.Expr:
    """The score a row's printed band table gives its target and actual (null without one)."""
    return pl.struct("scoring_method", "target_value", "actual_value").map_batches(
        _band_scores, return_dtype=pl.Float64, is_elementwise=True)


def _band_scores(batch: pl.Series) -> pl.Series:
    """Band scores of a batch of rows: each row against the bands of its printed rule, the first
    band that holds its value (|B−A| or B) giving the score. Only the rows whose rule is a band
    table meet the bands; their scores are put in place in a batch of nulls (most rows have none)."""
    rows = batch.struct.unnest()
    texts = rows["scoring_method"].drop_nulls().unique()
    bands = pl.DataFrame([{"scoring_method": text, **band} for text in texts for band in _bands_of(text)],
                         schema={"scoring_method": pl.String, **_BAND})
    scores = pl.repeat(None, len(rows), dtype=pl.Float64, eager=True).alias("score")
    if bands.is_empty():
        return scores
    target, actual = pl.col("target_value"), pl.col("actual_value")
    value = pl.when(pl.col("on_difference")).then((actual - target).abs()).otherwise(actual)
    above = pl.when(pl.col("low_closed")).then(value >= pl.col("low")).otherwise(value > pl.col("low"))
    below = pl.when(pl.col("high_closed")).then(value <= pl.col("high")).otherwise(value < pl.col("high"))
    scored = (rows.with_row_index("row").filter(pl.col("scoring_method").is_in(bands["scoring_method"].implode()))
              .join(bands, on="scoring_method").filter(above & below)
              .group_by("row").agg(pl.col("score").sort_by("order").first()))
    return scores.scatter(scored["row"], scored["score"])
