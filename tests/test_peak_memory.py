"""The benchmark's peak-memory figure: a worker's memory counts, and memory a forked worker shares
with its parent counts once (proportional set sizes), though they are read only now and then.
Each case runs in a process of its own, so that no other child of the test run is counted."""

import json
import subprocess
import sys

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


def _peak(parent_mb: int, worker_mb: int) -> tuple[float, float]:
    """This process's memory before a worker is forked, and the peak sampled meanwhile (MB)."""
    code = _CASE.format(tools=str(PROJECT / "tools"), parent_mb=parent_mb, worker_mb=worker_mb)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    return figures["before"], figures["peak"]


def test_a_workers_own_memory_is_counted():
    before, peak = _peak(parent_mb=0, worker_mb=300)
    assert peak >= before + 280


def test_pages_a_forked_worker_shares_count_once():
    before, peak = _peak(parent_mb=300, worker_mb=0)
    assert before >= 300 and before - 20 <= peak < before + 100  # twice the block, counted per process
