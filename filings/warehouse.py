"""The published warehouse: warehouse/<table>/reporting_year=<YYYY>/part-<generation>.parquet,
and per year a commit record, warehouse/_commits/reporting_year=<YYYY>.json.

A year's tables switch as one. Publishing writes every table's file under a new generation's
name, then replaces the year's commit record (written beside it, flushed, renamed over it: the
single commit point), then removes the files of the superseded generation. The commit record names
the one file per table that is the year; jixiao reads nothing else. A publish killed before the
rename leaves the previous generation committed and the new files unnamed by it; killed after, the
new one committed and the old files unnamed: either way the next publish of the year removes every
file its commit record does not name. Publishes of one year take a lock, so they never interleave.

On an object store (the warehouse a URL: memory://, s3://, …) each file is one PUT, atomic by
itself, so the commit record's PUT is the commit point; there is no rename, fsync or lock. Publishes
of one year must then not overlap: Dagster runs one run per reporting year at a time when its run
queue limits the `dagster/partition` tag to 1 (deploy/dagster.yaml does).

BI readers: a glob over warehouse/<table>/*/*.parquet sees exactly the committed tables whenever
no publish of the year is running or was left interrupted; to read consistently at any moment,
read the files the commit records name (the DuckDB query in the README does).
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import polars as pl

from filings.storage import Location, is_local

COMMITS = "_commits"


def commit_file(warehouse: Location, year: int) -> Location:
    return warehouse / COMMITS / f"reporting_year={year}.json"


def committed(warehouse: Location, year: int) -> dict[str, Location] | None:
    """The files of the year's committed generation by table; None when nothing is published."""
    try:
        record = json.loads(commit_file(warehouse, year).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return {table: warehouse / file for table, file in record["tables"].items()}


def publish(warehouse: Location, year: int, tables: dict[str, pl.DataFrame],
            log: Callable[[str], object] = lambda message: None) -> dict[str, Location]:
    """Make `tables` the year's published tables, all at once (an empty frame still writes its
    schema); `log` hears each step. Files an interrupted publish left behind are removed first."""
    generation = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    with _year_lock(warehouse, year):
        _remove_uncommitted(warehouse, year, log)
        files = {}
        for table, frame in tables.items():
            log(f"writing {table} {year}, generation {generation}")
            files[table] = write_atomically(
                warehouse / table / f"reporting_year={year}" / f"part-{generation}.parquet",
                lambda path, frame=frame: _write_parquet(frame, path))
        for folder in {path.parent for path in files.values()}:
            _sync_folder(folder)  # the new names are on disk before the commit record names them
        record = {"reporting_year": year, "generation": generation,
                  "tables": {table: path.relative_to(warehouse).as_posix() for table, path in files.items()}}
        log(f"committing {year}, generation {generation}")
        write_atomically(commit_file(warehouse, year),
                         lambda path: path.write_text(json.dumps(record, indent=1), encoding="utf-8"))
        _sync_folder(commit_file(warehouse, year).parent)
        log(f"committed {year}, generation {generation}")
        _remove_uncommitted(warehouse, year, log)  # the superseded generation
    return files


def uncommitted(warehouse: Location, year: int) -> list[Location]:
    """Files of the year that its commit record does not name: a superseded generation, or what
    an interrupted publish left (new files, staging files)."""
    try:
        keep = set((committed(warehouse, year) or {}).values())
    except (ValueError, KeyError):  # a damaged record names nothing: the year is published afresh
        keep = set()
    files = [f for folder in warehouse.glob(f"*/reporting_year={year}") for f in folder.iterdir() if f not in keep]
    return sorted(files + list((warehouse / COMMITS).glob(f".{commit_file(warehouse, year).name}.*.tmp")))


def _remove_uncommitted(warehouse: Location, year: int, log: Callable[[str], object]) -> None:
    for path in uncommitted(warehouse, year):
        log(f"removing {path.relative_to(warehouse)} (not in the commit of {year})")
        path.unlink()


@contextmanager
def _year_lock(warehouse: Location, year: int) -> Iterator[None]:
    """One publish of a year at a time (the kernel drops the lock when its process dies). An object
    store has no lock: there Dagster's run queue keeps runs of a year apart (see above)."""
    if not is_local(warehouse):
        yield
        return
    lock = commit_file(warehouse, year).with_suffix(".lock")
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


def _write_parquet(frame: pl.DataFrame, path: Location) -> None:
    if is_local(path):
        frame.write_parquet(path, compression="zstd", statistics=True)
        return
    buffer = io.BytesIO()  # a failed write then puts nothing (a file handle would put what it had)
    frame.write_parquet(buffer, compression="zstd", statistics=True)
    path.write_bytes(buffer.getvalue())  # Polars reaches only its own cloud stores by URL


def read_file(path: Location) -> pl.DataFrame:
    """One parquet file of the warehouse as written."""
    if is_local(path):
        return pl.read_parquet(path)
    with path.open("rb") as handle:
        return pl.read_parquet(handle)


def published_years(warehouse: Location) -> list[int]:
    return sorted(int(p.stem.removeprefix("reporting_year=")) for p in (warehouse / COMMITS).glob("*.json"))


def read(warehouse: Location, table: str, year: int | None = None) -> pl.DataFrame:
    """A published table as committed, one year or all; `reporting_year` comes from the path.
    FileNotFoundError when no year has it."""
    years = [year] if year is not None else published_years(warehouse)
    files = [files[table] for y in years if (files := committed(warehouse, y)) and table in files]
    if not files:
        raise FileNotFoundError(f"{table} is not published in {warehouse} for {year or 'any year'}")
    return _read_partitions(files)


def read_year(warehouse: Location, year: int) -> dict[str, pl.DataFrame] | None:
    """Every table of the year from one commit record (so never a mix of two); None when the
    year is not published."""
    files = committed(warehouse, year)
    if files is None:
        return None
    return {table: _read_partitions([path]) for table, path in files.items()}


def _read_partitions(files: list[Location]) -> pl.DataFrame:
    """Committed files as one frame, with `reporting_year` from their partition folder (a hive read)."""
    if all(is_local(path) for path in files):
        return pl.scan_parquet([str(path) for path in files], hive_partitioning=True).collect()
    return pl.concat([_with_year(read_file(path), path) for path in files])


def _with_year(frame: pl.DataFrame, path: Location) -> pl.DataFrame:
    """The partition's year as a hive read adds it: an Int64 column at the end, unless the file has it."""
    if "reporting_year" in frame.columns:
        return frame
    year = int(path.parent.name.removeprefix("reporting_year="))
    return frame.with_columns(reporting_year=pl.lit(year, pl.Int64))
