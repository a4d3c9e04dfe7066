"""The parser's hot modules compiled by mypyc (`make native`): used when current, and parsing
exactly as their Python source does; a module edited since it was compiled is never run compiled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import polars as pl
import pytest

from conftest import PROJECT, RAW
from filings.native import MANIFEST, compiled_modules, running_compiled, source_digest, source_path, stale_modules
from filings.parse import parse_many
from filings.tables import to_tables

sys.path.insert(0, str(PROJECT / "tools"))
from corpus import generate  # noqa: E402
import native  # noqa: E402
from native import MODULES, up_to_date  # noqa: E402

needs_native = pytest.mark.skipif(
    not compiled_modules() and not os.environ.get("JIXIAO_REQUIRE_NATIVE"),
    reason="the parser is not compiled (make native)")


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=600)


@needs_native
def test_make_native_compiles_every_hot_module_and_they_are_used():
    assert compiled_modules() == {name: source_digest(source_path(name)) for name in MODULES}
    import filings.align  # noqa: F401
    import filings.readers.text  # noqa: F401
    assert all(running_compiled(name) for name in MODULES if name in sys.modules)
    assert running_compiled("filings.align") and running_compiled("filings.readers.text")


@needs_native
def test_compiled_and_python_parse_every_sample_layout_and_format_alike(tmp_path):
    """The samples, the format fixtures and a corpus of every layout and injected mistake, parsed
    compiled (here) and as Python (JIXIAO_NATIVE=0, another process): the same tables."""
    generate(tmp_path / "corpus", 300, seed=5, mistake_rate=0.5)
    shutil.copytree(PROJECT / "tests" / "fixtures" / "formats", tmp_path / "formats" / "2024")
    roots = [RAW, tmp_path / "formats", tmp_path / "corpus" / "raw"]
    write = ("import sys; from pathlib import Path; from filings.parse import parse_many; "
             "from filings.tables import to_tables; from filings.native import running_compiled; "
             "assert not running_compiled('filings.project'); out = Path(sys.argv[1])\n"
             "for n, root in enumerate(sys.argv[2:]):\n"
             "    paths = sorted(p for p in Path(root).rglob('*') if p.is_file())\n"
             "    for name, table in to_tables(parse_many(paths, Path(root), workers=1)).items():\n"
             "        table.write_parquet(out / f'{n}-{name}.parquet')")
    done = subprocess.run([sys.executable, "-c", write, str(tmp_path), *map(str, roots)], cwd=PROJECT,
                          env={**os.environ, "JIXIAO_NATIVE": "0"}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert running_compiled("filings.project")
    for n, root in enumerate(roots):
        paths = sorted(p for p in root.rglob("*") if p.is_file())
        for name, table in to_tables(parse_many(paths, root, workers=1)).items():
            as_python = pl.read_parquet(tmp_path / f"{n}-{name}.parquet")
            assert table.equals(as_python), f"{root.name}: {name} differs"
    assert len(paths) > 40  # the corpus: several files of every layout and format


def test_a_module_edited_since_compiled_is_stale(tmp_path):
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "mod.py"
    module.write_text("X = 1\n")
    compiled = {"pkg.mod": source_digest(module)}
    assert stale_modules(compiled, tmp_path) == []
    module.write_text("X = 2\n")
    assert stale_modules(compiled, tmp_path) == ["pkg.mod"]
    module.unlink()
    assert stale_modules(compiled, tmp_path) == ["pkg.mod"]


@needs_native
def test_one_stale_module_runs_them_all_as_python_with_a_warning(tmp_path):
    """Compiled modules call each other directly: with one stale, none runs compiled."""
    manifest = tmp_path / "native.txt"
    manifest.write_text(MANIFEST.read_text().replace(source_digest(source_path("filings.split")), "0" * 16))
    done = _python(
        "import warnings, sys; warnings.simplefilter('always'); import filings.native as n\n"
        f"n.choose(__import__('pathlib').Path({str(manifest)!r}))\n"
        "import filings.project, filings.align\n"
        "print(n.running_compiled('filings.project'), n.running_compiled('filings.align'))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
    assert "changed since compiled: filings.split" in done.stderr and "make native" in done.stderr


@needs_native
def test_make_native_compiles_again_only_when_a_compiled_modules_source_the_list_or_the_options_change(
        tmp_path, monkeypatch):
    manifest = tmp_path / "native.txt"
    manifest.write_text(MANIFEST.read_text())
    assert up_to_date(manifest)  # whatever else of filings/ changed since
    manifest.write_text(MANIFEST.read_text().replace(source_digest(source_path("filings.split")), "0" * 16))
    assert not up_to_date(manifest)
    manifest.write_text("".join(MANIFEST.read_text().splitlines(keepends=True)[:-1]))  # a module left out
    assert not up_to_date(manifest)
    manifest.write_text(MANIFEST.read_text())
    monkeypatch.setitem(native.COMPILER, "opt_level", "0")  # or another mypyc, Python or mypy setting
    assert not up_to_date(manifest)
    monkeypatch.undo()
    assert not up_to_date(tmp_path / "none.txt")
    done = subprocess.run([sys.executable, str(PROJECT / "tools" / "native.py"), "--check"], capture_output=True)
    assert done.returncode == 0, "`make native` would compile again what is current"


@needs_native
def test_jixiao_native_0_runs_the_parser_as_python():
    done = _python("import filings.project as p; from filings.native import running_compiled; "
                   "print(running_compiled('filings.project'), p.__file__)", JIXIAO_NATIVE="0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "False" and done.stdout.split()[1].endswith("filings/project.py")
