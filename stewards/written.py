"""A partition's stewards' report and findings workbook written from the published tables: what the
asset `stewards_report` materialises, wherever it runs (its own step, or a process beside the run)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from filings.storage import Location
from stewards import report, workbook
from stewards.review import load_review


@dataclass(frozen=True)
class Written:
    html: Path
    xlsx: Path
    units: int
    findings: int
    seconds: float  # reading the tables and writing both files


def write_reports(warehouse: Location, raw: Location, folder: Path, year: int, region: str | None) -> Written:
    """The HTML report and the workbook of `year` (one region's, or every region's for None) in `folder`."""
    started = time.perf_counter()
    review = load_review(warehouse, raw, year, region)
    html, xlsx = report.write(review, folder), workbook.write(review, folder)
    return Written(html, xlsx, len(review.units()), review.findings.height, time.perf_counter() - started)
