"""Forms whose text kept only the order of their cells: rows rebuilt from the table headers.

青神 (Sichuan template) came as one HTML cell per line with empty cells kept as a bare `|`; 贵池
as the whole form on one line of words; 中江, 北京 and 湖南 with every separator gone; 云南 as
`|` rows exported out of step; 山西 as a sheet read line by line across the page. A 2024 form
flattened onto one line reads as its tab text.
"""

import pytest

from conftest import RAW, ZHONGWEI, parse_text, sample_text
from filings.parse import parse_path
from filings.records import field_names
from filings.text import compact

QINGSHEN = "2023/四川青神_51000021R00000001995.txt"
GUICHI = "2022/安徽池州贵池_委托业务项目.txt"


def _form(source_file):
    filing = parse_path(RAW / source_file, RAW)
    assert len(filing.forms) == 1
    return filing.forms[0]


def test_one_cell_per_line_sichuan_form_reads_whole():
    form = _form(QINGSHEN)
    assert (form.template_id, form.complete, form.problems) == ("sichuan_project", True, None)
    assert (form.project_name, form.supervising_dept, form.implementing_unit) == (
        "51000021R000000019951-工资性支出", "青神县发展和改革局本级", "青神县发展和改革局")  # (盖章) dropped
    assert (form.budget_initial, form.budget_adjusted, form.spent) == (238.93, 251.89, 251.89)
    assert (form.execution_rate_raw, form.funds_weight, form.funds_score) == ("100.00%", 10, None)
    assert (form.total_weight_reported, form.total_score_reported, form.total_line) == (100, None, 98)
    items = [(r.item, r.budget_initial, r.execution_rate_raw, r.line) for r in form.fund_rows]
    assert items == [("总额", 238.93, "100.00%", 31), ("其中:财政资金", 238.93, "100.00%", 39),
                     ("财政专户管理资金", 0, "0.00%", 46), ("单位资金", 0, "0.00%", 53), ("其他资金", None, None, 60)]
    assert form.fund_rows[0].reason.startswith("1.预算执行率=预算执行数/调整后预算数")


def test_sichuan_target_split_into_nature_value_and_unit_is_joined():
    rows = [(i.level1, i.level2, i.level3, i.target_raw, i.target_op, i.target_value, i.target_unit,
             i.actual_raw, i.weight, i.score, i.line) for i in _form(QINGSHEN).indicators]
    assert rows == [
        ("产出指标", "数量指标", "发放(缴纳)覆盖率", "= 100 %", "=", 100, "%", None, 60, None, 78),
        ("效益指标", "社会效益指标", "足额保障率(参保率)", "= 100 %", "=", 100, "%", None, 30, None, 88),
    ]


def test_form_on_one_line_reads_every_visible_row():
    form = _form(GUICHI)
    assert (form.template_id, form.complete) == ("national_project", False)  # cut off inside 满意度
    assert (form.project_name, form.supervising_dept, form.implementing_unit) == (
        "委托业务项目", "219-池州市贵池区棠溪镇人民政府", "219001-池州市贵池区棠溪镇人民政府")
    assert (form.budget_initial, form.budget_adjusted, form.spent, form.funds_weight) == (0, 0, 0, 10)
    assert [(r.item, r.budget_initial, r.budget_adjusted, r.spent) for r in form.fund_rows[:2]] == [
        ("年度资金总额", 0, 0, 0), ("其中:本年财政拨款", 90, 89.974, 89.974)]
    named = [i for i in form.indicators if i.level3]
    assert len(named) == 10 and sum(i.weight or 0 for i in named) + form.funds_weight == 90
    assert [(i.level2, i.level3, i.target_raw, i.actual_raw, i.weight, i.score) for i in named[:3]] == [
        ("数量指标", "基建工程委托业务项目数量", "≥50个", "50", 8, 8),
        ("质量指标", "委托业务报告合格率", "≥100百分比", "100", 8, 8),
        ("质量指标", "经费支出合规性", "严格执行相关制度规定", "达成预期指标", 8, 8),
    ]
    assert (named[-1].level1, named[-1].level2, named[-1].level3) == ("满意度指标", "满意度指标", "公众满")


def _one_line(text):
    return " ".join(cell.strip().replace(" ", "") for line in text.splitlines()
                    for cell in line.split("\t") if cell.strip())


def _facts(form):
    return ((form.project_name, form.budget_initial, form.budget_adjusted, form.spent, form.funds_weight,
             form.funds_score, form.total_weight_reported, form.total_score_reported, form.complete),
            [(i.level1, i.level2, compact(i.level3), i.target_kind, i.target_op, i.target_value,
              i.actual_value, i.weight, i.score, i.shortfall_reason) for i in form.indicators])


@pytest.fixture(scope="module")
def zhongwei_both_ways():
    text = sample_text(ZHONGWEI)
    return parse_text(text), parse_text(_one_line(text))


def test_every_form_on_one_line_is_found_with_its_header_funds_and_totals(zhongwei_both_ways):
    tabs, one_line = zhongwei_both_ways
    assert one_line.status == "parsed" and len(one_line.forms) == len(tabs.forms) == 7
    assert [_facts(f)[0] for f in one_line.forms] == [_facts(f)[0] for f in tabs.forms]


def test_indicator_rows_on_one_line_match_the_tab_text_where_no_cell_was_empty(zhongwei_both_ways):
    """Forms 3, 5 and 6 have empty cells inside indicator rows (a blank 实际完成值, a name split
    over two cells); once the empty cells are gone the rows are ambiguous, so only the others
    are held to the tab text's reading — including a reason written after the score (form 1)."""
    tabs, one_line = zhongwei_both_ways
    for ordinal in (0, 1, 3, 6):
        assert _facts(one_line.forms[ordinal])[1] == _facts(tabs.forms[ordinal])[1]
    reasons = [i.shortfall_reason for i in one_line.forms[0].indicators if i.shortfall_reason]
    assert reasons == [i.shortfall_reason for i in tabs.forms[0].indicators if i.shortfall_reason] != []


ZHONGJIANG = "2022/四川中江_中江县农业水价综合改革精准补贴和节水奖励.txt"
BEIJING = "2016/北京海淀_【体制】自管道路清扫保洁外包工作经费.txt"
HUNAN = "2020/湖南衡山_县级储备粮.txt"
FUNDS = ("budget_adjusted", "spent", "weight", "execution_rate", "score")


def test_fused_figures_are_split_by_arithmetic():
    """`202010100.00%10`: only A=20, B=20, 分值 10, 100.00%, 得分 10 makes B/A equal the rate."""
    from filings.fused import segment, segment_rows

    assert segment("202010100.00%10", FUNDS).cells == ("20", "20", "10", "100.00%", "10")
    assert segment("310.2154.741050%5", ("budget_initial", *FUNDS[1:])).cells == ("310.2", "154.74", "10", "50%", "5")
    rows = segment_rows("安装坡面水标尺10≥266米≥266米10水标尺宽度10≥50厘米≥50厘米10",
                        ("level3", "weight", "target", "actual", "score", "shortfall_reason"))
    assert [r.cells for r in rows] == [("安装坡面水标尺", "10", "≥266米", "≥266米", "10"),
                                       ("水标尺宽度", "10", "≥50厘米", "≥50厘米", "10")]
    assert segment("2020", FUNDS).cells == ("20", "20")  # spent in full rather than 2 | 0 | 20


def test_form_with_every_separator_gone_reads_whole():
    form = _form(ZHONGJIANG)
    assert (form.template_id, form.complete) == ("weight_first_project", True)
    assert (form.budget_adjusted, form.spent, form.execution_rate_raw, form.funds_weight, form.funds_score) == (
        20, 20, "100.00%", 10, 10)
    assert (form.total_weight_reported, form.total_score_reported) == (100, 100)
    assert len(form.indicators) == 9 and sum(i.weight for i in form.indicators) == 100  # + 10 for funds
    cost = next(i for i in form.indicators if i.level3 == "项目计划总投资")
    assert (cost.weight, cost.target_raw, cost.target_value, cost.target_unit, cost.score) == (10, "20万元", 20, "万元", 10)


def test_preview_chunks_are_joined_even_inside_a_number():
    """北京: `…申报的数量12.51` + `2、2.512.5…`: the chunk marker cut 12.5 | 12.5 | 12.5."""
    form = _form(BEIJING)
    assert (form.template_id, form.project_name, form.supervising_dept) == (
        "weight_first_project", "【体制】自管道路清扫保洁外包工作经费", "北京市海淀区人民政府学院路街道办事处")
    assert (form.budget_initial, form.budget_adjusted, form.spent, form.execution_rate_raw) == (310.2, None, 154.74, "50%")
    first = form.indicators[0]
    assert (first.level3, first.weight, first.target_raw, first.actual_raw, first.score) == (
        "是否完成绩效目标申报表中申报的数量", 12.5, "12.5", "12.5", 12.5)
    assert first.scoring_method.startswith("完成值达到指标值,记满分")


def test_form_without_weights_or_scores_is_complete_without_a_total():
    form = _form(HUNAN)
    assert (form.template_id, form.complete, form.total_score_reported) == ("hunan_special_fund", True, None)
    assert len([i for i in form.indicators if i.level3]) == 16
    assert all(i.weight is None and i.score is None for i in form.indicators)
    assert (form.budget_adjusted, form.spent, form.execution_rate_raw) == (194.9, 194.9, "100%")


HEBEI = "2020/河北成安_19名百岁老人高龄津贴.txt"
YUNNAN = "2022/云南永德_义务教育营养改善计划专项资金.txt"


def test_two_header_rows_split_target_and_score_into_sub_columns():
    """河北: 预期指标值 → 符号 / 值 / 单位, 自评得分 → 单项指标得分 / 权重占比 / 折算得分."""
    form = _form(HEBEI)
    assert (form.template_id, form.complete) == ("hebei_project", False)  # cut in the 预算执行率 row
    assert "shortfall_reason" not in form.indicator_columns.split(",")
    assert (form.budget_adjusted, form.spent, form.execution_rate_raw) == (6.84, 6.84, "100.00")
    rows = [(i.level3, i.target_op, i.target_value, i.target_unit, i.actual_raw, i.weight, i.score, i.line)
            for i in form.indicators]
    assert rows == [("符合条件申报对象覆盖率", "≥", 98, "%", "100%", 25, 6.25, 17),
                    ("完成率", "≥", 99, "%", "100%", 25, 6.25, 18),
                    ("补贴发放率", "≥", 75, "%", "100%", 30, 9, 19),
                    ("服务对象满意度", "≥", 95, "%", "100%", 10, 1, 20)]


def test_sheet_exported_out_of_step_reads_whole_with_amounts_in_wan():
    """云南: row labels after their figures, the indicator header over two rows, amounts in 元."""
    form = _form(YUNNAN)
    assert (form.template_id, form.complete, form.amount_unit) == ("yunnan_project", True, "元")
    assert (form.budget_initial, form.budget_adjusted, form.spent) == (None, 38.766462, 38.766462)
    assert (form.execution_rate_raw, form.total_weight_reported, form.total_score_reported) == ("100%", 100, 96)
    named = [i for i in form.indicators if i.level3]
    assert len(named) == 9 and sum(i.weight for i in named) + form.funds_weight == 100
    qualitative = next(i for i in named if i.level3 == "减轻贫困学生家庭经济负担")
    assert (qualitative.target_raw, qualitative.actual_raw, qualitative.weight, qualitative.score) == ("有效", "有效", 10, 10)
    assert [i.level3 for i in named if i.level2 == "服务对象满意度指标等"] == ["学生满意度", "家长满意度"]


def test_traditional_characters_give_the_same_tables():
    """績效自評表: every cleaned field and figure as from the simplified text; raw text as written."""
    import opencc

    text = sample_text(ZHONGWEI)
    simplified, traditional = parse_text(text), parse_text(opencc.OpenCC("s2t").convert(text))
    raw = ("form_id", "filing_id", "target_raw", "actual_raw", "execution_rate_raw")

    def cleaned(record):
        values = {name: getattr(record, name) for name in field_names(type(record))}
        return {k: v for k, v in values.items() if k not in raw and not isinstance(v, list)}

    assert traditional.status == simplified.status == "parsed"
    for a, b in zip(simplified.forms, traditional.forms, strict=True):
        assert cleaned(b) == cleaned(a)
        assert [cleaned(i) for i in b.indicators] == [cleaned(i) for i in a.indicators]
        assert [cleaned(r) for r in b.fund_rows] == [cleaned(r) for r in a.fund_rows]
    assert any("萬元" in (i.target_raw or "") for f in traditional.forms for i in f.indicators)


def test_figures_cut_without_arithmetic_to_confirm_them_are_marked_uncertain():
    from filings.fused import segment

    assert not segment("202010100.00%10", FUNDS).uncertain  # B/A = 100.00% confirms 20 | 20
    assert not segment("2020", FUNDS).uncertain  # B = A
    assert segment("1520", FUNDS).uncertain  # 1520, 15 | 20, 152 | 0 …: nothing tells them apart
    form = _form(ZHONGJIANG)
    assert not any(r.figures_uncertain for r in form.fund_rows)
    assert not any(i.figures_uncertain for i in form.indicators)
    edited = parse_text((RAW / ZHONGJIANG).read_text(encoding="utf-8").replace(
        "其中:本年财政拨款2020", "其中:本年财政拨款1520"), ZHONGJIANG).forms[0]
    assert [r.figures_uncertain for r in edited.fund_rows] == [False, True, False]


JISHAN = "2020/山西稷山_建档立卡个人缴费县级配套资金.txt"
_LATE_FIGURES = "75元 75元 10 10 95% 95% 30 27 95% 95% 10 9 100 94 "


def _jishan(form):
    return [(i.level1, i.level1_points, i.level2, i.level3, i.target_raw, i.actual_raw, i.weight, i.score,
             i.shortfall_reason) for i in form.indicators]


def test_sheet_dumped_line_by_line_reads_whole():
    """山西稷山: an .xlsx read line by line across the drawn sheet. The funds figures follow all
    the headings, 实施单位's value lands in the indicator table, the last three indicators'
    figures come before their names, and labels are cut where their cells wrap."""
    form = _form(JISHAN)
    assert (form.template_id, form.complete, form.problems) == ("national_project", True, None)
    assert form.implementing_unit == "稷山县医疗保险服务中心"
    assert form.goal_achieved == "提高医疗保障水平,推进了因病致贫问题的基本性解决"  # 解决 wrapped
    assert (form.budget_initial, form.budget_adjusted, form.spent, form.execution_rate_raw) == (None, 65.66, 65.07, "99%")
    assert (form.funds_weight, form.funds_score, form.total_weight_reported, form.total_score_reported) == (10, 9, 100, 94)
    assert [(r.item, r.budget_adjusted, r.spent) for r in form.fund_rows] == [
        ("年度资金总额", 65.66, 65.07), ("其中:当年财政拨款", 65.66, 65.07), ("上年结转资金", None, None),
        ("其他资金", None, None)]
    assert _jishan(form) == [
        ("产出指标", 50, "数量指标", "指标1:全县参合人数", "8755", "8676", 15, 13, "建档立卡中有新增死亡人员,导致有偏差"),
        ("产出指标", 50, "质量指标", "指标1:资金是否全部纳入医保统筹", "100%", "100%", 15, 15, None),
        ("产出指标", 50, "时效指标", "指标1:资金是否全部及时纳入", "100%", "100%", 10, 10, None),
        ("产出指标", 50, "成本指标", "指标1:配套资金每人每年", "75元", "75元", 10, 10, None),
        ("效益指标", 30, "社会效益", "指标1:是否解决建档立卡人员看病难贵问题", "95%", "95%", 30, 27, None),
        ("满意度指标", None, "服务对象满意度指标", "指标1:是否满意", "95%", "95%", 10, 9, None),  # 服务对象满 … 意度指标
    ]


def test_dumped_sheet_pairs_names_and_figures_by_order_wherever_the_figures_fall():
    """The same figures placed after their names instead of before them give the same form."""
    text = sample_text(JISHAN)
    moved = text.replace(_LATE_FIGURES, "").replace(" 总分", " " + _LATE_FIGURES.strip() + " 总分")
    assert moved != text
    assert _jishan(parse_text(moved, JISHAN).forms[0]) == _jishan(_form(JISHAN))


def test_dumped_sheet_whose_figures_do_not_pair_up_guesses_none():
    """One figure lost: names and figures no longer pair up, so no indicator figure is published
    and the form says it was not read whole."""
    form = parse_text(sample_text(JISHAN).replace(" 30 27 ", " 30 "), JISHAN).forms[0]
    assert not form.complete and form.problems
    assert not any(i.score is not None for i in form.indicators)
    assert form.project_name == "建档立卡个人缴费县级配套资金"


def test_a_name_that_is_both_levels_alternates_from_the_label_before_it():
    """满意度指标 names a 一级 section and a 二级 one: right after a 一级 label it is 二级, then 一级
    again, and so on along a run of them; at a row's start, or after a name, it is 一级."""
    from filings.reflow import Token, _rank
    from filings.templates import TEMPLATES

    template = next(t for t in TEMPLATES if t.template_id == "sichuan_project")
    both, level1, level2, name = (Token(1, text) for text in ("满意度指标", "产出指标", "数量指标", "接待人次"))
    assert [_rank(t, template, []) for t in (both, level1, level2, name)] == [1, 1, 2, 0]
    assert [_rank(both, template, before) for before in ([level1], [level2], [name], [level1, both],
                                                         [level1, both, both], [name, both], [both] * 999)] == \
        [2, 1, 1, 1, 2, 2, 2]
