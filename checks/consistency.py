"""Rules across a form's parts and across forms: years, summary sheet, department bands, duplicates,
and figures the parser could only guess where to cut."""

from __future__ import annotations

import polars as pl

from checks.bands import band_score
from checks.config import RulesConfig
from checks.expr import Tables, finding, indicator_name, num, pct
from filings.values import PERIOD_YEAR

# Where dates and periods are written: table → (its row and line columns, {column: field name}).
_YEAR_FIELDS = {
    "forms": (None, "goal_line", {"goal_planned": "年度目标", "goal_achieved": "目标完成情况"}),
    "indicators": ("row_index", "line", {"level3": "三级指标", "target_raw": "年度指标值", "actual_raw": "实际完成值"}),
    "department_indicators": ("row_index", "line", {"indicator": "绩效指标", "target_raw": "绩效目标值",
                                                    "actual_raw": "全年实际值"}),
}


def year_matches_reporting_year(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """The title's year and every dated period in the form equal the reporting year (its folder)."""
    forms = t["forms"]
    title = forms.filter(pl.col("title_year").is_not_null() & (pl.col("title_year") != pl.col("reporting_year")))
    found = [title.select(finding(pl.col("line_start"), "标题年度", pl.col("reporting_year").cast(pl.String),
                                  pl.col("title_year").cast(pl.String), years=pl.col("title_year").cast(pl.String),
                                  cell=pl.col("title")))]
    for table, (row_index, line, fields) in _YEAR_FIELDS.items():
        for column, label in fields.items():
            # only cells that name a period meet the forms: the join stays small
            dated = t[table].filter(pl.col(column).str.contains(PERIOD_YEAR))
            if table != "forms":
                dated = dated.join(forms.select("form_id", "reporting_year"), on="form_id", maintain_order="left")
            found.append(_other_years(dated, column, label, row_index, line))
    return pl.concat(found)


def _other_years(rows: pl.LazyFrame, column: str, label: str, row_index: str | None, line: str) -> pl.LazyFrame:
    """A finding per cell of `column` naming a year other than its form's reporting year."""
    years_of = pl.element().str.extract(r"((?:19|20)\d{2})").cast(pl.Int64)
    return (
        rows.with_columns(years=pl.col(column).str.extract_all(PERIOD_YEAR).list.eval(years_of),
                          row=pl.col(row_index) if row_index else pl.lit(None, pl.Int64), at=pl.col(line))
        .explode("years")
        .filter(pl.col("years") != pl.col("reporting_year"))
        .group_by("form_id", "row", "at", "reporting_year", column, maintain_order=True)
        .agg(years=pl.col("years").unique(maintain_order=True).cast(pl.String).str.join("、"))
        .select(finding(pl.col("at"), label, pl.col("reporting_year").cast(pl.String), pl.col(column),
                        row_index=pl.col("row"), years=pl.col("years"), cell=pl.col(column)))
    )


def summary_matches_forms(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """Each 汇总表 row agrees with the project form of the same name (in its file, else its year);
    a summary row has a form, and a form filed with a summary sheet is on it."""
    forms = t["forms"]
    summaries = forms.filter(pl.col("form_type") == "summary").select("form_id", "filing_id", "reporting_year")
    projects = forms.filter(pl.col("form_type") == "project").select(
        "filing_id", "reporting_year", "project_name", form_file=pl.col("source_file"),
        form_line=pl.col("line_start"),
        form_budget=pl.col("budget_base"),
        form_rate=pl.coalesce("execution_rate_reported", "execution_rate_computed"),
        form_score=pl.coalesce("self_score_reported", "total_score_reported"),
        score_basis=pl.when(pl.col("self_score_reported").is_not_null()).then(pl.lit("自评得分"))
        .otherwise(pl.lit("总分")),
    )
    listed = t["summary_rows"].join(summaries, on="form_id", maintain_order="left")
    rows = listed.filter(pl.any_horizontal(pl.col("budget_amount", "execution_rate_reported", "score").is_not_null()))
    in_file = rows.join(projects.drop("reporting_year"), on=["filing_id", "project_name"], maintain_order="left")
    in_year = (rows.join(in_file, on=["form_id", "row_index"], how="anti")
               .join(projects.drop("filing_id"), on=["reporting_year", "project_name"], how="left",
                     maintain_order="left"))
    matched = pl.concat([in_file, in_year], how="diagonal_relaxed")
    where = pl.concat_str(pl.lit("项目自评表("), pl.col("form_file"), pl.lit(" 第"),
                          pl.col("form_line").cast(pl.String), pl.lit("行起)"))
    tol = config.tolerances
    found = [matched.filter(pl.col("form_file").is_null()).select(finding(
        pl.col("line"), "项目名称", pl.lit("有同名的项目自评表"), pl.col("project_name"),
        row_index=pl.col("row_index"), detail=pl.lit("本年度没有同名的项目自评表")))]
    for label, mine, theirs, tolerance, show, basis in (
        ("预算金额", "budget_amount", "form_budget", tol.amount, num, pl.lit("预算数")),
        ("预算执行率", "execution_rate_reported", "form_rate", 1e-4, pct, pl.lit("执行率")),
        ("评分", "score", "form_score", tol.points, num, pl.col("score_basis")),
    ):
        found.append(matched.filter((pl.col(mine) - pl.col(theirs)).abs() > tolerance).select(finding(
            pl.col("line"), label, show(pl.col(theirs)), show(pl.col(mine)), row_index=pl.col("row_index"),
            detail=pl.concat_str(where, pl.lit("的"), basis, pl.lit("为"), show(pl.col(theirs))))))
    found.append(
        forms.filter((pl.col("form_type") == "project") & pl.col("project_name").is_not_null())
        .join(summaries.select("filing_id"), on="filing_id", how="semi")
        .join(listed.select("filing_id", "project_name"), on=["filing_id", "project_name"], how="anti")
        .select(finding(pl.col("line_start"), "项目名称", pl.lit("列入汇总表"), pl.col("project_name"),
                        detail=pl.lit("同一文件的绩效评价汇总表未列出本项目"))))
    return pl.concat(found)


def department_score_follows_band(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """Department-wide rows are scored by the |B−A| bands printed on the form."""
    return (
        t["department_indicators"]
        .with_columns(expected=band_score())
        .filter(pl.col("expected").is_not_null() & pl.col("score").is_not_null()
                & ((pl.col("score") - pl.col("expected")).abs() > config.tolerances.points))
        .select(finding(pl.col("line"), "得分", num(pl.col("expected")), num(pl.col("score")),
                        row_index=pl.col("row_index"), name=pl.col("indicator"),
                        gap=num((pl.col("actual_value") - pl.col("target_value")).abs())))
    )


def duplicate_forms(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """The same project of the same unit filed twice in a year: identical copies or conflicting ones."""
    key = ["reporting_year", "project_name", "implementing_unit"]
    forms = (
        t["forms"].filter((pl.col("form_type") == "project") & pl.col("project_name").is_not_null())
        .filter(pl.len().over(key) > 1)  # filed more than once: only these need their indicators summed
    )
    sums = (t["indicators"].join(forms.select("form_id"), on="form_id", how="semi")
            .group_by("form_id").agg(n=pl.len(), scores=pl.col("score").sum()))
    forms = (
        forms.join(sums, on="form_id", how="left", maintain_order="left")
        .with_columns(content=pl.concat_str(
            *(pl.col(c).cast(pl.String).fill_null("") for c in
              ("budget_initial", "budget_adjusted", "spent", "total_score_reported", "n", "scores")), separator="|"))
        .sort("source_file", "line_start", maintain_order=True)
    )
    first = forms.group_by(key, maintain_order=True).agg(
        first_file=pl.col("source_file").first(), first_line=pl.col("line_start").first(),
        first_content=pl.col("content").first(), first_id=pl.col("form_id").first())
    return (
        forms.join(first, on=key, nulls_equal=True, maintain_order="left").filter(pl.col("form_id") != pl.col("first_id"))
        .select(finding(pl.col("line_start"), "项目名称", pl.concat_str(pl.col("first_file"), pl.lit(" 第"),
                        pl.col("first_line").cast(pl.String), pl.lit("行")), pl.col("project_name"),
                        kind=pl.when(pl.col("content") == pl.col("first_content")).then(pl.lit("内容相同的重复报送"))
                        .otherwise(pl.lit("内容不一致的重复报送")),
                        severity=pl.when(pl.col("content") == pl.col("first_content")).then(pl.lit("warning"))
                        .otherwise(pl.lit("error"))))
    )


_NUMBERS = {"weight", "score", "budget_initial", "budget_adjusted", "spent"}


def _figures(*columns: tuple[str, str]) -> pl.Expr:
    """A row's figures as read, `分值10 得分8`, for the steward to hold against the original."""
    return pl.concat_str([pl.concat_str(pl.lit(label), num(pl.col(column)) if column in _NUMBERS else pl.col(column))
                          for column, label in columns], separator=" ", ignore_nulls=True)



def figures_confirmed(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """Figures run together with nothing between them (`202010100.00%10`) are cut by the columns
    and arithmetic (B/A = 执行率, 得分 ≤ 分值); where nothing confirms one cut over another the row
    is published as read and `figures_uncertain`, and a steward checks it against the original."""
    funds = t["fund_rows"].filter(pl.col("figures_uncertain")).select(finding(
        pl.col("line"), "项目资金", pl.lit("核对原表"),
        _figures(("budget_initial", "年初预算数"), ("budget_adjusted", "全年预算数"), ("spent", "全年执行数"),
                 ("execution_rate_raw", "执行率"), ("score", "得分")),
        name=pl.col("item")))
    indicators = t["indicators"].filter(pl.col("figures_uncertain")).select(finding(
        pl.col("line"), "三级指标", pl.lit("核对原表"),
        _figures(("target_raw", "指标值"), ("actual_raw", "完成值"), ("weight", "分值"), ("score", "得分")),
        row_index=pl.col("row_index"), name=indicator_name()))
    return pl.concat([funds, indicators])
