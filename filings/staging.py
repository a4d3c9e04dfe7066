"""The staging area: a partition's parsed tables as a run writes them, batch by batch, before they
are published. warehouse/_staging/reporting_year=<YYYY>/region=<region>/<run id>/<table>/part-<n>.parquet
(`parsed-ahead/` in place of the run id for what `jixiao run` parsed ahead of the run), in the
warehouse so that any process of the run (a cluster pod among them) reads what another wrote;
never read as published (filings/warehouse.py). A partition's staging is removed after its commit,
and what an earlier run left is removed when the next one starts staging."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import polars as pl

from filings.discover import UNPLACED, RawFile
from filings.incremental import BATCH_FILES, batches
from filings.parse import Parsers
from filings.storage import Location, remove_tree
from filings.warehouse import STAGING, write_parquet


def staging_folder(warehouse: Location, year: int, region: str = UNPLACED) -> Location:
    return warehouse / STAGING / f"reporting_year={year}" / f"region={region}"


@dataclass
class Staged:
    """A run's staged tables: their folder, the number of batches (one part file per table each,
    in the tables' canonical order) and each table's rows. What the staging asset hands on."""

    folder: Location
    batches: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def parts(self) -> dict[str, list[Location]]:
        """Each table's part files, in order."""
        return {table: [self.folder / table / f"part-{n:05d}.parquet" for n in range(self.batches)]
                for table in self.rows}

    def add(self, tables: dict[str, pl.DataFrame]) -> None:
        """Write one batch's tables as the next part of each."""
        for table, frame in tables.items():
            write_parquet(frame, self.folder / table / f"part-{self.batches:05d}.parquet")
            self.rows[table] = self.rows.get(table, 0) + frame.height
        self.batches += 1


def start_staging(warehouse: Location, year: int, region: str, run_id: str) -> Staged:
    """An empty staging area for the run, the partition's earlier ones removed (runs of a partition
    never overlap: see filings/warehouse.py)."""
    remove_tree(staging_folder(warehouse, year, region))
    return Staged(staging_folder(warehouse, year, region) / run_id)


def stage_partition(warehouse: Location, raw_root: Location, year: int, region: str, files: list[RawFile],
                    name: str, size: int = BATCH_FILES, workers: int | Parsers | None = None, reuse: bool = True,
                    progress: Callable[[int], object] = lambda done: None,
                    lap: Callable[[str], object] = lambda stage: None) -> tuple[Staged, int]:
    """Parse (or, with `reuse`, take from the warehouse) the partition's files and stage them as
    `name` (a run id, or the name of a partition parsed ahead of its run), `size` files at a time
    (see incremental.batches): what was staged, and the number of files parsed. `lap("parse")` as
    each batch has been read, `lap("stage")` as it has been written (a callback may raise to stop).
    The staged tables are validated whole afterwards: Pandera's cost is mostly per call, and a call
    made while the workers parse the next batch waits for a core at every step."""
    staged, parsed = start_staging(warehouse, year, region, name), 0
    for batch in batches(warehouse, raw_root, year, files, size, region, reuse, progress, workers):
        lap("parse")
        staged.add(batch.tables)
        lap("stage")
        parsed += batch.parsed
    return staged, parsed


def remove_staging(warehouse: Location, year: int, region: str = UNPLACED) -> None:
    remove_tree(staging_folder(warehouse, year, region))
