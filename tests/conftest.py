"""Shared fixtures: the committed sample filings in raw/, parsed once per test session."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import polars as pl
import pytest

from checks.engine import run_rules
from filings.parse import parse_filing, parse_path
from filings.records import Filing
from filings.tables import to_tables

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ARTIFACTS = PROJECT / "test-artifacts"  # screenshots of the browser tests
RAW = PROJECT / "raw"
ZHONGWEI = "2024/中卫市公安局_项目支出绩效自评表.txt"
XINGQING = "2024/银川市兴庆区_绩效评价汇总表及自评表.txt"


def ephemeral_instance(*regions: str):
    """An in-memory Dagster instance that knows the region partitions (by default "_", the files
    directly in raw/<year>/), as the sensor or `jixiao run` would have added them."""
    from dagster import DagsterInstance

    from pipelines.partitions import REGIONS

    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(REGIONS.name, list(regions or ["_"]))
    return instance


def sample_text(source_file: str) -> str:
    return (RAW / source_file).read_text(encoding="utf-8")


def parse_text(text: str, source_file: str = ZHONGWEI) -> Filing:
    """Parse (possibly edited) sample text as if it were the file `source_file`."""
    return parse_filing(text.encode("utf-8"), source_file, int(source_file[:4]))


def edit_line(text: str, line: int, old: str, new: str) -> str:
    """Replace `old` by `new` in one line (1-based) of a sample, failing loudly if it is not there."""
    lines = text.split("\n")
    assert old in lines[line - 1], f"{old!r} not on line {line}: {lines[line - 1]!r}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines)


def findings_of(*filings: Filing, check_id: str | None = None) -> pl.DataFrame:
    found = run_rules(to_tables(list(filings)))
    return found if check_id is None else found.filter(pl.col("check_id") == check_id)


@pytest.fixture(scope="session")
def all_filings() -> list[Filing]:
    return [parse_path(p, RAW) for p in sorted(RAW.rglob("*.txt"))]


@pytest.fixture(scope="session")
def tables(all_filings) -> dict[str, pl.DataFrame]:
    return to_tables(all_filings)


@pytest.fixture(scope="session")
def findings(tables) -> pl.DataFrame:
    return run_rules(tables)


@pytest.fixture()
def raw_copy(tmp_path) -> Path:
    """A private copy of raw/ that a test may change."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


@pytest.fixture(scope="session")
def run_output(tmp_path_factory):
    """`jixiao run` (make run) over a copy of raw/, with its own warehouse and DAGSTER_HOME."""
    root = tmp_path_factory.mktemp("e2e")
    shutil.copytree(RAW, root / "raw")
    env = {**os.environ, "JIXIAO_RAW_DIR": str(root / "raw"), "JIXIAO_WAREHOUSE_DIR": str(root / "warehouse"),
           "DAGSTER_HOME": str(root / "dagster_home")}
    done = subprocess.run([str(BIN / "jixiao"), "run"], env=env, capture_output=True, text=True, timeout=600)
    return root, env, done


@pytest.fixture(scope="session")
def ui_port(run_output):
    """`jixiao ui` (make ui) on a free port of 127.0.0.1, serving the runs of `run_output`."""
    _, env, _ = run_output
    server, port = serve_ui(env)
    try:
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # dagster dev runs a webserver and a daemon: stop the group
        server.wait(timeout=60)


def serve_ui(env: dict, **popen) -> tuple[subprocess.Popen, int]:
    """`jixiao ui` started in a session of its own on a free port, once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(BIN / "jixiao"), "ui", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True, **popen)
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5)
            return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):  # the group is gone when the UI exited
                    os.killpg(server.pid, signal.SIGKILL)
                raise AssertionError("the Dagster UI did not start")
            time.sleep(1)
