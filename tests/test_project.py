"""The project's promises about itself: docs match the schemas, the core has no Dagster in it."""

import subprocess
import sys

from conftest import PROJECT
from filings.schemas import markdown


def test_docs_are_generated_from_the_schemas_and_the_catalogue():
    from checks.catalogue import markdown as rules_markdown

    assert (PROJECT / "docs" / "tables.md").read_text(encoding="utf-8") == markdown(), "run `make docs`"
    assert (PROJECT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(), "run `make docs`"


def test_readme_gives_the_three_commands():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for command in ("make run", "make test", "make ui"):
        assert command in readme


def test_parsing_core_and_rules_import_no_dagster():
    code = ("import sys, filings.parse, filings.tables, filings.discover, filings.warehouse, "
            "checks.engine, checks.integrity; sys.exit('dagster' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT).returncode == 0


def test_records_and_schemas_name_the_same_columns():
    from filings.records import Form, field_names
    from filings.schemas import RECORDS, TABLES

    for name, record in RECORDS.items():
        fields = set(field_names(record)) - set(Form.CHILDREN) - {"forms", "positions"}
        assert fields == set(TABLES[name].to_schema().columns), name


def test_a_row_of_the_wrong_length_is_refused_as_it_becomes_columns():
    """A form's rows are made by tuple.__new__, which names no field and counts none: a row made
    with a field too few or too many must not shift the columns after it."""
    import pytest

    from filings.records import SkippedRow, new
    from filings.tables import _transposed

    names = list(SkippedRow._fields)
    good = new(SkippedRow, ("f", 0, 3, "empty_slot", "x"))
    assert _transposed([good, good], names)["reason"] == ["empty_slot", "empty_slot"]
    with pytest.raises(ValueError):  # the first row short
        _transposed([new(SkippedRow, ("f", 0, 3, "empty_slot")), good], names)
    with pytest.raises(ValueError):  # a later row long
        _transposed([good, new(SkippedRow, ("f", 1, 4, "empty_slot", "x", "extra"))], names)
