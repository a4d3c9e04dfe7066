"""Great Expectations suites, run for real on published tables: silent on good data, loud on bad."""

import multiprocessing
import threading

import polars as pl
import pytest

from checks.expectations import _locked, expectations, validate_published
from filings.schemas import TABLES, columns
from filings.warehouse import publish


def test_suites_follow_the_pandera_contract():
    types = [e.expectation_type for e in expectations("indicators")]
    assert types == ["expect_table_columns_to_match_set", "expect_table_columns_to_be_of_types",
                     "expect_table_columns_to_not_be_null", "expect_table_columns_to_be_in_sets",
                     "expect_table_columns_to_be_between", "expect_table_keys_to_be_unique"]
    [keys] = [e.keys for e in expectations("forms") if e.expectation_type == "expect_table_keys_to_be_unique"]
    assert keys == [["form_id"]]
    [keys] = [e.keys for e in expectations("indicators") if e.expectation_type == "expect_table_keys_to_be_unique"]
    assert keys == [["form_id", "row_index"]]
    [sets] = [e.value_sets for e in expectations("forms") if e.expectation_type == "expect_table_columns_to_be_in_sets"]
    assert sets == {"form_type": ["project", "department", "summary"]}
    [ranges] = [e.ranges for e in expectations("forms") if e.expectation_type == "expect_table_columns_to_be_between"]
    assert ranges["line_start"] == [1, None] and ranges["reporting_year"] == [2000, 2100]
    [typed] = [e for e in expectations("filings") if e.expectation_type == "expect_table_columns_to_be_of_types"]
    assert list(typed.column_types) == columns("filings")
    assert (typed.column_types["bytes"], typed.column_types["status"]) == ("int64", "str")
    [required] = [e for e in expectations("forms") if e.expectation_type == "expect_table_columns_to_not_be_null"]
    specs = TABLES["forms"].to_schema().columns
    assert required.column_list == [name for name in columns("forms") if not specs[name].nullable]
    assert {"form_id", "line_end"} <= set(required.column_list) and "title_year" not in required.column_list


def test_published_sample_tables_pass_and_render_data_docs(tmp_path, tables):
    published = publish(tmp_path / "warehouse", 2024, {name: tables[name] for name in ("filings", "forms", "indicators")})
    frames = {name: pl.read_parquet(path) for name, path in published.items()}
    results = validate_published(frames, 2024, tmp_path / "gx")
    assert all(r.success and not r.failed for r in results.values())
    index = results["forms"].docs_index
    page = index.read_text(encoding="utf-8")
    assert index == tmp_path / "gx" / "index.html" and page.count("<td>通过</td>") == 3
    links = [line.split("href='")[1].split("'")[0] for line in page.split("<tr")[2:]]
    assert all((index.parent / link).exists() for link in links) and len(links) == 3


def test_the_gx_project_names_no_config_variables_file(tmp_path, tables):
    """GX parses the config variables file again at every substitution (jixiao names no variable):
    a project scaffolded by GX (as an earlier version left it) is set to none by a validation."""
    import great_expectations as gx

    assert gx.get_context(mode="file", project_root_dir=str(tmp_path / "gx")).variables.config_variables_file_path
    published = publish(tmp_path / "warehouse", 2024, {"forms": tables["forms"]})
    results = validate_published({"forms": pl.read_parquet(published["forms"])}, 2024, tmp_path / "gx")
    assert results["forms"].success
    assert gx.get_context(mode="file", project_root_dir=str(tmp_path / "gx")).variables.config_variables_file_path is None


def test_bad_published_data_fails_with_the_expectation_and_column_named(tmp_path, tables):
    forms = tables["forms"].with_columns(
        form_type=pl.when(pl.col("ordinal") == 0).then(pl.lit("memo")).otherwise(pl.col("form_type")),
        line_start=pl.lit(0, pl.Int64),
    )
    indicators = pl.concat([tables["indicators"], tables["indicators"].head(1)])  # a duplicate key
    result = validate_published({"forms": forms, "indicators": indicators}, 2024, tmp_path / "gx")
    failed_forms = {(f["expectation"], f["column"]) for f in result["forms"].failed}
    assert failed_forms == {("expect_table_columns_to_be_in_sets", "form_type"),
                            ("expect_table_columns_to_be_between", "line_start")}
    in_set = next(f for f in result["forms"].failed if f["column"] == "form_type")
    assert in_set["detail"] == f"{tables['forms']['ordinal'].eq(0).sum()} rows, e.g. ['memo', 'memo', 'memo']"
    assert [(f["expectation"], f["column"]) for f in result["indicators"].failed] == [
        ("expect_table_keys_to_be_unique", "form_id, row_index")]
    repeated = tables["indicators"].row(0, named=True)
    assert result["indicators"].failed[0]["detail"] == "2 rows, e.g. " + str(
        [{"form_id": repeated["form_id"], "row_index": repeated["row_index"]}] * 2)
    assert not result["forms"].success and set(TABLES) >= set(result)


def test_the_table_wide_expectations_find_the_rows_gxs_own_per_column_ones_find(tables):
    """Sets, ranges and keys judged at once, as GX's own expectations judge one column or key each:
    the same columns fail with the same numbers of rows, nulls passing both."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    from checks.expectations import _to_pandas
    from checks.table_expectations import (
        ExpectTableColumnsToBeBetween,
        ExpectTableColumnsToBeInSets,
        ExpectTableKeysToBeUnique,
    )

    first, second = pl.col("ordinal") == 0, pl.col("ordinal") == 1
    forms = pl.concat([tables["forms"], tables["forms"].head(2)]).with_columns(  # two form ids twice
        form_type=pl.when(first).then(pl.lit("memo")).when(second).then(None).otherwise(pl.col("form_type")),
        line_start=pl.when(second).then(pl.lit(0, pl.Int64)).otherwise(pl.col("line_start")),
        reporting_year=pl.when(first).then(pl.lit(2101, pl.Int64)).when(second).then(pl.lit(2100, pl.Int64))
        .otherwise(pl.col("reporting_year")),  # the bounds are within the range
        title_year=pl.when(first).then(None).otherwise(pl.col("title_year")))
    ranges = {"line_start": [1, None], "reporting_year": [2000, 2100], "title_year": [2000, 2100]}
    combined = [ExpectTableColumnsToBeInSets(value_sets={"form_type": ["project", "department", "summary"]}),
                ExpectTableColumnsToBeBetween(ranges=ranges),
                ExpectTableKeysToBeUnique(keys=[["form_id"], ["source_file", "ordinal"]])]
    own = [gxe.ExpectColumnValuesToBeInSet(column="form_type", value_set=["project", "department", "summary"]),
           *(gxe.ExpectColumnValuesToBeBetween(column=name, min_value=low, max_value=high)
             for name, (low, high) in ranges.items()),
           gxe.ExpectColumnValuesToBeUnique(column="form_id"),
           gxe.ExpectCompoundColumnsToBeUnique(column_list=["source_file", "ordinal"])]
    context = gx.get_context(mode="ephemeral")
    batch = context.data_sources.add_pandas("p").add_dataframe_asset("forms").add_batch_definition_whole_dataframe("b")

    def run(made):
        suite = context.suites.add(gx.ExpectationSuite(name=f"s{len(context.suites.all())}", expectations=made))
        return batch.get_batch(batch_parameters={"dataframe": _to_pandas(forms)}).validate(suite).results

    found = {name: int(detail.split(" rows")[0]) for r in run(combined) for name, detail in r.result["observed_value"].items()}
    expected = {r.expectation_config.kwargs.get("column") or ", ".join(r.expectation_config.kwargs["column_list"]):
                r.result["unexpected_count"] for r in run(own) if not r.success}
    assert found == expected
    assert set(found) == {"form_type", "line_start", "reporting_year", "form_id", "source_file, ordinal"}


def test_a_range_over_text_says_so_instead_of_failing_the_validation(tmp_path, tables):
    forms = tables["forms"].with_columns(line_start=pl.col("line_start").cast(pl.String))
    result = validate_published({"forms": forms}, 2024, tmp_path / "gx")["forms"]
    failed = {(f["expectation"], f["column"]): f["detail"] for f in result.failed}
    assert failed[("expect_table_columns_to_be_between", "line_start")] == "values of type str cannot be compared"
    assert failed[("expect_table_columns_to_be_of_types", "line_start")] == "str, not int64"


def test_a_column_the_table_wide_expectations_name_is_said_missing_when_it_is_not_there(tmp_path, tables):
    """Each expectation that names a column left out (its set, its range, its key, its not-null)
    says so for that column, as the types' does."""
    forms = tables["forms"].drop("form_type", "line_start", "form_id")
    result = validate_published({"forms": forms}, 2024, tmp_path / "gx")["forms"]
    failed = {(f["expectation"], f["column"]): f["detail"] for f in result.failed}
    assert {key for key, detail in failed.items() if detail == "missing"} == {
        ("expect_table_columns_to_be_in_sets", "form_type"), ("expect_table_columns_to_be_between", "line_start"),
        ("expect_table_keys_to_be_unique", "form_id"), *(("expect_table_columns_to_not_be_null", name)
                                                         for name in ("form_type", "line_start", "form_id"))}
    assert failed[("expect_table_columns_to_be_of_types", "form_type")] == "missing, not str"


def test_a_table_longer_than_a_slice_is_validated_slice_by_slice_and_its_keys_whole(tmp_path, tables, monkeypatch):
    monkeypatch.setattr("checks.expectations.GX_ROWS", 60)
    indicators = tables["indicators"]
    good = validate_published({"indicators": indicators.lazy()}, 2024, tmp_path / "gx")["indicators"]
    assert good.success and not good.failed
    pages = (tmp_path / "gx" / "index.html").read_text(encoding="utf-8").count("<td>通过</td>")
    assert pages == -(-indicators.height // 60) > 1, "one Data Docs page a slice"

    repeated = pl.concat([indicators, indicators.head(1)])  # the first row again, in the last slice
    bad = validate_published({"indicators": repeated}, 2024, tmp_path / "gx")["indicators"]
    assert [(f["expectation"], f["detail"]) for f in bad.failed] == [
        ("expect_table_keys_to_be_unique", "2 rows share their form_id, row_index with another row of the table")]

    # the first row again as the second: a key repeated within one slice, which that slice's
    # suite finds too, is reported once, by the check over the whole table
    within = pl.concat([indicators.head(1), indicators])
    bad = validate_published({"indicators": within}, 2024, tmp_path / "gx")["indicators"]
    assert [(f["expectation"], f["detail"]) for f in bad.failed] == [
        ("expect_table_keys_to_be_unique", "2 rows share their form_id, row_index with another row of the table")]
    index = (tmp_path / "gx" / "index.html").read_text(encoding="utf-8")
    assert "<td>未通过</td>" in index, "the slice's own page still shows its failure"


def test_no_slice_handed_to_gx_outlives_the_validation(tmp_path, tables, monkeypatch):
    """GX's execution engine keeps the batches it was handed (the last slice of every table) for as
    long as its context lives, the whole process: they are let go when the validation ends."""
    import gc
    import weakref

    from checks import expectations

    handed = []
    to_pandas = expectations._to_pandas

    def kept(frame):
        converted = to_pandas(frame)
        handed.append(weakref.ref(converted))
        return converted

    monkeypatch.setattr(expectations, "_to_pandas", kept)
    validate_published({"forms": tables["forms"], "indicators": tables["indicators"]}, 2024, tmp_path / "gx")
    gc.collect()
    assert len(handed) == 2 and all(ref() is None for ref in handed)

    handed.clear()  # a validation that fails midway lets go of its slices too
    monkeypatch.setattr(expectations, "GX_ROWS", 60)
    monkeypatch.setattr(expectations, "_repeated_keys", lambda frame, table: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        validate_published({"indicators": tables["indicators"]}, 2024, tmp_path / "gx")
    gc.collect()
    assert len(handed) > 1 and all(ref() is None for ref in handed)


def test_nulls_wrong_types_and_years_out_of_range_fail_the_suite(tmp_path, tables):
    """A null where the contract has none (a string column and an integer one), a column written
    with another type than the contract's, a year out of range: each fails its expectation."""
    first = pl.col("ordinal") == 0
    forms = tables["forms"].with_columns(
        form_id=pl.when(first).then(None).otherwise(pl.col("form_id")),
        line_end=pl.when(first).then(None).otherwise(pl.col("line_end")),
        reporting_year=pl.when(first).then(pl.lit(1900, pl.Int64)).otherwise(pl.col("reporting_year")),
        title_year=pl.col("title_year").cast(pl.Int32),
        complete=pl.col("complete").cast(pl.String),
    )
    result = validate_published({"forms": forms}, 2024, tmp_path / "gx")["forms"]
    failed = {(f["expectation"], f["column"]) for f in result.failed}
    assert failed == {("expect_table_columns_to_not_be_null", "form_id"),
                      ("expect_table_columns_to_not_be_null", "line_end"),
                      ("expect_table_columns_to_be_between", "reporting_year"),
                      ("expect_table_columns_to_be_of_types", "title_year"),
                      ("expect_table_columns_to_be_of_types", "complete")}
    between = next(f for f in result.failed if f["column"] == "reporting_year")
    assert between["detail"] == f"{tables['forms']['ordinal'].eq(0).sum()} rows, e.g. [1900, 1900, 1900]"
    typed = {f["column"]: f["detail"] for f in result.failed if f["expectation"] == "expect_table_columns_to_be_of_types"}
    assert typed == {"title_year": "int32, not int64", "complete": "str, not bool"}
    nulls = {f["column"]: f["detail"] for f in result.failed if f["expectation"] == "expect_table_columns_to_not_be_null"}
    assert nulls == {"form_id": f"{tables['forms']['ordinal'].eq(0).sum()} rows",
                     "line_end": f"{tables['forms']['ordinal'].eq(0).sum()} rows"}
    assert not result.success


def test_a_stored_suite_is_remade_when_its_expectations_change(tmp_path, tables, monkeypatch):
    frames = {"filings": tables["filings"]}
    assert validate_published(frames, 2024, tmp_path / "gx")["filings"].success
    monkeypatch.setattr("checks.expectations.FIRST_YEAR", 2030)  # the contract as a later version derives it
    result = validate_published(frames, 2024, tmp_path / "gx")["filings"]
    assert [(f["expectation"], f["column"]) for f in result.failed] == [
        ("expect_table_columns_to_be_between", "reporting_year")]


def test_validations_of_two_partitions_take_turns_in_the_gx_project(tmp_path, monkeypatch):
    """Runs of two regions at once (the run queue allows it) share the GX project: GX's stores are
    files, so one validation waits while another holds the project."""
    entered = threading.Event()
    monkeypatch.setattr("checks.expectations._validate", lambda *args: entered.set())
    with _locked(tmp_path / "gx"):
        waiting = threading.Thread(target=validate_published, args=({}, 2024, tmp_path / "gx"))
        waiting.start()
        assert not entered.wait(timeout=1), "validated while another run held the GX project"
    assert entered.wait(timeout=60)
    waiting.join()


_barrier = None  # in a pool process: the barrier both processes pass before validating


def _timed_validations(log, barrier) -> None:
    """A pool process's initializer: each validation's start and end (monotonic clock: one per
    machine) appended to `log`."""
    import time

    import checks.expectations as gx

    global _barrier
    _barrier = barrier
    validate = gx._validate

    def timed(*args):
        start = time.monotonic()
        try:
            return validate(*args)
        finally:
            with open(log, "a") as handle:
                handle.write(f"{start} {time.monotonic()}\n")

    gx._validate = timed


def _validate_region(args) -> bool:
    frame, label, root = args
    _barrier.wait(timeout=120)  # both processes set off together
    return validate_published({"forms": frame}, label, root)["forms"].success


def test_two_processes_validating_at_once_take_turns_and_both_land_in_data_docs(tmp_path, tables):
    """Two partitions' runs, each in its own process, set off together into one new GX project:
    the second validation starts only when the first has ended, and both land in Data Docs."""
    context, log = multiprocessing.get_context("spawn"), tmp_path / "validations.log"
    jobs = [(tables["forms"], label, tmp_path / "gx") for label in ("2024-东区", "2024-西区")]
    with context.Pool(2, initializer=_timed_validations, initargs=(log, context.Barrier(2))) as pool:
        assert pool.map(_validate_region, jobs, chunksize=1) == [True, True]
    (first_start, first_end), (second_start, _) = sorted(
        tuple(map(float, line.split())) for line in log.read_text().splitlines())
    assert second_start >= first_end > first_start, "the two validations overlapped in the GX project"
    page = (tmp_path / "gx" / "index.html").read_text(encoding="utf-8")
    assert "2024-东区" in page and "2024-西区" in page


def test_the_index_keeps_each_partitions_latest_rows_and_reads_only_the_runs_own_results(tmp_path, tables):
    """Data Docs' index lists every partition's latest validation, yet a run reads only its own
    results (a nation's history holds tens of thousands); a project without the kept rows (made by
    an earlier version), or with them torn, has them rebuilt from every stored result."""
    root, frames = tmp_path / "gx", {"filings": tables["filings"]}

    def rows() -> list[str]:
        page = (root / "index.html").read_text(encoding="utf-8")
        return [row.split("</td>")[0].removeprefix(" class='ok'><td>") for row in page.split("<tr")[2:]]

    validate_published(frames, "2023-东区", root)
    validate_published(frames, "2024-西区", root)
    validate_published(frames, "2024-西区", root)  # a re-run replaces its rows
    assert rows() == ["2023-东区", "2024-西区"]

    other = next((root / "gx" / "uncommitted" / "validations" / "filings" / "reporting-year-2023-东区").glob("*/*.json"))
    other.write_text("{not json", encoding="utf-8")  # read by nothing but a rebuild of the index
    validate_published(frames, "2024-西区", root)
    assert rows() == ["2023-东区", "2024-西区"]

    other.unlink()
    (root / "index.json").unlink()
    validate_published(frames, "2024-南区", root)
    assert rows() == ["2024-南区", "2024-西区"]

    (root / "index.json").write_text('{"filings/rep', encoding="utf-8")  # torn by a run that died writing it
    validate_published(frames, "2023-北区", root)
    assert rows() == ["2023-北区", "2024-南区", "2024-西区"]

    (root / "index.json").write_text('{"filings/reporting-year-2024-南区": ["<tr><td>2024-南区</td></tr>"]}',
                                     encoding="utf-8")  # an earlier version's: rows of HTML
    validate_published(frames, "2023-北区", root)
    assert rows() == ["2023-北区", "2024-南区", "2024-西区"]
    assert "<" not in (root / "index.json").read_text(encoding="utf-8")  # what it lists, not HTML
