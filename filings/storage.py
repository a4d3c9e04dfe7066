"""Where raw/ and the warehouse live: a local folder, or a folder in any fsspec filesystem
(memory://, s3:// with s3fs installed, …) reached through universal-pathlib."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from upath import UPath

Location = Path | UPath  # a local pathlib.Path, or a UPath of an fsspec filesystem


def location(text: str, base: Path) -> Location:
    """A local path for a plain path or a file:// URL (relative paths taken from `base`), a UPath
    for any other URL."""
    if "://" not in text:
        path = Path(text)
        return path if path.is_absolute() else base / path
    url = UPath(text)
    return Path(url.path) if url.protocol in ("file", "local") else url


def is_local(path: Location) -> bool:
    """Whether `path` is on this machine's file system (links, locks, fsync and rename exist)."""
    return isinstance(path, Path)


@contextmanager
def local_copies(paths: list[Location]) -> Iterator[list[Path]]:
    """The files as local paths while the block runs (Polars scans only its own cloud stores by
    URL): local files as they are, an object store's streamed into a temporary folder, removed after."""
    if all(is_local(path) for path in paths):
        yield list(paths)
        return
    with tempfile.TemporaryDirectory(prefix="jixiao-") as folder:
        copies = []
        for n, path in enumerate(paths):
            copies.append(path if is_local(path) else Path(folder) / f"{n}{path.suffix}")
            if not is_local(path):
                path.fs.get_file(path.path, str(copies[-1]))
        yield copies


@contextmanager
def local_file(target: Location) -> Iterator[Path]:
    """A local path to write `target` at: `target` itself when local, else a temporary file put
    to the object store in one piece when the block ends without error."""
    if is_local(target):
        yield target
        return
    with tempfile.TemporaryDirectory(prefix="jixiao-") as folder:
        local = Path(folder) / target.name
        yield local
        target.fs.put_file(str(local), target.path)


def remove_tree(folder: Location) -> None:
    """Remove `folder` and everything in it; nothing when it is not there."""
    if is_local(folder):
        shutil.rmtree(folder, ignore_errors=True)
    elif folder.exists():
        folder.fs.rm(folder.path, recursive=True)
