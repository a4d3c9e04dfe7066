"""Every file and every form is accounted for: parsed, partial with a reason, or quarantined."""

import codecs
import json
from pathlib import Path

import polars as pl
import pytest

from checks.integrity import schema_failures, unaccounted
from conftest import RAW, XINGQING, ZHONGWEI, edit_line, parse_text, sample_text
from filings.discover import discover, files_in, inside, region_folders, regions, reporting_years, unplaced
from filings.parse import parse_filing, parse_path
from filings.readers import read_grid
from filings.tables import to_tables
from filings.text import clean

ANNOTATIONS = [json.loads(line) for line in (Path(__file__).parent / "data" / "expected.jsonl").open()]


def test_every_sample_file_is_accounted_for(tables):
    files = sorted(p.relative_to(RAW).as_posix() for p in RAW.rglob("*") if p.is_file())
    assert tables["filings"]["source_file"].to_list() == files
    assert unaccounted(files, tables) == []
    assert schema_failures(tables) == {}
    assert tables["filings"]["n_forms"].sum() == tables["forms"].height == 22


def test_every_indicator_row_read_is_published_or_skipped_with_a_reason(tables):
    """294 rows read in the samples' indicator tables = 263 indicators + 8 department indicators +
    23 rows holding none (section labels, the template's empty 指标N: slots)."""
    assert tables["forms"]["indicator_rows_read"].sum() == 294
    assert (tables["indicators"].height, tables["department_indicators"].height, tables["skipped_rows"].height) == (
        263, 8, 23)
    skipped = tables["skipped_rows"].join(tables["forms"].select("form_id", "source_file"), on="form_id")
    assert (ZHONGWEI, 29, "empty_slot", "指标 2:") in skipped.select("source_file", "line", "reason", "text").rows()
    assert set(skipped["reason"]) == {"section_label", "empty_slot"}


@pytest.mark.parametrize("written, slot", [
    ("指标 2:", True), ("指标 12:", True), ("指标:", True), ("指标", True), ("指标 2：", True),
    ("指标 2::", False), ("指标 2a:", False), ("指标 2: 新增", False),
])
def test_the_templates_empty_slot_is_skipped_and_a_name_is_not(written, slot):
    """中卫 line 29 is the template's empty slot 指标 2: (指标, digits or none, one colon or none): a
    row holding no indicator. Anything more is the filer's name for one, published as written."""
    text = edit_line(sample_text(ZHONGWEI), 29, "\t指标 2:\t", f"\t{written}\t")
    tables = to_tables([parse_text(text, ZHONGWEI)])
    skipped = tables["skipped_rows"].filter(pl.col("line") == 29)["reason"].to_list()
    named = tables["indicators"].filter(pl.col("line") == 29)["level3"].to_list()
    assert (skipped, named) == ((["empty_slot"], []) if slot else ([], [clean(written)]))


def test_a_department_row_without_an_indicator_is_skipped_with_its_reason():
    """兴庆's 部门整体 row 4 with its indicator name blanked: not published as an indicator, kept in
    skipped_rows as written, and the form's rows still balance."""
    text = edit_line(sample_text(XINGQING), 48, "\t结余结转控制率\t", "\t\t")
    tables = to_tables([parse_text(text, XINGQING)])
    skipped = tables["skipped_rows"].filter(pl.col("reason") == "no_indicator")
    assert skipped.select("line", "text").rows() == [(48, "4 | 10 | 0% | 0% | 10")]
    assert tables["department_indicators"].height == 7
    assert unaccounted([XINGQING], tables) == []


def test_a_lost_indicator_row_stops_publishing(tables):
    lost = {**tables, "indicators": tables["indicators"].slice(1)}
    problems = unaccounted(tables["filings"]["source_file"].to_list(), lost)
    assert len(problems) == 1 and problems[0].startswith("1 张表的指标行对不上:例如 ")
    assert problems[0].endswith("2016/北京海淀_【体制】自管道路清扫保洁外包工作经费.txt 读取 2 行,发布 1 行、跳过 0 行")


def test_2024_files_parse_completely(tables):
    rows = tables["filings"].filter(pl.col("reporting_year") == 2024)
    assert rows.select("status", "n_forms", "error").rows() == [("parsed", 7, None), ("parsed", 5, None)]


@pytest.mark.parametrize("note", ANNOTATIONS, ids=[a["file"] for a in ANNOTATIONS])
def test_other_provinces_never_break_the_run_and_say_what_is_missing(all_filings, note):
    """Every other-province file yields its form: read whole where its layout is known, else
    marked incomplete with the reason, and its header fields that stand next to their labels
    read right (checked against the hand annotations; figures are checked by test_accuracy)."""
    filing = next(f for f in all_filings if f.source_file == note["file"])
    form = next(f for f in filing.forms if f.project_name)
    assert form.complete or (form.problems and filing.status == "partial" and form.problems in filing.error)
    assert not form.complete or note["complete"], "a cut-off form is never called complete"
    assert form.title_year == note["reporting_year"]
    assert form.project_name == note["project_name"]
    assert form.supervising_dept == note["主管部门"]
    assert form.implementing_unit == note["实施单位"]


@pytest.mark.parametrize("data, name, code, reason", [
    (b"", "2024/empty.txt", "empty", "文件为空"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "2024/scan.txt", "binary_content", "二进制"),
    ("绩效自评表".encode() + b"\xff\xfe\xfa", "2024/broken.txt", "unknown_encoding", "编码"),
    ("%PDF-1.7 …".encode(), "2024/form.pdf", "truncated", "被截断"),
    ("%PDF-1.7 乱码 %%EOF".encode(), "2024/form.pdf", "damaged", "文件已损坏或不是有效的 .pdf 文件"),
    (b"PK\x03\x04 truncated", "2024/form.xlsx", "truncated", "被截断"),
    ("WPS".encode(), "2024/form.wps", "unsupported_format", "暂不支持的文件格式 .wps"),
    ("这是一份通知,没有任何表格。".encode(), "2024/notice.txt", "no_form_title", "未找到"),
])
def test_bad_input_is_quarantined_with_a_reason(data, name, code, reason):
    filing = parse_filing(data, name, 2024)
    assert filing.status == "quarantined" and filing.n_forms == 0
    assert reason in filing.error and filing.reason_code == code
    tables = to_tables([filing])
    assert tables["filings"].height == 1 and schema_failures(tables) == {}
    assert tables["quarantine"].select("source_file", "reason_code", "message").rows() == [(name, code, filing.error)]


def test_gb18030_text_parses_like_utf8():
    text = sample_text(ZHONGWEI)
    utf8 = parse_text(text)
    gbk = parse_filing(text.encode("gb18030"), ZHONGWEI, 2024)
    assert gbk.status == "parsed"
    assert [f.project_name for f in gbk.forms] == [f.project_name for f in utf8.forms]
    assert [len(f.indicators) for f in gbk.forms] == [len(f.indicators) for f in utf8.forms]


def test_utf8_text_with_a_byte_order_mark_reads_like_without():
    data = sample_text(ZHONGWEI).encode()
    assert read_grid(codecs.BOM_UTF8 + data, ".txt") == read_grid(data, ".txt")  # no U+FEFF in the first cell


def test_cut_off_form_yields_what_it_has_and_no_total():
    lines = sample_text(ZHONGWEI).split("\n")
    filing = parse_text("\n".join(lines[:26]))  # cut inside the first form's indicator table
    form = filing.forms[0]
    assert filing.status == "partial" and not form.complete
    assert "缺少总分行" in form.problems
    assert form.total_score_reported is None and len(form.indicators) == 10  # lines 17–26
    assert form.budget_initial == 396.8


def test_unaccounted_names_what_went_missing(tables):
    files = tables["filings"]["source_file"].to_list()
    problems = unaccounted([*files, "2024/新文件.txt"], tables)
    assert problems == ["1 个文件未出现在 filings 表中:2024/新文件.txt"]
    lost_form = {**tables, "forms": tables["forms"].slice(1)}
    assert any("forms 表却有 21 行" in p for p in unaccounted(files, lost_form))


def test_schema_failures_are_reported_per_table(tables):
    broken = {**tables, "forms": tables["forms"].with_columns(form_type=pl.lit("memo"))}
    failures = schema_failures(broken)
    assert list(failures) == ["forms"]
    assert failures["forms"]["column"].unique().to_list() == ["form_type"]


def test_a_column_of_another_type_breaks_the_schema_rather_than_being_cast(tables):
    """The published files must hold the contract's types: a cast at validation would let an
    Int32 column through (and cost a read of the whole table per column, see filings/schemas.py)."""
    narrowed = {**tables, "forms": tables["forms"].with_columns(pl.col("ordinal").cast(pl.Int32))}
    failures = schema_failures(narrowed)
    assert list(failures) == ["forms"]
    assert failures["forms"].select("column", "check", "failure_case").rows() == [("ordinal", "dtype('Int64')", "Int32")]


def test_schema_failures_of_scans_are_those_of_the_frames(tables, tmp_path):
    """A run validates its staged partition through parquet scans: their values are checked too
    (Pandera checks only a LazyFrame's schema unless told otherwise), with the same failure cases."""
    broken = {**tables, "indicators": tables["indicators"].with_columns(
        form_id=pl.when(pl.col("row_index") == 3).then(None).otherwise(pl.col("form_id")))}
    for name, frame in broken.items():
        frame.write_parquet(tmp_path / f"{name}.parquet")
    scanned = schema_failures({name: pl.scan_parquet(tmp_path / f"{name}.parquet") for name in broken})
    assert list(scanned) == ["indicators"] and scanned["indicators"].height > 0
    assert scanned["indicators"].equals(schema_failures(broken)["indicators"])


def test_form_ids_are_stable_across_runs():
    first, second = parse_text(sample_text(ZHONGWEI)), parse_text(sample_text(ZHONGWEI))
    assert [f.form_id for f in first.forms] == [f.form_id for f in second.forms]
    assert len({f.form_id for f in first.forms}) == 7


def test_zip_bombs_are_refused_by_size_and_ratio():
    import io
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))  # 60 MB of zeros
    filing = parse_filing(packed.getvalue(), "2024/bomb.xlsx", 2024)
    assert filing.status == "quarantined" and "疑似压缩炸弹" in filing.error


def test_links_out_of_raw_are_refused(tmp_path):
    raw, outside = tmp_path / "raw", tmp_path / "secret.txt"
    (raw / "2024").mkdir(parents=True)
    outside.write_text("项目支出绩效自评表", encoding="utf-8")
    (raw / "2024" / "link.txt").symlink_to(outside)
    (raw / "2024" / "inside.txt").symlink_to(RAW / ZHONGWEI)  # also outside this raw/
    filings = [parse_path(f.path, raw) for f in discover(raw, 2024)]
    assert [(f.source_file, f.status) for f in filings] == [("2024/inside.txt", "quarantined"),
                                                            ("2024/link.txt", "quarantined")]
    assert all("raw/ 之外" in f.error for f in filings)


def test_a_region_folder_that_links_out_of_raw_is_a_region_whose_files_are_refused(tmp_path):
    """Not a silent drop: the region is run, and each of its files is quarantined with its reason."""
    raw, outside = tmp_path / "raw", tmp_path / "elsewhere"
    (raw / "2024").mkdir(parents=True)
    outside.mkdir()
    (outside / "a.txt").write_text("项目支出绩效自评表", encoding="utf-8")
    (raw / "2024" / "甲市").symlink_to(outside)
    assert regions(raw, 2024) == ["甲市"]
    assert [(f.source_file, parse_path(f.path, raw).reason_code) for f in discover(raw, 2024, "甲市")] == [
        ("2024/甲市/a.txt", "outside_raw")]
    assert discover(raw, 2024) == discover(raw, 2024, "甲市")  # the year's listing holds it as the region's does


def test_links_within_raw_and_a_raw_reached_through_a_link_are_read(tmp_path):
    """A link to a file elsewhere in raw/ is read, and so is every file of a raw/ whose own path
    goes through a link (a mounted share), whichever of the two paths names it."""
    real = tmp_path / "share" / "raw"
    (real / "2024" / "甲市").mkdir(parents=True)
    (real / "2024" / "甲市" / "a.txt").write_text("x", encoding="utf-8")
    (real / "2024" / "b.txt").symlink_to(real / "2024" / "甲市" / "a.txt")
    (tmp_path / "mounted").symlink_to(tmp_path / "share")
    for raw in (real, tmp_path / "mounted" / "raw"):
        assert [(f.source_file, inside(f.path, raw)) for f in discover(raw, 2024)] == [
            ("2024/b.txt", True), ("2024/甲市/a.txt", True)]
    assert not inside(real / "2024" / "b.txt", tmp_path / "mounted" / "raw" / "2024" / "甲市" / "c")


def test_a_region_lists_exactly_its_files_of_the_year(tmp_path):
    """discover(year, region) walks only the region's folders, yet lists what the whole year's
    listing holds for that region: a folder whose name a partition key cannot hold is a region with
    the name cleaned, files directly in the year are region "_", hidden clutter is skipped. regions()
    finds the regions the whole year's listing holds."""
    year = tmp_path / "2024"
    for name in ("甲市/a.txt", "甲市/深/b.txt", "乙|县/c.txt", "d.txt", "甲市/.DS_Store", ".hidden/e.txt", "甲市x/f.txt"):
        (year / name).parent.mkdir(parents=True, exist_ok=True)
        (year / name).write_text("x")
    whole = discover(tmp_path, 2024)
    assert [f.source_file for f in whole] == sorted(f"2024/{n}" for n in ("甲市/a.txt", "甲市/深/b.txt", "乙|县/c.txt",
                                                                           "d.txt", "甲市x/f.txt"))
    assert regions(tmp_path, 2024) == ["_", "乙_县", "甲市", "甲市x"]
    for region in regions(tmp_path, 2024):
        assert discover(tmp_path, 2024, region) == [f for f in whole if f.region == region], region
    assert [f.source_file for f in discover(tmp_path, 2024, "甲市")] == ["2024/甲市/a.txt", "2024/甲市/深/b.txt"]
    (year / "空").mkdir()  # a folder with no file, or none but hidden ones, or a broken link is no region
    (year / "断").symlink_to(tmp_path / "nowhere")
    (year / "隐" / ".cache").mkdir(parents=True)
    (year / "隐" / ".cache" / "g.txt").write_text("x")
    assert regions(tmp_path, 2024) == sorted({f.region for f in whole}) == ["_", "乙_县", "甲市", "甲市x"]
    (year / "乙=县").mkdir()  # a second folder whose name cleans to 乙_县: one region of two folders
    (year / "乙=县" / "h.txt").write_text("x")
    folders = region_folders(tmp_path, 2024)  # the sensor's one listing of the year, by region
    assert list(folders) == ["_", "乙_县", "甲市", "甲市x"]
    assert sorted(entry.name for entry in folders["乙_县"]) == ["乙=县", "乙|县"]
    assert [f.source_file for f in files_in(2024, folders["乙_县"])] == ["2024/乙=县/h.txt", "2024/乙|县/c.txt"]
    for region, entries in folders.items():
        assert files_in(2024, entries) == discover(tmp_path, 2024, region), region


def test_a_local_year_is_listed_as_pathlib_walks_it(tmp_path):
    """Local folders are listed with os.scandir: the files rglob finds, hidden ones left out, links
    to files kept, links to folders below a region not followed (as rglob does not), in the same order."""
    year = tmp_path / "2024"
    for name in ("甲市/a.txt", "甲市/深/更深/b.txt", "甲市/.隐/c.txt", "甲市/.d.txt", "乙县/e.txt", "f.txt"):
        (year / name).parent.mkdir(parents=True, exist_ok=True)
        (year / name).write_text("x")
    (year / "甲市" / "g.txt").symlink_to(year / "乙县" / "e.txt")
    (year / "甲市" / "深" / "链").symlink_to(year / "乙县")
    (year / "甲市" / "断.txt").symlink_to(tmp_path / "nowhere")
    walked = sorted((p for p in year.rglob("*") if p.is_file()
                     and not any(part.startswith(".") for part in p.relative_to(year).parts)),
                    key=lambda p: p.relative_to(year).parts)
    assert [(f.path, f.source_file) for f in discover(tmp_path, 2024)] == [
        (p, p.relative_to(tmp_path).as_posix()) for p in walked]
    assert [f.source_file for f in discover(tmp_path, 2024)] == [
        "2024/f.txt", "2024/乙县/e.txt", "2024/甲市/a.txt", "2024/甲市/g.txt", "2024/甲市/深/更深/b.txt"]


def test_files_outside_the_year_folders_are_found_and_years_need_a_visible_file(tmp_path):
    """unplaced() lists the files of raw/ that no year folder holds (and none that one holds), in a
    stable order; reporting_years() counts a year folder that holds at least one file that is not hidden."""
    for name in ("notes.txt", "草稿/a.txt", "草稿/深/b.txt", "2024/甲市/c.txt", "2025/.DS_Store", "2026",
                 ".hidden/d.txt", "草稿/.swp"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert unplaced(tmp_path) == ["2026", "notes.txt", "草稿/a.txt", "草稿/深/b.txt"]
    assert reporting_years(tmp_path) == [2024]
    assert unplaced(tmp_path / "absent") == [] and reporting_years(tmp_path / "absent") == []
