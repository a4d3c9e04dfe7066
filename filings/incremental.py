"""Nothing re-done that has not changed: rows of files whose bytes and parser are the same as at
the last publish are taken from the warehouse instead of parsed again; and a partition, however
large, is parsed a batch of files at a time."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Callable, Iterator

import polars as pl

from filings import PARSER_VERSION
from filings.discover import UNPLACED, RawFile, inside
from filings.parse import Parsers, content_hash, parse_batches
from filings.records import Filing, Form
from filings.schemas import columns
from filings.storage import Location
from filings.tables import PARSED_TABLES, canonical_order, from_columns, to_columns, to_tables
from filings.warehouse import committed, scans, uncommitted

BATCH_FILES = 500  # files parsed and staged at a time: memory grows with this, not with the partition
_UNREADABLE = (pl.exceptions.PolarsError, OSError, ValueError, KeyError)  # ValueError: a torn record


class DamagedWarehouse(RuntimeError):
    """A published partition cannot be read back: the partition is rebuilt from raw/."""


@dataclass(frozen=True)
class Batch:
    tables: dict[str, pl.DataFrame]  # in canonical order (filings/tables.py)
    files: int
    parsed: int  # files parsed; the others' rows were reused


def batches(warehouse: Location, raw_root: Location, year: int, files: list[RawFile], size: int = BATCH_FILES,
            region: str = UNPLACED, reuse: bool = True, progress: Callable[[int], object] = lambda done: None,
            workers: int | Parsers | None = None) -> Iterator[Batch]:
    """The partition's tables, `size` files at a time taken in the order of their paths, so that the
    batches one after another are the tables of the whole partition in canonical order (one empty
    batch when there are no files). With `reuse`, files as last published (same bytes, same parser
    version) are not parsed: their published rows are read. `progress(files done)` as each batch is
    read; `workers`: parser processes (by default one a core; see parse_batches). Raises
    DamagedWarehouse when the published partition cannot be read."""
    files = sorted(files, key=lambda f: f.source_file)
    with _published(warehouse, year, region) if reuse else nullcontext() as published:
        known = _known(published) if published else {}
        results = parse_batches([f.path for f in files], raw_root, size, [known.get(f.source_file) for f in files],
                                workers=workers, summarise=_columns)
        for n, chunks in enumerate(results):
            unchanged = [flag for _, flags in chunks for flag in flags]
            kept = [f.source_file for f, same in zip(files[n * size:], unchanged) if same]
            parsed = from_columns([columns for columns, _ in chunks])
            progress(n * size + len(unchanged))
            yield Batch(merge(_reused(published, kept), parsed), len(unchanged), len(unchanged) - len(kept))
    if not files:
        yield Batch(to_tables([]), 0, 0)


def _columns(filings: list[Filing | None]) -> tuple[dict[str, dict[str, list]], list[bool]]:
    """A chunk of parsed files as columns, and which files were unchanged (None: not parsed)."""
    return to_columns([f for f in filings if f is not None]), [f is None for f in filings]


def up_to_date(warehouse: Location, raw_root: Location, year: int, files: list[RawFile],
               region: str = UNPLACED) -> bool:
    """Whether the partition's committed publish holds exactly these files, unchanged and read by
    this parser version, with nothing left of an interrupted publish: a run would publish the same."""
    try:
        if uncommitted(warehouse, year, region):
            return False
        with _published(warehouse, year, region) as published:
            if published is None:
                return False
            known, listed = _known(published), published["filings"].select(pl.len()).collect().item()
        return listed == len(files) and all(
            inside(f.path, raw_root) and known.get(f.source_file) == content_hash(f.path.read_bytes()) for f in files)
    except (DamagedWarehouse, *_UNREADABLE):
        return False  # unreadable: a run rebuilds it


@contextmanager
def _published(warehouse: Location, year: int, region: str) -> Iterator[dict[str, pl.LazyFrame] | None]:
    """Scans of the partition's committed tables, None when nothing is published."""
    try:
        files = committed(warehouse, year, region)
        with scans({table: [path] for table, path in (files or {}).items()}) as tables:
            for table in tables.values():
                table.collect_schema()  # a file torn short fails here
            yield tables if files is not None else None
    except _UNREADABLE as exc:
        raise DamagedWarehouse(f"{warehouse} {year} region={region}: {type(exc).__name__}: {exc}") from exc


# Quarantined for what the machine lacked, not for what the file holds: read again at every run.
_MACHINE_REASONS = ("needs_font",)


def _known(published: dict[str, pl.LazyFrame]) -> dict[str, str]:
    """The content hash (filing id) of each published file that this parser version read, but for
    those quarantined for what the machine lacked (see _MACHINE_REASONS)."""
    rows = published["filings"].filter(
        (pl.col("parser_version") == PARSER_VERSION) & ~pl.col("reason_code").is_in(_MACHINE_REASONS).fill_null(False)
    ).select("source_file", "filing_id")
    return dict(rows.collect().iter_rows())


def _reused(published: dict[str, pl.LazyFrame] | None, kept: list[str]) -> dict[str, pl.DataFrame]:
    """The published rows of the files `kept` (none when there are none)."""
    if not kept:
        return {}
    by_file = pl.col("source_file").is_in(kept)
    reused = {name: published[name].select(columns(name)).filter(by_file).collect()
              for name in ("filings", "forms", "source_positions")}
    by_form = pl.col("form_id").is_in(reused["forms"]["form_id"].implode())
    children = pl.collect_all([published[child].select(columns(child)).filter(by_form) for child in Form.CHILDREN])
    return {**reused, **dict(zip(Form.CHILDREN, children))}


def merge(reused: dict[str, pl.DataFrame], parsed: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Reused and freshly parsed rows as one partition's tables, in the order a full run gives."""
    if not reused:
        return parsed
    return canonical_order({name: pl.concat([reused[name], parsed[name]]) for name in PARSED_TABLES})
