"""Known answers for every form of the 2024 samples, read off the filings by eye."""

import polars as pl
import pytest

from conftest import XINGQING, ZHONGWEI

# project, implementing unit, (年初, 全年/调整, 执行), indicators, weight sum, score sum, 总分
ZHONGWEI_FORMS = [
    ("办案费和基础设施维修改造费项目", "中卫市公安局", (396.8, 396.8, 396.8), 15, 100, 96, 96),
    ("国内安全保卫经费项目", "政保支队", (20, 20, 20), 13, 100, 99, 99),
    ("拘留所在押人员给养费", "中卫市拘留所", (80, 80, 80), 21, 100, 98, 98),
    ("辅警人员经费和公用经费", "中卫市公安局", (4339.2, 4339.2, 4339.2), 17, 100, 92, 92),
    ("警务云(智能图控系统运行)项目", "科技信息化支队", (300, 300, 300), 17, 100, 98, 98),
    ("禁毒工作及禁毒专干人员经费", "刑侦支队禁毒大队", (199.433563, 199.433563, 199.433563), 18, 100, 99, 99),
    ("看守所、拘留所医护人员经费", "监管支队", (90, 90, 90), 16, 100, 98, 98),
]
XINGQING_PROJECTS = [
    # 调整预算数 0 and blank both mean "not adjusted": A is then the initial budget.
    ("协勤经费", "银川市政法委", "兴庆区公安分局", (4477.36, 0, 4477.36), 17, 100, 95, 95, None),
    ("禁毒专干经费", "银川市政法委", "兴庆区公安局", (491.6, 0, 491.6), 28, 95, 95, 100, None),
    ("禁毒专项经费", "兴庆区政法委", "兴庆公安分局", (300, None, 300), 21, 100, 100, 100, 97),
]


def _form_sums(tables, source_file):
    forms = tables["forms"].filter(pl.col("source_file") == source_file)
    sums = tables["indicators"].group_by("form_id").agg(
        n=pl.len(), weights=pl.col("weight").sum(), scores=pl.col("score").sum())
    return forms.join(sums, on="form_id", how="left").sort("ordinal").with_columns(
        weight_sum=pl.col("funds_weight").fill_null(0) + pl.col("weights"),
        score_sum=pl.col("funds_score").fill_null(0) + pl.col("scores"),
    )


def test_zhongwei_every_form_header_budget_and_sums(tables):
    forms = _form_sums(tables, ZHONGWEI)
    assert forms.height == 7
    for row, (name, unit, budget, n, weights, scores, total) in zip(forms.iter_rows(named=True), ZHONGWEI_FORMS):
        assert row["project_name"] == name
        assert row["supervising_dept"] == "中卫市公安局"
        assert row["implementing_unit"] == unit
        assert (row["budget_initial"], row["budget_adjusted"], row["spent"]) == pytest.approx(budget)
        assert row["execution_rate_reported"] == 1.0 and row["execution_rate_computed"] == pytest.approx(1.0)
        assert (row["funds_weight"], row["funds_score"]) == (10, 10)
        assert row["n"] == n, name
        assert row["weight_sum"] == pytest.approx(weights), name
        assert row["score_sum"] == pytest.approx(scores), name
        assert (row["total_weight_reported"], row["total_score_reported"]) == (100, total)
        assert row["title_year"] == 2024 and row["complete"] and row["template_id"] == "national_project"
        assert row["form_type"] == "project" and row["amount_unit"] == "万元"


def test_xingqing_project_forms(tables):
    forms = _form_sums(tables, XINGQING).filter(pl.col("form_type") == "project")
    assert forms.height == 3
    for row, (name, dept, unit, budget, n, weights, scores, total, self_score) in zip(
            forms.iter_rows(named=True), XINGQING_PROJECTS):
        assert (row["project_name"], row["supervising_dept"], row["implementing_unit"]) == (name, dept, unit)
        assert (row["budget_initial"], row["budget_adjusted"], row["spent"]) == budget
        assert row["execution_rate_computed"] == pytest.approx(1.0), "A falls back to the initial budget"
        assert row["funds_weight"] is None, "this template scores 预算执行率 as an indicator"
        assert row["n"] == n, name
        assert row["weight_sum"] == pytest.approx(weights), name
        assert row["score_sum"] == pytest.approx(scores), name
        assert row["total_score_reported"] == total
        assert row["self_score_reported"] == self_score
        assert row["template_id"] == "four_dimension_project" and row["complete"]


def test_xingqing_summary_sheet(tables):
    form = tables["forms"].filter((pl.col("source_file") == XINGQING) & (pl.col("form_type") == "summary"))
    assert form["title"].item() == "银川市兴庆区绩效评价汇总表" and form["title_year"].item() == 2024
    rows = tables["summary_rows"].filter(pl.col("form_id") == form["form_id"].item()).sort("row_index")
    assert rows.select("seq", "project_name", "budget_amount", "fiscal_amount", "execution_rate_reported", "score").rows() == [
        (None, "部门整体支出绩效", None, None, None, None),
        (1, "协勤经费", 4477.36, 4477.36, 1.0, 95.0),
        (2, "禁毒专干经费", 491.6, 491.6, 1.0, 100.0),
        (3, "禁毒专项经费", 300.0, 300.0, 1.0, 100.0),
    ]
    assert rows["project_nature"].to_list()[1:] == ["部门预算项目"] * 3
    assert rows["evaluation_method"].to_list()[1:] == ["自评"] * 3


def test_xingqing_department_table(tables):
    form = tables["forms"].filter((pl.col("source_file") == XINGQING) & (pl.col("form_type") == "department"))
    assert form["total_score_reported"].item() == 95 and form["complete"].item()
    rows = tables["department_indicators"].filter(pl.col("form_id") == form["form_id"].item()).sort("row_index")
    assert rows["indicator"].to_list() == [
        "年度支出进度", "预算调整率", "结余结转率", "结余结转控制率",
        "“三公经费”控制率", "“三公经费”变动率", "项目绩效监控率", "政府采购预算执行率"]
    assert rows["weight"].sum() == 100 and rows["score"].sum() == 95
    monitoring = rows.row(6, named=True)
    assert (monitoring["target_value"], monitoring["actual_value"], monitoring["score"]) == (100, 90, 10)
    assert (monitoring["seq"], monitoring["weight"], monitoring["target_op"], monitoring["actual_unit"],
            monitoring["line"]) == (7, 15, None, "%", 51)  # built by position (filings/department.py)
    assert monitoring["shortfall_reason"] == "进一步完善加强支出项目绩效监控"
    assert monitoring["scoring_method"] == "B-A≤5,得15分;5<B-A≤10,得10分;10<B-A≤20,得5分;B-A>20,得0分"


def _indicator(tables, source_file, line):
    forms = tables["forms"].filter(pl.col("source_file") == source_file).select("form_id")
    return tables["indicators"].join(forms, on="form_id").filter(pl.col("line") == line).row(0, named=True)


def test_row_shifted_left_lands_in_its_columns(tables):
    # line 27: `⇥ 指标 2: 机关运行成本 ⇥ ⇥ 较上年下降 5% ⇥ …`: the 二级 cell vanished
    row = _indicator(tables, ZHONGWEI, 27)
    assert (row["level1"], row["level2"], row["level3"]) == ("产出指标", "成本指标", "指标2:机关运行成本")
    assert (row["target_raw"], row["actual_raw"], row["weight"], row["score"]) == ("较上年下降 5%", "下降 2.6%", 5, 3)
    assert row["shortfall_reason"] == "水电燃油等费用节约下降幅度较小。继续例行节俭节约"


def test_row_with_name_in_first_column(tables):
    # line 128: `指标2:公安机关警务辅助人员公用经费 ⇥ ⇥ 847.5万元 ⇥ 135.6万元 ⇥ 5 ⇥ 2`
    row = _indicator(tables, ZHONGWEI, 128)
    assert (row["level2"], row["target_value"], row["actual_value"], row["weight"], row["score"]) == (
        "成本指标", 847.5, 135.6, 5, 2)
    assert row["shortfall_reason"] is None


def test_row_shifted_right_keeps_method_score_and_reason_apart(tables):
    # line 84: a stray empty cell before 得分计算方法 moves 得分 and the reason one column right
    row = _indicator(tables, XINGQING, 84)
    assert (row["level1"], row["level2"], row["level3"]) == ("项目效益", "服务对象满意度指标", "协勤满意度")
    assert (row["weight"], row["target_raw"], row["actual_raw"], row["score"]) == (5, "≥95%", "93%", 0)
    assert row["scoring_method"] == "同效益指标得分计算方式。"
    assert row["shortfall_reason"] == "进一步提高协勤人员工资,提高协勤满意度。"


def test_every_field_of_an_indicator_in_its_column(tables):
    # The parser builds an indicator by position (filings/project.py): each field read off line 84.
    row = _indicator(tables, XINGQING, 84)
    del row["form_id"]
    assert row == {
        "row_index": 15, "level1": "项目效益", "level1_points": 35, "level1_inferred": False,
        "level2": "服务对象满意度指标", "level2_points": 10, "level3": "协勤满意度",
        "target_raw": "≥95%", "target_text": "≥95%", "target_kind": "quantity", "target_op": "≥",
        "target_value": 95, "target_unit": "%",
        "actual_raw": "93%", "actual_text": "93%", "actual_kind": "quantity", "actual_op": None,
        "actual_value": 93, "actual_unit": "%",
        "weight": 5, "score": 0, "shortfall_reason": "进一步提高协勤人员工资,提高协勤满意度。",
        "scoring_method": "同效益指标得分计算方式。", "figures_uncertain": False, "line": 84,
    }


def test_level1_inferred_where_label_missing_or_misplaced(tables):
    # 辅警 form has no 产出指标 label at all; line 60 of 国内安全保卫 sits above its 效益指标 label
    missing = _indicator(tables, ZHONGWEI, 121)
    assert (missing["level1"], missing["level1_inferred"], missing["level2"]) == ("产出指标", True, "数量指标")
    misplaced = _indicator(tables, ZHONGWEI, 60)
    assert (misplaced["level1"], misplaced["level1_inferred"], misplaced["level2"]) == ("效益指标", True, "经济效益指标")
    stated = _indicator(tables, ZHONGWEI, 17)
    assert (stated["level1"], stated["level1_points"], stated["level1_inferred"]) == ("产出指标", 40, False)


def test_labels_carried_down_and_section_points(tables):
    row = _indicator(tables, XINGQING, 110)  # 戒断三年未复吸增长人数: labels only on line 108
    assert (row["level1"], row["level1_points"], row["level2"], row["level2_points"]) == ("项目产出", 30, "数量指标", 10)
    assert row["scoring_method"].startswith("完成值达到指标值,记满分")


def test_fund_row_shifted_right(tables):
    forms = tables["forms"].filter(pl.col("project_name") == "警务云(智能图控系统运行)项目").select("form_id")
    rows = tables["fund_rows"].join(forms, on="form_id").sort("row_index")
    assert rows["item"].to_list() == ["年度资金总额", "其中:当年财政拨款", "上年结转资金", "其他资金"]
    sub = rows.row(1, named=True)  # line 149: every value one column right of its header
    assert (sub["budget_initial"], sub["budget_adjusted"], sub["spent"], sub["weight"]) == (300, 300, 300, None)
    assert sub["execution_rate_reported"] == 1.0


def test_empty_indicator_slots_are_not_indicators(tables):
    assert tables["indicators"].filter(
        pl.col("level3").is_null() & pl.col("weight").is_null() & pl.col("target_raw").is_null()).is_empty()


def test_raw_text_kept_beside_parsed_values(tables):
    row = _indicator(tables, ZHONGWEI, 24)
    assert (row["target_raw"], row["target_kind"]) == ("2024年 1-12 月", "period")
    row = _indicator(tables, ZHONGWEI, 17)
    assert (row["target_raw"], row["target_op"], row["target_value"], row["target_unit"]) == ("≥3000 起", "≥", 3000, "起")


def test_goals_read_under_or_beside_their_labels(tables):
    forms = tables["forms"].filter(pl.col("form_type") == "project")
    first = forms.filter(pl.col("project_name") == "办案费和基础设施维修改造费项目").row(0, named=True)
    assert first["goal_planned"].startswith("维护国家安全和社会治安安全稳定,保障公民人身、财产安全")
    assert first["goal_achieved"].startswith("警执法办案条件有所改善") and first["goal_line"] == 15
    beside = forms.filter(pl.col("project_name") == "禁毒专项经费").row(0, named=True)
    assert beside["goal_planned"].startswith("进一步巩固深化示范创建") and beside["goal_achieved"] == "完成年初目标"
    samples = forms.filter(pl.col("source_file").str.starts_with("2024/"))
    assert samples["goal_planned"].null_count() == 0 and samples["goal_achieved"].null_count() == 0


def test_template_detected_from_the_header_and_funds_points_read_from_the_block_label(all_filings):
    hubei = next(f for f in all_filings if f.source_file == "2022/湖北黄石_共享工程.txt").forms[0]
    assert hubei.template_id == "hubei_project"
    assert (hubei.budget_adjusted, hubei.spent, hubei.funds_weight, hubei.funds_score) == (5, 5, 20, 20)
    assert len(hubei.indicators) == 13 and not hubei.complete
