"""Parse one raw filing into a Filing with its forms. Never raises for bad input: it says why."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from filings.align import UnknownHeader
from filings.department import parse_department
from filings.discover import inside
from filings.fallback import read_labelled_fields
from filings.grid import UnreadableFiling
from filings.readers import guards, read_grid
from filings.project import LayoutNotRecognised, parse_project
from filings.records import Filing, Form, SourcePosition, new
from filings.split import FormBlock, split_forms
from filings.storage import Location
from filings.summary import parse_summary

T = TypeVar("T")
_PARSERS = {"project": parse_project, "department": parse_department, "summary": parse_summary}


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def form_id(source_file: str, filing_id: str, ordinal: int) -> str:
    """Stable across runs: the same file with the same bytes gives the same ids."""
    return hashlib.sha256(f"{source_file}\n{filing_id}\n{ordinal}".encode()).hexdigest()[:16]


def parse_filing(data: bytes, source_file: str, reporting_year: int, filing_id: str | None = None) -> Filing:
    """Every outcome is a Filing: parsed (all forms complete), partial, or quarantined. `filing_id`:
    the content hash of `data`, when already taken."""
    filing = Filing(filing_id or content_hash(data), source_file, reporting_year, len(data), "quarantined", 0, None)
    try:
        rows = read_grid(data, Path(source_file).suffix)
    except UnreadableFiling as exc:
        filing.error, filing.reason_code = str(exc), exc.code
        return filing
    if not rows:
        filing.error, filing.reason_code = "文件为空或只有空白", "empty"
        return filing
    blocks = split_forms(rows)
    if not blocks:
        filing.error, filing.reason_code = "未找到任何绩效自评表、整体支出绩效表或汇总表的标题", "no_form_title"
        return filing
    filing.forms = [_parse_form(block, filing, ordinal) for ordinal, block in enumerate(blocks)]
    filing.positions = [new(SourcePosition, (filing.filing_id, source_file, reporting_year, row.line, row.where))
                        for row in rows if row.where]
    filing.n_forms = len(filing.forms)
    incomplete = [f"第{f.ordinal + 1}张表(第{f.line_start}行起):{f.problems}" for f in filing.forms if not f.complete]
    filing.status = "partial" if incomplete else "parsed"
    filing.error = ";".join(incomplete) or None
    return filing


def _parse_form(block: FormBlock, filing: Filing, ordinal: int) -> Form:
    form = _new_form(block, filing, ordinal)
    try:
        _PARSERS[block.kind](block, form)
        return form
    except (LayoutNotRecognised, UnknownHeader) as exc:
        problem = f"版式暂不支持,只读取了表头字段({exc})"
    except Exception as exc:  # a parser bug must cost one form, not the run
        problem = f"解析出错,只读取了表头字段({type(exc).__name__}: {exc})"
    form = _new_form(block, filing, ordinal)  # afresh, so no half-parsed figures remain
    read_labelled_fields(block, form)
    form.problems = problem
    return form


def _new_form(block: FormBlock, filing: Filing, ordinal: int) -> Form:
    return Form(
        form_id=form_id(filing.source_file, filing.filing_id, ordinal),
        filing_id=filing.filing_id,
        source_file=filing.source_file,
        ordinal=ordinal,
        form_type=block.kind,
        template_id=None,
        reporting_year=filing.reporting_year,
        title=block.title,
        title_year=block.title_year,
        line_start=block.line_start,
        line_end=block.line_end,
    )


def parse_path(path: Location, raw_root: Location, unless: str | None = None) -> Filing | None:
    """Parse a file under `raw_root/<reporting year>/…`, a local folder or a URL; a link that leads
    outside raw/ is refused. None, unparsed, when its content hash is `unless` (the file is
    unchanged since that filing was published): each file is read and hashed once."""
    source_file = path.relative_to(raw_root).as_posix()
    reporting_year = int(source_file.split("/", 1)[0])
    refused_id = content_hash(f"refused:{source_file}".encode())
    if not inside(path, raw_root):
        return Filing(refused_id, source_file, reporting_year, 0, "quarantined", 0,
                      "拒绝读取:符号链接指向 raw/ 之外的位置", "outside_raw")
    try:
        size = path.stat().st_size
        guards.refuse_oversized(size)  # before reading it into memory
        data = path.read_bytes()
    except UnreadableFiling as exc:
        return Filing(refused_id, source_file, reporting_year, size, "quarantined", 0, str(exc), exc.code)
    except OSError as exc:
        return Filing(refused_id, source_file, reporting_year, 0, "quarantined", 0,
                      f"无法读取文件:{exc.strerror or exc}", "unreadable")  # fsspec's errors may lack strerror
    digest = content_hash(data)
    return None if digest == unless else parse_filing(data, source_file, reporting_year, digest)


PARALLEL_FROM = 200  # files: below this, starting worker processes costs more than it saves
# Parser processes run this much nicer than the process that started them. Their work is
# throughput; that process's (checks, publishing, Dagster's events; in `jixiao run`, a region's
# while the next one is parsed) is what the run waits for. On 2 cores, two parsers at equal
# priority left it 50–70% of a core, so each region's checks took twice as long as alone.
PARSER_NICENESS = 10


class Parsers:
    """Parser processes kept for many calls of `parse_batches`, one call at a time (the partitions
    of a `jixiao run`, parsed ahead one after another), started at the first call that needs them:
    none started again at every partition, and their memos stay warm from one to the next (a
    region parsed after another took 4.3% fewer instructions). A call that fails or is left
    unfinished shuts them down (a dead worker breaks its pool): the next starts new ones."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def pool(self, summarise: Callable) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = _pool(self.workers, summarise)
        return self._pool

    def close(self) -> None:
        """Shut the processes down, the chunks not yet started cancelled."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def parse_batches(paths: list[Location], raw_root: Location, size: int, unless: list[str | None] | None = None,
                  workers: int | Parsers | None = None, summarise: Callable[[list[Filing | None]], T] = list,
                  ) -> Iterator[list[T]]:
    """Parse files in order, `size` at a time, on every core when there are many (see `parse_path`;
    `unless` per file), by `workers` processes (by default one a core) started for this call, or
    by Parsers kept across calls. Each batch comes as `summarise` of its consecutive chunks, in
    order: run where the chunk was parsed, so only what it returns travels between processes
    (columns of plain values travel far faster than the records that hold them). The next batch is
    parsed meanwhile: at most two batches are in memory."""
    unless = unless or [None] * len(paths)
    kept = workers if isinstance(workers, Parsers) else None
    workers = kept.workers if kept else workers or os.cpu_count() or 1
    parallel = len(paths) >= PARALLEL_FROM and workers > 1
    chunk = max(1, min(64, size // (4 * workers))) if parallel else size
    batches = [[(paths[j:min(j + chunk, i + size)], unless[j:min(j + chunk, i + size)])
                for j in range(i, min(i + size, len(paths)), chunk)]
               for i in range(0, len(paths), size)]
    if not parallel:
        for chunks in batches:
            yield [_parse_chunk(batch, raw_root, ids, summarise) for batch, ids in chunks]
        return
    try:
        with nullcontext(kept.pool(summarise)) if kept else _pool(workers, summarise) as pool:
            pending: deque[list[Future]] = deque()
            for chunks in batches:
                pending.append([pool.submit(_parse_chunk, batch, raw_root, ids, summarise) for batch, ids in chunks])
                if len(pending) == 2:
                    yield [future.result() for future in pending.popleft()]
            while pending:
                yield [future.result() for future in pending.popleft()]
    except BaseException:  # GeneratorExit too: left unfinished
        if kept:
            kept.close()
        raise


def _pool(workers: int, summarise: Callable) -> ProcessPoolExecutor:
    """Parser processes forked from the process server (`process_server`), each PARSER_NICENESS nicer."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=process_server(summarise.__module__),
                               initializer=_start_parser, initargs=(PARSER_NICENESS,))


_in_parser_process = False  # set in the pool's processes (see _start_parser)


def _start_parser(niceness: int) -> None:
    """A parser process: `niceness` nicer, its garbage collector run only by `_collect_young`."""
    global _in_parser_process
    os.nice(niceness)
    gc.disable()
    _in_parser_process = True


def process_server(*modules: str) -> multiprocessing.context.ForkServerContext:
    """The context of processes forked from a server process that has loaded the parser (and
    `modules`) alone (multiprocessing's forkserver), not from this one: a Dagster run's process
    holds hundreds of megabytes of objects, which a process forked from it copied page by page as
    its reference counts and garbage collector touched them. The server is started with this
    process's first such process, whichever asks first, and serves the later ones; it imports the
    main script, as spawned processes do."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", __name__, *modules])  # heeded until the server starts
    return context


def _parse_chunk(paths: list[Location], raw_root: Location, unless: list[str | None],
                 summarise: Callable[[list[Filing | None]], T]) -> T:
    if _in_parser_process:
        _collect_young()
    with _collector_paused():
        return summarise([parse_path(path, raw_root, known) for path, known in zip(paths, unless)])


def _collect_young() -> None:
    """In a parser process, before each chunk: what the chunks before left in cycles collected
    (none, as the parser is written: a test holds it so), and what they kept (the memos) frozen,
    never scanned again. Left to run at its thresholds, the collector scanned the memos over and
    over between chunks: 2.2% of the parse, against 0.6% for this."""
    gc.collect(0)
    gc.freeze()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a chunk is parsed. Parsing makes millions of
    small tuples and dicts, none in a cycle, beside large caches: the collector scanned them again
    and again, a fifth of the parser's time. What a chunk leaves in cycles is collected after (in
    a parser process, before the next: `_collect_young`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_many(paths: list[Location], raw_root: Location, workers: int | None = None) -> list[Filing]:
    """Parse files in order, on every core when there are many."""
    return [filing for batch in parse_batches(paths, raw_root, max(len(paths), 1), workers=workers)
            for chunk in batch for filing in chunk]
