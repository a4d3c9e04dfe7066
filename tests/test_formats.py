"""Every file format reads into the same tables as the converter text it was built from.

The fixtures in tests/fixtures/formats/ were written from the 2024 samples by real writers
(xlsxwriter, xlwt, python-docx, reportlab; see tools/build_fixtures.py) and are read back by the real
readers (calamine, python-docx, lxml, PDFium).
"""

import io
import re
from pathlib import Path

import polars as pl
import pypdfium2 as pdfium
import pytest

from checks.engine import run_rules
from conftest import RAW
from filings.parse import parse_filing
from filings.readers import read_grid
from filings.readers import text as text_reader
from filings.tables import to_tables
from filings.text import clean

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
SAMPLES = ["中卫市公安局_项目支出绩效自评表", "银川市兴庆区_绩效评价汇总表及自评表"]


def _facts(data: bytes, name: str):
    filing = parse_filing(data, f"2024/{name}", 2024)
    tables = to_tables([filing])
    forms = tables["forms"].drop("form_id", "filing_id", "source_file", "line_start", "line_end", "total_line",
                                 "self_score_line", "goal_line")
    raw_text = [pl.col(c).map_elements(clean, return_dtype=pl.String) for c in ("target_raw", "actual_raw")]
    indicators = tables["indicators"].drop("form_id", "line").with_columns(raw_text)
    findings = run_rules(tables).select("check_id", "severity", "field", "expected", "actual").sort(pl.all())
    return filing, forms, indicators, findings


@pytest.mark.parametrize("suffix", [".html", ".xlsx", ".xls", ".docx", ".pdf"])
@pytest.mark.parametrize("stem", SAMPLES)
def test_format_yields_the_same_tables_and_findings_as_the_text(stem, suffix):
    reference = _facts((RAW / "2024" / f"{stem}.txt").read_bytes(), f"{stem}.txt")
    filing, forms, indicators, findings = _facts((FIXTURES / f"{stem}{suffix}").read_bytes(), f"{stem}{suffix}")
    assert filing.status == "parsed" and filing.n_forms == reference[0].n_forms
    assert forms.equals(reference[1])
    assert indicators.equals(reference[2])
    assert findings.equals(reference[3]) and findings.height > 0


def _cells(rows):
    return [[(c.col, c.text) for c in row.cells] for row in rows]


@pytest.mark.parametrize("stem", SAMPLES)
def test_pdf_rows_are_the_text_lines_they_were_written_from(stem):
    """The PDF reader's grid itself: its ruled tables give every cell back in its column, the text
    around them one-cell rows, in the text's order, each with its page and line on the page."""
    text = read_grid((RAW / "2024" / f"{stem}.txt").read_bytes(), ".txt")
    rows = read_grid((FIXTURES / f"{stem}.pdf").read_bytes(), ".pdf")
    assert _cells(rows) == _cells(text)
    assert rows[0].where == "第1页第1行" and all(re.fullmatch(r"第\d+页第\d+行", row.where) for row in rows)
    assert len({row.where for row in rows}) == len(rows)


def test_pdf_cells_read_as_written_across_their_wrapped_lines():
    """Cells as the PDF reader has always given them (pdfplumber's reading, kept by PDFium's): a
    cell's lines run together without a space, the spaces written inside a line kept."""
    rows = {row.where: [(c.col, c.raw) for c in row.cells]
            for row in read_grid((FIXTURES / f"{SAMPLES[0]}.pdf").read_bytes(), ".pdf")}
    assert rows["第3页第21行"] == [(0, "项目资金 (万元)"), (3, "年初预 算数"), (4, "全年预算 数"), (5, "全年执行 数"),
                                 (6, "分值"), (7, "执行 率"), (8, "得分")]
    assert rows["第7页第5行"] == [(2, "指标 2: 公共安全保障力,辅助完成交通疏大型活动安保、应急处突等任力的次数及成效、"
                                      "减少交通拥堵、安全事故等问题。"), (3, "逐步提升"), (4, "逐步提升"), (5, "5"), (6, "5")]
    assert len(rows) == 221 and "第12页第18行" in rows


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_pdf_page_turned_by_its_rotate_entry_reads_as_shown(rotation):
    """Landscape forms are often portrait pages with /Rotate and their content turned the other way:
    they read as the page shows, exactly like the same page drawn upright."""
    data = (FIXTURES / f"{SAMPLES[1]}.pdf").read_bytes()
    document = pdfium.PdfDocument(data)
    for page in document:
        width, height = page.get_size()
        turn = {90: pdfium.PdfMatrix(0, 1, -1, 0, height, 0), 180: pdfium.PdfMatrix(-1, 0, 0, -1, width, height),
                270: pdfium.PdfMatrix(0, -1, 1, 0, 0, width)}[rotation]
        for obj in page.get_objects(max_depth=1):
            obj.transform(turn)
        if rotation != 180:
            page.set_mediabox(0, 0, height, width)
        page.set_rotation(rotation)
        page.gen_content()
    turned = io.BytesIO()
    document.save(turned)
    assert read_grid(turned.getvalue(), ".pdf") == read_grid(data, ".pdf")


def test_spreadsheet_rows_keep_the_sheet_row_numbers():
    stem = SAMPLES[1]
    text = run_rules(to_tables([parse_filing((RAW / "2024" / f"{stem}.txt").read_bytes(), "2024/a.txt", 2024)]))
    sheet = run_rules(to_tables([parse_filing((FIXTURES / f"{stem}.xlsx").read_bytes(), "2024/a.xlsx", 2024)]))
    assert sorted(text["line"].to_list()) == sorted(sheet["line"].to_list())


def test_a_text_line_met_again_reads_as_its_own_file_splits_it_at_its_own_number():
    """Converter text reads each distinct line once and keeps its cells: a line met again, in the
    same file or another, stands at its own number; a file with tabs splits it on tabs only, one
    without on spaces, whichever file read it first."""
    spaced = "项目名称 测试项目\n# 主管部门 测试局\n".encode()
    tabbed = "项目名称 测试项目\t甲\n\n项目名称 测试项目\n# 主管部门 测试局\n".encode()

    def rows(data):
        return [(row.line, [(cell.col, cell.raw) for cell in row.cells]) for row in read_grid(data, ".txt")]

    as_spaced = [(1, [(0, "项目名称"), (1, "测试项目")]), (2, [(0, "主管部门"), (1, "测试局")])]
    assert rows(spaced) == as_spaced
    assert rows(tabbed) == [(1, [(0, "项目名称 测试项目"), (1, "甲")]), (3, [(0, "项目名称 测试项目")]),
                            (4, [(0, "主管部门 测试局")])]
    assert rows(spaced) == as_spaced


def test_only_short_text_lines_are_kept_to_be_met_again():
    """The memo of lines read holds lines of up to _REMEMBERED_LINE characters: a file of long
    distinct lines (a form run together, or a hostile file) would otherwise fill it with megabytes."""
    short, long = "项目名称\t甲项目", "\t".join(["测试指标一二三"] * 200)
    assert len(short) <= text_reader._REMEMBERED_LINE < len(long)
    read_grid(f"{short}\n{long}\n".encode(), ".txt")
    assert short in text_reader._PLAIN_LINES[True] and long not in text_reader._PLAIN_LINES[True]
    assert [len(row.cells) for row in read_grid(f"{long}\n{short}\n".encode(), ".txt")] == [200, 2]


@pytest.mark.parametrize("name, reason", [
    ("scan.pdf", "PDF 没有文字层(扫描件),需要 OCR 识别后再报送"),
    ("encrypted.pdf", "PDF 已加密,需要密码才能读取"),
    ("encrypted.xlsx", "Office 文件已加密(设置了打开密码),需要密码才能读取:请报送未加密的文件"),
])
def test_unreadable_files_are_quarantined_with_the_reason(name, reason):
    filing = parse_filing((FIXTURES / name).read_bytes(), f"2024/{name}", 2024)
    assert (filing.status, filing.error) == ("quarantined", reason)


def test_a_damaged_sheet_that_makes_the_spreadsheet_library_panic_is_quarantined():
    """calamine (Rust) panics on some damaged OLE files rather than raising an error: a panic is a
    BaseException in Python, which a plain `except Exception` let through to crash the run. This
    file is an encrypted .xlsx with a few bytes edited (found by tests/test_fuzz.py)."""
    filing = parse_filing((FIXTURES / "damaged_ole.xlsx").read_bytes(), "2024/damaged_ole.xlsx", 2024)
    assert (filing.status, filing.reason_code) == ("quarantined", "damaged")
    assert filing.error == "文件已损坏或不是有效的 .xlsx 文件(PanicException)"


def test_a_pdf_without_its_chinese_font_on_a_machine_without_one_is_quarantined_not_read_short(monkeypatch):
    """The fixtures use Adobe's STSong-Light without embedding it: without a Chinese font on the
    machine PDFium drops characters, so the file is refused with what to install; text files and a
    scan are not affected."""
    from filings.readers import pdf

    assert pdf.chinese_font_installed(), "make test installs fonts-wqy-microhei"
    monkeypatch.setattr(pdf, "chinese_font_installed", lambda: False)
    filing = parse_filing((FIXTURES / f"{SAMPLES[0]}.pdf").read_bytes(), f"2024/{SAMPLES[0]}.pdf", 2024)
    assert (filing.status, filing.reason_code) == ("quarantined", "needs_font")
    assert "fonts-wqy-microhei" in filing.error
    assert parse_filing((FIXTURES / "scan.pdf").read_bytes(), "2024/scan.pdf", 2024).reason_code == "needs_ocr"
    assert parse_filing((RAW / "2024" / f"{SAMPLES[0]}.txt").read_bytes(), "2024/a.txt", 2024).status == "parsed"


def test_an_xml_entity_bomb_inside_a_docx_is_refused():
    import io
    import zipfile

    lol = "".join(f'<!ENTITY l{i + 1} "{f"&l{i};" * 10}">' for i in range(9))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{lol}]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>").encode()
    original = zipfile.ZipFile(FIXTURES / f"{SAMPLES[1]}.docx")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for item in original.infolist():
            archive.writestr(item, bomb if item.filename == "word/document.xml" else original.read(item.filename))
    filing = parse_filing(packed.getvalue(), "2024/bomb.docx", 2024)
    assert (filing.status, filing.reason_code) == ("quarantined", "xml_entities")
    assert filing.error.startswith("word/document.xml 含 XML 文档类型或实体声明")


@pytest.mark.parametrize("suffix, position", [
    (".xlsx", "工作表「自评表」第140行"),  # the text's line 140 is the sheet's row 140
    (".xls", "工作表「自评表」第140行"),
    (".docx", "第5个表格第3行"),  # the third row of the form's header table
    (".html", "第5个表格第3行"),
    (".pdf", "第7页第9行"),
])
def test_findings_point_into_the_original_file(suffix, position):
    """A finding names the page, sheet or table row a steward opens the original at; text files
    keep the line number."""
    stem = SAMPLES[1]
    tables = to_tables([parse_filing((FIXTURES / f"{stem}{suffix}").read_bytes(), f"2024/a{suffix}", 2024)])
    found = run_rules(tables).filter(pl.col("check_id") == "self_score_matches_total").row(0, named=True)
    assert found["position"] == position
    assert found["message"].startswith(f"2024/a{suffix} {found['position']}《禁毒专项经费》")
    positions = tables["source_positions"]
    assert positions.filter(pl.col("line") == found["line"])["position"].to_list() == [found["position"]]
    text = run_rules(to_tables([parse_filing((RAW / "2024" / f"{stem}.txt").read_bytes(), "2024/a.txt", 2024)]))
    assert text.filter(pl.col("check_id") == "self_score_matches_total")["position"].to_list() == [None]
