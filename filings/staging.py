"""The staging area: a partition's parsed tables as a run writes them, batch by batch, before they
are published. warehouse/_staging/reporting_year=<YYYY>/region=<region>/<run id>/<table>/part-<n>.parquet,
in the warehouse so that any process of the run (a cluster pod among them) reads what another wrote;
never read as published (filings/warehouse.py). A partition's staging is removed after its commit,
and what an earlier run left is removed when the next one starts staging."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from filings.discover import UNPLACED
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


def remove_staging(warehouse: Location, year: int, region: str = UNPLACED) -> None:
    remove_tree(staging_folder(warehouse, year, region))
