"""The published warehouse: warehouse/<table>/reporting_year=<YYYY>/part-0.parquet.

A partition is one file, written beside its final name and renamed over it, so a reader sees the
old file or the new one and never half of either.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable

import polars as pl

PART = "part-0.parquet"


def partition_file(warehouse: Path, table: str, year: int) -> Path:
    return warehouse / table / f"reporting_year={year}" / PART


def publish(warehouse: Path, table: str, year: int, frame: pl.DataFrame) -> Path:
    """Replace one table's partition atomically (an empty frame still writes its schema)."""
    return write_atomically(partition_file(warehouse, table, year),
                            lambda path: frame.write_parquet(path, compression="zstd", statistics=True))


def write_atomically(target: Path, write: Callable[[Path], object]) -> Path:
    """`write` a staging file beside `target` (same suffix, hidden name), flush it to disk, then
    rename it over `target`: readers see the old file or the new one, never half of either."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{uuid.uuid4().hex}.tmp{target.suffix}")
    try:
        write(staging)
        with open(staging, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return target


def read(warehouse: Path, table: str, year: int | None = None) -> pl.DataFrame:
    """A published table, one year or all; `reporting_year` comes from the partition path."""
    pattern = partition_file(warehouse, table, year) if year is not None else warehouse / table / "*" / PART
    return pl.scan_parquet(str(pattern), hive_partitioning=True).collect()
