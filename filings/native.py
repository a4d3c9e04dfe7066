"""The parser's hot modules compiled to C by mypyc (`make native`, tools/native.py), or not.

The compiled modules sit beside their sources (`align.cpython-311-….so` next to `align.py`), and
Python imports them first. `filings/native.txt` lists each with the digest of the source it was
compiled from (after a `# options` line: the compiler's, for tools/native.py). Where any source
differs from its digest (edited since), or JIXIAO_NATIVE=0 is set, every listed module is imported
from its source instead: compiled modules call each other directly, so one stale module means none
can be trusted."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import warnings
from importlib.abc import MetaPathFinder
from pathlib import Path

MANIFEST = Path(__file__).with_name("native.txt")
ROOT = Path(__file__).parent.parent


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def compiled_modules(manifest: Path = MANIFEST) -> dict[str, str]:
    """Module name → digest of the source it was compiled from (none when nothing is compiled)."""
    return listed_modules(manifest.read_text(encoding="utf-8")) if manifest.exists() else {}


def listed_modules(text: str) -> dict[str, str]:
    """`compiled_modules`, from the manifest's text."""
    return dict(line.split() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def stale_modules(modules: dict[str, str], root: Path = ROOT) -> list[str]:
    """The modules whose source is not the one they were compiled from."""
    return [name for name, digest in modules.items()
            if not (path := source_path(name, root)).exists() or source_digest(path) != digest]


def source_path(module: str, root: Path = ROOT) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


class _FromSource(MetaPathFinder):
    """Imports the listed modules from their .py files, not from the compiled ones beside them."""

    def __init__(self, modules: set[str]) -> None:
        self.modules = modules

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.modules:
            return importlib.util.spec_from_file_location(fullname, source_path(fullname))
        return None


def choose(manifest: Path = MANIFEST) -> None:
    """Use the compiled modules where they are current; else import every one from source."""
    modules = compiled_modules(manifest)
    if not modules:
        return
    if os.environ.get("JIXIAO_NATIVE", "1") != "0":
        stale = stale_modules(modules)
        if not stale:
            return
        warnings.warn(f"changed since compiled: {', '.join(stale)}; the parser runs as plain Python (slower) "
                      f"until `make native` compiles it again", stacklevel=2)
    sys.meta_path.insert(0, _FromSource(set(modules)))


def running_compiled(module: str) -> bool:
    """Whether `module` was imported from its compiled file."""
    return not sys.modules[module].__file__.endswith(".py")
