"""Each rule flags the real mistakes in the samples, fires on a minimally edited form, and is
silent on clean forms."""

import polars as pl

from checks.catalogue import CATALOGUE
from conftest import XINGQING, ZHONGWEI, edit_line, findings_of, parse_text, sample_text

QINGSHEN = "2023/四川青神_51000021R00000001995.txt"
GUICHI = "2022/安徽池州贵池_委托业务项目.txt"
ZHONGJIANG = "2022/四川中江_中江县农业水价综合改革精准补贴和节水奖励.txt"
HEBEI = "2020/河北成安_19名百岁老人高龄津贴.txt"
YUNNAN = "2022/云南永德_义务教育营养改善计划专项资金.txt"
BEIJING = "2016/北京海淀_【体制】自管道路清扫保洁外包工作经费.txt"
JISHAN = "2020/山西稷山_建档立卡个人缴费县级配套资金.txt"

# What a careful reviewer flags in the samples (rule, file, line, field, expected, written, severity).
KNOWN_FINDINGS = {
    # 禁毒专干经费: 项目效益(35分) holds only 30 points of indicators, so the form totals 95 …
    ("weights_sum_100", XINGQING, 90, "分值合计", "100", "95", "error"),
    ("section_weights_match", XINGQING, 122, "一级指标分值", "35", "30", "error"),
    # … and its scores add up to 95 while the 总分 row says 100.
    ("scores_sum_to_total", XINGQING, 130, "总分", "95", "100", "error"),
    # 协勤经费: the stated level-2 points do not match the rows under them as printed.
    ("section_weights_match", XINGQING, 75, "二级指标分值", "10", "15", "warning"),
    ("section_weights_match", XINGQING, 77, "二级指标分值", "5", "10", "warning"),
    ("section_weights_match", XINGQING, 79, "二级指标分值", "10", "5", "warning"),
    # 禁毒专项经费: 自评得分 97 in the header, 合计 100, and the summary sheet says 100.
    ("self_score_matches_total", XINGQING, 140, "自评得分", "100", "97", "error"),
    ("summary_matches_forms", XINGQING, 16, "评分", "97", "100", "error"),
    # 2025 periods in 2024 forms: 辅警 (indicator name and target) and 警务云 (target and actual).
    ("year_matches_reporting_year", ZHONGWEI, 126, "三级指标", "2024", "指标1:2025年1月1日至12月31日", "error"),
    ("year_matches_reporting_year", ZHONGWEI, 126, "年度指标值", "2024", "2025年1-12月", "error"),
    ("year_matches_reporting_year", ZHONGWEI, 160, "年度指标值", "2024", "2025年1-12月", "error"),
    ("year_matches_reporting_year", ZHONGWEI, 160, "实际完成值", "2024", "2025年1-12月", "error"),
    # 辅警 公用经费: 2 of 5 points and no reason given; 警务云 使用人员满意度: weighted, no target or actual.
    ("shortfall_reason_present", ZHONGWEI, 128, "未完成原因分析", "扣分原因", "(空)", "error"),
    ("indicator_values_present", ZHONGWEI, 173, "年度指标值、实际完成值", "已填写", "(空)", "error"),
    # Scores that do not follow the rule: missed targets scored below B/A × weight …
    ("score_follows_rule", ZHONGWEI, 25, "得分", "4.71", "3", "warning"),  # 80/85 × 5
    ("score_follows_rule", ZHONGWEI, 172, "得分", "4.86", "3", "warning"),  # 238/245 × 5
    ("score_follows_rule", ZHONGWEI, 192, "得分", "2.94", "2", "warning"),  # 98/100 × 3
    ("score_follows_rule", XINGQING, 84, "得分", "4.89", "0", "warning"),  # 93/95 × 5
    # … met targets marked down (及时/及时 at 1 of 2 is below the achieved tier) …
    ("score_follows_rule", ZHONGWEI, 92, "得分", "≥1.6", "1", "warning"),
    ("score_follows_rule", ZHONGWEI, 93, "得分", "≥1.6", "1", "warning"),
    ("score_follows_rule", ZHONGWEI, 243, "得分", "10", "8", "warning"),  # ≥90% target, ≥95% done
    ("score_follows_rule", ZHONGWEI, 128, "得分", "5", "2", "warning"),  # cost 135.6 within ≤847.5
    # Other provinces (annotated quality issues). 青神 published its form unscored: both weighted
    # indicators have neither 完成值 nor 得分 (one cell per line, empty cells kept).
    ("indicator_values_present", QINGSHEN, 78, "实际完成值、得分", "已填写", "(空)", "error"),
    ("indicator_values_present", QINGSHEN, 88, "实际完成值、得分", "已填写", "(空)", "error"),
    # 贵池 (whole form on one line): 年度资金总额 0 / 0 / 0 while 其中:本年财政拨款 is 90 / 89.974 / 89.974.
    ("funds_total_equals_parts", GUICHI, 1, "年初预算数", "90", "0", "error"),
    ("funds_total_equals_parts", GUICHI, 1, "全年预算数", "89.974", "0", "error"),
    ("funds_total_equals_parts", GUICHI, 1, "全年执行数", "89.974", "0", "error"),
    # 中江 (every separator gone): 10 + 产出70 + 效益20 + 满意度10 = 110 points, all scored, 总分 100.
    ("weights_sum_100", ZHONGJIANG, 1, "分值合计", "100", "110", "error"),
    ("scores_sum_to_total", ZHONGJIANG, 1, "总分", "110", "100", "error"),
    # 河北: completed indicators scored 单项得分 = weight, so 折算得分 = weight²/100 (no reason column).
    ("score_follows_rule", HEBEI, 17, "得分", "25", "6.25", "warning"),
    ("score_follows_rule", HEBEI, 18, "得分", "25", "6.25", "warning"),
    ("score_follows_rule", HEBEI, 19, "得分", "30", "9", "warning"),
    ("score_follows_rule", HEBEI, 20, "得分", "10", "1", "warning"),
    # 云南: 资金到位及时率 met (100% vs ≧100) but 7 of 10; 政策知晓率 98% of 100 scored 9, not 9.8;
    # neither gives a reason.
    ("score_follows_rule", YUNNAN, 17, "得分", "10", "7", "warning"),
    ("score_follows_rule", YUNNAN, 22, "得分", "9.8", "9", "warning"),
    ("shortfall_reason_present", YUNNAN, 17, "未完成原因分析", "扣分原因", "(空)", "error"),
    ("shortfall_reason_present", YUNNAN, 22, "未完成原因分析", "扣分原因", "(空)", "error"),
    # 山西 (a sheet read line by line, all on line 2): 总分 94 against 9 + 13+15+10+10+27+9 = 93; two
    # met targets (95%/95%) marked down with no reason; 9 funds points for 99.1% executed; and
    # 8676 of 8755 enrolled scored 13 of 15, where the rule's B/A × 15 gives 14.86 (a reason is given).
    ("scores_sum_to_total", JISHAN, 2, "总分", "93", "94", "error"),
    ("score_follows_rule", JISHAN, 2, "得分", "30", "27", "warning"),
    ("score_follows_rule", JISHAN, 2, "得分", "10", "9", "warning"),
    ("shortfall_reason_present", JISHAN, 2, "未完成原因分析", "扣分原因", "(空)", "error"),
    ("execution_score_matches", JISHAN, 2, "得分", "9.91", "9", "error"),
    # 北京 (every separator gone): `其中:本年一般公共预算拨款 310.2154.74` has no 执行率 to confirm
    # a cut (310.2 | 154.74, 310.21 | 54.74 …): read as the total row reads, sent for review.
    ("figures_confirmed", BEIJING, 19, "项目资金", "核对原表", "年初预算数310.2 全年执行数154.74", "warning"),
    ("score_follows_rule", JISHAN, 2, "得分", "14.86", "13", "warning"),
}


def _keys(found: pl.DataFrame) -> set:
    return set(found.select("check_id", "source_file", "line", "field", "expected", "actual", "severity").rows())


def test_samples_yield_exactly_the_known_findings(findings):
    assert _keys(findings) == KNOWN_FINDINGS


def test_findings_name_file_form_row_and_cell_in_chinese(findings):
    row = findings.filter(pl.col("check_id") == "self_score_matches_total").row(0, named=True)
    assert row["project_name"] == "禁毒专项经费" and row["severity"] == "error"
    assert row["message"] == f"{XINGQING} 第140行《禁毒专项经费》:自评得分填写97分,总分行为100分。"
    row = findings.filter((pl.col("check_id") == "year_matches_reporting_year") & (pl.col("line") == 160)
                          & (pl.col("field") == "实际完成值")).row(0, named=True)
    assert row["row_index"] == 5 and row["reporting_year"] == 2024 and row["form_id"]
    assert "年份2025与报告年度2024年不符" in row["message"]


def test_every_rule_has_a_unique_id_and_a_table():
    ids = [rule.check_id for rule in CATALOGUE]
    assert len(ids) == len(set(ids)) == 17
    assert {rule.table for rule in CATALOGUE} <= {"forms", "fund_rows", "indicators", "summary_rows",
                                                  "department_indicators"}


def _clean_form_findings(text, source_file=ZHONGWEI):
    """Findings on the first form of the 中卫 file, clean but for its 业务报销及时率 (line 25)."""
    found = findings_of(parse_text(text, source_file))
    return found.filter((pl.col("line") < 37) & (pl.col("line") != 25))


def test_clean_form_has_no_finding():
    assert _clean_form_findings(sample_text(ZHONGWEI)).is_empty()


def test_weights_sum_100_fires_on_an_extra_point():
    text = edit_line(sample_text(ZHONGWEI), 17, "\t2\t2\t", "\t3\t2\t")
    found = _clean_form_findings(text).filter(pl.col("check_id") == "weights_sum_100")
    assert found.select("line", "expected", "actual").rows() == [(3, "100", "101")]
    assert "预算执行率10分 + 绩效指标91分" in found["message"].item()


def test_execution_rate_matches_fires_on_a_wrong_rate_and_on_wrong_amounts():
    text = sample_text(ZHONGWEI)
    wrong_rate = _clean_form_findings(edit_line(text, 10, "100%", "90%"))
    assert wrong_rate.select("check_id", "line", "expected", "actual").rows() == [
        ("execution_rate_matches", 10, "100%", "90%")]
    wrong_spent = _clean_form_findings(edit_line(text, 11, "396.8\t396.8\t396.8", "396.8\t396.8\t357.12"))
    assert wrong_spent.select("check_id", "line", "expected", "actual").sort("check_id").rows() == [
        ("execution_rate_matches", 11, "90%", "100%"),
        ("funds_total_equals_parts", 10, "357.12", "396.8"),  # the 其中 row no longer adds up to the total
    ]


def test_execution_rate_tolerates_the_printed_precision():
    text = edit_line(sample_text(ZHONGWEI), 10, "396.8\t10\t100%", "396.4\t10\t99.8%")  # 99.899…%
    assert _clean_form_findings(text).filter(pl.col("check_id") == "execution_rate_matches").is_empty()
    text = edit_line(sample_text(ZHONGWEI), 10, "396.8\t10\t100%", "396.4\t10\t99.7%")
    assert _clean_form_findings(text).filter(pl.col("check_id") == "execution_rate_matches").height == 1


def test_execution_rate_uses_initial_budget_when_adjusted_is_zero_or_blank():
    # 协勤经费 writes 调整预算数(A) 0 and 禁毒专项经费 leaves it blank: both are 100% of 年初预算数.
    found = findings_of(parse_text(sample_text(XINGQING), XINGQING), check_id="execution_rate_matches")
    assert found.is_empty()
    text = edit_line(sample_text(XINGQING), 64, "4477.36\t4477.36\t0\t4477.36", "4477.36\t4477.36\t0\t4000")
    found = findings_of(parse_text(text, XINGQING), check_id="execution_rate_matches")
    assert found.select("line", "expected", "actual").rows() == [(64, "89.34%", "100%")]


def test_year_check_fires_on_the_title_year():
    text = edit_line(sample_text(ZHONGWEI), 5, "(2024年度)", "(2023年度)")
    found = _clean_form_findings(text).filter(pl.col("check_id") == "year_matches_reporting_year")
    assert found.select("line", "field", "expected", "actual").rows() == [(3, "标题年度", "2024", "2023")]


def test_year_check_ignores_amounts_and_the_reporting_year_itself(tables):
    # 辅警 goal text has `2024年保障辅警…` and `1800提高至2000元`; 禁毒 has `2024年底 前`: all fine.
    found = findings_of(parse_text(sample_text(ZHONGWEI)), check_id="year_matches_reporting_year")
    assert set(found["line"].to_list()) == {126, 160}


def test_score_within_weight_fires_on_a_score_above_its_weight():
    text = edit_line(sample_text(ZHONGWEI), 17, "\t2\t2\t", "\t2\t3\t")
    found = _clean_form_findings(text)
    assert ("score_within_weight", 17, "0–2", "3") in found.select("check_id", "line", "expected", "actual").rows()
    assert "「指标1:打击违法犯罪」得分3分" in found.filter(pl.col("check_id") == "score_within_weight")["message"].item()


def test_scores_sum_to_total_fires_on_a_wrong_total():
    text = edit_line(sample_text(ZHONGWEI), 35, "\t100\t96\t", "\t100\t95\t")
    found = _clean_form_findings(text)
    assert found.select("check_id", "line", "expected", "actual").rows() == [("scores_sum_to_total", 35, "96", "95")]


def test_self_score_silent_when_it_matches_the_total():
    text = edit_line(sample_text(XINGQING), 140, "\t97\t", "\t100\t")
    found = findings_of(parse_text(text, XINGQING), check_id="self_score_matches_total")
    assert found.is_empty()


def test_partial_forms_are_not_summed(tables, findings):
    """A cut-off form has no totals to check; the rows it shows are checked like any other."""
    partial = tables["forms"].filter(~pl.col("complete"))["form_id"]
    assert partial.len() == 4  # 北京, 河北, 贵池 and 湖北: cut off
    on_partial = findings.filter(pl.col("form_id").is_in(partial.implode()))
    assert set(on_partial["check_id"]) == {"funds_total_equals_parts", "score_follows_rule", "figures_confirmed"}
    assert set(on_partial["source_file"]) == {GUICHI, HEBEI, BEIJING}


def test_year_check_reads_the_goals_too():
    text = edit_line(sample_text(ZHONGWEI), 15, "警执法办案条件有所改善", "2025年1月起警执法办案条件有所改善")
    found = _clean_form_findings(text).filter(pl.col("check_id") == "year_matches_reporting_year")
    assert found.select("line", "field", "row_index").rows() == [(15, "目标完成情况", None)]


def test_execution_rate_message_names_the_row():
    found = _clean_form_findings(edit_line(sample_text(ZHONGWEI), 10, "100%", "90%"))
    assert found["message"].item() == (
        f"{ZHONGWEI} 第10行《办案费和基础设施维修改造费项目》年度资金总额:"
        "填报执行率90%,按全年执行数÷全年预算数(B/A)计算应为100%。")


def _rule(text, check_id, source_file=ZHONGWEI):
    return findings_of(parse_text(text, source_file), check_id=check_id)


def test_funds_total_equals_parts_fires_when_a_part_is_added():
    text = edit_line(sample_text(ZHONGWEI), 12, "上年结转资金\t\t\t\t", "上年结转资金\t10\t10\t10\t")
    found = _rule(text, "funds_total_equals_parts")
    assert found.select("line", "field", "expected", "actual").rows() == [
        (10, "年初预算数", "406.8", "396.8"), (10, "全年预算数", "406.8", "396.8"), (10, "全年执行数", "406.8", "396.8")]
    assert found["message"][0].endswith("年度资金总额的年初预算数为396.8,其中各项合计为406.8。")


def test_execution_score_and_over_execution():
    text = edit_line(sample_text(ZHONGWEI), 44, "20\t20\t20\t10\t100%\t10", "20\t20\t18\t10\t90%\t10")
    found = _rule(text, "execution_score_matches")
    assert found.select("line", "expected", "actual").rows() == [(44, "9", "10")]
    assert "按 min(执行率90%,100%)×分值10 计算应为9分" in found["message"].item()
    over = edit_line(sample_text(ZHONGWEI), 44, "20\t20\t20\t10\t100%\t10", "20\t20\t22\t10\t110%\t10")
    assert _rule(over, "execution_score_matches").is_empty(), "over 100% still scores the full weight"
    found = _rule(over, "over_execution")
    assert found.select("line", "actual", "severity").rows() == [(44, "110%", "warning")]


def test_section_weights_match_uses_the_configured_split_where_no_points_are_stated():
    from checks.config import load
    from filings.tables import to_tables
    from checks.engine import run_rules
    import dataclasses

    tables = to_tables([parse_text(sample_text(ZHONGWEI))])
    config = load()
    assert run_rules(tables, config).filter(pl.col("check_id") == "section_weights_match").is_empty()
    national = dataclasses.replace(config, variants=())  # 辅警 states no 产出 points: 50 nationally, 40 in 宁夏
    found = run_rules(tables, national).filter(pl.col("check_id") == "section_weights_match")
    assert found.select("line", "expected", "actual").rows() == [(121, "50", "40")]
    assert "规则配置(checks/rules.toml)" in found["message"].item()


def test_score_follows_rule_flags_full_marks_on_a_missed_target_as_an_error():
    text = edit_line(sample_text(ZHONGWEI), 17, "4083 起", "2800 起")  # ≥3000 target, full 2 points kept
    found = _rule(text, "score_follows_rule").filter(pl.col("line") == 17)
    assert found.select("expected", "actual", "severity").rows() == [("1.87", "2", "error")]
    assert "未达到指标值却得满分" in found["message"].item()


def test_score_follows_rule_reverse_formula_is_configurable():
    import dataclasses

    from checks.config import load
    from checks.engine import run_rules
    from filings.tables import to_tables

    text = edit_line(sample_text(ZHONGWEI), 59, "20万元\t5\t5", "40万元\t5\t2.5")  # ≤20万元 target, 40 spent
    tables = to_tables([parse_text(text)])
    config = load()
    found = run_rules(tables, config).filter((pl.col("check_id") == "score_follows_rule") & (pl.col("line") == 59))
    assert found.is_empty(), "A/B × 5 = 2.5"
    variant = dataclasses.replace(config, scoring=dataclasses.replace(config.scoring, reverse_formula="2-B/A"))
    found = run_rules(tables, variant).filter((pl.col("check_id") == "score_follows_rule") & (pl.col("line") == 59))
    assert found.select("expected", "actual").rows() == [("0", "2.5")]  # (2 − 40/20) × 5


def test_score_follows_rule_applies_a_printed_band_table():
    # 协勤经费 预算执行率 prints `≥90%得10分;90%>…≥80%得5分;<80%得0分`: 85% earns 5, not 10.
    text = edit_line(sample_text(XINGQING), 71, "\t100%\t预算执行率", "\t85%\t预算执行率")
    found = _rule(text, "score_follows_rule", XINGQING).filter(pl.col("line") == 71)
    assert found.select("expected", "actual").rows() == [("5", "10")]
    assert "表上印的分档规则" in found["message"].item()


def test_shortfall_reason_present_fires_when_the_reason_is_removed():
    text = edit_line(sample_text(ZHONGWEI), 53, "业务工作繁忙,宣传活动开展频率低", "")
    found = _rule(text, "shortfall_reason_present")
    assert set(found["line"].to_list()) == {53, 128}


def test_indicator_values_present_accepts_a_dash_but_not_a_blank():
    assert _rule(sample_text(XINGQING), "indicator_values_present", XINGQING).is_empty()  # `-` targets
    text = edit_line(sample_text(ZHONGWEI), 19, "\t2\t2\t", "\t2\t\t")
    found = _rule(text, "indicator_values_present").filter(pl.col("line") == 19)
    assert found["field"].item() == "得分"


def test_summary_matches_forms_compares_amounts_and_finds_missing_forms():
    text = edit_line(sample_text(XINGQING), 14, "4477.36\t4477.36\t100%", "4000\t4000\t100%")
    found = _rule(text, "summary_matches_forms", XINGQING)
    assert ("预算金额", "4477.36", "4000") in found.select("field", "expected", "actual").rows()
    renamed = edit_line(sample_text(XINGQING), 15, "禁毒专干经费", "禁毒专干补助")
    found = _rule(renamed, "summary_matches_forms", XINGQING).select("line", "field", "actual").rows()
    assert (15, "项目名称", "禁毒专干补助") in found  # a summary row with no form …
    assert (90, "项目名称", "禁毒专干经费") in found  # … and a form missing from the summary


def test_department_score_follows_band():
    assert _rule(sample_text(XINGQING), "department_score_follows_band", XINGQING).is_empty()
    text = edit_line(sample_text(XINGQING), 51, "\t100%\t90%\t", "\t100%\t80%\t")  # |B−A| 20 → 5 points
    found = _rule(text, "department_score_follows_band", XINGQING)
    assert found.select("line", "expected", "actual").rows() == [(51, "5", "10")]
    assert "|B−A|=20" in found["message"].item()


def test_duplicate_forms_tells_identical_copies_from_conflicting_ones():
    text = sample_text(ZHONGWEI)
    original = parse_text(text)
    copy = parse_filing_as(text, "2024/补报/中卫市公安局_重复.txt")
    found = findings_of(original, copy, check_id="duplicate_forms")
    assert found.height == 7 and set(found["severity"]) == {"warning"}
    assert "内容相同的重复报送" in found["message"][0]
    changed = parse_filing_as(edit_line(text, 35, "\t100\t96\t", "\t100\t90\t"), "2024/补报/中卫市公安局_重复.txt")
    found = findings_of(original, changed, check_id="duplicate_forms")
    assert found.filter(pl.col("severity") == "error")["actual"].to_list() == ["办案费和基础设施维修改造费项目"]


def parse_filing_as(text, source_file):
    return parse_text(text, source_file)


def test_a_qualitative_actual_in_traditional_characters_still_reads_as_its_target():
    """及时 / 及時 are the same word: the target reads as achieved and the 1 of 2 is flagged as before."""
    text = edit_line(sample_text(ZHONGWEI), 92, "\t及时\t2\t", "\t及時\t2\t")
    found = findings_of(parse_text(text), check_id="score_follows_rule").filter(pl.col("line") == 92)
    assert found.select("expected", "actual").rows() == [("≥1.6", "1")]


def test_a_qualitative_actual_spaced_apart_still_reads_as_its_target():
    """`AA A级` (the space clean() keeps between two ASCII letters or digits) is the target `AAA级`: the
    target reads as achieved and the 1 of 2 is flagged as for 及时 / 及时."""
    text = edit_line(sample_text(ZHONGWEI), 92, "\t及时\t及时\t2\t", "\tAAA级\tAA A级\t2\t")
    found = findings_of(parse_text(text), check_id="score_follows_rule").filter(pl.col("line") == 92)
    assert found.select("expected", "actual").rows() == [("≥1.6", "1")]


def test_figures_cut_in_one_of_several_ways_are_sent_for_review(findings):
    """中江 with 其中:本年财政拨款 `1520` instead of `2020`: 1520, 15 | 20, 152 | 0 all fit, so the
    row is read one way and flagged for a steward; the samples' only such row is 北京's."""
    assert set(findings.filter(pl.col("check_id") == "figures_confirmed")["source_file"]) == {BEIJING}
    text = sample_text(ZHONGJIANG).replace("其中:本年财政拨款2020", "其中:本年财政拨款1520")
    found = findings_of(parse_text(text, ZHONGJIANG), check_id="figures_confirmed")
    assert found.select("line", "field", "actual", "severity").rows() == [(1, "项目资金", "全年预算数1520", "warning")]
    assert "「其中:本年财政拨款」的数字在原文中连写无分隔" in found["message"][0]
