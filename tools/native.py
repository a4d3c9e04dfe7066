"""Compile the parser's hot modules to C with mypyc, beside their sources (`make native`; see
filings/native.py). The same code, type-checked by mypy on the way; a compiled module checks the
types of its arguments at run time. `--check` says (by its exit status) whether the compiled
modules are current: those of MODULES, each compiled from its source as it is now, by the same
compiler, Python and settings (`options`), so that an edit elsewhere in filings/ compiles nothing
again. `--remove` deletes the compiled modules: the parser then runs as plain Python."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from filings.native import MANIFEST, listed_modules, source_digest, source_path, stale_modules  # noqa: E402

# What parsing a form runs through, whatever its format, and the readers whose loops are Python's (the
# PDF reader's time is mostly PDFium's own).
MODULES = ["filings.text", "filings.values", "filings.grid", "filings.templates", "filings.align",
           "filings.split", "filings.project", "filings.department", "filings.summary", "filings.reflow",
           "filings.fused", "filings.interleaved", "filings.readers.text", "filings.readers.transform",
           "filings.readers.document", "filings.readers.html", "filings.readers.spreadsheet"]
GROUP = "filings.native_lib"  # the library the modules share: filings/native_lib__mypyc.cpython-*.so
BUILD = ROOT / "build" / "native"
COMPILER = {"group_name": GROUP, "opt_level": "3", "debug_level": "1"}  # mypycify's settings


def options() -> str:
    """A digest of what a compiled module is made from besides its source: mypyc's version (mypy's),
    Python's, mypy's settings in pyproject.toml, and COMPILER."""
    import mypy.version

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    made_with = [mypy.version.__version__, sys.version, settings, COMPILER]
    return hashlib.sha256(json.dumps(made_with, sort_keys=True).encode()).hexdigest()[:16]


def up_to_date(manifest: Path = MANIFEST) -> bool:
    """Whether every module of MODULES is compiled, from its current source and with the current
    `options`, and no other is listed."""
    text = manifest.read_text(encoding="utf-8") if manifest.exists() else ""
    modules = listed_modules(text)
    return (list(modules) == MODULES and not stale_modules(modules) and f"# options {options()}" in text.splitlines()
            and all(any(path.parent.glob(f"{path.stem}.cpython-*.so")) for path in map(source_path, MODULES)))


def remove() -> None:
    """Delete every compiled module of filings/ (those of an earlier list too) and the manifest."""
    MANIFEST.unlink(missing_ok=True)
    for compiled in (ROOT / "filings").rglob("*.cpython-*.so"):
        compiled.unlink()
    shutil.rmtree(BUILD, ignore_errors=True)


def build() -> None:
    from mypyc.build import mypycify
    from setuptools import setup

    remove()
    os.chdir(ROOT)  # mypy reads its settings from pyproject.toml here
    sources = [str(source_path(name).relative_to(ROOT)) for name in MODULES]
    setup(name="jixiao-native", ext_modules=mypycify(sources, target_dir=str(BUILD), **COMPILER),
          script_args=["--quiet", "build_ext", "--inplace", "--build-temp", str(BUILD / "temp")])
    listed = "".join(f"{name} {source_digest(source_path(name))}\n" for name in MODULES)
    MANIFEST.write_text(f"# options {options()}\n{listed}", encoding="utf-8")
    print(f"compiled {len(MODULES)} modules; {MANIFEST.relative_to(ROOT)} lists them")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--remove", action="store_true", help="delete the compiled modules")
    parser.add_argument("--check", action="store_true", help="exit 0 when the compiled modules are current, else 1")
    args = parser.parse_args()
    if args.check:
        sys.exit(0 if up_to_date() else 1)
    remove() if args.remove else build()


if __name__ == "__main__":
    main()
