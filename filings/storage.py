"""Where raw/ and the warehouse live: a local folder, or a folder in any fsspec filesystem
(memory://, s3:// with s3fs installed, …) reached through universal-pathlib."""

from __future__ import annotations

from pathlib import Path

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
