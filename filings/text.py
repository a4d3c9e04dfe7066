"""Cell text normalisation: what a converter did to the words, undone.

Converters leave HTML (`<b>总 分</b>`), LaTeX (`$ |B-A| \\leq 10$`), full-width forms and stray
spaces inside words (`年初预 算数`, `100 %`); some filings come in traditional characters. `clean`
gives the text a reader would see; `compact` removes every space, for matching labels.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, TypeVar

import opencc

# Only real tag names: `<B-A≤30,得5分;B-A>` is arithmetic, not markup.
_HTML_TAG: Final = re.compile(
    r"</?(?:b|i|u|s|br|p|span|div|strong|em|sup|sub|font|td|tr|th|table|thead|tbody)(?=[\s/>])[^<>]*>", re.I)
_LATEX: Final = {
    r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥", r"\lt": "<", r"\gt": ">",
    r"\times": "×", r"\%": "%", r"\left": "", r"\right": "", "$": "",
}
_LATEX_MARKS: Final = frozenset(latex[0] for latex in _LATEX)  # a backslash, `$`: a text with neither has no LaTeX
# Look-alike operators that NFKC leaves alone (full-width and box-drawing forms seen in filings).
_OPERATORS: Final = str.maketrans({"≧": "≥", "≦": "≤", "═": "=", "﹦": "=", "＝": "="})
_LOOK_ALIKE: Final = re.compile("[" + "".join(map(chr, _OPERATORS)) + "]")
_ASCII_ALNUM: Final = re.compile(r"[A-Za-z0-9]")
_TO_SIMPLIFIED: Final = opencc.OpenCC("t2s")
K = TypeVar("K")
V = TypeVar("V")


def simplified(text: str) -> str:
    """績效自評表 → 绩效自评表: one vocabulary for every filing."""
    return _TO_SIMPLIFIED.convert(text)
# OCR slips seen in scanned-then-converted filings.
_OCR_SLIPS: Final = {"万兀": "万元", "亿兀": "亿元"}


def remembered(cache: dict[K, V], key: K, value: V, limit: int = 1 << 16) -> V:
    """`value`, kept in `cache` under `key` (the cache emptied first when it holds `limit`). The
    parser's memos looked up at every cell or row are plain dicts, looked up by compiled code: a
    call through lru_cache cost more than the lookup it saves."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value


def clean(text: str | None) -> str:
    """Normalise one cell: strip markup, NFKC, unify operators, traditional characters to
    simplified, drop spaces a converter inserted.

    A space survives only between two ASCII letters or digits (`5 G`); Chinese text has none.
    Forms repeat their labels and values: each text is cleaned once.
    """
    if not text:
        return ""
    done = _CLEANED.get(text)
    return done if done is not None else remembered(_CLEANED, text, _clean(text))


def _clean(text: str) -> str:
    s = _HTML_TAG.sub("", text) if "<" in text else text
    if any(mark in s for mark in _LATEX_MARKS):
        for latex, plain in _LATEX.items():
            s = s.replace(latex, plain)
    s = unicodedata.normalize("NFKC", s)
    if _LOOK_ALIKE.search(s):  # translate looks every character up: a search costs a fifth of it
        s = s.translate(_OPERATORS)
    if not s.isascii():  # neither changes ASCII text (a fifth of new texts: figures, codes)
        s = simplified(s)
        for slip, right in _OCR_SLIPS.items():
            s = s.replace(slip, right)
    parts = s.split()
    if not parts:
        return ""
    out = parts[0]
    for part in parts[1:]:
        if _ASCII_ALNUM.match(out[-1]) and _ASCII_ALNUM.match(part[0]):
            out += " "
        out += part
    return out


def compact(text: str | None) -> str:
    """`clean` without any space at all: the key for matching labels such as 年初预算数."""
    if not text:
        return ""
    done = _COMPACTED.get(text)
    return done if done is not None else remembered(_COMPACTED, text, clean(text).replace(" ", ""))


_CLEANED: Final[dict[str, str]] = {}
_COMPACTED: Final[dict[str, str]] = {}


_POINTS: Final = re.compile(r"[((]\s*(\d+(?:\.\d+)?)\s*分\s*[))]")


def split_points(label: str) -> tuple[str, float | None]:
    """`产出指标 (40分)` → (`产出指标`, 40.0): a section label and the points it states."""
    done = _SPLIT.get(label)
    return done if done is not None else remembered(_SPLIT, label, _split_points(label), 1 << 14)


_SPLIT: Final[dict[str, tuple[str, float | None]]] = {}


def _split_points(label: str) -> tuple[str, float | None]:
    text = compact(label)
    match = _POINTS.search(text)
    if not match:
        return text, None
    return (text[: match.start()] + text[match.end():]), float(match.group(1))
