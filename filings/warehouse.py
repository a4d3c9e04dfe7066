"""The published warehouse: warehouse/<table>/reporting_year=<YYYY>/part-<generation>.parquet,
and per year a commit record, warehouse/_commits/reporting_year=<YYYY>.json.

A year's tables switch as one. Publishing writes every table's file under a new generation's
name, then replaces the year's commit record (written beside it, flushed, renamed over it: the
single commit point), then removes the files of the superseded generation. The commit record names
the one file per table that is the year; jixiao reads nothing else. A publish killed before the
rename leaves the previous generation committed and the new files unnamed by it; killed after, the
new one committed and the old files unnamed: either way the next publish of the year removes every
file its commit record does not name. Publishes of one year take a lock, so they never interleave.

BI readers: a glob over warehouse/<table>/*/*.parquet sees exactly the committed tables whenever
no publish of the year is running or was left interrupted; to read consistently at any moment,
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

COMMITS = "_commits"


def commit_file(warehouse: Path, year: int) -> Path:
    return warehouse / COMMITS / f"reporting_year={year}.json"


def committed(warehouse: Path, year: int) -> dict[str, Path] | None:
    """The files of the year's committed generation by table; None when nothing is published."""
    try:
        record = json.loads(commit_file(warehouse, year).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return {table: warehouse / file for table, file in record["tables"].items()}


def publish(warehouse: Path, year: int, tables: dict[str, pl.DataFrame],
            log: Callable[[str], object] = lambda message: None) -> dict[str, Path]:
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
                lambda path, frame=frame: frame.write_parquet(path, compression="zstd", statistics=True))
        for folder in {path.parent for path in files.values()}:
            _fsync(folder)  # the new names are on disk before the commit record names them
        record = {"reporting_year": year, "generation": generation,
                  "tables": {table: path.relative_to(warehouse).as_posix() for table, path in files.items()}}
        log(f"committing {year}, generation {generation}")
        write_atomically(commit_file(warehouse, year),
                         lambda path: path.write_text(json.dumps(record, indent=1), encoding="utf-8"))
        _fsync(commit_file(warehouse, year).parent)
        log(f"committed {year}, generation {generation}")
        _remove_uncommitted(warehouse, year, log)  # the superseded generation
    return files


def uncommitted(warehouse: Path, year: int) -> list[Path]:
    """Files of the year that its commit record does not name: a superseded generation, or what
    an interrupted publish left (new files, staging files)."""
    try:
        keep = set((committed(warehouse, year) or {}).values())
    except (ValueError, KeyError):  # a damaged record names nothing: the year is published afresh
        keep = set()
    files = [f for folder in warehouse.glob(f"*/reporting_year={year}") for f in folder.iterdir() if f not in keep]
    return sorted(files + list((warehouse / COMMITS).glob(f".{commit_file(warehouse, year).name}.*.tmp")))


def _remove_uncommitted(warehouse: Path, year: int, log: Callable[[str], object]) -> None:
    for path in uncommitted(warehouse, year):
        log(f"removing {path.relative_to(warehouse)} (not in the commit of {year})")
        path.unlink()


@contextmanager
def _year_lock(warehouse: Path, year: int) -> Iterator[None]:
    """One publish of a year at a time (the kernel drops the lock when its process dies)."""
    lock = commit_file(warehouse, year).with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_atomically(target: Path, write: Callable[[Path], object]) -> Path:
    """`write` a staging file beside `target` (hidden, ending in .tmp so no glob of the target's
    kind picks it up), flush it to disk, then rename it over `target`: readers see the old file or
    the new one, never half of either."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(staging)
        _fsync(staging)
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return target


def published_years(warehouse: Path) -> list[int]:
    return sorted(int(p.stem.removeprefix("reporting_year=")) for p in (warehouse / COMMITS).glob("*.json"))


def read(warehouse: Path, table: str, year: int | None = None) -> pl.DataFrame:
    """A published table as committed, one year or all; `reporting_year` comes from the path.
    FileNotFoundError when no year has it."""
    years = [year] if year is not None else published_years(warehouse)
    files = [str(files[table]) for y in years if (files := committed(warehouse, y)) and table in files]
    if not files:
        raise FileNotFoundError(f"{table} is not published in {warehouse} for {year or 'any year'}")
    return pl.scan_parquet(files, hive_partitioning=True).collect()


def read_year(warehouse: Path, year: int) -> dict[str, pl.DataFrame] | None:
    """Every table of the year from one commit record (so never a mix of two); None when the
    year is not published."""
    files = committed(warehouse, year)
    if files is None:
        return None
    return {table: pl.scan_parquet(str(path), hive_partitioning=True).collect() for table, path in files.items()}
