"""Nothing re-done that has not changed: rows of files whose bytes and parser are the same as at
the last publish are taken from the warehouse instead of parsed again."""

from __future__ import annotations

import polars as pl

from filings import PARSER_VERSION
from filings.discover import UNPLACED, RawFile, inside
from filings.parse import content_hash
from filings.records import Form
from filings.schemas import columns
from filings.storage import Location
from filings.tables import PARSED_TABLES, canonical_order
from filings.warehouse import read_year, uncommitted


class DamagedWarehouse(RuntimeError):
    """A published partition cannot be read back: the partition is rebuilt from raw/."""


def split_unchanged(warehouse: Location, raw_root: Location, year: int, files: list[RawFile],
                    region: str = UNPLACED) -> tuple[dict[str, pl.DataFrame], list[RawFile]]:
    """The published rows of the unchanged files (none when nothing was published), and the files
    to parse. Links out of raw/ are not even read: they go to the parser, which refuses them.
    Raises DamagedWarehouse when a published table of the partition (year and region) cannot be read."""
    try:
        published = read_year(warehouse, year, region)
        return _split(published, raw_root, files) if published else ({}, files)
    except (pl.exceptions.PolarsError, OSError, ValueError, KeyError) as exc:  # ValueError: a torn record
        raise DamagedWarehouse(f"{warehouse} {year} region={region}: {type(exc).__name__}: {exc}") from exc


def up_to_date(warehouse: Location, raw_root: Location, year: int, files: list[RawFile],
               region: str = UNPLACED) -> bool:
    """Whether the partition's committed publish holds exactly these files, unchanged and read by
    this parser version, with nothing left of an interrupted publish: a run would publish the same."""
    try:
        if uncommitted(warehouse, year, region):
            return False
        published = read_year(warehouse, year, region)
        if not published:
            return False
        reused, changed = _split(published, raw_root, files)
    except (pl.exceptions.PolarsError, OSError, ValueError, KeyError):
        return False  # unreadable: a run rebuilds it
    return not changed and reused["filings"].height == published["filings"].height


def _split(published: dict[str, pl.DataFrame], raw_root: Location,
           files: list[RawFile]) -> tuple[dict[str, pl.DataFrame], list[RawFile]]:
    previous = published["filings"].select(columns("filings"))
    hashes = {f.source_file: content_hash(f.path.read_bytes()) for f in files if inside(f.path, raw_root)}
    unchanged = previous.filter(
        (pl.col("parser_version") == PARSER_VERSION)
        & pl.struct("source_file", "filing_id").is_in(
            [{"source_file": s, "filing_id": h} for s, h in hashes.items()]))
    kept = set(unchanged["source_file"].to_list())
    forms = published["forms"].select(columns("forms")).filter(pl.col("source_file").is_in(list(kept)))
    form_ids = forms["form_id"].implode()
    reused = {"filings": unchanged, "forms": forms}
    for child in Form.CHILDREN:
        reused[child] = published[child].select(columns(child)).filter(pl.col("form_id").is_in(form_ids))
    reused["source_positions"] = published["source_positions"].select(columns("source_positions")).filter(
        pl.col("source_file").is_in(list(kept)))
    return reused, [f for f in files if f.source_file not in kept]


def merge(reused: dict[str, pl.DataFrame], parsed: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Reused and freshly parsed rows as one partition's tables, in the order a full run gives."""
    if not reused:
        return parsed
    return canonical_order({name: pl.concat([reused[name], parsed[name]]) for name in PARSED_TABLES})


