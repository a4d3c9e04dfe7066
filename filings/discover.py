"""The landing zone: raw/<reporting year>/<any sub-folders>/<file>, a local folder or a URL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from filings.storage import Location, is_local


@dataclass(frozen=True)
class RawFile:
    path: Location
    source_file: str  # relative to raw/, with forward slashes
    reporting_year: int


def inside(path: Location, raw_root: Location) -> bool:
    """Whether `path`, links followed, stays under raw/ (a link out of it is never read). Object
    stores have no links."""
    return not is_local(path) or path.resolve().is_relative_to(raw_root.resolve())


def _is_year(name: str) -> bool:
    return len(name) == 4 and name.isdigit()


def _visible_files(folder: Location):
    """Files below `folder`, skipping hidden names (editor and sync clutter such as .DS_Store)."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield path


def reporting_years(raw_root: Location) -> list[int]:
    """Years that have a folder under raw/ with at least one file in it."""
    if not raw_root.is_dir():
        return []
    return sorted(
        int(p.name) for p in raw_root.iterdir()
        if p.is_dir() and _is_year(p.name) and next(_visible_files(p), None) is not None
    )


def discover(raw_root: Location, year: int) -> list[RawFile]:
    """Every file filed for `year`, in a stable order."""
    folder = raw_root / str(year)
    if not folder.is_dir():
        return []
    return [RawFile(p, p.relative_to(raw_root).as_posix(), year) for p in _visible_files(folder)]


def unplaced(raw_root: Location) -> list[str]:
    """Files outside any year folder: they belong to no reporting year and are not read."""
    if not raw_root.is_dir():
        return []
    return [
        p.relative_to(raw_root).as_posix() for p in _visible_files(raw_root)
        if not _is_year(p.relative_to(raw_root).parts[0]) or len(p.relative_to(raw_root).parts) == 1
    ]


def fingerprint(files: list[RawFile]) -> str:
    """Cheap change marker for the sensor: paths, sizes and modification times (on an object store,
    the filesystem's key of the object's version, such as its ETag)."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f.source_file}\0{_version(f.path)}\n".encode())
    return digest.hexdigest()[:16]


def _version(path: Location) -> str:
    if is_local(path):
        stat = path.stat()
        return f"{stat.st_size}\0{stat.st_mtime_ns}"
    return path.fs.ukey(path.path)
