"""Stage timings for run metadata (the benchmark reads them)."""

from __future__ import annotations

import time


class Stopwatch:
    """Seconds spent in each named stage, measured between laps."""

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self._laps: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self._laps[stage] = self._laps.get(stage, 0.0) + now - self._last
        self._last = now

    def add(self, laps: dict[str, float]) -> None:
        """Stages timed by another stopwatch."""
        for stage, value in laps.items():
            self._laps[stage] = self._laps.get(stage, 0.0) + value

    def laps(self) -> dict[str, float]:
        return dict(self._laps)

    def seconds(self) -> dict[str, float]:
        return {f"seconds_{stage}": round(value, 3) for stage, value in self._laps.items()}
