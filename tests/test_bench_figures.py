"""The benchmark's figures of the process tree. Peak memory: a worker's memory counts, and memory a
forked worker shares with its parent counts once (proportional set sizes), though they are read only
now and then. CPU: a parser's counts once its forkserver has reaped it. Each case runs in a process
of its own, so that no other child of the test run is counted."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import PROJECT

_CASE = """
import json, multiprocessing, os, sys, time
sys.path.insert(0, {tools!r})
from bench import PeakMemory, _pss_kb

def hold(size):
    block = bytearray(size)  # zero-filled: every page written, so resident
    time.sleep(2.0)

if __name__ == "__main__":
    held = bytearray({parent_mb} << 20)  # resident here; mapped by the forked worker too
    before = _pss_kb(os.getpid()) / 1024
    memory = PeakMemory(every=0.05, pss_every=0.3)
    worker = multiprocessing.get_context("fork").Process(target=hold, args=({worker_mb} << 20,))
    worker.start()
    worker.join()
    time.sleep(0.5)  # time for a last reading
    print(json.dumps({{"before": before, "peak": memory.stop()}}))
"""


_CPU_CASE = """
import json, multiprocessing, sys, time
from concurrent.futures import ProcessPoolExecutor
sys.path.insert(0, {tools!r})
from bench import cpu_seconds

def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass

if __name__ == "__main__":
    before = cpu_seconds()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:  # as the parsers
        list(pool.map(burn, [0.5, 0.5]))
    own, workers = (after - earlier for after, earlier in zip(cpu_seconds(), before))
    print(json.dumps({{"own": own, "workers": workers}}))
"""


def _figures(case: str, **values) -> dict:
    """What a case prints, run as a script in a process of its own (a script: the forkserver's
    workers import its functions from it)."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "case.py"
        script.write_text(case.format(tools=str(PROJECT / "tools"), **values))
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _peak(parent_mb: int, worker_mb: int) -> tuple[float, float]:
    """This process's memory before a worker is forked, and the peak sampled meanwhile (MB)."""
    figures = _figures(_CASE, parent_mb=parent_mb, worker_mb=worker_mb)
    return figures["before"], figures["peak"]


def test_a_workers_own_memory_is_counted():
    before, peak = _peak(parent_mb=0, worker_mb=300)
    assert peak >= before + 280


def test_pages_a_forked_worker_shares_count_once():
    before, peak = _peak(parent_mb=300, worker_mb=0)
    assert before >= 300 and before - 20 <= peak < before + 100  # twice the block, counted per process


def test_the_cpu_of_workers_a_forkserver_has_reaped_counts_as_theirs():
    figures = _figures(_CPU_CASE)
    assert figures["workers"] >= 0.95 and figures["own"] < 0.5
