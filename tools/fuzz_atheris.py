"""Coverage-guided fuzzing of the parser with atheris (libFuzzer): `make fuzz RUNS=N`.

Each input is a format (its first byte picks a suffix) and the bytes of a file, seeded with the
sample filings and the format fixtures. Every input must end as parsed, partial or quarantined
with a reason, with tables that satisfy their schemas; anything else (an exception escaping, a
file lost) stops the run and libFuzzer writes the input as crash-*.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["filings"]):
    from checks.integrity import schema_failures
    from filings.parse import parse_filing
    from filings.readers import READERS
    from filings.tables import to_tables

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "test-artifacts" / "fuzz-corpus"
SUFFIXES = sorted(READERS) + [".bin"]


def check_one(data: bytes) -> None:
    suffix = SUFFIXES[data[0] % len(SUFFIXES)] if data else ".txt"
    filing = parse_filing(data[1:], f"2024/fuzz{suffix}", 2024)
    assert filing.status in ("parsed", "partial", "quarantined"), filing.status
    assert filing.status != "quarantined" or (filing.error and filing.reason_code), "quarantined without a reason"
    assert filing.n_forms == len(filing.forms)
    assert schema_failures(to_tables([filing])) == {}


def seed() -> None:
    """The corpus starts from every sample filing and format fixture, tagged with its suffix."""
    CORPUS.mkdir(parents=True, exist_ok=True)
    samples = [*(PROJECT / "raw").rglob("*.txt"), *(PROJECT / "tests" / "fixtures" / "formats").iterdir()]
    for number, path in enumerate(sorted(samples)):
        if path.suffix in SUFFIXES:
            (CORPUS / f"seed-{number}{path.suffix}").write_bytes(bytes([SUFFIXES.index(path.suffix)]) + path.read_bytes())


if __name__ == "__main__":
    seed()
    atheris.Setup([*sys.argv, str(CORPUS)], check_one)
    atheris.Fuzz()
