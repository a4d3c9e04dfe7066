"""Writing the stewards' report ahead, for `jixiao run`. Once a partition's tables are published,
its run validates them with Great Expectations, then writes the stewards' report and workbook:
Python on one core each. So, in `jixiao run`, the report is written by a process of its own as soon
as the tables are published (warehouse_tables calls `start`), beside the validation, and the run's
stewards_report step takes it. The last partition's run, with no parse beside it, ends that much
sooner. Runs started any other way (the UI, the sensor, the schedule) write it in their own step."""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Iterator

from filings.parse import process_server
from filings.storage import is_local
from pipelines.resources import JixiaoPaths
from stewards.written import Written, write_reports

Key = tuple[str, str, int, str]  # raw, warehouse, year, region
# A larger partition's report is written in its own step, after the validation: its process holds
# 160 MB and about 4 MB more a thousand forms (240 MB at 20,000), beside the run's process in Great
# Expectations and the parsers at work on the next partition (1.5 GB in all, 20,000 forms a region).
AHEAD_FORMS = 25_000


class _Ahead:
    def __init__(self) -> None:
        # Forked from the parsers' server, at normal priority: the run waits for it.
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=process_server(write_reports.__module__))
        self.started: dict[Key, Future[Written]] = {}


_active: _Ahead | None = None


@contextmanager
def reporting_ahead() -> Iterator[None]:
    """Reports written ahead while the block runs partitions (one block at a time in a process)."""
    global _active
    _active = _Ahead()
    try:
        yield
    finally:
        _active.pool.shutdown(cancel_futures=True)  # after a report still being written
        _active = None


def _key(paths: JixiaoPaths, year: int, region: str) -> Key:
    return str(paths.raw), str(paths.warehouse), year, region


def start(paths: JixiaoPaths, year: int, region: str, forms: int) -> None:
    """Write the partition's report beside the run, from its published tables (`forms` of them),
    when reports are written ahead, the folders are local (another process sees no in-memory
    filesystem) and the partition holds at most AHEAD_FORMS forms."""
    if _active is not None and is_local(paths.raw) and is_local(paths.warehouse) and forms <= AHEAD_FORMS:
        _active.started[_key(paths, year, region)] = _active.pool.submit(
            write_reports, paths.warehouse, paths.raw, paths.report_folder(year, region), year, region)


def take(paths: JixiaoPaths, year: int, region: str) -> Written | None:
    """The partition's report as written ahead of this step (waiting for it, and raising what
    writing raised), or None: not written ahead."""
    future = _active.started.pop(_key(paths, year, region), None) if _active is not None else None
    return future.result() if future is not None else None
