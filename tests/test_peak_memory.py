"""The benchmark's peak-memory figure: a worker's memory counts, and memory a forked worker shares
with this process counts once (proportional set sizes), though they are read only now and then."""

import multiprocessing
import os
import sys
import time

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "tools"))
from bench import PeakMemory, _pss_kb  # noqa: E402

MB = 1 << 20


def _hold(size: int, seconds: float) -> None:
    block = bytearray(size)  # zero-filled: every page written, so resident
    time.sleep(seconds)
    del block


def _touch_nothing(seconds: float) -> None:
    time.sleep(seconds)


def _settled(memory: PeakMemory, seconds: float) -> float:
    """The peak once the sampler has had time for a last reading."""
    time.sleep(seconds)
    return memory.stop()


def test_a_workers_own_memory_is_counted():
    before = _pss_kb(os.getpid()) / 1024
    memory = PeakMemory(every=0.05, pss_every=0.3)
    worker = multiprocessing.get_context("fork").Process(target=_hold, args=(300 * MB, 2.0))
    worker.start()
    worker.join()
    assert _settled(memory, 0.5) >= before + 280


def test_pages_a_forked_worker_shares_count_once():
    held = bytearray(300 * MB)  # resident here, then mapped by the forked worker too
    before = _pss_kb(os.getpid()) / 1024
    memory = PeakMemory(every=0.05, pss_every=0.3)
    worker = multiprocessing.get_context("fork").Process(target=_touch_nothing, args=(2.0,))
    worker.start()
    worker.join()
    peak = _settled(memory, 0.5)
    del held
    assert before - 20 <= peak < before + 150  # twice the block had it been counted per process
