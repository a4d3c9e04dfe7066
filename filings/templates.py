"""Template families as data: their indicator vocabularies and the header words of their columns.

A template differs from another only in its entry here. Level-1 and level-2 names are matched on
their compact text with the stated points (`(40分)`) and a trailing 指标 removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from filings.text import remembered, split_points


def name_key(label: str) -> str:
    """`产出指标 (40分)` → `产出`; `服务对象满意度指标` → `服务对象满意度`. Asked of every label a table
    aligns, many times over: each is worked out once."""
    key = _NAME_KEYS.get(label)
    return key if key is not None else remembered(_NAME_KEYS, label, _name_key(label), 1 << 14)


_NAME_KEYS: Final[dict[str, str]] = {}


def _name_key(label: str) -> str:
    name, _ = split_points(label)
    name = name.removesuffix("等")  # 服务对象满意度指标等
    return name[:-2] if name.endswith("指标") and len(name) > 2 else name


@dataclass(frozen=True, eq=False)  # registry entries are singletons: hashed by identity
class Template:
    """A template family: its indicator vocabulary and how to tell it from the others."""

    template_id: str
    description: str
    families: dict[str, tuple[str, ...]]  # level-1 name as printed → keys of its level-2 names
    header_words: tuple[str, ...] = ()  # words its indicator header has, in this order (年初目标值 …)
    # Column words only this template uses (checked before INDICATOR_HEADERS): header word → role.
    columns: tuple[tuple[str, str], ...] = ()
    # A header cell split over a second header row: cell word → the words of its sub-columns.
    subheaders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    level1_by_key: dict[str, str] = field(init=False, repr=False)  # see __post_init__
    family_by_key: dict[str, str] = field(init=False, repr=False)

    @property
    def indicator_headers(self) -> tuple[tuple[str, str], ...]:
        return self.columns + INDICATOR_HEADERS

    def header_matches(self, header: list[str]) -> bool:
        """Whether the header words occur in the indicator header, in their order."""
        at = 0
        for word in self.header_words:
            found = next((i for i in range(at, len(header)) if word in header[i]), None)
            if found is None:
                return False
            at = found + 1
        return bool(self.header_words)

    def __post_init__(self) -> None:
        # By key, what every label a table aligns is asked: the level-1 names, and the level-1 name
        # of each level-2 key (the first, where two share one). Frozen: set past the dataclass's guard.
        object.__setattr__(self, "level1_by_key", {name_key(name): name for name in reversed(self.families)})
        object.__setattr__(self, "family_by_key", {
            key: name for name, family in reversed(self.families.items()) for key in family})

    def level1(self, label: str) -> str | None:
        """The level-1 name `label` stands for (`产出 指标(40分)` → `产出指标`), if any."""
        return self.level1_by_key.get(name_key(label))

    def level2(self, label: str) -> str | None:
        key = name_key(label)
        return key if key in self.family_by_key else None

    def family_of(self, level2_key: str) -> str | None:
        """The level-1 name a level-2 key belongs to (数量 → 产出指标)."""
        return self.family_by_key.get(level2_key)


_OUTPUT: Final = ("数量", "质量", "时效", "成本")
_BENEFIT: Final = ("经济效益", "社会效益", "社会效应", "生态效益", "环境效益", "可持续影响", "效益")

_NATIONAL: Final = {"产出指标": _OUTPUT, "效益指标": _BENEFIT, "满意度指标": ("服务对象满意度", "满意度")}

# The registry: add a province's template here; the first whose header words all occur (in
# order) wins, else the one whose level-1 names occur most.
TEMPLATES: Final = (
    Template(
        "sichuan_project",
        "四川 部门预算项目支出绩效自评表: 预算执行情况(10分) + 绩效指标(90分), 指标性质 / 指标值 / 度量单位, 权重",
        _NATIONAL, header_words=("指标性质", "度量单位", "权重"),
    ),
    Template(
        "yunnan_project",
        "云南 项目支出绩效自评表 (公开14表): 金额以元计, 指标性质 / 指标值 / 度量单位, 分值",
        _NATIONAL, header_words=("指标性质", "度量单位"),
    ),
    Template(
        "weight_first_project",
        "分值在年度指标值之前的项目自评表 (四川衔接资金、北京 2016 …): 分值 / 年度指标值 / 全年实际值 / 得分",
        _NATIONAL, header_words=("三级指标", "分值", "年度指标值"),
    ),
    Template(
        "hebei_project",
        "河北 预算项目绩效自评表 (系统导出): 预期指标值分为 符号/值/单位, 自评得分分为 单项指标得分/权重占比(%)/单项指标折算得分",
        {**_NATIONAL, "预算执行率": ("预算执行率",)}, header_words=("单项指标实际完成值",),
        columns=(("指标分值", "description"), ("符号", "operator"), ("单位", "unit"),
                 ("单项指标实际完成值", "actual"), ("单项指标完成情况", "status"),
                 ("单项指标得分", "item_score"), ("权重占比", "weight"), ("单项指标折算得分", "score")),
        subheaders={"预期指标值": ("符号", "预期指标值", "单位"),
                    "自评得分": ("单项指标得分", "权重占比", "单项指标折算得分")},
    ),
    Template(
        "hunan_special_fund",
        "湖南 县级专项资金绩效目标自评表: 年度指标值 / 全年完成值 / 未完成原因, 无分值、得分、总分",
        _NATIONAL, header_words=("年度指标值", "全年完成值"),
    ),
    Template(
        "hubei_project",
        "湖北 项目自评表: 预算执行情况(20分) + 年度绩效目标(80分), 年初目标值 / 实际完成值 / 得分, 无逐行分值",
        _NATIONAL, header_words=("年初目标值",),
    ),
    Template(
        "national_project",
        "财预〔2020〕10号 项目支出绩效自评表: 产出 / 效益 / 满意度 (宁夏、安徽 …)",
        _NATIONAL,
    ),
    Template(
        "four_dimension_project",
        "四维度项目自评表: 项目决策 / 项目管理 / 项目产出 / 项目效益 (银川兴庆 …)",
        {
            "项目决策": ("项目目标", "项目立项", "决策过程", "绩效目标", "资金投入"),
            "项目管理": ("投入管理", "财务管理", "项目实施", "资金管理", "组织实施"),
            "项目产出": _OUTPUT,
            "项目效益": (*_BENEFIT, "服务对象满意度", "满意度"),
        },
    ),
)
_UNTITLED: Final = tuple(t for t in TEMPLATES if not t.header_words)  # told apart by their level-1 names


def choose_template(header: list[str], labels: list[str]) -> Template:
    """The template whose header words all occur in the indicator header; else the one whose
    level-1 names occur most among the table's cells (the first on a tie)."""
    for template in TEMPLATES:
        if template.header_matches(header):
            return template

    found: dict[str, int] = {}  # a plain dict: Counter's methods are Python's, slow to call from compiled code
    for label in labels:
        key = _LEVEL1_KEYS.get(label)
        if key is None:
            key = remembered(_LEVEL1_KEYS, label, _level1_key(label), 1 << 14)
        if key:
            found[key] = found.get(key, 0) + 1
    return max(_UNTITLED, key=lambda t: sum(found.get(k, 0) for k in t.level1_by_key))


def _level1_key(label: str) -> str:
    """The key of the level-1 name `label` stands for in a template told by its names; "" if none."""
    key = name_key(label)
    return key if any(key in t.level1_by_key for t in _UNTITLED) else ""


_LEVEL1_KEYS: Final[dict[str, str]] = {}  # a table's cell text → _level1_key: every cell is counted


# Header words → column role, per table. The first matching prefix wins, so order matters.
INDICATOR_HEADERS: Final = (
    ("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "level3"),
    ("指标性质", "operator"), ("年度指标值", "target"), ("指标值", "target"), ("年初目标值", "target"),
    ("绩效目标值", "target"), ("预期指标值", "target"),
    ("实际完成值", "actual"), ("全年实际值", "actual"), ("完成值", "actual"),
    ("全年完成值", "actual"), ("实际值", "actual"),
    ("度量单位", "unit"), ("参考分值", "weight"), ("分值", "weight"), ("指标分值", "weight"), ("权重", "weight"),
    ("得分计算方法", "scoring_method"), ("计算方法", "scoring_method"), ("评分标准", "scoring_method"),
    ("得分", "score"), ("自评得分", "score"),
    ("未完成原因", "shortfall_reason"), ("偏差原因", "shortfall_reason"),
    ("原因", "shortfall_reason"),
)

DEPARTMENT_HEADERS: Final = (
    ("序号", "seq"), ("绩效指标", "indicator"), ("指标名称", "indicator"),
    *INDICATOR_HEADERS,
)

FUND_HEADERS: Final = (
    ("年度资金总额", "funds_total"), ("年初预算", "budget_initial"),
    ("全年预算", "budget_adjusted"), ("调整预算", "budget_adjusted"), ("预算数", "budget_adjusted"),
    ("调整后预算", "budget_adjusted"), ("全年执行", "spent"), ("预算执行数", "spent"),
    ("执行数", "spent"), ("分值", "weight"), ("权重", "weight"), ("执行率", "execution_rate"),
    ("预算执行率", "execution_rate"), ("预算安排", "budget_adjusted"), ("资金到位", "received"),
    ("资金执行", "spent"), ("预算执行进度", "execution_rate"),
    ("得分计算方法", "scoring_method"), ("得分", "score"),
    ("原因", "reason"),
)
# A fund row's label: 年度资金总额, 其中:财政拨款, 上年结转资金, 其他资金 ….
FUND_ITEM: Final = re.compile(r"^(其中[::]?.*|.*(资金|拨款|总额|补助)[::]?)$")
# Where the funds block ends: the goals or the indicator table.
FUND_END: Final = ("年度总体目标", "年度目标", "绩效指标", "一级指标", "总体目标")

SUMMARY_HEADERS: Final = (
    ("序号", "seq"), ("项目名称", "project_name"), ("项目性质", "project_nature"),
    ("预算金额", "budget_amount"), ("其中", "fiscal_amount"), ("预算执行率", "execution_rate"),
    ("执行率", "execution_rate"), ("评价方式", "evaluation_method"), ("评分", "score"),
    ("得分", "score"), ("报送内容", "submitted_content"), ("备注", "remark"),
)

# Header labels of a form and the fields they fill, most specific first (实施(主管)单位 names
# one unit in both roles).
HEADER_FIELDS: Final = (
    ("项目名称", ("project_name",)), ("专项资金名称", ("project_name",)),
    ("主管部门及代码", ("supervising_dept",)), ("县级主管部门", ("supervising_dept",)),
    ("主管部门", ("supervising_dept",)),
    ("实施(主管)单位", ("implementing_unit", "supervising_dept")), ("项目实施单位", ("implementing_unit",)),
    ("实施单位", ("implementing_unit",)), ("自评得分", ("self_score_reported",)),
)
HEADER_LABELS: Final = tuple(label for label, _ in HEADER_FIELDS)
# What stands between a header label and its value: colons, spaces, and a seal note (实施单位(盖章):).
LABEL_LEAD: Final = re.compile(r"^[\s::|]*(?:[((]盖章[))])?[\s::|]*")
TOTAL_LABELS: Final = ("总分", "合计", "总计")
# 年度总体目标: the block's label, and the labels of its planned and achieved goals.
GOAL_BLOCK: Final = ("年度总体目标", "总体目标")
GOAL_LABELS: Final = {
    "预期目标": "goal_planned", "年初设定目标": "goal_planned",
    "完成情况": "goal_achieved", "实际完成情况": "goal_achieved", "全年实际完成情况": "goal_achieved",
    "年度总体目标完成情况综述": "goal_achieved",
}
