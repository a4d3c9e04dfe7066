"""The published warehouse: warehouse/<table>/reporting_year=<YYYY>/region=<region>/part-<generation>.parquet,
and per partition (reporting year and region) a commit record,
warehouse/_commits/reporting_year=<YYYY>/region=<region>.json. A year is all its regions.

A run stages its batches under warehouse/_staging/reporting_year=<YYYY>/region=<region>/<run id>/
(filings/staging.py): never read as published, and no publish removes them.

A partition's tables switch as one. Publishing writes every table's file under a new generation's
name, then replaces the partition's commit record (written beside it, flushed, renamed over it: the
single commit point), then removes the files of the superseded generation. The commit record names
the one file per table that is the partition; jixiao reads nothing else. A publish killed before the
rename leaves the previous generation committed and the new files unnamed by it; killed after, the
new one committed and the old files unnamed: either way the next publish of the partition removes
every file its commit record does not name. Publishes of one partition take a lock, so they never
interleave; partitions (the regions of a year among them) publish independently.

On an object store (the warehouse a URL: memory://, s3://, …) each file is one PUT, atomic by
itself, so the commit record's PUT is the commit point; there is no rename, fsync or lock. Publishes
of one year must then not overlap: Dagster runs one run per reporting year at a time when its run
queue limits the `dagster/partition` tag to 1 (deploy/dagster.yaml does).

BI readers: a glob over warehouse/<table>/*/*/*.parquet (hive partitioning adds `reporting_year` and
`region`) sees exactly the committed tables whenever no publish is running or was left interrupted; to read consistently at any moment,
read the files the commit records name (the DuckDB query in the README does).
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import polars as pl

from filings.discover import UNPLACED
from filings.storage import Location, is_local, local_copies, local_file

COMMITS = "_commits"
STAGING = "_staging"
ROW_GROUP_ROWS = 65_536  # rows a parquet row group holds: what a write or a scan has in memory at once


def commit_file(warehouse: Location, year: int, region: str = UNPLACED) -> Location:
    return warehouse / COMMITS / f"reporting_year={year}" / f"region={region}.json"


def partition_folder(warehouse: Location, table: str, year: int, region: str = UNPLACED) -> Location:
    return warehouse / table / f"reporting_year={year}" / f"region={region}"


def committed(warehouse: Location, year: int, region: str = UNPLACED) -> dict[str, Location] | None:
    """The files of the partition's committed generation by table; None when nothing is published."""
    try:
        record = json.loads(commit_file(warehouse, year, region).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return {table: warehouse / file for table, file in record["tables"].items()}


def publish(warehouse: Location, year: int, tables: dict[str, pl.DataFrame | pl.LazyFrame],
            log: Callable[[str], object] = lambda message: None, region: str = UNPLACED) -> dict[str, Location]:
    """Make `tables` the partition's (year and region) published tables, all at once (an empty frame
    still writes its schema); lazy ones (scans) are streamed to the file in row groups. `log` hears
    each step. Files an interrupted publish left behind are removed first."""
    generation = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    name = f"{year} region={region}"
    commit = commit_file(warehouse, year, region)
    with _partition_lock(warehouse, year, region):
        _remove_uncommitted(warehouse, year, region, log)
        files = {}
        for table, frame in tables.items():
            log(f"writing {table} {name}, generation {generation}")
            files[table] = write_atomically(
                partition_folder(warehouse, table, year, region) / f"part-{generation}.parquet",
                lambda path, frame=frame: write_parquet(frame, path))
        for folder in {path.parent for path in files.values()}:
            _sync_folder(folder)  # the new names are on disk before the commit record names them
        record = {"reporting_year": year, "region": region, "generation": generation,
                  "tables": {table: path.relative_to(warehouse).as_posix() for table, path in files.items()}}
        log(f"committing {name}, generation {generation}")
        write_atomically(commit, lambda path: path.write_text(json.dumps(record, indent=1), encoding="utf-8"))
        _sync_folder(commit.parent)
        log(f"committed {name}, generation {generation}")
        _remove_uncommitted(warehouse, year, region, log)  # the superseded generation
    return files


def uncommitted(warehouse: Location, year: int, region: str = UNPLACED) -> list[Location]:
    """Files of the partition that its commit record does not name: a superseded generation, or what
    an interrupted publish left (new files, staging files); also the year's files in the layout
    before regions (directly in <table>/reporting_year=<YYYY>/, and _commits/reporting_year=<YYYY>.json)."""
    try:
        keep = set((committed(warehouse, year, region) or {}).values())
    except (ValueError, KeyError):  # a damaged record names nothing: the partition is published afresh
        keep = set()
    commit = commit_file(warehouse, year, region)
    files = [f for folder in warehouse.glob(f"*/reporting_year={year}/region={region}")
             if folder.parent.parent.name != STAGING for f in folder.iterdir() if f not in keep]
    legacy = [f for folder in warehouse.glob(f"*/reporting_year={year}") if folder.parent.name not in (COMMITS, STAGING)
              for f in folder.iterdir() if f.is_file()]
    legacy += [f for f in [warehouse / COMMITS / f"reporting_year={year}.json"] if f.exists()]
    return sorted(files + legacy + list(commit.parent.glob(f".{commit.name}.*.tmp")))


def _remove_uncommitted(warehouse: Location, year: int, region: str, log: Callable[[str], object]) -> None:
    for path in uncommitted(warehouse, year, region):
        log(f"removing {path.relative_to(warehouse)} (not in the commit of {year} region={region})")
        path.unlink()


@contextmanager
def _partition_lock(warehouse: Location, year: int, region: str) -> Iterator[None]:
    """One publish of a partition at a time (the kernel drops the lock when its process dies). An
    object store has no lock: there Dagster's run queue keeps runs of a partition apart (see above)."""
    if not is_local(warehouse):
        yield
        return
    lock = commit_file(warehouse, year, region).with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _sync_folder(folder: Location) -> None:
    if is_local(folder):
        _fsync(folder)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_atomically(target: Location, write: Callable[[Location], object]) -> Location:
    """`write` a staging file beside `target` (hidden, ending in .tmp so no glob of the target's
    kind picks it up), flush it to disk, then rename it over `target`: readers see the old file or
    the new one, never half of either. On an object store `write` puts `target` itself, which
    readers see whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not is_local(target):
        write(target)
        return target
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(staging)
        _fsync(staging)
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return target


def write_parquet(frame: pl.DataFrame | pl.LazyFrame, path: Location) -> None:
    """`frame` streamed to `path` in row groups (on an object store through a local file, put
    whole: a failed write puts nothing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with local_file(path) as local:
        frame.lazy().sink_parquet(local, compression="zstd", statistics=True, row_group_size=ROW_GROUP_ROWS)


@contextmanager
def scans(files: dict[str, list[Location]]) -> Iterator[dict[str, pl.LazyFrame]]:
    """Each table's parquet files (read in order, as one) as a lazy scan, while the block runs."""
    names = list(files)
    with local_copies([path for name in names for path in files[name]]) as local:
        found, start = {}, 0
        for name in names:
            found[name] = pl.scan_parquet(local[start:start + len(files[name])])
            start += len(files[name])
        yield found


def read_file(path: Location, columns: list[str] | None = None) -> pl.DataFrame:
    """One parquet file of the warehouse as written (only `columns`, when given)."""
    if is_local(path):
        return pl.read_parquet(path, columns=columns)
    with path.open("rb") as handle:
        return pl.read_parquet(handle, columns=columns)


def _partitions(warehouse: Location) -> list[tuple[int, str]]:
    """Every published (year, region), from the commit records."""
    return sorted((int(p.parent.name.removeprefix("reporting_year=")), p.stem.removeprefix("region="))
                  for p in (warehouse / COMMITS).glob("reporting_year=*/region=*.json"))


def published_years(warehouse: Location) -> list[int]:
    return sorted({year for year, _ in _partitions(warehouse)})


def published_regions(warehouse: Location, year: int) -> list[str]:
    return [region for y, region in _partitions(warehouse) if y == year]


def read(warehouse: Location, table: str, year: int | None = None, region: str | None = None,
         columns: list[str] | None = None) -> pl.DataFrame:
    """A published table as committed: one year (every region, or one) or all years, only `columns`
    when given; `reporting_year` comes from the path. FileNotFoundError when no partition has it."""
    partitions = [(y, r) for y, r in _partitions(warehouse)
                  if (year is None or y == year) and (region is None or r == region)]
    files = [files[table] for y, r in partitions if (files := committed(warehouse, y, r)) and table in files]
    if not files:
        raise FileNotFoundError(f"{table} is not published in {warehouse} for {year or 'any year'}")
    return _read_partitions(files, columns)


def read_year(warehouse: Location, year: int, region: str | None = None) -> dict[str, pl.DataFrame] | None:
    """Every table of the year (of one region, when given), each region's from its one commit
    record (so never a mix of two generations); None when nothing of it is published."""
    regions = [region] if region is not None else published_regions(warehouse, year)
    records = [files for r in regions if (files := committed(warehouse, year, r)) is not None]
    if not records:
        return None
    tables = dict.fromkeys(table for files in records for table in files)
    return {table: _read_partitions([files[table] for files in records if table in files]) for table in tables}


def _read_partitions(files: list[Location], columns: list[str] | None = None) -> pl.DataFrame:
    """Committed files as one frame, with `reporting_year` from their partition folder (as a hive
    read adds it; `region` is in the path only, so the regions of a year read as one year)."""
    return pl.concat([_with_year(read_file(path, columns), path) for path in files])


def _with_year(frame: pl.DataFrame, path: Location) -> pl.DataFrame:
    """The partition's year as a hive read adds it: an Int64 column at the end, unless the file has it."""
    if "reporting_year" in frame.columns:
        return frame
    year = int(next(p for p in reversed(path.parts) if p.startswith("reporting_year=")).removeprefix("reporting_year="))
    return frame.with_columns(reporting_year=pl.lit(year, pl.Int64))
