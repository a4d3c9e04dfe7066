"""Rebuild a form whose cells were dumped in the order a sheet is drawn, line by line.

Some converters read a spreadsheet as it looks on the page: a line of each cell across a drawn
row, a wrapped cell's next line after its neighbours', a merged area (a vertical 一级 label, the
项目资金 block) wherever its middle falls. Labels and values come apart: the funds figures follow
all the block's headings, a header label's value lands inside the indicator table, some
indicators' figures come before their names, and words are cut where their cell wraps
(`纳入医 保统筹`, `效益指 标(30 分)`, `服务对象满 … 意度指标`).

What survives is the order within each kind of cell: fund items in order and their figures in
order; indicator names in order and their figures (target, actual, weight, score) in order, the
total's two last. The rebuild pairs them in that order, and only when the counts agree; else it
gives up and the form stays partial with no figure guessed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from filings.align import UNIT_NOTE
from filings.grid import Row, present, row_of
from filings.reflow import Token, preamble
from filings.templates import (
    FUND_HEADERS,
    FUND_ITEM,
    GOAL_BLOCK,
    GOAL_LABELS,
    HEADER_LABELS,
    INDICATOR_HEADERS,
    TOTAL_LABELS,
    Template,
    choose_template,
    name_key,
)
from filings.values import parse_measure

# The indicator table's columns in the national form, the one family seen dumped so; its figures
# come in this order after the names.
_HEADER: Final = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
_FIGURES: Final = 4  # an indicator's: target, actual, weight, score
_TOTAL_FIGURES: Final = 2  # the total's: weight, score
_NAME: Final = re.compile(r"^指标\d+[::]")
_POINTS_PIECE: Final = re.compile(r"^[((]?\d*分?[))]?$")  # `(10分`, `)`: a label's points cut off it
_HEADINGS: Final = tuple(word for word, _ in (*INDICATOR_HEADERS, *FUND_HEADERS)) + ("绩效指标",)
_WORDS: Final = (*_HEADINGS, *GOAL_BLOCK, *GOAL_LABELS)
_JOIN: Final = 4  # a label is cut into at most this many pieces;
_PIECE: Final = 4  # the later of which are short: lines of a narrow cell (`施`, `(50分`)
_DASHES: Final = ("—", "-", "——", "/")  # an empty figure cell; not 无, which is also a reason as written


def rebuild(tokens: list[Token]) -> list[Row] | None:
    """The form's rows (header fields, funds, goals, indicators, total), or None when its cells
    do not pair up so."""
    keys = [t.key for t in tokens]
    funds = next((i for i, k in enumerate(keys) if k.startswith("项目资金")), None)
    goals = next((i for i, k in enumerate(keys) if k in GOAL_LABELS), None)
    table = next((i for i, k in enumerate(keys[:-1]) if k != "一级指标" and k + keys[i + 1] == "一级指标"), None)
    if funds is None or goals is None or table is None or not funds < goals < table:
        return None
    line = tokens[funds].line
    template = choose_template(list(_HEADER), [t.text for t in tokens[table:]])
    unvalued: list[str] = []  # header labels among the fund headings, their values elsewhere
    fund_rows = _funds(tokens[funds:goals], unvalued)
    found = _indicators(_joined(tokens[table:], template), template, line)
    if fund_rows is None or found is None:
        return None
    indicator_rows, orphans = found
    rows = preamble(tokens[:funds])
    if len(orphans) == len(unvalued):  # the values, in order, of the labels left without one
        rows += present(row_of(line, [label, value]) for label, value in zip(unvalued, orphans))
    return [*rows, *fund_rows, *_goals(_joined(tokens[goals:table], template), line), *indicator_rows]


def _figure(key: str) -> bool:
    return key in _DASHES or parse_measure(key).kind == "quantity"


def _funds(tokens: list[Token], unvalued: list[str]) -> list[Row] | None:
    """The heading row and a row per item. A run of figures right after an item is its own; the
    runs after the headings go, in equal shares, to the items without one, in order. Figures
    fill an item's row from the last column (a blank 年初预算数 is what drops out)."""
    label = tokens[0].text
    headings: list[str] = []
    items: list[str] = []
    runs: list[tuple[int | None, list[str]]] = []  # (the item a run follows, its figures)
    previous = None
    for token in tokens[1:]:
        if _figure(token.key):
            if previous != "figure":
                runs.append((len(items) - 1 if previous == "item" else None, []))
            runs[-1][1].append(token.text)
            previous = "figure"
            continue
        if FUND_ITEM.match(token.key):
            items.append(token.text)
            previous = "item"
            continue
        if UNIT_NOTE.match(token.key):
            label += token.text  # 项目资金 (万元)
        elif token.key.startswith(HEADER_LABELS):
            unvalued.append(token.text)
        elif token.key.startswith(_HEADINGS):
            headings.append(token.text)
        else:
            return None
        previous = None
    owned = {item: figures for item, figures in runs if item is not None}
    shared = [figure for item, figures in runs if item is None for figure in figures]
    rest = [i for i in range(len(items)) if i not in owned]
    if shared:
        if not rest or len(shared) % len(rest):
            return None
        share = len(shared) // len(rest)
        owned |= {item: shared[n * share:(n + 1) * share] for n, item in enumerate(rest)}
    width = len(headings)
    if not items or any(len(figures) > width for figures in owned.values()):
        return None
    line = tokens[0].line
    return present([row_of(line, [label, *headings]), *(
        row_of(line, [item, *[None] * (width - len(owned.get(i, []))), *owned.get(i, [])])
        for i, item in enumerate(items))])


def _goals(tokens: list[Token], line: int) -> list[Row]:
    """The goal labels' row under the block label, and their texts; a wrapped text's later lines
    come after the first lines of all, and are joined to the last."""
    labels = [t.text for t in tokens if t.key in GOAL_LABELS]
    texts = [t.text for t in tokens if t.key not in GOAL_LABELS and not t.key.startswith(GOAL_BLOCK)]
    if not labels or not texts:
        return []
    texts = texts[:len(labels) - 1] + ["".join(texts[len(labels) - 1:])]
    return present([row_of(line, [GOAL_BLOCK[0], *labels]), row_of(line, [None, *texts])])


def _label(text: str, template: Template) -> bool:
    key = text.replace(" ", "")
    return template.level1(key) is not None or template.level2(key) is not None or key.startswith(_WORDS)


def _joined(tokens: list[Token], template: Template) -> list[Token]:
    """Labels cut where their cell wraps joined back (`效益指` `标(30` `分)`): the longest run of
    pieces that makes a label, no piece a figure or a name, none after the first a label itself
    or longer than a narrow cell's line."""
    out, i = [], 0
    while i < len(tokens):
        for n in range(min(_JOIN, len(tokens) - i), 1, -1):
            pieces = tokens[i:i + n]
            if any(_figure(t.key) or _NAME.match(t.key) for t in pieces) or any(
                    len(t.key) > _PIECE or _label(t.text, template) for t in pieces[1:]):
                continue
            text = "".join(t.text for t in pieces)
            if _label(text, template):
                out.append(Token(pieces[0].line, text))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


@lru_cache(maxsize=None)  # a handful of templates, each asked once per token
def _level2_words(template: Template) -> tuple[str, ...]:
    """The template's 二级 labels as printed (数量指标, 服务对象满意度指标 …)."""
    return tuple(f"{key}指标" for family in template.families.values() for key in family)


@lru_cache(maxsize=None)
def _vocabulary(template: Template) -> tuple[str, ...]:
    """The words a cut piece may be the start or end of: headings and the template's labels."""
    return (*_HEADINGS, *template.families, *_level2_words(template))


def _level2(text: str, template: Template) -> str | None:
    """A 二级 label, whole or the first line of one cut by its cell (`服务对象满` → 服务对象满意度指标)."""
    if template.level2(text) is not None:
        return text
    key = text.replace(" ", "")
    if len(key) < 4:
        return None
    return next((word for word in _level2_words(template) if word.startswith(key)), None)


def _fragment(key: str, template: Template) -> bool:
    """A piece of a heading or label cut off it (`年度`, `完成值`, `意度指标`, `(10分`, `)`)."""
    return bool(_POINTS_PIECE.match(key)) or key.startswith(_HEADINGS) or (len(key) >= 2 and any(
        word != key and (word.startswith(key) or word.endswith(key)) for word in _vocabulary(template)))


def _indicators(tokens: list[Token], template: Template, line: int) -> tuple[list[Row], list[str]] | None:
    """The indicator rows and the total row, and the texts that belong to no indicator (a header
    label's value); None unless the figures make exactly four an indicator and two for the total."""
    names: list[list[str]] = []  # each name's pieces
    levels: list[str | None] = []  # the 二级 label standing before each name
    figures: list[str] = []
    reasons: dict[int, list[str]] = {}  # by figure group
    orphans: list[str] = []
    level1: dict[str, str] = {}  # 一级 labels as printed, by the name they stand for
    level2 = previous = None
    for token in tokens:
        text, key = token.text, token.key
        if _figure(key):
            figures.append(text)
            kind = "figure"
        elif _NAME.match(key):
            names.append([text])
            levels.append(level2)
            kind = "name"
        elif (stands_for := template.level1(text)) is not None:
            level1[stands_for] = text
            kind = "label"
        elif (full := _level2(text, template)) is not None:
            level2, kind = full, "label"
        elif key.startswith(TOTAL_LABELS) or _fragment(key, template):
            kind = "label"
        elif previous in ("name", "continued"):
            names[-1].append(text)
            kind = "continued"
        elif previous in ("figure", "reason") and figures and len(figures) % _FIGURES == 0:
            reasons.setdefault(len(figures) // _FIGURES - 1, []).append(text)
            kind = "reason"
        else:
            orphans.append(text)
            kind = "orphan"
        previous = kind
    if not names or len(figures) != _FIGURES * len(names) + _TOTAL_FIGURES:
        return None
    rows = [row_of(line, list(_HEADER))]
    for i, (name, level) in enumerate(zip(names, levels)):
        family = template.family_of(name_key(level)) if level else None
        first = family is not None and family not in {template.family_of(name_key(x)) for x in levels[:i] if x}
        row = [level1.get(family) if first and family is not None else None, level, "".join(name),
               *figures[i * _FIGURES:(i + 1) * _FIGURES], "".join(reasons.get(i, [])) or None]
        rows.append(row_of(line, row))
    rows.append(row_of(line, ["总分", *[None] * (_HEADER.index("分值") - 1), *figures[-_TOTAL_FIGURES:]]))
    return present(rows), orphans
