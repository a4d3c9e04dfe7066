"""Rules on weights and scores: totals, sections, each score against its weight and its rule."""

from __future__ import annotations

import polars as pl

from checks.bands import band_score
from checks.config import RulesConfig
from checks.expr import Tables, finding, indicator_name, num


def weights_sum_100(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """The funds weight and every indicator weight of a complete form add up to 100."""
    total = config.tolerances.total_points
    return (
        t.scored_forms
        .filter((pl.col("n_weights") > 0) & ((pl.col("weights") - total).abs() > config.tolerances.points))
        .select(finding(pl.col("line_start"), "分值合计", num(pl.lit(total)), num(pl.col("weights")),
                        parts=_parts()))
    )


def _parts() -> pl.Expr:
    """What a form's weights total is made of: `预算执行率10分 + 绩效指标90分`."""
    indicators = [pl.lit("绩效指标"), num(pl.col("indicator_weights")), pl.lit("分")]
    return (pl.when(pl.col("funds_weight").is_not_null())
            .then(pl.concat_str(pl.lit("预算执行率"), num(pl.col("funds_weight")), pl.lit("分 + "), *indicators))
            .otherwise(pl.concat_str(*indicators)))


def section_weights_match(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """Rows under `产出指标 (40分)` add up to 40; for level 1 the configured split stands in where
    a form states no points. Level-2 sections are warnings: their labels are carried down and
    may have vanished in conversion."""
    rows, tol = t["indicators"].with_row_index("ordinal"), config.tolerances.points
    first = pl.col("ordinal").min()  # sections in the order they first appear
    level1 = (
        rows.filter(pl.col("level1").is_not_null())
        .group_by("form_id", "level1")
        .agg(stated=pl.col("level1_points").max(), actual=pl.col("weight").sum(),
             n=pl.col("weight").count(), line=pl.col("line").min(), ordinal=first)
        # a stated section that adds up needs no more (most do): joined to the forms, the others only
        .filter((pl.col("n") > 0)
                & (pl.col("stated").is_null() | ((pl.col("actual") - pl.col("stated")).abs() > tol)))
        .pipe(_of_complete_forms, t["forms"])
        .join(_configured_points(t["forms"], config), on=["form_id", "level1"], how="left")
        .with_columns(expected=pl.coalesce("stated", "configured"),
                      basis=pl.when(pl.col("stated").is_not_null()).then(pl.lit("表上标注"))
                      .otherwise(pl.lit("规则配置(checks/rules.toml)")))
        .filter(pl.col("expected").is_not_null() & ((pl.col("actual") - pl.col("expected")).abs() > tol))
        .sort("ordinal")
        .select(finding(pl.col("line"), "一级指标分值", num(pl.col("expected")), num(pl.col("actual")),
                        section=pl.col("level1"), basis=pl.col("basis"), severity=pl.lit("error")))
    )
    level2 = (
        rows.filter(pl.col("level2_points").is_not_null())
        .group_by("form_id", "level1", "level2", "level2_points")
        .agg(actual=pl.col("weight").sum(), n=pl.col("weight").count(), line=pl.col("line").min(), ordinal=first)
        .filter((pl.col("n") > 0) & ((pl.col("actual") - pl.col("level2_points")).abs() > tol))
        .pipe(_of_complete_forms, t["forms"])
        .sort("ordinal")
        .select(finding(pl.col("line"), "二级指标分值", num(pl.col("level2_points")), num(pl.col("actual")),
                        section=pl.col("level2"), basis=pl.lit("表上标注"), severity=pl.lit("warning")))
    )
    return pl.concat([level1, level2])


def _of_complete_forms(sections: pl.LazyFrame, forms: pl.LazyFrame) -> pl.LazyFrame:
    """The sections of complete forms, in no particular order (filtered after grouping: fewer rows
    to join than indicators)."""
    complete = forms.select("form_id", "complete")
    return sections.join(complete, on="form_id", how="left").filter(pl.col("complete"))


def _configured_points(forms: pl.LazyFrame, config: RulesConfig) -> pl.LazyFrame:
    """Configured points per (form_id, level1): the form's variant's split for its template, else
    the default split."""
    return (forms.select("form_id", "template_id", variant=_variant(config))
            .join(_points(config), on=["variant", "template_id"]).select("form_id", "level1", "configured"))


def _variant(config: RulesConfig) -> pl.Expr:
    """The index of the first variant with a word in the form's template, file, 主管部门 or 实施单位;
    -1 for none."""
    fields = ("template_id", "source_file", "supervising_dept", "implementing_unit")
    where = pl.concat_str([pl.when(pl.col(c) != "").then(pl.col(c)) for c in fields], separator=" ",
                          ignore_nulls=True)
    variant = pl.lit(-1, pl.Int32)
    for i, v in reversed([(i, v) for i, v in enumerate(config.variants) if v.match]):  # no words: never matches
        variant = pl.when(where.str.contains_any(list(v.match))).then(pl.lit(i, pl.Int32)).otherwise(variant)
    return variant


def _points(config: RulesConfig) -> pl.LazyFrame:
    """Points per (variant, template_id, level1); a variant without a split for a template uses the default's."""
    splits = {(-1, template): split for template, split in config.level1_points.items()}
    for i, v in enumerate(config.variants):
        for template in {*config.level1_points, *v.level1_points}:
            splits[i, template] = v.level1_points.get(template) or config.level1_points.get(template, {})
    rows = [(i, template, level1, float(p)) for (i, template), split in splits.items() for level1, p in split.items()]
    return pl.LazyFrame(rows, schema={"variant": pl.Int32, "template_id": pl.String, "level1": pl.String,
                                      "configured": pl.Float64}, orient="row")


def score_within_weight(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """Every score (indicators, department rows, the funds score) lies between 0 and its weight."""
    sources = (
        ("indicators", indicator_name()),
        ("department_indicators", pl.col("indicator")),
        ("fund_rows", pl.col("item")),
    )
    return pl.concat([
        t[table].filter(pl.col("score").is_not_null() & pl.col("weight").is_not_null()
                        & ((pl.col("score") < 0) | (pl.col("score") > pl.col("weight") + config.tolerances.points)))
        .select(finding(pl.col("line"), "得分", pl.concat_str(pl.lit("0–"), num(pl.col("weight"))),
                        num(pl.col("score")), row_index=pl.col("row_index"), name=name))
        for table, name in sources
    ])


def scores_sum_to_total(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """The funds score and the indicator scores add up to the 总分/合计 row."""
    return (
        t.scored_forms
        .filter(pl.col("total_score_reported").is_not_null() & (pl.col("n_scores") > 0)
                & ((pl.col("scores") - pl.col("total_score_reported")).abs() > config.tolerances.points))
        .select(finding(pl.coalesce("total_line", "line_end"), "总分", num(pl.col("scores")),
                        num(pl.col("total_score_reported"))))
    )


def self_score_matches_total(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """The 自评得分 in the header equals the 总分 row (or, where the form has none, the sum of scores)."""
    computed = t.scored_forms.select("form_id", computed=pl.col("scores"))
    return (
        t["forms"].filter(pl.col("self_score_reported").is_not_null())
        .join(computed, on="form_id", how="left", maintain_order="left")
        .with_columns(reference=pl.coalesce("total_score_reported", "computed"),
                      basis=pl.when(pl.col("total_score_reported").is_not_null())
                      .then(pl.lit("总分行")).otherwise(pl.lit("各项得分之和")))
        .filter(pl.col("reference").is_not_null()
                & ((pl.col("self_score_reported") - pl.col("reference")).abs() > config.tolerances.points))
        .select(finding(pl.coalesce("self_score_line", "line_start"), "自评得分", num(pl.col("reference")),
                        num(pl.col("self_score_reported")), basis=pl.col("basis")))
    )


def shortfall_reason_present(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """A score below its weight needs a reason (未完成原因分析), where the form has a column for one."""
    sources = (("indicators", indicator_name()), ("department_indicators", pl.col("indicator")))
    with_column = t["forms"].filter(pl.col("indicator_columns").str.contains("shortfall_reason")).select("form_id")
    return pl.concat([
        t[table].join(with_column, on="form_id", how="semi")
        .filter((pl.col("score") < pl.col("weight") - config.tolerances.points)
                        & (pl.col("shortfall_reason").is_null() | (pl.col("shortfall_reason").str.strip_chars() == "")))
        .select(finding(pl.col("line"), "未完成原因分析", pl.lit("扣分原因"), pl.lit("(空)"),
                        row_index=pl.col("row_index"), name=name, score=num(pl.col("score")),
                        weight=num(pl.col("weight"))))
        for table, name in sources
    ])


def indicator_values_present(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """A weighted row needs a target, an actual and a score (`-` counts as written: not applicable)."""
    fields = {"target_raw": "年度指标值", "actual_raw": "实际完成值", "score": "得分"}
    missing = pl.concat_str([pl.when(pl.col(column).is_null()).then(pl.lit(label)) for column, label in fields.items()],
                            separator="、", ignore_nulls=True)
    return (
        t["indicators"].filter(pl.col("weight").is_not_null() & pl.any_horizontal(pl.col(*fields).is_null()))
        .select(finding(pl.col("line"), missing, pl.lit("已填写"), pl.lit("(空)"),
                        row_index=pl.col("row_index"), name=indicator_name()))
    )


def score_follows_rule(t: Tables, config: RulesConfig) -> pl.LazyFrame:
    """The score a row's result earns: its printed band table where it has one; else met → full
    weight, missed `≥` → B/A × weight, missed `≤` → A/B × weight (or the configured variant),
    qualitative achieved → at least the achieved tier. Full marks on a missed target is an error;
    the rest are warnings."""
    scoring, tol = config.scoring, config.tolerances
    rows = (
        t["indicators"].filter(pl.col("weight").is_not_null() & pl.col("score").is_not_null())
        .with_columns(*_outcome(scoring), band=band_score())
        .with_columns(pl.col("met").fill_null("unknown"))
    )
    w, score = pl.col("weight"), pl.col("score")
    expected = (
        pl.when(pl.col("band").is_not_null()).then(pl.col("band"))
        .when(pl.col("met") == "met").then(w)
        .when(pl.col("met") == "missed").then(pl.col("formula").clip(0, None) * w)
    )
    full_marks_missed = (pl.col("met") == "missed") & (score >= w - tol.points) & pl.col("band").is_null()
    rows = rows.with_columns(expected=expected).with_columns(
        problem=pl.when(full_marks_missed).then(pl.lit("missed_full"))
        .when((pl.col("met") == "achieved") & pl.col("band").is_null()
              & (score < w * scoring.achieved_tier - tol.points)).then(pl.lit("achieved_low"))
        .when((pl.col("met") != "achieved") & ((score - pl.col("expected")).abs() > tol.rule_score))
        .then(pl.when(pl.col("met") == "met").then(pl.lit("met_low")).otherwise(pl.lit("off_rule"))),
    )
    explain = {
        "missed_full": "未达到指标值却得满分",
        "achieved_low": f"定性指标已达成,得分却低于分值的{scoring.achieved_tier:.0%}",
        "met_low": "已达到指标值却被扣分",
        "off_rule": "得分与计分规则不符",
    }
    rule_text = (
        pl.when(pl.col("band").is_not_null()).then(pl.lit("表上印的分档规则"))
        .when(pl.col("met") == "met").then(pl.lit("达到指标值得满分"))
        .when(pl.col("met") == "achieved").then(pl.lit(f"达成定性指标得分值的{scoring.achieved_tier:.0%}–100%"))
        .otherwise(pl.col("formula_text"))
    )
    return (
        rows.filter(pl.col("problem").is_not_null())
        .select(finding(
            pl.col("line"), "得分",
            pl.when(pl.col("problem") == "achieved_low")
            .then(pl.concat_str(pl.lit("≥"), num((w * scoring.achieved_tier).round(2))))
            .otherwise(num(pl.col("expected").round(2))),
            num(score), row_index=pl.col("row_index"), name=indicator_name(),
            target=pl.coalesce("target_raw", pl.lit("(空)")), actual_value=pl.coalesce("actual_raw", pl.lit("(空)")),
            why=pl.col("problem").replace_strict(explain), rule=rule_text,
            severity=pl.when(pl.col("problem") == "missed_full").then(pl.lit("error")).otherwise(pl.lit("warning")),
        ))
    )


def _outcome(scoring) -> list[pl.Expr]:
    """met / missed (quantitative), achieved (qualitative), or null when it cannot be judged;
    with the proportional score of a miss (`formula`) and how it was worked out."""
    unit = [pl.when(pl.col(c) == "万").then(pl.lit("万元")).otherwise(pl.col(c))  # a comparison, not a regex
            for c in ("target_unit", "actual_unit")]
    comparable = (
        (pl.col("target_kind") == "quantity") & (pl.col("actual_kind") == "quantity")
        & pl.col("target_value").is_not_null() & pl.col("actual_value").is_not_null()
        & (unit[0].is_null() | unit[1].is_null() | (unit[0] == unit[1]))
    )
    lower = pl.col("target_op").is_in(["≤", "<"]) | (
        pl.col("target_op").is_null() & pl.col("level2").fill_null("").str.contains_any(list(scoring.lower_is_better)))
    target, actual = pl.col("target_value"), pl.col("actual_value")
    met = (
        pl.when(pl.col("target_op") == ">").then(actual > target)
        .when(pl.col("target_op") == "<").then(actual < target)
        .when(lower).then(actual <= target)
        .otherwise(actual >= target)
    )
    # The texts as clean() left them: white space only as one space between ASCII letters or digits
    # (`5 G`), removed here by a literal replacement (a regex's cost a third of the rule's columns).
    written = pl.col("actual_text").str.replace_all(" ", "", literal=True)
    achieved = written.is_in(list(scoring.achieved_words)) | (
        (pl.col("target_kind") != "quantity") & (written == pl.col("target_text").str.replace_all(" ", "", literal=True)))
    reverse = (target / actual) if scoring.reverse_formula == "A/B" else (2 - actual / target)
    return [
        pl.when(comparable).then(pl.when(met).then(pl.lit("met")).otherwise(pl.lit("missed")))
        .when(achieved).then(pl.lit("achieved")).alias("met"),
        pl.when(lower).then(reverse).otherwise(actual / target).alias("formula"),
        pl.when(lower).then(pl.lit(f"未达到指标值按 {scoring.reverse_formula}×分值"))
        .otherwise(pl.lit("未达到指标值按 B/A×分值")).alias("formula_text"),
    ]
