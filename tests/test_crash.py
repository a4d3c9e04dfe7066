"""A publish killed with SIGKILL at random points leaves a year's tables entirely as they were or
entirely new, never a mix, and the next run repairs the warehouse to what a clean run publishes."""

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter

from dagster import DagsterInstance, load_assets_from_package_module, materialize

import assets
from checks.engine import run_rules
from conftest import RAW, XINGQING, ZHONGWEI, edit_line, ephemeral_instance, sample_text
from filings.discover import discover
from filings.parse import parse_path
from filings.tables import to_tables
from filings.warehouse import publish, read_year, uncommitted
from pipelines.partitions import partition_key
from pipelines.resources import JixiaoPaths

KILLS = 40

# The real publish in its own process: it reports each step as the pipeline logs it, and starts
# when told to (so the next one can be importing while the last kill is examined).
PUBLISHER = """
import json, sys
from pathlib import Path
import polars as pl
from filings.warehouse import publish
source, warehouse = Path(sys.argv[1]), Path(sys.argv[2])
tables = {name: pl.read_parquet(source / f"{name}.parquet") for name in json.loads((source / "order.json").read_text())}
sys.stdin.readline()
publish(warehouse, 2024, tables, log=lambda step: print(step, flush=True))
print("done", flush=True)
"""


def _year_tables(raw):
    tables = to_tables([parse_path(f.path, raw) for f in discover(raw, 2024)])
    return {**tables, "check_results": run_rules(tables)}


def _versions(tmp_path):
    """The old and the new state of raw/2024/ (every file changed, one added), their tables as a
    clean run publishes them, and those tables saved for the publishing process."""
    old_raw, new_raw = tmp_path / "old" / "raw", tmp_path / "new" / "raw"
    shutil.copytree(RAW / "2024", old_raw / "2024")
    shutil.copytree(RAW / "2024", new_raw / "2024")
    (new_raw / ZHONGWEI).write_text(edit_line(sample_text(ZHONGWEI), 35, "\t100\t96\t", "\t100\t95\t"), encoding="utf-8")
    (new_raw / XINGQING).write_text(sample_text(XINGQING) + "\n", encoding="utf-8")
    (new_raw / "2024" / "空白.txt").write_bytes(b"")
    versions = {}
    for name, raw in (("old", old_raw), ("new", new_raw)):
        tables = _year_tables(raw)
        source = tmp_path / name / "tables"
        source.mkdir()
        for table, frame in tables.items():
            frame.write_parquet(source / f"{table}.parquet")
        (source / "order.json").write_text(json.dumps(list(tables)))
        clean = tmp_path / name / "clean"
        publish(clean, 2024, tables)
        versions[name] = {"raw": raw, "source": source, "published": read_year(clean, 2024)}
    return versions


def _which(state, versions) -> str | None:
    """'old' or 'new' when the year reads entirely as that version, else None (a mix)."""
    for name, version in versions.items():
        expected = version["published"]
        if state.keys() == expected.keys() and all(state[t].equals(expected[t]) for t in expected):
            return name
    return None


def _start(source, warehouse):
    return subprocess.Popen([sys.executable, "-c", PUBLISHER, str(source), str(warehouse)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _pipeline(raw, warehouse):
    """The next run, as `jixiao run 2024` does it."""
    result = materialize(load_assets_from_package_module(assets), partition_key=partition_key(2024),
                         resources={"paths": JixiaoPaths(raw_dir=str(raw), warehouse_dir=str(warehouse))},
                         instance=ephemeral_instance())
    assert result.success


def test_publish_killed_at_random_points_is_old_or_new_and_repaired(tmp_path):
    versions = _versions(tmp_path)
    differing = [t for t, frame in versions["old"]["published"].items() if not frame.equals(versions["new"]["published"][t])]
    assert len(differing) >= 6, differing  # so a mix of the two would show
    warehouse = tmp_path / "warehouse"
    publish(warehouse, 2024, versions["old"]["published"])
    seed = random.randrange(2**32)
    chance = random.Random(seed)
    outcomes, last_steps = Counter(), Counter()
    current, target = "old", "new"
    publisher = _start(versions[target]["source"], warehouse)
    while sum(outcomes.values()) < KILLS:
        at_step, delay = chance.randrange(-1, 18), chance.uniform(0, 0.004)
        publisher.stdin.write("go\n")
        publisher.stdin.flush()
        last = "start"
        for _ in range(at_step + 1):
            line = publisher.stdout.readline().strip()
            if line in ("done", ""):
                break
            last = line.split(" ", 1)[0]
        time.sleep(delay)
        publisher.send_signal(signal.SIGKILL)
        finished = publisher.wait() == 0
        publisher = _start(versions[current]["source"], warehouse)  # the next one imports meanwhile

        outcome = _which(read_year(warehouse, 2024), versions)
        assert outcome in (current, target), f"a mix of old and new after a kill at {last!r} (seed {seed})"
        if not finished:
            outcomes["as before" if outcome == current else "new"] += 1
            last_steps[last] += 1
        if sum(outcomes.values()) == KILLS:
            break
        publish(warehouse, 2024, versions[target]["published"])  # the next run
        assert uncommitted(warehouse, 2024) == [] and _which(read_year(warehouse, 2024), versions) == target
        current, target = target, current
    publisher.kill()
    publisher.wait()

    _pipeline(versions[target]["raw"], warehouse)  # the next run after the last kill: the real job
    assert uncommitted(warehouse, 2024) == []
    assert _which(read_year(warehouse, 2024), versions) == target, "the repaired year equals a clean run's"
    print(f"\n{KILLS} kills survived (seed {seed}): the year read {dict(outcomes)}; last step seen {dict(last_steps)}")
    assert outcomes["as before"] and outcomes["new"], "kills fell before and after the commit point"
