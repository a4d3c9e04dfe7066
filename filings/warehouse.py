"""The published warehouse: warehouse/<table>/reporting_year=<YYYY>/part-0.parquet.

A partition is one file, written beside its final name and renamed over it, so a reader sees the
old file or the new one and never half of either.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import polars as pl

PART = "part-0.parquet"


def partition_file(warehouse: Path, table: str, year: int) -> Path:
    return warehouse / table / f"reporting_year={year}" / PART


def publish(warehouse: Path, table: str, year: int, frame: pl.DataFrame) -> Path:
    """Replace one table's partition atomically (an empty frame still writes its schema)."""
    target = partition_file(warehouse, table, year)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{PART}.{uuid.uuid4().hex}.tmp")
    try:
        frame.write_parquet(staging, compression="zstd", statistics=True)
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
