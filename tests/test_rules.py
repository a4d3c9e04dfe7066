"""Each rule flags the real mistakes in the samples, fires on a minimally edited form, and is
silent on clean forms."""

import polars as pl

from checks.rules import CATALOGUE
from conftest import XINGQING, ZHONGWEI, edit_line, findings_of, parse_text, sample_text

# What a careful reviewer flags in the 2024 samples (rule, file, line, field, expected, written).
KNOWN_FINDINGS = {
    # 禁毒专干经费: 项目效益(35分) holds only 30 points of indicators, so the form totals 95 …
    ("weights_sum_100", XINGQING, 90, "分值合计", "100", "95"),
    # … and its scores add up to 95 while the 总分 row says 100.
    ("scores_sum_to_total", XINGQING, 130, "总分", "95", "100"),
    # 禁毒专项经费: 自评得分 97 in the header, 合计 100.
    ("self_score_matches_total", XINGQING, 140, "自评得分", "100", "97"),
    # 2025 periods in 2024 forms: 辅警 (indicator name and target) and 警务云 (target and actual).
    ("year_matches_reporting_year", ZHONGWEI, 126, "三级指标", "2024", "指标1:2025年1月1日至12月31日"),
    ("year_matches_reporting_year", ZHONGWEI, 126, "年度指标值", "2024", "2025年1-12月"),
    ("year_matches_reporting_year", ZHONGWEI, 160, "年度指标值", "2024", "2025年1-12月"),
    ("year_matches_reporting_year", ZHONGWEI, 160, "实际完成值", "2024", "2025年1-12月"),
}


def _keys(found: pl.DataFrame) -> set:
    return set(found.select("check_id", "source_file", "line", "field", "expected", "actual").rows())


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
    assert len(ids) == len(set(ids)) == 6
    assert {rule.table for rule in CATALOGUE} <= {"forms", "fund_rows", "indicators"}


def _clean_form_findings(text, source_file=ZHONGWEI):
    """Findings on the first form of the 中卫 file, which is clean."""
    found = findings_of(parse_text(text, source_file))
    return found.filter(pl.col("line") < 37)


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
    assert wrong_spent.select("check_id", "line", "expected", "actual").rows() == [
        ("execution_rate_matches", 11, "90%", "100%")]


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


def test_partial_forms_are_not_scored(tables, findings):
    partial = tables["forms"].filter(~pl.col("complete"))["form_id"]
    assert partial.len() == 10
    assert findings.filter(pl.col("form_id").is_in(partial.implode())).is_empty()


def test_year_check_reads_the_goals_too():
    text = edit_line(sample_text(ZHONGWEI), 15, "警执法办案条件有所改善", "2025年1月起警执法办案条件有所改善")
    found = _clean_form_findings(text).filter(pl.col("check_id") == "year_matches_reporting_year")
    assert found.select("line", "field", "row_index").rows() == [(15, "目标完成情况", None)]


def test_execution_rate_message_names_the_row():
    found = _clean_form_findings(edit_line(sample_text(ZHONGWEI), 10, "100%", "90%"))
    assert found["message"].item() == (
        f"{ZHONGWEI} 第10行《办案费和基础设施维修改造费项目》年度资金总额:"
        "填报执行率90%,按全年执行数÷全年预算数(B/A)计算应为100%。")
