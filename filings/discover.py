"""The landing zone: raw/<reporting year>/<any sub-folders>/<file>, a local folder or a URL. The first
folder under the year is the file's region (地区); files directly in the year folder are region "_"
(未分地区)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from filings.storage import Location, is_local

UNPLACED = "_"  # the region of files directly in raw/<year>/ (未分地区)
_NOT_IN_KEYS = ("|", "=", "...", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0")  # Dagster keys, hive paths


@dataclass(frozen=True)
class RawFile:
    path: Location
    source_file: str  # relative to raw/, with forward slashes
    reporting_year: int

    @property
    def region(self) -> str:
        return region_of(self.source_file)


def region_of(source_file: str) -> str:
    """The region of a file (its path relative to raw/): the first folder under the year, with
    characters a partition key or a hive path cannot hold replaced by "_"; "_" when it has none."""
    parts = source_file.split("/")
    if len(parts) <= 2:
        return UNPLACED
    region = parts[1]
    for bad in _NOT_IN_KEYS:
        region = region.replace(bad, "_")
    return region


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


def discover(raw_root: Location, year: int, region: str | None = None) -> list[RawFile]:
    """Every file filed for `year` (in `region` only, when given, walking only its folders), in a
    stable order."""
    folder = raw_root / str(year)
    if not folder.is_dir():
        return []
    if region is None:
        paths = list(_visible_files(folder))
    else:  # the year's entries of that region only: folders named for it, or (for "_") files
        entries = [p for p in folder.iterdir() if not p.name.startswith(".") and _region_of_entry(year, p) == region]
        paths = sorted(path for entry in entries for path in ([entry] if entry.is_file() else _visible_files(entry)))
    return [RawFile(p, p.relative_to(raw_root).as_posix(), year) for p in paths]


def _region_of_entry(year: int, entry: Location) -> str:
    """The region of the files in or at `entry`, an entry of the year folder."""
    return region_of(f"{year}/{entry.name}/") if entry.is_dir() else UNPLACED


def regions(raw_root: Location, year: int) -> list[str]:
    """The regions of `year` that have files."""
    return sorted({f.region for f in discover(raw_root, year)})


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
