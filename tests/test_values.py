"""Cell text and value parsing: what converters do to words and numbers, undone."""

import pytest

from filings.text import clean, compact, remembered, split_points
from filings.values import parse_measure, parse_number, parse_rate, title_year


@pytest.mark.parametrize("raw, cleaned", [
    ("<b>总 分</b>", "总分"),
    ("年初预 算数", "年初预算数"),
    ("100 %", "100%"),
    ("2024年 1-12 月", "2024年1-12月"),
    ("指标 1: 打击违法犯罪", "指标1:打击违法犯罪"),
    ("项目资金（万元）", "项目资金(万元)"),
    ("$ B-A \\leq 10$ , 得15分; $10 <  B-A \\leq 20$", "B-A≤10,得15分;10<B-A≤20"),
    ("≧95", "≥95"),
    ("≦ 3 天", "≤3天"),
    ("得分 ═ 权重 \\times 完成率", "得分=权重×完成率"),
    ("满意度＞＝90%", "满意度>=90%"),
    ("Wi Fi 5 G", "Wi Fi 5 G"),
])
def test_clean_undoes_converter_noise(raw, cleaned):
    assert clean(raw) == cleaned


def test_split_points_reads_section_points():
    assert split_points("产出 指标 (40 分)") == ("产出指标", 40.0)
    assert split_points("服务对象满意度指标(10分)") == ("服务对象满意度指标", 10.0)
    assert split_points("数量指标") == ("数量指标", None)
    assert compact(" 总 分 ") == "总分"


@pytest.mark.parametrize("text, number", [
    ("199.433563", 199.433563), ("4477.36", 4477.36), ("1,200", 1200.0), ("10", 10.0),
    ("100%", None), ("", None), ("—", None), ("≥3000 起", None),
])
def test_parse_number(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text, value, tolerance", [
    ("100%", 1.0, 0.01), ("100 %", 1.0, 0.01), ("98.10%", 0.981, 0.0001), ("100.00%", 1.0, 0.0001),
    ("0.958", 0.958, 0.001), ("1", 1.0, 1.0), ("79.27", 0.7927, 0.0001),
])
def test_parse_rate_reads_every_way_a_rate_is_written(text, value, tolerance):
    rate = parse_rate(text)
    assert rate.value == pytest.approx(value)
    assert rate.tolerance == pytest.approx(tolerance)


def test_parse_rate_refuses_text():
    assert parse_rate("完成") is None and parse_rate("") is None


@pytest.mark.parametrize("text, kind, op, value, unit", [
    ("≥3000 起", "quantity", "≥", 3000.0, "起"),
    ("≤100%", "quantity", "≤", 100.0, "%"),
    ("≤491.60万元", "quantity", "≤", 491.6, "万元"),
    ("98.10%", "quantity", None, 98.1, "%"),
    ("30000 人/次", "quantity", None, 30000.0, "人/次"),
    ("3小时内", "quantity", "≤", 3.0, "小时"),
    ("2524", "quantity", None, 2524.0, None),
    ("2024年 1-12 月", "period", None, None, None),
    ("2024年底 前", "period", None, None, None),
    ("逐年上升", "qualitative", None, None, None),
    ("较上年下降 5%", "qualitative", None, None, None),
    ("医生 8 万/人 护士 6 万/人", "qualitative", None, None, None),
    ("-", "empty", None, None, None),
    ("", "empty", None, None, None),
])
def test_parse_measure(text, kind, op, value, unit):
    measure = parse_measure(text)
    assert (measure.kind, measure.op, measure.value, measure.unit) == (kind, op, value, unit)
    assert measure.raw == text.strip()


def test_title_year():
    assert title_year("( 2024 年度 )") == 2024
    assert title_year("(2024年)") == 2024
    assert title_year("成安县民政局2020年度预算项目绩效自评表") == 2020
    assert title_year("部门项目支出绩效自评表") is None


def test_clean_is_idempotent_on_comparisons():
    text = "B-A≤10,得15分;20<B-A≤30,得5分;B-A>30,得0分"
    assert clean(text) == text and clean(clean("<b>总 分</b>")) == "总分"


def test_clean_repairs_ocr_slips():
    assert clean("≤491.60万兀") == "≤491.60万元"


def test_the_parsers_memos_are_emptied_when_full_so_their_memory_stays_bounded():
    cache: dict = {}
    for n in range(10):
        assert remembered(cache, f"文本{n}", n, limit=4) == n
    assert len(cache) <= 4 and cache["文本9"] == 9


def test_memoised_answers_are_the_same_when_asked_again():
    """The text-keyed memos answer the second time with the very object of the first (worked out
    again, it would be a new one), and give a remembered None back as None."""
    for _ in range(2):
        assert (clean("年初预 算数"), compact("Wi Fi 5 G"), parse_number("1,200"), parse_number("约 5")) == (
            "年初预算数", "WiFi5G", 1200.0, None)
    for memo, text in ((clean, "预 算数 1"), (compact, "Wi Fi 6 G"), (parse_number, "2,400"), (parse_measure, "≥ 95 %")):
        assert memo(text) is memo(text), memo.__name__
    # Compiled code hands a tuple back made anew; the text in it is the one remembered.
    assert split_points("产出 (30分)")[0] is split_points("产出 (30分)")[0]
