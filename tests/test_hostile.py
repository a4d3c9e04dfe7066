"""Hostile and bad files: each is quarantined (or read) with a specific reason in Chinese, costs
little time and memory, and the run goes on with the other files."""

import io
import resource
import zipfile

import polars as pl
import pytest
from dagster import DagsterInstance, load_assets_from_package_module, materialize

import assets
from checks.integrity import schema_failures
from conftest import RAW, ZHONGWEI, ephemeral_instance, findings_of, parse_text, sample_text
from filings.discover import discover
from filings.grid import UnreadableFiling
from filings.parse import parse_filing, parse_many, parse_path
from filings.readers import guards
from filings.tables import to_tables
from filings.warehouse import publish, read
from pipelines.partitions import partition_key
from pipelines.resources import JixiaoPaths

FIXTURES = RAW.parent / "tests" / "fixtures" / "formats"
STEM = "中卫市公安局_项目支出绩效自评表"
LAUGHS = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i + 1} "{f"&l{i};" * 10}">' for i in range(9))
ENTITIES = "含 XML 文档类型或实体声明(<!DOCTYPE>/<!ENTITY>),疑似 XML 炸弹或外部实体攻击,拒绝读取"


def _fixture(suffix: str) -> bytes:
    return (FIXTURES / f"{STEM}{suffix}").read_bytes()


def _xlsx_with_entities(declarations: str, reference: str) -> bytes:
    """The sample workbook with a document type and an entity used in a cell of its sheet."""
    original = zipfile.ZipFile(io.BytesIO(_fixture(".xlsx")))
    sheet = original.read("xl/worksheets/sheet1.xml").decode()
    sheet = f'<?xml version="1.0"?><!DOCTYPE worksheet [{declarations}]>' + sheet[sheet.index("<worksheet"):].replace(
        "<sheetData>", f'<sheetData><row r="999"><c r="A999" t="inlineStr"><is><t>{reference}</t></is></c></row>', 1)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for item in original.infolist():
            archive.writestr(item, sheet if item.filename == "xl/worksheets/sheet1.xml" else original.read(item))
    return packed.getvalue()


def _html_with_entities(declarations: str, reference: str) -> bytes:
    page = _fixture(".html").decode()
    return (f"<!DOCTYPE html [{declarations}]>" + page.replace("<body>", f"<body><p>{reference}</p>", 1)).encode()


XXE = '<!ENTITY x SYSTEM "file:///etc/passwd">'
CHROME = "第 1 页 共 3 页\n打印时间:2024-03-01 10:00\n中卫市财政局 制表\n\n第 2 页 共 3 页\n— 3 —\n"

BAD = {  # name: (bytes, reason code, message)
    "billion laughs.xlsx": (_xlsx_with_entities(LAUGHS, "&l9;"), "xml_entities", f"xl/worksheets/sheet1.xml {ENTITIES}"),
    "external entity.xlsx": (_xlsx_with_entities(XXE, "&x;"), "xml_entities", f"xl/worksheets/sheet1.xml {ENTITIES}"),
    "billion laughs.html": (_html_with_entities(LAUGHS, "&l9;"), "xml_entities", f"HTML 页面 {ENTITIES}"),
    "external entity.html": (_html_with_entities(XXE, "&x;"), "xml_entities", f"HTML 页面 {ENTITIES}"),
    **{f"truncated {part}.{kind}": (_fixture(f".{kind}")[:int(len(_fixture(f".{kind}")) * part)], "truncated",
                                    "文件不完整,像是在复制或上传时被截断:请重新报送完整的文件")
       for kind in ("xlsx", "docx", "pdf") for part in (0.3, 0.97)},
    "workbook.docx": (_fixture(".xlsx"), "wrong_extension", "扩展名为 .docx,内容却是Excel 工作簿(.xlsx):请改正扩展名后重新报送"),
    "document.xlsx": (_fixture(".docx"), "wrong_extension", "扩展名为 .xlsx,内容却是Word 文档(.docx):请改正扩展名后重新报送"),
    "pdf.xlsx": (_fixture(".pdf"), "wrong_extension", "扩展名为 .xlsx,内容却是PDF 文件:请改正扩展名后重新报送"),
    "pdf.txt": (_fixture(".pdf"), "wrong_extension", "扩展名为 .txt,内容却是PDF 文件:请改正扩展名后重新报送"),
    "workbook.pdf": (_fixture(".xlsx"), "wrong_extension", "扩展名为 .pdf,内容却是Excel 工作簿(.xlsx):请改正扩展名后重新报送"),
    "text.html": (sample_text(ZHONGWEI).encode(), "wrong_extension",
                  "扩展名为 HTML,内容却不是网页(没有 html、body、table 等标签):若是文本,请改为 .txt 后重新报送"),
    "page chrome.txt": (CHROME.encode(), "no_form_title", "未找到任何绩效自评表、整体支出绩效表或汇总表的标题"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_file_is_quarantined_with_its_reason(name):
    data, code, message = BAD[name]
    filing = parse_filing(data, f"2024/{name}", 2024)
    assert (filing.status, filing.reason_code, filing.error) == ("quarantined", code, message)
    assert schema_failures(to_tables([filing])) == {}


_W = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
_BODY = "<w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>"
_DECLARED = f'<!DOCTYPE d [{LAUGHS}]>'


def _docx_with_document(document: bytes) -> bytes:
    """The sample Word document with `document` as its word/document.xml."""
    original = zipfile.ZipFile(io.BytesIO(_fixture(".docx")))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in original.infolist():
            archive.writestr(item, document if item.filename == "word/document.xml" else original.read(item))
    return packed.getvalue()


@pytest.mark.parametrize("document", [
    f'<?xml version="1.0"?>{_DECLARED}{_W}{_BODY}'.encode(),
    f'<?xml version="1.0"?><!-- {"注释" * 3000} -->{_DECLARED}{_W}{_BODY}'.encode(),  # beyond the head read first
    f'<?xml version="1.0"?><?pi <w:document ?>{_DECLARED}{_W}{_BODY}'.encode(),  # a tag-like text before it
    f'\ufeff<?xml version="1.0" encoding="UTF-16"?>{_DECLARED}{_W}{_BODY}'.encode("utf-16-le"),
], ids=["after the declaration", "after a long comment", "after a processing instruction", "utf-16"])
def test_a_document_type_in_the_prolog_of_a_member_is_refused(document):
    filing = parse_filing(_docx_with_document(document), "2024/bomb.docx", 2024)
    assert (filing.status, filing.reason_code, filing.error) == (
        "quarantined", "xml_entities", f"word/document.xml {ENTITIES}")


def test_a_document_type_after_the_root_element_declares_nothing_and_the_xml_is_damaged():
    """Only the prolog can declare a document type, so a member that opens as office XML is not
    searched further; past the root element's tag the declaration is no XML: refused as damage,
    its entities never expanded."""
    filing = parse_filing(_docx_with_document(f'<?xml version="1.0"?>{_W}{_DECLARED}{_BODY}'.encode()),
                          "2024/late.docx", 2024)
    assert (filing.status, filing.reason_code) == ("quarantined", "damaged")


def test_the_run_goes_on_with_the_other_files(raw_copy, tmp_path):
    """Every bad file above beside the two samples in one real run: all quarantined with their
    reason, the samples published as on their own."""
    for name, (data, _, _) in BAD.items():
        (raw_copy / "2024" / name).write_bytes(data)
    warehouse = tmp_path / "warehouse"
    result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2024),
                         resources={"paths": JixiaoPaths(raw_dir=str(raw_copy), warehouse_dir=str(warehouse))},
                         instance=ephemeral_instance())
    assert result.success
    quarantine = read(warehouse, "quarantine", 2024)
    assert sorted(quarantine.select("source_file", "reason_code", "message").rows()) == sorted(
        (f"2024/{name}", code, message) for name, (_, code, message) in BAD.items())
    alone = to_tables([parse_path(f.path, RAW) for f in discover(RAW, 2024)])
    assert read(warehouse, "forms", 2024).drop("reporting_year").equals(alone["forms"].drop("reporting_year"))


def test_a_200_mb_single_line_file_is_refused_by_size_without_reading_it(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    huge = raw / "2024" / "一行.txt"
    chunk = ("项目名称 " * 300_000).encode()[:1024 * 1024]  # no line break anywhere
    with open(huge, "wb") as handle:
        for _ in range(200):
            handle.write(chunk)
    (raw / "2024" / "中卫.txt").write_bytes((RAW / ZHONGWEI).read_bytes())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    big, good = parse_many([huge, raw / "2024" / "中卫.txt"], raw)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KB: the file was not read
    assert (big.status, big.reason_code, big.bytes) == ("quarantined", "too_large", huge.stat().st_size)
    assert big.error == "文件大小 200 MB,超过 100 MB 的上限,拒绝读取:请按单位拆分后重新报送"
    assert good.status == "parsed" and good.n_forms == 7


def test_a_line_is_refused_from_one_byte_over_the_limit():
    at_limit = b"x" * guards.MAX_LINE
    guards.refuse_long_lines(at_limit)
    guards.refuse_long_lines(at_limit + b"\n" + at_limit)
    with pytest.raises(UnreadableFiling, match="第 2 行"):
        guards.refuse_long_lines(at_limit + b"\n" + at_limit + b"x")


def test_a_line_of_megabytes_is_refused():
    data = ("项目支出绩效自评表 " + "指标 1: 打击违法犯罪 ≥3000 起 " * 60_000).encode()[:2 * 1024 * 1024]
    filing = parse_filing(data, "2024/一行.txt", 2024)
    assert (filing.status, filing.reason_code) == ("quarantined", "line_too_long")
    assert filing.error == "第 1 行长达 2.0 MB(上限 1 MB),不是自评表的文本,拒绝读取"


def test_three_thousand_forms_in_one_file_are_all_accounted_for():
    form = "\n".join(sample_text(ZHONGWEI).split("\n")[:36]) + "\n"
    indicators = len(parse_text(form).forms[0].indicators)
    filing = parse_text(form * 3000)
    assert (filing.status, filing.n_forms) == ("parsed", 3000)
    assert all(f.complete and len(f.indicators) == indicators for f in filing.forms)
    tables = to_tables([filing])
    assert tables["forms"]["form_id"].n_unique() == 3000 and tables["indicators"].height == 3000 * indicators


def test_odd_file_names_are_published_and_read_back_as_named(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2024").mkdir(parents=True)
    names = ["单位 A 🎉 自评表.txt", "引号\"单引号'表.txt", "换行\n的名字.txt", "  前后空格  .txt", "#;&$(rm -rf).txt"]
    for name in names:
        (raw / "2024" / name).write_bytes((RAW / ZHONGWEI).read_bytes())
    filings = [parse_path(f.path, raw) for f in discover(raw, 2024)]
    publish(tmp_path / "warehouse", 2024, to_tables(filings))
    back = read(tmp_path / "warehouse", "filings", 2024)
    assert sorted(back["source_file"]) == sorted(f"2024/{name}" for name in names)
    assert back["status"].to_list() == ["parsed"] * 5 and back["n_forms"].sum() == 35


def test_a_form_without_its_indicator_table_is_partial_with_the_reason():
    filing = parse_text("\n".join(sample_text(ZHONGWEI).split("\n")[:15]))
    assert (filing.status, filing.n_forms) == ("partial", 1)
    assert filing.error == "第1张表(第3行起):缺少绩效指标表"
    assert filing.forms[0].budget_initial == 396.8


def test_absurd_numbers_are_kept_as_filed_and_flagged():
    form = "\n".join(sample_text(ZHONGWEI).split("\n")[:36])
    absurd = form.replace("\t396.8\t396.8\t396.8\t10\t100%\t10", "\t-396.8\t-396.8\t396.8\t10\t10000%\t10", 1)
    filing = parse_text(absurd)
    assert filing.status == "parsed"
    assert (filing.forms[0].budget_initial, filing.forms[0].execution_rate_raw) == (-396.8, "10000%")
    found = findings_of(filing).filter(pl.col("line") == 10)
    assert set(found["check_id"]) == {"execution_rate_matches", "execution_score_matches", "funds_total_equals_parts"}
    assert any("填报执行率10000%" in message for message in found["message"])
