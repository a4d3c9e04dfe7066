"""A partition parsed, validated and staged a few files at a time publishes exactly what it
publishes in one batch, re-runs parse only what changed, and no staging is left behind."""

import gc
import os
import shutil
import subprocess
import sys

import polars as pl
from dagster import load_assets_from_package_module, materialize

import assets
from conftest import PROJECT, RAW, ZHONGWEI, edit_line, ephemeral_instance, sample_text
from filings import parse
from filings.parse import PARALLEL_FROM, parse_batches
from filings.schemas import TABLES
from filings.staging import staging_folder
from filings.warehouse import read
from pipelines.partitions import partition_key
from pipelines.resources import JixiaoPaths


REGION = "各地"


def _run(raw, warehouse, batch_files: int) -> dict:
    result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2024, REGION),
                         resources={"paths": JixiaoPaths(raw_dir=str(raw), warehouse_dir=str(warehouse))},
                         run_config={"ops": {"parsed_filings": {"config": {"batch_files": batch_files}}}},
                         instance=ephemeral_instance(REGION))
    assert result.success
    meta = result.asset_materializations_for_node("parsed_filings")[0].metadata
    return {k: meta[k].value for k in ("files", "files_parsed", "batches")}


def _tables(warehouse) -> dict[str, pl.DataFrame]:
    return {name: read(warehouse, name, 2024, REGION) for name in TABLES}


def _same(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> None:
    for name, table in a.items():
        assert table.equals(b[name]), name


def test_two_files_a_batch_publish_what_one_batch_publishes(tmp_path):
    folder = tmp_path / "raw" / "2024" / REGION
    (folder / "补报").mkdir(parents=True)
    for source in sorted(RAW.rglob("*.txt")):  # every sample, in one partition: several batches
        shutil.copy(source, folder / f"{source.parent.name}_{source.name}")
    shutil.copy(RAW / ZHONGWEI, folder / "补报" / "中卫.txt")  # canonical order is by path text:
    shutil.copy(RAW / ZHONGWEI, folder / "补报-旧.txt")  # "补报-旧.txt" before "补报/中卫.txt"
    raw = tmp_path / "raw"
    one, batched = tmp_path / "one", tmp_path / "batched"
    assert _run(raw, one, 500) == {"files": 14, "files_parsed": 14, "batches": 1}
    stale = staging_folder(batched, 2024, REGION) / "an-earlier-run" / "forms" / "part-00000.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by a run killed before its publish")
    assert _run(raw, batched, 2) == {"files": 14, "files_parsed": 14, "batches": 7}
    _same(_tables(one), _tables(batched))
    files = _tables(batched)["filings"]["source_file"].to_list()
    assert files == sorted(files) and files.index(f"2024/{REGION}/补报-旧.txt") < files.index(f"2024/{REGION}/补报/中卫.txt")
    assert _tables(one)["forms"].height == 36 and _tables(one)["check_results"].height
    assert not list((batched / "_staging").rglob("*.*")), "staging removed after the commit"

    (folder / "新增.txt").write_text(sample_text(ZHONGWEI), encoding="utf-8")  # one filing added
    changed = edit_line(sample_text(ZHONGWEI), 35, "\t100\t96\t", "\t100\t95\t")
    (folder / "补报" / "中卫.txt").write_text(changed, encoding="utf-8")  # one changed
    assert _run(raw, batched, 2) == {"files": 15, "files_parsed": 2, "batches": 8}
    assert _run(raw, tmp_path / "full", 500)["files_parsed"] == 15
    _same(_tables(tmp_path / "full"), _tables(batched))


def test_parallel_batches_hold_each_file_once_in_order():
    """On worker processes a batch is parsed in chunks: however the chunks fall, each batch holds
    exactly its own files, in order (a chunk running past its batch parsed files twice)."""
    paths = sorted(p for p in (RAW / "2024").iterdir() if p.is_file()) * (PARALLEL_FROM // 2 + 5)
    size = 70  # not a multiple of the chunk (size // (4 × workers) = 8)
    batches = list(parse_batches(paths, RAW, size, workers=2))
    assert [sum(len(chunk) for chunk in batch) for batch in batches] == \
        [min(size, len(paths) - start) for start in range(0, len(paths), size)]
    assert [f.source_file for batch in batches for chunk in batch for f in chunk] == \
        [p.relative_to(RAW).as_posix() for p in paths]


def _parent(filings) -> int:
    return os.getppid()


def test_parser_processes_are_not_forked_from_the_runs_process(monkeypatch):
    """The workers come from a server process holding only the parser, not from this process (a
    Dagster run's, hundreds of megabytes that each worker would copy as it touched them): their
    parent is not this process, and they still parse what they are given."""
    monkeypatch.setattr(parse, "PARALLEL_FROM", 1)
    paths = sorted((RAW / "2024").glob("*.txt"))
    (batch,) = parse_batches(paths, RAW, len(paths), workers=2, summarise=_parent)
    assert len(batch) >= 2 and os.getpid() not in batch
    (parsed,) = parse_batches(paths, RAW, len(paths), workers=2)
    assert [f.status for chunk in parsed for f in chunk] == ["parsed"] * len(paths)


def _pid(filings) -> int:
    return os.getpid()


def test_kept_parsers_parse_call_after_call_until_one_is_left_unfinished(monkeypatch):
    """Parsers kept across calls (jixiao run's partitions parsed ahead, one after another) are the
    same processes call after call, and parse as a pool of the call's own does; a call left
    unfinished (a run stopped, a worker dead) shuts them down, and the next call starts others."""
    monkeypatch.setattr(parse, "PARALLEL_FROM", 1)
    paths = sorted((RAW / "2024").glob("*.txt"))
    parsers = parse.Parsers(2)
    try:
        first, second = ({pid for batch in parse_batches(paths, RAW, 2, workers=parsers, summarise=_pid)
                          for pid in batch} for _ in range(2))
        assert len(first) == 2 and second == first and os.getpid() not in first
        kept = [f for batch in parse_batches(paths, RAW, 2, workers=parsers) for chunk in batch for f in chunk]
        own = [f for batch in parse_batches(paths, RAW, 2, workers=2) for chunk in batch for f in chunk]
        assert kept == own and [f.status for f in kept] == ["parsed"] * len(paths)
        unfinished = parse_batches(paths, RAW, 2, workers=parsers, summarise=_pid)
        next(unfinished)
        unfinished.close()
        assert not {pid for batch in parse_batches(paths, RAW, 2, workers=parsers, summarise=_pid)
                    for pid in batch} & first
    finally:
        parsers.close()


def test_the_process_server_holds_the_parser_whichever_process_it_starts_with():
    """The report's process may be the first forked from the server (in a run whose first
    partitions are parsed in its own process): the server loads the parser all the same, and the
    modules asked for, so every later parser starts with the parser loaded."""
    script = (
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from filings.parse import process_server\n"
        "if __name__ == '__main__':\n"
        "    with ProcessPoolExecutor(1, mp_context=process_server('stewards.written')) as pool:\n"
        "        print(pool.submit(eval, \"sorted(m for m in __import__('sys').modules\"\n"
        "                                \" if m in ('filings.project', 'stewards.written'))\").result())\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "['filings.project', 'stewards.written']", done.stderr


def _process_state(filings) -> tuple[int, bool, bool]:
    return os.nice(0), gc.isenabled(), gc.get_freeze_count() > 0


def test_parser_processes_run_nicer_than_the_runs_process_and_collect_only_what_is_young(monkeypatch):
    """The run's own process (checks, publishing, Dagster's events) is what a run waits for; the
    parsers yield the CPU to it: each runs PARSER_NICENESS nicer than this process (19 at most).
    Their garbage collector runs only before a chunk, on what is young, the rest frozen."""
    monkeypatch.setattr(parse, "PARALLEL_FROM", 1)
    paths = sorted((RAW / "2024").glob("*.txt"))
    (batch,) = parse_batches(paths, RAW, len(paths), workers=2, summarise=_process_state)
    assert len(batch) >= 2 and set(batch) == {(min(19, os.nice(0) + parse.PARSER_NICENESS), False, True)}
    assert gc.isenabled() and not parse._in_parser_process  # this process's collector untouched


def test_parsing_leaves_no_garbage_in_cycles():
    """A parser process collects only what is young (see above): parsing must leave nothing that
    only the collector frees. A function nested in a compiled one did, with its variables. In a
    process of its own: nothing else (a test's threads before) makes garbage meanwhile."""
    script = (
        "import gc, sys\n"
        "from pathlib import Path\n"
        "from filings.parse import parse_path\n"
        "raw = Path(sys.argv[1])\n"
        "paths = sorted(path for path in raw.rglob('*') if path.is_file())\n"
        "for path in paths:\n"
        "    parse_path(path, raw)\n"  # modules imported, memos filled
        "gc.collect()\n"
        "gc.disable()\n"
        "for path in paths:\n"
        "    parse_path(path, raw)\n"
        "print(len(paths), gc.collect())\n")
    done = subprocess.run([sys.executable, "-c", script, str(RAW)], cwd=PROJECT, capture_output=True, text=True,
                          timeout=300)
    files, garbage = map(int, done.stdout.split())
    assert files >= 10 and garbage == 0, done.stderr


def test_the_workers_config_sets_the_parser_processes(tmp_path, monkeypatch):
    """The op config `workers` (jixiao run --workers) reaches the parser: one worker parses in the
    run's own process, two start a pool of two (parallel from one file here)."""
    folder = tmp_path / "raw" / "2024" / REGION
    folder.mkdir(parents=True)
    for source in sorted((RAW / "2024").glob("*.txt")):
        shutil.copy(source, folder / source.name)
    pools = []
    pool = parse._pool
    monkeypatch.setattr(parse, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parse, "_pool", lambda workers, summarise: pools.append(workers) or pool(workers, summarise))
    for workers, warehouse in ((1, "one"), (2, "two")):
        result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2024, REGION),
                             resources={"paths": JixiaoPaths(raw_dir=str(tmp_path / "raw"),
                                                             warehouse_dir=str(tmp_path / warehouse))},
                             run_config={"ops": {"parsed_filings": {"config": {"workers": workers}}}},
                             instance=ephemeral_instance(REGION))
        assert result.success
    assert pools == [2]
    _same(_tables(tmp_path / "one"), _tables(tmp_path / "two"))
