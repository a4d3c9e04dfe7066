"""Pandera (polars) schemas of the published tables: the contract BI reads.

Every column carries a description in Chinese and English; `docs/tables.md` is generated from
these (`python -m filings.schemas`), so the contract and its documentation cannot drift apart.
"""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from filings import records

FORM_TYPES = ["project", "department", "summary"]
FILING_STATUSES = ["parsed", "partial", "quarantined"]
MEASURE_KINDS = ["quantity", "period", "qualitative", "empty"]
SEVERITIES = ["error", "warning"]
UNCERTAIN_ZH = "数字取自无分隔的连写文本,且有其他同样合理的拆法(请对照原文核对)"
UNCERTAIN_EN = "figures cut from text written without separators, where another cut fits as well"
SKIP_REASONS = ["section_label", "empty_slot", "no_indicator"]
REASON_CODES = ["unsupported_format", "binary_content", "unknown_encoding", "damaged", "encrypted", "needs_ocr",
                "zip_bomb", "empty", "no_form_title", "outside_raw", "unreadable", "truncated", "xml_entities",
                "wrong_extension", "too_large", "line_too_long", "needs_font"]


def _f(zh: str, en: str, **checks) -> object:
    return pa.Field(description=f"{zh} / {en}", **checks)


def _n(zh: str, en: str, **checks) -> object:
    return pa.Field(description=f"{zh} / {en}", nullable=True, **checks)


class _Table(pa.DataFrameModel):
    class Config:
        strict = True
        # The tables are built with these types; a column of another type is a failure, not cast. (A
        # cast is checked by collecting the whole table once per column: at 2.5 million indicators,
        # six seconds and 800 MB.)
        coerce = False


class Filings(_Table):
    """One row per input file under raw/ (输入文件)."""

    filing_id: str = _f("文件内容哈希(SHA-256 前16位)", "content hash of the file (SHA-256, 16 hex)")
    source_file: str = _f("相对 raw/ 的文件路径", "path relative to raw/", unique=True)
    reporting_year: int = _f("报告年度(raw/ 下的年份目录)", "reporting year (the year folder under raw/)")
    bytes: int = _f("文件字节数", "file size in bytes", ge=0)
    status: str = _f("解析状态:parsed 全部完整 / partial 部分 / quarantined 隔离", "parse status", isin=FILING_STATUSES)
    n_forms: int = _f("识别出的表数", "number of forms found", ge=0)
    error: Optional[str] = _n("未完整解析的原因", "why the file is partial or quarantined")
    reason_code: Optional[str] = _n("隔离原因代码", "reason code of a quarantined file", isin=REASON_CODES)
    parser_version: str = _f("解析器版本", "version of the parser that read the file")


class Forms(_Table):
    """One row per form (项目支出绩效自评表, 部门整体支出绩效表, 绩效评价汇总表)."""

    form_id: str = _f("表的稳定标识", "stable form id (file path, content hash, position)", unique=True)
    filing_id: str = _f("所在文件的内容哈希", "content hash of the file")
    source_file: str = _f("相对 raw/ 的文件路径", "path relative to raw/")
    ordinal: int = _f("在文件中的序号(从0起)", "position of the form in its file (from 0)", ge=0)
    form_type: str = _f("表类型:project 项目 / department 部门整体 / summary 汇总表", "form type", isin=FORM_TYPES)
    template_id: Optional[str] = _n("识别出的模板", "template family recognised")
    reporting_year: int = _f("报告年度", "reporting year")
    title: Optional[str] = _n("表标题", "title as printed")
    title_year: Optional[int] = _n("标题中的年度", "year named in the title")
    indicator_columns: Optional[str] = _n(
        "指标表的栏目(level1,level2,level3,target,actual,weight,score,shortfall_reason …)",
        "the indicator table's columns by role, comma-separated")
    project_name: Optional[str] = _n("项目名称", "project name")
    supervising_dept: Optional[str] = _n("主管部门", "supervising department")
    implementing_unit: Optional[str] = _n("实施单位", "implementing unit")
    goal_planned: Optional[str] = _n("年度总体目标:预期目标/年初设定目标", "the year's goal as planned")
    goal_achieved: Optional[str] = _n("年度总体目标:完成情况", "what was achieved")
    goal_line: Optional[int] = _n("年度总体目标所在行号", "line of the goals")
    amount_unit: Optional[str] = _n("原表金额单位(万元/千元/元);金额列均已换算为万元",
                                    "unit the form printed amounts in; amount columns are in 万元")
    budget_initial: Optional[float] = _n("年初预算数", "initial budget")
    budget_adjusted: Optional[float] = _n("全年预算数/调整预算数(A)", "full-year (adjusted) budget A")
    budget_base: Optional[float] = _n(
        "计算执行率所用的 A:全年预算数,为0或空时用年初预算数",
        "A as used for B/A: the full-year budget, or the initial one where that is 0 or blank")
    spent: Optional[float] = _n("全年执行数(B)", "amount spent B")
    execution_rate_raw: Optional[str] = _n("执行率(原文)", "execution rate as written")
    execution_rate_reported: Optional[float] = _n("填报的执行率(1.0=100%)", "reported execution rate, fraction")
    execution_rate_tolerance: Optional[float] = _n("按填报精度允许的误差", "tolerance of the printed precision")
    execution_rate_computed: Optional[float] = _n("B/A 计算的执行率(A 为0或空时用年初预算数)", "B/A; A falls back to the initial budget when 0 or blank")
    funds_weight: Optional[float] = _n("预算执行率分值", "weight of the execution rate")
    funds_score: Optional[float] = _n("预算执行率得分", "score of the execution rate")
    total_weight_reported: Optional[float] = _n("总分行的分值合计", "weight total on the 总分 row")
    total_score_reported: Optional[float] = _n("总分/合计(得分)", "score total on the 总分/合计 row")
    total_line: Optional[int] = _n("总分/合计行的行号", "line of the 总分/合计 row")
    self_score_reported: Optional[float] = _n("表头的自评得分", "自评得分 in the header")
    self_score_line: Optional[int] = _n("自评得分所在行号", "line of the 自评得分")
    indicator_rows_read: int = _f("指标表读取的行数(= 指标行 + 跳过的行)",
                                  "rows read in the indicator table (= indicators + skipped rows)", ge=0)
    complete: bool = _f("是否完整读取", "whether the whole form was read")
    problems: Optional[str] = _n("未完整读取的原因", "what is missing when incomplete")
    line_start: int = _f("起始行号", "first line in the file", ge=1)
    line_end: int = _f("结束行号", "last line in the file", ge=1)


class _FormRows(_Table):
    """Columns of every table whose rows belong to a form."""

    form_id: str = _f("表标识", "form id")
    row_index: int = _f("行在表内的序号(从0起)", "row position within its form's table (from 0)", ge=0)
    line: int = _f("文件行号", "line in the file", ge=1)


class FundRows(_FormRows):
    """One row per line of the 项目资金 block."""

    item: str = _f("资金项目(年度资金总额/其中:当年财政拨款 …)", "funds item")
    funds_total: Optional[float] = _n("年度资金总额栏", "年度资金总额 column, where printed as a column")
    budget_initial: Optional[float] = _n("年初预算数", "initial budget")
    budget_adjusted: Optional[float] = _n("全年预算数/调整预算数(A)", "full-year (adjusted) budget A")
    spent: Optional[float] = _n("全年执行数(B)", "amount spent B")
    weight: Optional[float] = _n("分值", "weight")
    execution_rate_raw: Optional[str] = _n("执行率(原文)", "execution rate as written")
    execution_rate_reported: Optional[float] = _n("执行率(1.0=100%)", "execution rate, fraction")
    execution_rate_tolerance: Optional[float] = _n("按填报精度允许的误差", "tolerance of the printed precision")
    execution_rate_computed: Optional[float] = _n(
        "B/A 计算的执行率(A 为0或空时用年初预算数)", "B/A; A falls back to the initial budget when 0 or blank")
    score: Optional[float] = _n("得分", "score")
    reason: Optional[str] = _n("原因(偏差说明)", "reason given for a deviation")
    figures_uncertain: bool = _f(UNCERTAIN_ZH, UNCERTAIN_EN)


class _Measures(_FormRows):
    """Target and actual, as written and parsed."""

    target_raw: Optional[str] = _n("年度指标值(原文)", "target as written")
    target_text: Optional[str] = _n("年度指标值(清洗后:全角、繁体、多余空格已统一)",
                                    "target as read: full-width forms, traditional characters and stray spaces undone")
    target_kind: str = _f("指标值类型:quantity 数量 / period 时段 / qualitative 定性 / empty 空", "kind of target", isin=MEASURE_KINDS)
    target_op: Optional[str] = _n("指标值运算符(≥ ≤ > < =)", "target operator")
    target_value: Optional[float] = _n("指标值数值", "target number")
    target_unit: Optional[str] = _n("指标值单位", "target unit")
    actual_raw: Optional[str] = _n("实际完成值(原文)", "actual as written")
    actual_text: Optional[str] = _n("实际完成值(清洗后)", "actual as read (cleaned like the target)")
    actual_kind: str = _f("完成值类型", "kind of actual", isin=MEASURE_KINDS)
    actual_op: Optional[str] = _n("完成值运算符", "actual operator")
    actual_value: Optional[float] = _n("完成值数值", "actual number")
    actual_unit: Optional[str] = _n("完成值单位", "actual unit")


class Indicators(_Measures):
    """One row per 三级指标 of a project form."""

    level1: Optional[str] = _n("一级指标", "level-1 indicator")
    level1_points: Optional[float] = _n("一级指标标注的分数,如 产出指标(40分)", "points stated on the level-1 label")
    level1_inferred: bool = _f("一级指标由二级指标推断(原表缺失或错位)", "level 1 inferred from level 2")
    level2: Optional[str] = _n("二级指标", "level-2 indicator")
    level2_points: Optional[float] = _n("二级指标标注的分数", "points stated on the level-2 label")
    level3: Optional[str] = _n("三级指标", "level-3 indicator")
    weight: Optional[float] = _n("分值", "weight")
    score: Optional[float] = _n("得分", "score")
    shortfall_reason: Optional[str] = _n("未完成原因分析", "reason for a shortfall")
    scoring_method: Optional[str] = _n("得分计算方法(表上印的规则)", "scoring rule printed on the form")
    figures_uncertain: bool = _f(UNCERTAIN_ZH, UNCERTAIN_EN)


class DepartmentIndicators(_Measures):
    """One row per indicator of a 部门整体支出绩效表."""

    seq: Optional[int] = _n("序号", "number printed on the row")
    indicator: str = _f("绩效指标", "indicator")
    weight: Optional[float] = _n("分值", "weight")
    scoring_method: Optional[str] = _n("计算方法(分档规则)", "scoring bands printed on the form")
    score: Optional[float] = _n("得分", "score")
    shortfall_reason: Optional[str] = _n("未完成原因分析及改进措施", "reason and remedy")


class SkippedRows(_FormRows):
    """One row per row of an indicator table that holds no indicator (一级/二级 section labels,
    the template's empty 指标N: slots), so every row read is accounted for."""

    reason: str = _f("原因:section_label 分节标题 / empty_slot 空白栏位 / no_indicator 无指标名称",
                     "why it holds no indicator", isin=SKIP_REASONS)
    text: str = _f("该行原文(各栏以 | 分隔)", "the row as written, cells joined by |")


class SummaryRows(_FormRows):
    """One row per project of a 绩效评价汇总表."""

    seq: Optional[int] = _n("序号", "number printed on the row")
    project_name: str = _f("项目名称", "project name")
    project_nature: Optional[str] = _n("项目性质", "kind of project")
    budget_amount: Optional[float] = _n("预算金额", "budget amount")
    fiscal_amount: Optional[float] = _n("其中:财政资金", "of which fiscal funds")
    execution_rate_raw: Optional[str] = _n("预算执行率(原文)", "execution rate as written")
    execution_rate_reported: Optional[float] = _n("预算执行率(1.0=100%)", "execution rate, fraction")
    evaluation_method: Optional[str] = _n("评价方式", "evaluation method")
    score: Optional[float] = _n("评分", "score")
    submitted_content: Optional[str] = _n("报送内容", "what was submitted")
    remark: Optional[str] = _n("备注", "remark")


class CheckResults(_Table):
    """One row per finding of a quality rule (质量检查结果)."""

    check_id: str = _f("规则标识", "rule id")
    severity: str = _f("严重程度:error 错误 / warning 提示", "severity", isin=SEVERITIES)
    reporting_year: int = _f("报告年度", "reporting year")
    filing_id: str = _f("文件内容哈希", "content hash of the file")
    source_file: str = _f("相对 raw/ 的文件路径", "path relative to raw/")
    form_id: str = _f("表标识", "form id")
    project_name: Optional[str] = _n("项目名称", "project name")
    implementing_unit: Optional[str] = _n("实施单位", "implementing unit")
    row_index: Optional[int] = _n("指标/资金行序号(整表问题为空)", "row position, null for a whole-form finding")
    line: Optional[int] = _n("文件行号", "line in the file")
    position: Optional[str] = _n("原文位置(PDF 页、工作表、表格中的行;文本文件为空)",
                                 "page, sheet or table row in the original; null for text files")
    field: str = _f("有问题的栏目", "field in question")
    expected: Optional[str] = _n("应为", "expected value")
    actual: Optional[str] = _n("实际填写", "value written")
    message: str = _f("给数据管理员的说明(中文)", "message for the data steward, in Chinese")


class SourcePositions(_Table):
    """Where each row of a PDF, spreadsheet, Word or HTML filing stands in the original (原文位置),
    for the `line` of any other table: page, sheet or table, and row."""

    filing_id: str = _f("文件内容哈希", "content hash of the file")
    source_file: str = _f("相对 raw/ 的文件路径", "path relative to raw/")
    reporting_year: int = _f("报告年度", "reporting year")
    line: int = _f("文件行号(其他表的 line)", "line, as in the other tables", ge=1)
    position: str = _f("原文位置:第2页第5行 / 工作表「自评表」第12行 / 第1个表格第7行",
                       "position in the original file")


class Quarantine(_Table):
    """One row per file that could not be read at all (隔离区): what it is and what to do."""

    source_file: str = _f("相对 raw/ 的文件路径", "path relative to raw/", unique=True)
    filing_id: str = _f("文件内容哈希", "content hash of the file")
    reporting_year: int = _f("报告年度", "reporting year")
    bytes: int = _f("文件字节数", "file size in bytes", ge=0)
    reason_code: str = _f("原因代码", "reason code", isin=REASON_CODES)
    message: str = _f("给数据管理员的说明(中文)", "message for the data steward, in Chinese")


TABLES: dict[str, type[_Table]] = {
    "filings": Filings,
    "forms": Forms,
    "fund_rows": FundRows,
    "indicators": Indicators,
    "department_indicators": DepartmentIndicators,
    "summary_rows": SummaryRows,
    "skipped_rows": SkippedRows,
    "source_positions": SourcePositions,
    "quarantine": Quarantine,
    "check_results": CheckResults,
}


# The record each table is built from; its field order is the table's column order.
RECORDS = {
    "filings": records.Filing,
    "forms": records.Form,
    "fund_rows": records.FundRow,
    "indicators": records.Indicator,
    "department_indicators": records.DepartmentIndicator,
    "summary_rows": records.SummaryRow,
    "skipped_rows": records.SkippedRow,
    "source_positions": records.SourcePosition,
}


def columns(name: str) -> list[str]:
    """Column names of a table, in published order."""
    model_columns = list(TABLES[name].to_schema().columns)
    if name not in RECORDS:
        return model_columns
    order = records.field_names(RECORDS[name])
    return sorted(model_columns, key=lambda c: order.index(c) if c in order else len(order))


def polars_schema(name: str) -> pl.Schema:
    """The polars dtypes of a table, in published order."""
    specs = TABLES[name].to_schema().columns
    return pl.Schema({column: specs[column].dtype.type for column in columns(name)})


def empty(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(name))


def markdown() -> str:
    """The table contract as markdown: one section per table, one line per column."""
    out = ["# Published tables\n", "Generated from `filings/schemas.py` by `python -m filings.schemas`.\n"]
    for name, model in TABLES.items():
        out.append(f"\n## `{name}`\n\n{model.__doc__}\n\n| column | type | null | meaning |\n|---|---|---|---|")
        specs = model.to_schema().columns
        for column in columns(name):
            spec = specs[column]
            out.append(f"| `{column}` | {spec.dtype} | {'yes' if spec.nullable else 'no'} | {spec.description} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
