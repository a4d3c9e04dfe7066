"""The synthetic corpus: clean base forms, every template family and format, reproducible from its
seed, and every injected mistake caught with no false finding (the scoring `make bench` prints, on a
small corpus, without Dagster)."""

import random
import sys
from collections import Counter

import pytest

from checks.engine import run_rules
from conftest import PROJECT
from filings.discover import discover
from filings.parse import parse_filing, parse_many
from filings.tables import to_tables

sys.path.insert(0, str(PROJECT / "tools"))
import corpus_forms as cf  # noqa: E402
from bench import floor_and_parse, score  # noqa: E402
from corpus import FORMATS, LAYOUTS, MISTAKES, expected_findings, generate  # noqa: E402
from corpus_files import one_line  # noqa: E402


def _findings(lines, name="2024/x.txt"):
    filing = parse_filing("\n".join(lines).encode("utf-8"), name, 2024)
    assert filing.status == "parsed", filing.error
    return run_rules(to_tables([filing]))


@pytest.mark.parametrize("base", [cf.NATIONAL, cf.FOUR, cf.SICHUAN, cf.DEPARTMENT],
                         ids=["national", "four_dimension", "sichuan", "department"])
def test_each_base_form_is_clean(base):
    assert _findings(base).is_empty()


def test_varied_forms_and_their_one_line_flattening_are_clean():
    rng = random.Random(3)
    for maker in (cf.national, cf.four_dimension, cf.sichuan):
        for k in range(20):
            form = maker(rng, "吴忠市水务局", f"项目{k}", None)
            assert _findings(form.lines).is_empty()
    assert _findings([one_line(cf.national(rng, "吴忠市水务局", "项目", None).lines)]).is_empty()


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    return out, generate(out, 300, seed=5, mistake_rate=0.5)  # a seed drawing every kind and format


def test_every_injected_mistake_is_found_and_nothing_else(small_corpus):
    out, counts = small_corpus
    files = discover(out / "raw", 2024)
    filings = parse_many([f.path for f in files], out / "raw", workers=2)
    assert {f.status for f in filings} == {"parsed"}
    assert sum(f.n_forms for f in filings) == counts["forms"] == 300
    found = Counter(run_rules(to_tables(filings)).select("source_file", "check_id", "line", "field").rows())
    expected = Counter(expected_findings(out / "manifest.jsonl"))
    by_check = score(found, expected)
    assert set(by_check) == set(MISTAKES) and len(MISTAKES) == 16
    assert {check: (caught, false) for check, (_, caught, false) in by_check.items()} == {
        check: (injected, 0) for check, (injected, _, _) in by_check.items()}


def test_every_layout_and_format_appears(small_corpus):
    out, _ = small_corpus
    paths = [p for p in (out / "raw").rglob("*") if p.is_file()]
    assert {p.suffix for p in paths} == set(FORMATS)
    text = "\n".join(p.read_text(encoding="utf-8") for p in paths if p.suffix == ".txt")
    assert "绩效评价汇总表" in text and "部门整体支出绩效表" in text  # summary files
    assert "项目决策" in text and "指标性质 |" in text  # four-dimension and Sichuan forms
    assert any(len(line) > 500 and "\t" not in line for line in text.split("\n"))  # a form on one line
    assert set(LAYOUTS) == {"national", "one_line", "summary", "four_dimension", "sichuan"}


def test_the_benchmark_times_each_formats_floor_and_parse_on_the_same_files(small_corpus):
    """`make bench`'s parse ÷ floor per format: every format timed by the minimal reader and by the
    parser, and parsing (cleaning, layout, records) dearer than the minimal read of the same files."""
    out, _ = small_corpus
    sample = floor_and_parse(out / "raw")
    assert set(sample) == set(FORMATS)
    assert all(0 < floor < parse for floor, parse in sample.values()), sample


def test_the_benchmark_parses_every_file_once_in_path_order(small_corpus, monkeypatch):
    """Parsed a second time, a file finds every cell in the parser's caches (the lower of two
    timings flattered the parser by a fifth). Every file is parsed (and timed) once, in the order
    a parser process takes them."""
    import filings.parse

    out, _ = small_corpus
    parsed = []
    monkeypatch.setattr(filings.parse, "parse_many", lambda paths, raw, workers: parsed.extend(map(str, paths)))
    floor_and_parse(out / "raw")
    assert parsed == [str(p) for p in sorted(p for p in (out / "raw").rglob("*") if p.is_file())]


def test_corpus_is_reproducible_from_its_seed(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    assert generate(first, 150, seed=7) == generate(second, 150, seed=7)
    generate(other, 150, seed=8)
    paths = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert paths == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / p).read_bytes() == (second / p).read_bytes() for p in paths)
    assert (first / "manifest.jsonl").read_bytes() != (other / "manifest.jsonl").read_bytes()
