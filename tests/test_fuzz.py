"""No input breaks the parser: mutated sample filings and random bytes in every format always
end as parsed, partial or quarantined, with tables that satisfy their schemas."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.config import load
from checks.engine import run_rules
from checks.integrity import schema_failures
from conftest import RAW, XINGQING, ZHONGWEI
from filings.parse import parse_filing
from filings.readers import READERS
from filings.tables import to_tables

SAMPLES = [(RAW / name).read_bytes() for name in (ZHONGWEI, XINGQING)]
FIXTURES = sorted((Path(__file__).parent / "fixtures" / "formats").iterdir())
SUFFIXES = sorted(READERS) + [".bin", ""]
RULES = load()
FUZZ = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _accounted(data: bytes, suffix: str) -> None:
    filing = parse_filing(data, f"2024/fuzz{suffix}", 2024)
    assert filing.status in ("parsed", "partial", "quarantined")
    assert filing.status != "quarantined" or filing.error
    assert filing.n_forms == len(filing.forms)
    tables = to_tables([filing])
    assert schema_failures(tables) == {}
    if filing.forms:
        run_rules(tables, RULES)  # the rules take whatever the parser gives them


@st.composite
def mutated(draw, originals):
    """A sample with a few byte-level edits: deletions, duplications, insertions, swaps."""
    data = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        size = draw(st.integers(1, 200))
        edit = draw(st.sampled_from(["delete", "duplicate", "insert", "truncate"]))
        if edit == "delete":
            del data[at:at + size]
        elif edit == "duplicate":
            data[at:at] = data[at:at + size]
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at:]
    return bytes(data)


@FUZZ
@given(mutated(SAMPLES))
def test_mutated_converter_text_never_breaks_the_parser(data):
    _accounted(data, ".txt")


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("\t\n |:%≥≤-—.0123456789年月总分指标产出效益满意度项目名称预算执行得分")),
               max_size=400))
def test_form_like_text_never_breaks_the_parser(text):
    _accounted(("# 项目支出绩效自评表\n" + text).encode(), ".txt")


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=2000), st.sampled_from(SUFFIXES))
def test_random_bytes_in_any_format_are_accounted_for(data, suffix):
    _accounted(data, suffix)


@settings(max_examples=60, deadline=None, database=None)
@given(mutated([p.read_bytes() for p in FIXTURES if p.suffix in (".xlsx", ".docx", ".html")]),
       st.sampled_from([".xlsx", ".docx", ".html"]))
def test_damaged_documents_are_accounted_for(data, suffix):
    _accounted(data, suffix)
