"""The Word and HTML readers' grids, built by one XSLT pass (filings/readers/transform.py): rows in
document order, spans and merged cells counted, nested tables' rows under their own table (HTML) or
their outer one (Word), and what is not a row left out. The whole forms they hold are compared with
the converter text in tests/test_formats.py."""

import io
import zipfile

import pytest

from filings.grid import UnreadableFiling
from filings.parse import parse_filing
from filings.readers import document, html

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="word/document.xml"/></Relationships>')


def _docx(body: str) -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{_W}">{body}</w:document>')
    return packed.getvalue()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(text: str, settings: str = "") -> str:
    return f"<w:tc><w:tcPr>{settings}</w:tcPr>{_p(text)}</w:tc>" if settings else f"<w:tc>{_p(text)}</w:tc>"


def _grid(rows):
    return [(row.line, [(cell.col, cell.text) for cell in row.cells], row.where) for row in rows]


def test_word_paragraphs_and_table_rows_in_order_with_spans_and_merges():
    body = ("<w:body>" + _p("部门整体支出绩效自评表")
            + "<w:p><w:r><w:t>(2024</w:t></w:r><w:hyperlink><w:r><w:t>年度)</w:t></w:r></w:hyperlink></w:p>"
            + "<w:tbl/>"  # a table with no rows still has its number
            + "<w:tbl><w:tr>" + _tc("项目名称", '<w:gridSpan w:val="3"/>') + _tc("甲", '<w:vMerge w:val="restart"/>')
            + "</w:tr><w:tr>" + _tc("乙") + _tc("写在续格", "<w:vMerge/>")
            + _tc("也是续格", '<w:vMerge w:val="continue"/><w:gridSpan w:val="2"/>') + _tc("丙") + "</w:tr>"
            + "<w:tr><w:tc><w:tbl><w:tr>" + _tc("内1") + _tc("内2") + "</w:tr></w:tbl>" + _p("后") + "</w:tc>"
            + _tc("丁") + "</w:tr></w:tbl>"
            + "<w:sdt><w:sdtContent>" + _p("内容控件里的段落不读") + "</w:sdtContent></w:sdt>" + _p("完") + "</w:body>")
    assert _grid(document.read(_docx(body))) == [
        (1, [(0, "部门整体支出绩效自评表")], None),
        (2, [(0, "(2024年度)")], None),
        (3, [(0, "项目名称"), (3, "甲")], "第2个表格第1行"),
        (4, [(0, "乙"), (4, "丙")], "第2个表格第2行"),  # the continued cells read as empty, spans kept
        (5, [(0, "内1内2后"), (1, "丁")], "第2个表格第3行"),  # a nested table's text is its cell's
        (6, [(0, "内1"), (1, "内2")], "第2个表格第4行"),  # and its rows count under the outer table
        (7, [(0, "完")], None),
    ]


def test_a_word_document_without_a_body_is_quarantined_as_damaged():
    filing = parse_filing(_docx(_p("正文外的段落")), "2024/无正文.docx", 2024)
    assert (filing.status, filing.reason_code) == ("quarantined", "damaged")
    assert filing.error == "Word 文档没有正文(w:body):文件已损坏,请重新导出后报送"


def test_html_tables_blocks_and_nested_tables():
    page = ("<html><head><title>自评</title><style>td {}</style></head><body>"
            "<script>var 表 = 1</script><div>标题<p>段落</p></div>"
            "<table><caption>表内标题不读</caption><tr><td colspan='3'>项目名称</td><td>甲</td></tr>"
            "<tr><th><p>表内段落</p></th><td colspan='abc 2'>x</td></tr></table>"
            "<table><tr><td>外<table><tr><td>内</td><td colspan=2>跨</td><td>尾</td></tr></table></td>"
            "<td>外2</td></tr></table><ul><li>一</li><li>二<ul><li>三</li></ul></li></ul>"
            "<p>前<script>不读()</script>后</p></body></html>")
    with pytest.raises(ValueError):  # a colspan that is no number: the file is damaged
        html.read(page.encode())
    page = page.replace("colspan='abc 2'", "colspan=' 2 '")
    assert _grid(html.read(page.encode())) == [
        (1, [(0, "自评")], None),
        (2, [(0, "段落")], None),  # the div holds a block: only the block is a row
        (3, [(0, "项目名称"), (3, "甲")], "第1个表格第1行"),
        (4, [(0, "表内段落"), (1, "x")], "第1个表格第2行"),
        (5, [(0, "外内跨尾"), (1, "外2")], "第2个表格第1行"),
        (6, [(0, "内"), (1, "跨"), (3, "尾")], "第3个表格第1行"),  # a nested table is numbered on its own
        (7, [(0, "一")], None),
        (8, [(0, "三")], None),  # 二's item holds a list: its own text is no row
        (9, [(0, "前后")], None),
    ]


@pytest.mark.parametrize("reader, data", [
    (html.read, "<p>甲\ufdd0乙</p><table><tr><td colspan='2\ufdd1'>丙\ufdd2丁</td><td>戊</td></tr></table>".encode()),
    (document.read, _docx("<w:body>" + _p("甲\ufdd0乙") + "<w:tbl><w:tr>"
                          + _tc("丙\ufdd2丁", '<w:gridSpan w:val="2\ufdd1"/>') + _tc("戊") + "</w:tr></w:tbl></w:body>")),
])
def test_the_readers_separators_in_a_file_are_dropped_not_taken_for_cells(reader, data):
    """The stylesheets separate rows and cells by Unicode noncharacters (never meant for text): one
    in a file's text or attribute is deleted, so a file cannot forge a row or a cell."""
    assert _grid(reader(data)) == [(1, [(0, "甲乙")], None), (2, [(0, "丙丁"), (2, "戊")], "第1个表格第1行")]


def test_an_unreadable_html_page_is_still_told_from_text():
    with pytest.raises(UnreadableFiling):
        html.read("项目名称\t甲\n".encode())
