"""Rebuild the rows of a form whose text kept only the order of its cells.

Web pages flatten a table into one cell per line, or a whole form into one line of words. The
headers of the funds block and of the indicator table say how many columns there are and which
column holds the indicator's name; row labels (fund items, 一级/二级 names, 总分) and the width of
a row say where the next row starts. Where the flattening kept empty cells, widths are exact;
where it dropped them, a row ends once its columns up to the last score are filled.
"""

from __future__ import annotations

import re
from typing import Final

from filings.align import UNIT_NOTE
from filings.grid import Row, present, row_of
from filings.templates import (
    FUND_END,
    FUND_HEADERS,
    FUND_ITEM,
    GOAL_BLOCK,
    GOAL_LABELS,
    HEADER_LABELS,
    INDICATOR_HEADERS,
    TOTAL_LABELS,
    Template,
    choose_template,
)
from filings.fused import segment, segment_rows
from filings.split import TITLE
from filings.text import compact
from filings.values import is_number, parse_rate


class Token:
    """One cell of the flattened text: its line and its text ("" for a kept empty cell). A plain
    class, as the parser's other hot records: mypyc compiles its constructor, not a dataclass's."""

    def __init__(self, line: int, text: str, uncertain: bool = False) -> None:
        self.line = line
        self.text = text
        self.uncertain = uncertain  # cut from fused figures in one of several plausible ways
        self.key = compact(text)  # for matching labels


_FUND_LABEL: Final = re.compile(r"项目资金|资金情况|预算执行情况|年度预算|^[((]")
_GOAL_LABELS: Final = (*GOAL_BLOCK, *GOAL_LABELS)
_NUMBER_ROLES: Final = ("weight", "score")
_TEXT_ROLES: Final = ("shortfall_reason", "scoring_method")  # often left empty
_TABLE_BREAKS: Final = ("绩效指标",)
_NOTES: Final = "注:"
_ASIDES: Final = ("其他需要说明",)
_SENTENCE: Final = re.compile(r"[,。;,;]")  # punctuation of a sentence, which an indicator name lacks


def reflow(tokens: list[Token], blanks_kept: bool, fused: bool = False) -> list[Row] | None:
    """The rows rebuilt from cells in order, form by form (a title starts a form); None when no
    table header is among them. `fused` tokens may hold several cells run together
    (filings.fused), split by the columns of their block."""
    starts = [i for i, t in enumerate(tokens) if i == 0 or TITLE.search(t.key)]
    forms = [_reflow_form(tokens[a:b], blanks_kept, fused) for a, b in zip(starts, starts[1:] + [len(tokens)])]
    if all(rows is None for rows in forms):
        return None
    return [row for rows, a, b in zip(forms, starts, starts[1:] + [len(tokens)])
            for row in (rows if rows is not None else preamble(tokens[a:b]))]


def _reflow_form(tokens: list[Token], blanks_kept: bool, fused: bool) -> list[Row] | None:
    keys = [t.key for t in tokens]
    indicators = _indicator_header(keys)
    funds = _fund_header(keys, indicators if indicators is not None else len(keys))
    if indicators is None and funds is None:
        return None
    ind_label = None if indicators is None else _indicator_label(keys, indicators)
    fund_label = None if funds is None else _fund_label(keys, funds)
    rows = preamble(tokens[:fund_label if fund_label is not None else ind_label])
    if funds is not None and fund_label is not None:
        body_end = ind_label if ind_label is not None else len(tokens)
        rows += _funds(tokens, fund_label, funds, body_end, blanks_kept, fused)
    if indicators is not None and ind_label is not None:
        rows += _indicators(tokens, ind_label, indicators, blanks_kept, fused)
    return rows


def _fund_label(keys: list[str], funds: int) -> int:
    """Where the funds block starts: its label, up to two cells before the column headings."""
    at = funds
    while at > 0 and funds - at < 2 and _FUND_LABEL.search(keys[at - 1]):
        at -= 1
    return at


def _indicator_label(keys: list[str], indicators: int) -> int:
    """Where the indicator block starts: its 绩效指标 label, before the heading row or before a
    first heading row that a merged header left ahead of it (年度指标值 | 实际完成值 | 分值 …)."""
    at = indicators - 1
    words = tuple(word for word, _ in INDICATOR_HEADERS)
    while at >= 0 and keys[at].startswith(words):
        at -= 1
    return at if at >= 0 and keys[at].startswith("绩效指标") else indicators


def _indicator_header(keys: list[str]) -> int | None:
    return next((i for i, k in enumerate(keys[:-1]) if k.startswith("一级指标")
                 and keys[i + 1].startswith(("二级指标", "三级指标"))), None)


def _fund_header(keys: list[str], before: int) -> int | None:
    """Where the funds block's column headings start (年初预算数, 全年预算数 …)."""
    for i in range(before - 1):
        if keys[i].startswith(("年初预算", "全年预算", "调整后预算", "预算数")) and _header_end(keys, i, FUND_HEADERS) - i >= 3:
            return i
    return None


def _header_end(keys: list[str], start: int, headers) -> int:
    """The end of a run of column headings; a heading with a number after it is a row label."""
    words = tuple(word for word, _ in headers)
    i = start
    while i < len(keys):
        if not (UNIT_NOTE.match(keys[i]) or keys[i].startswith(words)) or keys[i].endswith((":", ":")):
            break
        if i + 1 < len(keys) and is_number(keys[i + 1]):
            break
        i += 1
    return i


def _row(line: int, cells: dict[int, Token | str]) -> Row | None:
    """A grid row from cells by column (a negative column means the row ran off the left)."""
    if not cells:
        return None
    first = min(min(cells), 0)
    values = [cells.get(col) for col in range(first, max(cells) + 1)]
    uncertain = frozenset(i for i, v in enumerate(values) if isinstance(v, Token) and v.uncertain)
    return row_of(line, [v.text if isinstance(v, Token) else v for v in values], uncertain=uncertain)


def preamble(tokens: list[Token]) -> list[Row]:
    """Title and header fields: a row starts at each title, label and goal label."""
    groups: list[list[Token]] = []
    for token in tokens:
        if not token.key:
            continue
        if not groups or token.key.startswith((*HEADER_LABELS, *_GOAL_LABELS)) or TITLE.search(token.key):
            groups.append([])
        groups[-1].append(token)
    return [row for group in groups if (row := _row(group[0].line, dict(enumerate(t.text for t in group))))]


def _header(tokens: list[Token], label: int, start: int, headers) -> tuple[Row, int]:
    """The header row (block label at column 0, headings after it) and where it ends."""
    keys = [t.key for t in tokens]
    end = _header_end(keys, start, headers)
    cells = [" ".join(t.text for t in tokens[label:start])] if label < start else [""]
    for token in tokens[start:end]:
        if UNIT_NOTE.match(token.key):
            cells[-1] += token.text
        else:
            cells.append(token.text)
    return _header_row(tokens[start].line, cells), end


def _header_row(line: int, texts: list[str]) -> Row:
    row = _row(line, dict(enumerate(texts)))
    assert row is not None, "a header row holds its headings"
    return row


def _funds(tokens: list[Token], label: int, start: int, end: int, blanks_kept: bool, fused: bool) -> list[Row]:
    """Fund rows start at an item label (年度资金总额, 其中:财政拨款 …) or when a row is full;
    the block ends at the goals (年度总体目标), whose labels and texts make two rows."""
    header, at = _header(tokens, label, start, FUND_HEADERS)
    if fused:
        roles = tuple(_role(c.key, FUND_HEADERS) for c in header.cells[1:])
        body = _expanded(_runs(tokens[at:end], _starts_item),
                         lambda t: None if _starts_item(t) else segment(t.text, roles))
        tokens, end = tokens[:at] + body, at + len(body)
    width = len(header.cells)
    rows: list[Row | None] = [header]
    current: list[Token] = []
    while at < end and not tokens[at].key.startswith(FUND_END):
        token = tokens[at]
        if current and (FUND_ITEM.match(token.key) or (blanks_kept and len(current) == width)):
            rows.append(_row(current[0].line, dict(enumerate(current))))
            current = []
        if current or token.key:
            current.append(token)
        at += 1
    if current:
        rows.append(_row(current[0].line, dict(enumerate(current))))
    goals = [t for t in tokens[at:end] if t.key]
    labels = [t for t in goals if t.key.startswith(_GOAL_LABELS)]
    texts = [t for t in goals if not t.key.startswith(_GOAL_LABELS)]
    for group, first in ((labels, 0), (texts, 1)):
        if group:
            rows.append(_row(group[0].line, {first + i: t.text for i, t in enumerate(group)}))
    return present(rows)


def _starts_item(token: Token) -> bool:
    return bool(FUND_ITEM.match(token.key)) or token.key.startswith(FUND_END)


def _indicators(tokens: list[Token], label: int, start: int, blanks_kept: bool, fused: bool) -> list[Row]:
    """Indicator rows: a 一级/二级 label after a named row starts the next one, as does a row
    whose columns are filled; the 总分 row takes the numbers after it; what follows are notes."""
    header, at = _header(tokens, label, start, INDICATOR_HEADERS)
    if label < start - 1:  # a first heading row: its columns not split below follow the second's
        second = tokens[start:at]
        split = {_role(t.key, INDICATOR_HEADERS) for t in second}
        extra = [t.text for t in tokens[label + 1:start] if _role(t.key, INDICATOR_HEADERS) not in split]
        header = _header_row(header.line, [tokens[label].text, *(t.text for t in second), *extra])
    roles = [_role(cell.key, INDICATOR_HEADERS) for cell in header.cells[1:]]
    template = choose_template([c.key for c in header.cells], [t.text for t in tokens[at:]])
    if fused:
        tokens = tokens[:at] + _split_fused_rows(tokens[at:], roles, template)
    name_col = roles.index("level3") + 1 if "level3" in roles else 1
    number_cols = [i + 1 for i, role in enumerate(roles) if role in _NUMBER_ROLES]
    filled_cols = [i + 1 for i, role in enumerate(roles) if role not in _TEXT_ROLES]
    last_col = len(roles) if blanks_kept or not filled_cols else (number_cols or filled_cols)[-1]
    rows: list[Row | None] = [header]
    current: list[Token] = []
    ranks: list[int] = []  # of current's tokens, each as it was added (see _rank)
    end = None if blanks_kept else last_col
    while at < len(tokens):
        token = tokens[at]
        if token.key.startswith(TOTAL_LABELS):
            _flush(rows, current, ranks, name_col, end)
            total, at = _total(tokens, at, number_cols, len(roles), blanks_kept)
            rows += [total, *(_row(t.line, {0: t.text}) for t in tokens[at:] if t.key)]
            break
        if token.key.startswith(_ASIDES):
            _flush(rows, current, ranks, name_col, end)
            at += 2  # 其他需要说明事项 | 无: a remark and its text, no indicator
            continue
        rank = _rank(token, template, current)
        if rank and current and (ranks[-1] or 3) >= rank:  # a label after a name, or a label of its level or below
            _flush(rows, current, ranks, name_col, end)
        current.append(token)
        ranks.append(rank)
        # The column of the cell just added, the name standing in the 三级 column.
        if not rank and name_col + len(current) - _leading_labels(ranks) - 1 >= last_col:
            if not blanks_kept and last_col < len(roles) and _reason_at(tokens, at + 1, template):
                at += 1  # a reason written after the score (因工作原因,…): the row's last cell
                current.append(tokens[at])
                ranks.append(0)  # after the name: not among the labels that lead the row
            _flush(rows, current, ranks, name_col, end)
        at += 1
    _flush(rows, current, ranks, name_col, end)
    return present(rows)


def _flush(rows: list[Row | None], current: list[Token], ranks: list[int], name_col: int, end: int | None) -> None:
    """The tokens gathered as the next row (then none gathered). A function of its own, not one
    nested in _indicators: compiled, a nested function and the variables it shares hold each other,
    a cycle only the garbage collector frees (see filings.parse._collect_young)."""
    if current:
        rows.append(_placed(current, _leading_labels(ranks), name_col, end))
        current.clear()
        ranks.clear()


def _reason_at(tokens: list[Token], at: int, template: Template) -> bool:
    """Whether the cell at `at`, after a row's score, is that row's reason rather than the next
    row's name: a sentence (an indicator name has no `。`), followed by a label, 总分 or the end."""
    if at >= len(tokens) or not _SENTENCE.search(tokens[at].key) or tokens[at].key.startswith("指标"):
        return False
    after = tokens[at + 1] if at + 1 < len(tokens) else None
    return after is None or _rank(after, template, []) > 0 or after.key.startswith((*TOTAL_LABELS, "指标"))


def _role(key: str, headers) -> str:
    """The role of a column heading; "" for a heading of no known column."""
    return next((role for word, role in headers if key.startswith(word)), "")


def _expanded(tokens: list[Token], split) -> list[Token]:
    """Tokens with each fused run replaced by its cells (`split` gives a fused.Split or None)."""
    out = []
    for token in tokens:
        found = split(token)
        out += [Token(token.line, cell, found.uncertain) for cell in found.cells] if found else [token]
    return out


def _runs(tokens: list[Token], structural) -> list[Token]:
    """Consecutive tokens between two structural ones joined back into one run: words that look
    like labels (执行率, 分值) also occur inside a cell's text."""
    out: list[Token] = []
    for token in tokens:
        if out and not structural(token) and not structural(out[-1]):
            out[-1] = Token(out[-1].line, out[-1].text + token.text)
        else:
            out.append(token)
    return out


def _split_fused_rows(tokens: list[Token], roles: list[str], template: Template) -> list[Token]:
    """Indicator runs split into whole rows from the name on, the 总分 run into 分值 and 得分;
    the notes after it stay as they are."""
    row_roles = tuple(roles[roles.index("level3"):]) if "level3" in roles else tuple(roles)
    total_roles = tuple(r for r in roles if r in _NUMBER_ROLES)
    out: list[Token] = []
    tokens = _runs(tokens, lambda t: _rank(t, template, []) or t.key.startswith((*TOTAL_LABELS, *_TABLE_BREAKS, _NOTES)))
    for i, token in enumerate(tokens):
        if token.key.startswith(_TABLE_BREAKS):
            continue  # the block label repeated after a page break
        if token.key.startswith((*TOTAL_LABELS, _NOTES)):
            rest = tokens[i + 1:]
            total = segment(rest[0].text, total_roles) if rest and total_roles else None
            cells = [Token(rest[0].line, c, total.uncertain) for c in total.cells] if total else rest[:1]
            return out + [token, *cells, *rest[1:]]
        if _rank(token, template, out):
            out.append(token)
            continue
        rows = segment_rows(token.text, row_roles)
        out += [Token(token.line, c, split.uncertain) for split in rows for c in split.cells] if rows else [token]
    return out


def _rank(token: Token, template: Template, before: list[Token]) -> int:
    """1 for a 一级 label, 2 for a 二级 label, 0 for any other cell; a name that is both
    (满意度指标) is 二级 right after a 一级 label. Such names in a row alternate from the rank of
    the cell before them, found by walking back (no copies of `before`, no recursion)."""
    rank = _plain_rank(token, template)
    if rank != 3:
        return rank
    at = len(before)
    while at and (rank := _plain_rank(before[at - 1], template)) == 3:
        at -= 1
    rank = rank if at else 0  # the rank of the cell before the names that are both
    for _ in range(len(before) - at + 1):
        rank = 2 if rank == 1 else 1
    return rank


def _plain_rank(token: Token, template: Template) -> int:
    """1 for a 一级 label, 2 for a 二级 label, 3 for a name that is both, 0 for any other cell."""
    if not token.key:
        return 0
    return (template.level1(token.text) is not None) + 2 * (template.level2(token.text) is not None)


def _leading_labels(ranks: list[int]) -> int:
    """How many 一级/二级 labels a row starts with, by its tokens' ranks."""
    for i, rank in enumerate(ranks):
        if not rank:
            return i
    return len(ranks)


def _placed(row: list[Token], labels: int, name_col: int, score_col: int | None) -> Row | None:
    """Cells placed around the name: the row's `labels` before it, values after it, in their
    columns. A short row ending in a figure where empty cells were dropped (a qualitative target
    without 指标性质 and 度量单位) ends in `score_col`: its figures are its weight and score."""
    cols = [name_col - labels + i for i in range(len(row))]
    if score_col is not None and cols[-1] < score_col and is_number(row[-1].key):
        cols = cols[:labels + 1] + [score_col - len(row) + 1 + i for i in range(labels + 1, len(row))]
    return _row(row[0].line, dict(zip(cols, row)))


def _total_value(token: Token) -> bool:
    return not token.key or is_number(token.key) or parse_rate(token.key) is not None


def _total(tokens: list[Token], at: int, number_cols: list[int], width: int,
           blanks_kept: bool) -> tuple[Row | None, int]:
    """`总分 100 94`: the figures go to the 分值 and 得分 columns, or end at the last column where
    empty cells were kept; also returns where the notes after the row start."""
    end = at + 1
    while end < len(tokens) and _total_value(tokens[end]):
        end += 1
    values = tokens[at + 1:end]
    if not blanks_kept and len(values) == len(number_cols):
        cols = number_cols
    else:
        last = width if blanks_kept else (number_cols[-1] if number_cols else width)
        cols = list(range(last - len(values) + 1, last + 1))
    return _row(tokens[at].line, {0: tokens[at].text, **dict(zip(cols, values))}), end
