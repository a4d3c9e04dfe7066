"""Parsing ahead, for `jixiao run`. Its partitions run one after another, and after its files
are parsed most of a run is Python on one core (rules, publishing, Great Expectations, Dagster's
events, the stewards' report) while the other core idles. So a thread of the same process parses
the partitions in order, one ahead of the runs, staging each as its run would: the next
partition's files are read by the parser processes while the run before checks and publishes,
and the run (the asset parsed_filings) takes what was staged instead of parsing. Runs started any
other way (the UI, the sensor, the schedule) parse in their own step."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from filings.discover import RawFile, discover
from filings.incremental import BATCH_FILES
from filings.parse import Parsers
from filings.staging import Staged, remove_staging, stage_partition
from pipelines.resources import JixiaoPaths
from pipelines.stopwatch import Stopwatch

PARSING = threading.Lock()  # one partition's files parsed at a time, by a run or ahead of one
AHEAD = "parsed-ahead"  # the staging name (in place of a run id) of a partition parsed ahead


@dataclass(frozen=True)
class Parsed:
    staged: Staged
    parsed: int  # files parsed; the others' rows were reused
    files: list[str]  # the source files, as discovered before parsing
    seconds: dict[str, float]  # parse and stage


class _Stopped(Exception):
    """The runs ended before this partition's turn."""


Partition = tuple[int, str]  # reporting year, region


class _Ahead:
    """The thread parsing `partitions` in order, each once the run of the one before has taken it
    or ended."""

    def __init__(self, paths: JixiaoPaths, partitions: list[Partition], batch_files: int,
                 workers: int | None) -> None:
        self.paths, self.batch_files = paths, batch_files
        self.parsers = Parsers(workers)  # the same processes for every partition
        self.results: dict[Partition, Future[Parsed]] = {partition: Future() for partition in partitions}
        self.taken: set[Partition] = set()  # by their runs
        self.passed: set[Partition] = set()  # their runs have ended or taken them
        self._turn = threading.Semaphore(1)  # released as each partition is passed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._parse_all, name="parse-ahead", daemon=True)
        self._thread.start()

    def _parse_all(self) -> None:
        for partition, result in self.results.items():
            self._turn.acquire()
            if self._stop.is_set():
                self._turn.release()  # for the next partition's turn, stopped too
                result.set_exception(_Stopped())
                continue
            try:
                result.set_result(self._parse(*partition))
            except Exception as exc:  # the partition's run raises it, as if it had parsed
                result.set_exception(exc)

    def _parse(self, year: int, region: str) -> Parsed:
        files = discover(self.paths.raw, year, region)
        with PARSING:
            clock = Stopwatch()

            def lap(stage: str) -> None:
                clock.lap(stage)
                if self._stop.is_set():
                    raise _Stopped()

            staged, parsed = stage_partition(self.paths.warehouse, self.paths.raw, year, region, files, AHEAD,
                                             self.batch_files, self.parsers, lap=lap)
        return Parsed(staged, parsed, [f.source_file for f in files], clock.laps())

    def take(self, partition: Partition, files: list[RawFile]) -> Parsed | None:
        """The partition as parsed ahead (waiting for it), when its files are the ones found now."""
        self.taken.add(partition)
        try:
            parsed = self.results[partition].result()
        finally:
            self.finished(partition)
        return parsed if parsed.files == [f.source_file for f in files] else None

    def finished(self, partition: Partition) -> None:
        """The partition's run has taken what was parsed ahead, or ended without it: the next one's turn."""
        if partition not in self.passed:
            self.passed.add(partition)
            self._turn.release()

    def stop(self) -> None:
        """Stop parsing, and remove what was staged ahead and not taken."""
        self._stop.set()
        self._turn.release()
        self._thread.join()
        self.parsers.close()
        for year, region in self.results.keys() - self.taken:
            remove_staging(self.paths.warehouse, year, region)


_active: _Ahead | None = None


@contextmanager
def parsing_ahead(partitions: list[Partition], batch_files: int | None = None,
                  workers: int | None = None) -> Iterator[_Ahead]:
    """Parse `partitions` (year, region) ahead of their runs while the block runs them in order,
    telling `finished(partition)` as each run ends (one block at a time in a process)."""
    global _active
    _active = _Ahead(JixiaoPaths(), partitions, batch_files or BATCH_FILES, workers)
    try:
        yield _active
    finally:
        _active.stop()
        _active = None


def take(paths: JixiaoPaths, year: int, region: str, files: list[RawFile]) -> Parsed | None:
    """The partition's tables parsed ahead of this run (waiting for them, and raising what parsing
    raised), or None: not parsed ahead, or `files` (found by the run) are not the files parsed."""
    ahead = _active
    if ahead is None or (year, region) not in ahead.results or (year, region) in ahead.passed \
            or (ahead.paths.raw, ahead.paths.warehouse) != (paths.raw, paths.warehouse):
        return None
    return ahead.take((year, region), files)
