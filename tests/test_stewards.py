"""The stewards' report and workbook, built from real published tables."""

import re
import shutil

import openpyxl
import polars as pl
import pytest

from checks.engine import run_rules
from conftest import PROJECT, RAW, XINGQING, ZHONGWEI, edit_line, parse_text, sample_text
from filings.parse import parse_filing, parse_path
from filings.schemas import columns
from filings.tables import to_tables
from filings.warehouse import publish, read
from stewards import report, workbook
from stewards.review import _source_lines, load_review
from stewards.workbook import neutralise

FORMATS = PROJECT / "tests" / "fixtures" / "formats"


def _publish(warehouse, filings):
    tables = to_tables(filings)
    publish(warehouse, 2024, {**tables, "check_results": run_rules(tables)})


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("warehouse")
    _publish(warehouse, [parse_text(sample_text(ZHONGWEI)), parse_text(sample_text(XINGQING), XINGQING)])
    return warehouse


@pytest.fixture(scope="module")
def review(warehouse):
    return load_review(warehouse, RAW, 2024)


def _listed_as_published(warehouse, review, unit) -> list[dict]:
    """The unit's findings as check_results holds them (by rule, file and line), ordered by file
    and line, findings on one line in check_results' order."""
    files = review.forms.filter(pl.col("unit") == unit)["source_file"].unique()
    published = read(warehouse, "check_results", 2024).with_row_index().filter(pl.col("source_file").is_in(files))
    return sorted(published.iter_rows(named=True), key=lambda f: (f["source_file"], f["line"] or 0, f["index"]))


def test_review_groups_forms_by_filing_unit_and_keeps_the_offending_line(review):
    assert review.units() == ["中卫市公安局", "银川市政法委"]
    finding = review.findings.filter((pl.col("check_id") == "self_score_matches_total")).row(0, named=True)
    assert finding["unit"] == "银川市政法委"
    assert finding["source_text"] == "自评得分 │ 97"


def test_each_finding_gets_its_own_files_line_whatever_the_order_of_the_findings(tmp_path):
    """The lines are read file by file (one file held at a time), yet each finding keeps its place."""
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "a.txt").write_text("总分\t90\n自评得分\t97\n", encoding="utf-8")
    (tmp_path / "2024" / "b.txt").write_text("年度\t2024\n", encoding="utf-8")
    findings = pl.DataFrame({"source_file": ["2024/a.txt", "2024/b.txt", "2024/a.txt", "2024/gone.txt", "2024/a.txt"],
                             "line": [2, 1, 1, 1, None], "position": None}, schema_overrides={"position": pl.String})
    assert _source_lines(tmp_path, findings) == ["自评得分 │ 97", "年度 │ 2024", "总分 │ 90", None, None]


def test_a_finding_in_a_spreadsheet_shows_where_its_row_stands_not_the_files_bytes(tmp_path):
    """The line of a PDF, spreadsheet, Word or HTML filing is its grid's: its text is where the row
    stands in the original (source_positions), never that line of the file's bytes."""
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    for suffix in (".xlsx", ".html"):
        shutil.copy(FORMATS / f"银川市兴庆区_绩效评价汇总表及自评表{suffix}", raw / "2024")
    files = sorted((raw / "2024").iterdir())
    _publish(tmp_path / "warehouse", [parse_path(path, raw) for path in files])
    findings = load_review(tmp_path / "warehouse", raw, 2024).findings
    for suffix, where in ((".xlsx", "工作表「自评表」第140行"), (".html", "第5个表格第3行")):
        total = findings.filter(pl.col("source_file").str.ends_with(suffix)
                                & (pl.col("check_id") == "self_score_matches_total")).row(0, named=True)
        assert total["source_text"] == f"原文位置:{where}"
    # Every other finding too; none without a position (an HTML paragraph's) shows a line of the file.
    assert findings["source_text"].drop_nulls().str.starts_with("原文位置:").all()
    # The findings' own positions (check_results.position), not looked up again: no column twice.
    assert findings.columns == [*(c for c in columns("check_results") if c != "position"), "unit", "source_text"]
    assert findings["source_text"].null_count() == 1


def test_report_lists_every_finding_with_its_file_row_and_original_text(review, tmp_path):
    html = report.write(review, tmp_path).read_text(encoding="utf-8")
    assert "<meta charset='utf-8'>" in html
    for message in review.findings["message"]:
        assert message.replace("<", "&lt;") in html
    assert "data-check='self_score_matches_total' data-line='140'" in html
    assert "指标1:2025年1月1日至12月31日 │ 2025年1-12月 │ 100% │ 5 │ 5" in html
    assert html.count("<svg class=\"chart\"") == 3 and "各规则发现的问题数" in html


def test_each_units_findings_are_listed_by_file_and_line_in_the_order_of_check_results(warehouse, review, tmp_path):
    """Findings on one line (several rules, or one rule's several fields) keep check_results' order
    (by rule): the same report every time."""
    html = report.write(review, tmp_path).read_text(encoding="utf-8")
    ties = 0
    for number, unit in enumerate(review.units(), start=1):
        section = html.split(f"id='unit-{number}'>", 1)[1].split("</section>", 1)[0]
        listed = re.findall(r"<tr class='\w+' id='u(\d+)-f(\d+)' data-check='(\w+)' data-line='(\d*)'>", section)
        expected = _listed_as_published(warehouse, review, unit)
        assert listed == [(str(number), str(i), f["check_id"], str(f["line"] or "")) for i, f in enumerate(expected)]
        ties += len(expected) - len({(f["source_file"], f["line"]) for f in expected})
    assert ties, "no two findings on one line: nothing to order"


def test_workbook_has_a_sheet_per_unit_with_its_findings(review, tmp_path):
    book = openpyxl.load_workbook(workbook.write(review, tmp_path))
    assert book.sheetnames == ["汇总", "中卫市公安局", "银川市政法委"]
    sheet = book["银川市政法委"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == review.findings.filter(pl.col("unit") == "银川市政法委").height
    assert ("错误", "表头自评得分应等于总分", "禁毒专项经费", XINGQING, 140, "自评得分", "100", "97") in [r[:8] for r in rows]
    summary = list(book["汇总"].iter_rows(min_row=2, values_only=True))
    assert summary[0][:4] == ("中卫市公安局", 7, 6, 7)


def test_the_workbook_lists_each_units_findings_as_the_report_does(warehouse, review, tmp_path):
    """By file and line, findings on one line in the order of check_results."""
    book = openpyxl.load_workbook(workbook.write(review, tmp_path))
    for unit in review.units():
        expected = _listed_as_published(warehouse, review, unit)
        rows = list(book[unit].iter_rows(min_row=2, values_only=True))
        assert [(r[3], r[4], r[5], r[8]) for r in rows] == [
            (f["source_file"], f["line"], f["field"], f["message"]) for f in expected]


def test_the_workbook_neutralises_each_text_cell_as_neutralise_does():
    values = ["=1+1", "+86 123", "-5", "@SUM(A1)", "\t甲", "\r乙", "协勤经费", "a=b", " =1", None]
    texts = {name: values for name in ("project_name", "source_file", "field", "expected", "actual", "message",
                                       "source_text")}
    findings = pl.DataFrame({"unit": "单位", "severity": "error", "check_id": "weights_sum_100",
                             "line": range(len(values)), **texts})
    rows = workbook._finding_rows(findings).sort("line")  # rows come by file: their texts here
    for name in texts:
        assert rows[name].to_list() == [neutralise(v) for v in values], name


def test_workbook_reads_the_same_built_in_memory_or_row_by_row_on_disk(review, tmp_path, monkeypatch):
    def cells(folder):
        book = openpyxl.load_workbook(workbook.write(review, folder))
        return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}

    assert 0 < review.findings.height <= workbook.IN_MEMORY_FINDINGS  # built in memory
    in_memory = cells(tmp_path / "memory")
    monkeypatch.setattr(workbook, "IN_MEMORY_FINDINGS", 0)  # as for a region of many findings
    assert cells(tmp_path / "disk") == in_memory


def test_the_report_reads_the_same_made_a_unit_at_a_time_or_all_units_at_once(review, monkeypatch):
    def html():
        return re.sub(r"生成于 [^<]*", "", "".join(report.render(review)))

    assert len(review.units()) > 1
    monkeypatch.setattr(report, "BATCH_FORMS", 1)
    one_by_one = html()
    monkeypatch.setattr(report, "BATCH_FORMS", review.forms.height)
    assert html() == one_by_one


def test_values_from_filings_are_escaped_and_never_run_as_formulas(tmp_path):
    hostile = edit_line(sample_text(ZHONGWEI), 7, "办案费和基础设施维修改造费项目", "=HYPERLINK(\"http://x\")")
    hostile = edit_line(hostile, 8, "实施单位\t\t中卫市公安局", "实施单位\t\t<script>alert(1)</script>")
    hostile = edit_line(hostile, 35, "\t100\t96\t", "\t100\t95\t")  # a finding on that form
    _publish(tmp_path / "warehouse", [parse_text(hostile)])
    review = load_review(tmp_path / "warehouse", RAW, 2024)
    html = report.write(review, tmp_path).read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&quot;http://x&quot;)" in html  # quotes too, as html.escape writes them
    book = openpyxl.load_workbook(workbook.write(review, tmp_path))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'=HYPERLINK(\"http://x\")" in [c.value for c in cells]


@pytest.mark.parametrize("value, safe", [
    ("=1+1", "'=1+1"), ("+86 123", "'+86 123"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("协勤经费", "协勤经费"), (95, 95), (None, None),
])
def test_neutralise(value, safe):
    assert neutralise(value) == safe


def test_quarantined_files_have_their_own_section_and_sheet(tmp_path):
    filings = [parse_text(sample_text(ZHONGWEI)), parse_filing(b"", "2024/空白.txt", 2024)]
    _publish(tmp_path / "warehouse", filings)
    review = load_review(tmp_path / "warehouse", RAW, 2024)
    html = report.write(review, tmp_path).read_text(encoding="utf-8")
    assert "无法读取的文件(隔离区)" in html and "2024/空白.txt" in html and "文件为空或只有空白" in html
    book = openpyxl.load_workbook(workbook.write(review, tmp_path))
    assert book.sheetnames[-1] == "隔离的文件"
    assert list(book["隔离的文件"].iter_rows(min_row=2, values_only=True)) == [("2024/空白.txt", "empty", "文件为空或只有空白")]

