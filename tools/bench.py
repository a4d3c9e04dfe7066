"""The benchmark: `make bench FORMS=20000`. Generates a corpus, runs the real pipeline on it (the
same Dagster job as `make run`, in process) and prints forms, bytes, time per stage (the report
and Dagster's untimed share of each run among them), forms per second, the CPU of this process and
of its children, peak memory, the floor (reading the bytes and splitting them into cells), and
recall and false findings against the corpus manifest; then runs again with nothing changed, and
with one filing added (compared with its region run from scratch).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import lxml.html
import pypdfium2 as pdfium
from lxml import etree
from python_calamine import CalamineWorkbook

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "tools"))
from corpus import expected_findings, generate  # noqa: E402


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def floor_and_parse(raw: Path) -> dict[str, tuple[float, float]]:
    """Per format, seconds to read every file into cells with a minimal reader (no cleaning, no
    layout, no positions: what no parser can beat) and to parse it the way a parser process does
    (parse_many: the garbage collector paused), in one process, files in path order as a worker
    takes them. Each file is timed back to back, the floor before and after its parse, the lower
    kept: the machine's speed drifts by a fifth within minutes, so a ratio of two figures taken
    minutes apart says more of the machine than of the parser. Each file is parsed once (parsed
    again, it finds its cells in the parser's caches: a fifth faster), and every file is (a
    sample of one in ten put the .txt floor at 1.44 s against 2.05 s for every file)."""
    from filings.parse import parse_many

    seconds: dict[str, list[float]] = {}
    for path in sorted(p for p in raw.rglob("*") if p.is_file()):
        floors = [_timed(_read_cells, path)]
        parse = _timed(parse_many, [path], raw, 1)
        floors.append(_timed(_read_cells, path))
        spent = seconds.setdefault(path.suffix, [0.0, 0.0])
        spent[0] += min(floors)
        spent[1] += parse
    return {suffix: (floor_seconds, parse_seconds) for suffix, [floor_seconds, parse_seconds] in seconds.items()}


def _timed(function: Callable, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def _read_cells(path: Path) -> list:
    """The floor of one file: its bytes read and split into cells (the parser reads them too)."""
    return _cells(path.suffix, path.read_bytes())


def _cells(suffix: str, data: bytes) -> list:
    """The file's cell texts, by the least work each format allows: tab-split lines; calamine's
    sheets; the table cells of a Word document's XML or of an HTML page; a PDF's text lines."""
    if suffix == ".txt":
        return [line.split("\t") for line in data.decode("utf-8").splitlines()]
    if suffix in (".xlsx", ".xls"):
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]
    if suffix == ".docx":
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            root = etree.fromstring(package.read("word/document.xml"))
        return ["".join(cell.itertext(_W + "t")) for cell in root.iter(_W + "tc")]
    if suffix == ".html":
        return [cell.text_content() for cell in lxml.html.fromstring(data).iter("td", "th", "p", "h1", "h2")]
    if suffix == ".pdf":
        document = pdfium.PdfDocument(data)
        return [document[n].get_textpage().get_text_range().splitlines() for n in range(len(document))]
    raise ValueError(f"no minimal reader for {suffix}")


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds spent so far by this process (its threads included) and by its descendants (the
    parser processes, the runs side by side), each counted by its own times while alive and in its
    parent's once that has waited for it (the forkserver's, for parsers)."""
    own = os.times()
    descendants = own.children_user + own.children_system
    for pid in _tree(os.getpid())[1:]:
        fields = _stat(pid)
        if fields:  # else gone meanwhile
            descendants += sum(map(int, fields[11:15])) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
    return own.user + own.system, descendants


class PeakMemory:
    """The largest memory this process and its descendants (the parser's workers) held together,
    sampled: their proportional set sizes, so pages a forked worker shares with this process count
    once (the sum of peak resident sizes counted them twice). A proportional size costs a walk of
    the process's page tables (8% of the job's CPU when all were read five times a second), and
    finding the processes a read of every process's /proc entry (5 ms), so the resident sizes of
    the processes last found are read every `every` seconds, and the processes found again and
    their proportional sizes read only when the resident total passes its highest by a fiftieth,
    or `pss_every` seconds after the last reading (3% of a core in the benchmark's job, against 6.5%
    when the processes were found at every sample and proportional sizes read every second)."""

    def __init__(self, every: float = 0.2, pss_every: float = 2.0) -> None:
        self.peak_mb = 0.0
        self._stopped = threading.Event()
        threading.Thread(target=self._sample, args=(every, pss_every), daemon=True).start()

    def stop(self) -> float:
        """Stop sampling; the peak."""
        self._stopped.set()
        return self.peak_mb

    def _sample(self, every: float, pss_every: float) -> None:
        highest, last, tree = 0, 0.0, _tree(os.getpid())
        while not self._stopped.is_set():
            resident = sum(_resident_kb(pid) for pid in tree)
            if resident > highest * 1.02 or time.monotonic() - last >= pss_every:
                tree = _tree(os.getpid())
                highest, last = max(highest, sum(_resident_kb(pid) for pid in tree)), time.monotonic()
                self.peak_mb = max(self.peak_mb, sum(_pss_kb(pid) for pid in tree) / 1024)
            self._stopped.wait(every)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        fields = _stat(int(entry))
        if fields:  # else gone meanwhile
            children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    return tree


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command (state, parent, …), none once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _resident_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0  # gone meanwhile


def _pss_kb(pid: int) -> int:
    try:
        return next((int(line.split()[1]) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
                     if line.startswith("Pss:")), 0)
    except OSError:
        return 0  # gone meanwhile


def score(found: Counter, expected: Counter) -> dict[str, list[int]]:
    """Per check: [injected, caught, false], matching (file, check, line, field) as often as each occurs."""
    by_check: dict[str, list[int]] = {}
    for key in expected | found:
        hit = by_check.setdefault(key[1], [0, 0, 0])
        hit[0] += expected[key]
        hit[1] += min(expected[key], found[key])
        hit[2] += max(found[key] - expected[key], 0)
    return by_check


def run_year(year: int, skip_unchanged: bool = False):
    """Run every region of `year` (its partitions) as `make run` does (see run_partitions: one after
    another, each parsed while the one before is checked and published; many small ones side by
    side), skipping, as `make run` does, regions whose files are all as last published, when
    `skip_unchanged`; whether all succeeded, the seconds per stage (summed over the partitions), the
    files parsed and the regions run."""
    from collections import defaultdict

    from pipelines.partition_runs import regions_to_run, run_partitions
    from pipelines.resources import JixiaoPaths

    todo, _ = regions_to_run(JixiaoPaths(), year, force=not skip_unchanged)
    success, seconds, parsed = True, defaultdict(float), 0
    for _, _, outcome in run_partitions({(year, region): files for region, files in todo.items()}):
        success &= outcome.success
        for key, value in outcome.metadata.items():
            if key.startswith("seconds_"):
                seconds[key.removeprefix("seconds_")] += value
        if outcome.success:
            seconds["dagster_and_untimed"] += untimed(outcome.metadata)
        parsed += outcome.metadata.get("files_parsed", 0)
    return success, dict(seconds), parsed, len(todo)


def add_one_filing(raw: Path, year: int, seed: int) -> tuple[str, Path]:
    """One filing more (the one file of a one-form corpus of `seed`) in the first region of `year`:
    that region, and the file's path."""
    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), 1, seed, year)
        made = next(path for path in (Path(folder) / "raw").rglob("*") if path.is_file())
        region = min(path.name for path in (raw / str(year)).iterdir() if path.is_dir())
        added = raw / str(year) / region / f"补报_{made.name}"
        shutil.copyfile(made, added)
    return region, added


def differing_tables(one: Path, other: Path, year: int, region: str) -> list[str]:
    """The tables of a partition that are not the same (rows, order, values) in two warehouses."""
    from filings.schemas import TABLES
    from filings.warehouse import read

    return [name for name in TABLES if not read(one, name, year, region).equals(read(other, name, year, region))]


def untimed(metadata: dict) -> float:
    """A run's seconds that no stage timed (Dagster's own work: its events, the steps and the
    hand-offs between them): its wall time less its stages', but for the parse and staging done
    ahead of it, beside the run before, and the report written beside its validation."""
    ahead = (("seconds_parse", "seconds_stage") if metadata["parsed_ahead"] else ()) \
        + (("seconds_report",) if metadata["report_written_ahead"] else ())
    return metadata["run_seconds"] - sum(value for key, value in metadata.items()
                                         if key.startswith("seconds_") and key not in ahead)


@dataclass(frozen=True)
class FilingAdded:
    """What `one_filing_added` measured."""

    source_file: str  # the filing added
    region: str
    seconds: float  # the year's run after it was added
    success: bool
    parsed: int  # files parsed by that run
    ran: int  # regions run by it
    differing: list[str] | None  # the region's tables unlike its run from scratch; None: that run failed


def one_filing_added(work: Path, seed: int) -> FilingAdded:
    """Add a filing (of a corpus of the next seed) to the corpus in `work`, run the year again as
    `make run` does, then run the filing's region from scratch in another warehouse
    (work/from_scratch/warehouse) and compare their published tables."""
    from pipelines.partition_runs import run_partitions

    region, added = add_one_filing(work / "raw", 2024, seed + 1)
    started = time.perf_counter()
    success, _, parsed, ran = run_year(2024, skip_unchanged=True)
    seconds = time.perf_counter() - started
    published = os.environ["JIXIAO_WAREHOUSE_DIR"]
    os.environ["JIXIAO_WAREHOUSE_DIR"] = str(work / "from_scratch" / "warehouse")
    try:
        scratch = all(outcome.success for _, _, outcome in run_partitions({(2024, region): None}))
    finally:
        os.environ["JIXIAO_WAREHOUSE_DIR"] = published
    differing = differing_tables(work / "warehouse", work / "from_scratch" / "warehouse", 2024, region) \
        if scratch else None
    return FilingAdded(added.relative_to(work / "raw").as_posix(), region, seconds, success, parsed, ran, differing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    started = time.perf_counter()
    counts = generate(work, args.forms, args.seed)
    generated = time.perf_counter() - started
    raw = work / "raw"
    os.environ.update(JIXIAO_RAW_DIR=str(raw), JIXIAO_WAREHOUSE_DIR=str(work / "warehouse"),
                      DAGSTER_HOME=str(work / "dagster_home"))

    memory = PeakMemory()
    started = time.perf_counter()
    from dagster import DagsterInstance

    from pipelines.cli import dagster_home
    from pipelines.definitions import defs

    dagster_home()  # as make run makes it
    startup = time.perf_counter() - started
    started, cpu = time.perf_counter(), cpu_seconds()
    success, seconds, _, regions = run_year(2024)
    wall = time.perf_counter() - started
    own_cpu, children_cpu = (after - before for after, before in zip(cpu_seconds(), cpu))
    peak_mb = memory.stop()

    from filings.native import running_compiled
    from filings.warehouse import read

    compiled = running_compiled("filings.project")

    findings = read(work / "warehouse", "check_results", 2024)
    by_check = score(Counter(findings.select("source_file", "check_id", "line", "field").rows()),
                     Counter(expected_findings(work / "manifest.jsonl")))
    files = [p for p in raw.rglob("*") if p.is_file()]
    total_bytes = sum(p.stat().st_size for p in files)
    formats = Counter(p.suffix for p in files)
    forms = read(work / "warehouse", "forms", 2024).height

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"parser: {'compiled by mypyc (make native)' if compiled else 'plain Python'}")
    print(f"corpus: {counts['forms']} forms in {counts['files']} files, {total_bytes / 1e6:.1f} MB "
          f"(generated in {generated:.1f} s), seed {args.seed}")
    print("files per format: " + ", ".join(f"{suffix} {n}" for suffix, n in formats.most_common()))
    print(f"published forms: {forms}; run {'succeeded' if success else 'FAILED'}")
    print(f"dagster start-up (import, definitions): {startup:.1f} s")
    print(f"wall time of the job (every region of 2024 as make run runs them: one after another, each parsed "
          f"while the one before is checked and published, or many small ones side by side): {wall:.1f} s → "
          f"{forms / wall:.0f} forms/s end to end")
    print("seconds per stage, summed over the regions (parsing overlaps the region before's later stages, "
          "so they add up to more than the wall time):")
    for stage, value in seconds.items():
        print(f"  {stage:<20} {value:8.2f} s")
    print(f"parse: {forms / seconds['parse']:.0f} forms/s on every core (shared with the overlapped stages)")
    cores = os.cpu_count() or 1
    print(f"CPU: {own_cpu:.1f} s in this process (the runs one after another), {children_cpu:.1f} s in its "
          f"children (the parsers, and runs side by side): {(own_cpu + children_cpu) / cores:.1f} s of wall time "
          f"at the least on {cores} cores never idle")
    timed = floor_and_parse(raw)
    print("floor (read + split into cells) and parse, one process, every file timed by both back to back "
          "(the parse once, the floor before and after it), per format and their ratio:")
    for suffix, (floor_seconds, parse_seconds) in sorted(timed.items(), key=lambda item: -item[1][1]):
        print(f"    {suffix:<6} floor {floor_seconds:7.2f} s  parse {parse_seconds:8.2f} s  "
              f"→ {parse_seconds / max(floor_seconds, 1e-9):5.1f}×")
    floor_seconds, parse_seconds = (sum(figures) for figures in zip(*timed.values()))
    print(f"    all    floor {floor_seconds:7.2f} s  parse {parse_seconds:8.2f} s  "
          f"→ {parse_seconds / floor_seconds:5.1f}×  ({forms / parse_seconds:.0f} forms/s in one process)")
    print(f"peak memory: {peak_mb:.0f} MB (this process and its workers together, sampled)")
    print("findings against the manifest:")
    print(f"  {'check':<30}{'injected':>9}{'caught':>8}{'false':>7}")
    for check_id, (injected, caught, false) in sorted(by_check.items()):
        print(f"  {check_id:<30}{injected:>9}{caught:>8}{false:>7}")
    injected = sum(v[0] for v in by_check.values())
    caught = sum(v[1] for v in by_check.values())
    false = sum(v[2] for v in by_check.values())
    print(f"recall {caught}/{injected} = {caught / max(injected, 1):.1%}, false findings {false}")
    started = time.perf_counter()
    _, _, parsed, ran = run_year(2024, skip_unchanged=True)
    rerun = time.perf_counter() - started
    print(f"re-run with nothing changed (make run: unchanged regions are skipped): {rerun:.1f} s; "
          f"files parsed: {parsed}; regions run: {ran} of {regions}")
    added = one_filing_added(work, args.seed)
    print(f"one filing added ({added.source_file}), re-run: {added.seconds:.1f} s; files parsed: {added.parsed}; "
          f"regions run: {added.ran} of {regions}" + ("" if added.success else "; the run FAILED"))
    print(f"  {added.region} run from scratch in another warehouse: " + (
        "FAILED, nothing to compare" if added.differing is None
        else f"its published tables DIFFERENT: {', '.join(added.differing)}" if added.differing
        else "its published tables identical"))
    print(f"(corpus and warehouse left in {work})")


if __name__ == "__main__":
    main()
