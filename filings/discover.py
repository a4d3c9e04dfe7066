"""The landing zone: raw/<reporting year>/<any sub-folders>/<file>, a local folder or a URL. The first
folder under the year is the file's region (地区); files directly in the year folder are region "_"
(未分地区)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

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
    stores have no links. The root's own links are followed only when the path, followed, is not
    under the root as written: a path with no link left in it that is under the root as written
    is under it, as the root then has no link either."""
    if not is_local(path):
        return True
    real = path.resolve()
    return real.is_relative_to(raw_root) or real.is_relative_to(raw_root.resolve())


def _is_year(name: str) -> bool:
    return len(name) == 4 and name.isdigit()


def _visible(folder: Location) -> list[Location]:
    """The entries of `folder` but hidden ones (editor and sync clutter such as .DS_Store)."""
    return [entry for entry in folder.iterdir() if not entry.name.startswith(".")]


def _files_at(entries: list[Location]) -> list[tuple[Location, str]]:
    """The files at or below `entries` (entries of one folder), each with its path relative to that
    folder (forward slashes), in a stable order (by path, name by name); hidden names skipped, and
    links to folders below an entry not followed (as rglob does not)."""
    found = []
    for entry in entries:
        if entry.is_file():
            found.append((entry, entry.name))
        elif is_local(entry):
            found += _local_files_below(entry, entry.name)
        else:
            for path in entry.rglob("*"):
                relative = path.relative_to(entry)
                if not any(part.startswith(".") for part in relative.parts) and path.is_file():
                    found.append((path, f"{entry.name}/{relative.as_posix()}"))
    return sorted(found, key=lambda item: item[1].split("/"))  # quicker than comparing paths


def _local_files_below(folder: Path, relative: str) -> Iterator[tuple[Path, str]]:
    """`_files_at` below a local folder, by os.scandir: what rglob finds, at a tenth of its cost
    (pathlib parses each path it makes several times over; 15,000 files took half a second)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:  # no folder there (a broken link) or not readable: nothing, as rglob finds
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            yield folder / entry.name, f"{relative}/{entry.name}"
        elif entry.is_dir(follow_symlinks=False):
            yield from _local_files_below(folder / entry.name, f"{relative}/{entry.name}")


def _has_file(entry: Location, top: bool = True) -> bool:
    """Whether `_files_at([entry])` would list anything, looked for folder by folder (one listing of
    each, on an object store too, where rglob lists a whole subtree at once), no further than the
    first file."""
    if entry.is_file():
        return True
    if not entry.is_dir() or (entry.is_symlink() and not top):
        return False
    return any(_has_file(child, top=False) for child in _visible(entry))


def reporting_years(raw_root: Location) -> list[int]:
    """Years that have a folder under raw/ with at least one file in it."""
    return [year for year in year_folders(raw_root) if _has_file(raw_root / str(year))]


def year_folders(raw_root: Location) -> list[int]:
    """Years that have a folder under raw/, with files in it or not, in order."""
    if not raw_root.is_dir():
        return []
    return sorted(int(p.name) for p in raw_root.iterdir() if p.is_dir() and _is_year(p.name))


def discover(raw_root: Location, year: int, region: str | None = None) -> list[RawFile]:
    """Every file filed for `year` (in `region` only, when given, walking only its folders: those
    named for it, or, for "_", the files directly in the year), in a stable order."""
    folder = raw_root / str(year)
    if not folder.is_dir():
        return []
    return files_in(year, [entry for entry in _visible(folder)
                           if region is None or _region_of_entry(year, entry) == region])


def files_in(year: int, entries: list[Location]) -> list[RawFile]:
    """The files at or below `entries` of the year folder (a region's: see `region_folders`), in a
    stable order."""
    return [RawFile(path, f"{year}/{relative}", year) for path, relative in _files_at(entries)]


def _region_of_entry(year: int, entry: Location) -> str:
    """The region of the files in or at `entry`, an entry of the year folder."""
    return region_of(f"{year}/{entry.name}/") if entry.is_dir() else UNPLACED


def regions(raw_root: Location, year: int) -> list[str]:
    """The regions of `year` that have files (see `region_folders`)."""
    return list(region_folders(raw_root, year))


def region_folders(raw_root: Location, year: int) -> dict[str, list[Location]]:
    """The regions of `year` that have files, in order, each with its entries of the year folder
    (its folders; for "_", the files directly in the year), from one listing of the year folder:
    each entry is looked into until its first file, none is listed whole."""
    folder = raw_root / str(year)
    if not folder.is_dir():
        return {}
    found: dict[str, list[Location]] = {}
    for entry in _visible(folder):
        if _has_file(entry):
            found.setdefault(_region_of_entry(year, entry), []).append(entry)
    return dict(sorted(found.items()))


def unplaced(raw_root: Location) -> list[str]:
    """Files outside any year folder: they belong to no reporting year and are not read. The year
    folders themselves are not walked."""
    if not raw_root.is_dir():
        return []
    return [relative for _, relative in _files_at([entry for entry in _visible(raw_root)
                                                   if entry.is_file() or not _is_year(entry.name)])]


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
