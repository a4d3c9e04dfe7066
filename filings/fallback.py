"""Header fields of a form whose table layout is not supported yet, read by their labels.

Web pages and .doc dumps flatten a form into one line, `|` rows or one cell per line. Until a
reader for such layouts exists, a form still yields the fields that stand next to their labels
(项目名称, 主管部门, 实施单位) and is marked incomplete, with no figures guessed.
"""

from __future__ import annotations

import re

from filings.records import Form
from filings.split import FormBlock
from filings.templates import HEADER_FIELDS, HEADER_LABELS, LABEL_LEAD

# Words that end a value: the next label, or a column heading of the funds block.
_STOP_WORDS = (
    *HEADER_LABELS, "项目资金", "资金情况", "项目负责人", "负责人及电话",
    "是否为专项资金", "金额单位", "项目类别", "项目属性", "年度总体目标", "项目基本情况",
    "全年预算数", "年初预算数", "预算执行情况",
)
_STOP = re.compile("|".join(re.escape(w) for w in _STOP_WORDS) + r"|[|\n]")


def read_labelled_fields(block: FormBlock, form: Form) -> None:
    """Set the header fields whose label is followed by a plausible value."""
    text = "\n".join(" | ".join(cell.text for cell in row.cells) for row in block.rows)
    read_at: set[int] = set()  # where a more specific label already stood (主管部门及代码 ⊃ 主管部门)
    for label, fields in HEADER_FIELDS:
        at = text.find(label)
        if at < 0 or at in read_at or "self_score_reported" in fields or all(getattr(form, f) for f in fields):
            continue
        read_at.add(at)
        rest = text[at + len(label):]
        rest = rest[LABEL_LEAD.match(rest).end():]
        stop = _STOP.search(rest)
        value = (rest[: stop.start()] if stop else rest).strip(" :|")
        if 1 < len(value) <= 60:
            for field in fields:
                if getattr(form, field) is None:
                    setattr(form, field, value)
