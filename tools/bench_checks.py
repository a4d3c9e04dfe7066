"""The rules at warehouse scale: `make bench-checks CHECK_FORMS=1000000`. Synthesizes a warehouse of
that many forms by replicating the parsed sample filings with new ids (parquet partitions in the
pipeline's layout), hands `write_findings` lazy scans of it (the findings streamed to parquet rule by
rule) and times the quality rules: forms, rows, seconds in all and per rule, peak memory, and
findings against copies × the base's findings. The base is the sample filings in raw/, or a
generated corpus (`--raw`, e.g. `make corpus`'s) for a warehouse with every format's tables.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from checks.config import load  # noqa: E402
from checks.engine import run_rules, write_findings  # noqa: E402
from filings.discover import discover, reporting_years  # noqa: E402
from filings.parse import parse_many  # noqa: E402
from filings.tables import to_tables  # noqa: E402

EXPECTED = "_expected.json"  # in the warehouse (which scan skips): its base, copies and findings per rule
# The pipeline's layout, warehouse/<table>/reporting_year=<YYYY>/<file>.parquet, read as BI reads it:
# a glob over every table's partitions. Every table the parser makes is replicated (the rules may
# read any of them).


def base_tables(raw: Path) -> dict[str, pl.DataFrame]:
    """Every filing under `raw` (the samples by default), parsed by the real parser: the base that is
    replicated."""
    paths = [f.path for year in reporting_years(raw) for f in discover(raw, year)]
    return to_tables(parse_many(paths, raw))


def _copied(frame: pl.LazyFrame, copies: int) -> pl.LazyFrame:
    """`copies` copies of every row; ids, files, projects and units made distinct per copy, so
    copies never meet in a join (no duplicate forms, summaries match their own file's forms)."""
    copy = pl.col("copy").cast(pl.String)
    names = frame.collect_schema().names()
    rewrite = {
        "form_id": pl.col("form_id") + "~" + copy,
        "filing_id": pl.col("filing_id") + "~" + copy,
        "source_file": pl.concat_str(pl.lit("c"), copy, pl.lit("/"), pl.col("source_file")),
        "project_name": pl.col("project_name") + "#" + copy,
        "implementing_unit": pl.col("implementing_unit") + "#" + copy,
    }
    index = pl.LazyFrame({"copy": pl.arange(0, copies, eager=True, dtype=pl.Int32)})
    return (index.join(frame, how="cross")
            .with_columns(**{name: expr for name, expr in rewrite.items() if name in names})
            .select(names))


def synthesize(warehouse: Path, forms: int, raw: Path) -> None:
    """Write the replicated tables as warehouse/<table>/reporting_year=<YYYY>/part-0.parquet, and
    what the rules must find in them (copies × the base's findings, per rule) as its EXPECTED file."""
    base = base_tables(raw)
    copies = math.ceil(forms / base["forms"].height)
    year_of = base["forms"].select("form_id", "reporting_year")
    for name, frame in base.items():
        with_year = frame if "reporting_year" in frame.columns else frame.join(year_of, on="form_id")
        for year in sorted(base["forms"]["reporting_year"].unique()):
            part = with_year.filter(pl.col("reporting_year") == year)
            if "reporting_year" not in frame.columns:
                part = part.drop("reporting_year")
            target = warehouse / name / f"reporting_year={year}" / "part-0.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            _copied(part.lazy(), copies).sink_parquet(target, compression="zstd", statistics=True)
    per_copy = dict(run_rules(base, load())["check_id"].value_counts().iter_rows())
    (warehouse / EXPECTED).write_text(json.dumps({  # last: the warehouse is whole
        "raw": str(raw), "base_forms": base["forms"].height, "copies": copies,
        "findings": {check: n * copies for check, n in per_copy.items()}}))


def scan(warehouse: Path) -> dict[str, pl.LazyFrame]:
    """Every table as a lazy scan of its partitions (reporting_year from the path)."""
    return {name: pl.scan_parquet(str(warehouse / name / "*" / "*.parquet"), hive_partitioning=True)
            for name in sorted(p.name for p in warehouse.iterdir() if not p.name.startswith(("_", ".")))}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rows_of(lazy: dict[str, pl.LazyFrame]) -> dict[str, int]:
    return {name: frame.select(pl.len()).collect().item() for name, frame in lazy.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=1_000_000)
    parser.add_argument("--warehouse", type=Path, help="an existing synthetic warehouse (else a fresh one)")
    parser.add_argument("--raw", type=Path, default=PROJECT / "raw", help="the filings replicated")
    parser.add_argument("--findings", type=Path, help="the folder the findings are written to "
                        "(else findings/ beside the warehouse)")
    parser.add_argument("--synthesize-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.synthesize_only:
        synthesize(args.warehouse, args.forms, args.raw)
        return

    config = load()
    warehouse = args.warehouse or Path(tempfile.mkdtemp(prefix="jixiao-bench-checks-")) / "warehouse"
    synthesized = None
    if args.warehouse is None or not (warehouse / EXPECTED).exists():
        started = time.perf_counter()
        # in a child process (the base parsed and checked there too), so the peak memory below is the checks' alone
        subprocess.run([sys.executable, __file__, "--synthesize-only", "--forms", str(args.forms),
                        "--warehouse", str(warehouse), "--raw", str(args.raw)], check=True)
        synthesized = time.perf_counter() - started
    size = sum(p.stat().st_size for p in warehouse.rglob("*.parquet"))

    folder = args.findings or warehouse.parent / "findings"
    print(f"{warehouse}: the rules on lazy scans, findings to {folder} …", flush=True)
    started = time.perf_counter()
    parts = write_findings(scan(warehouse), folder, config)
    total = time.perf_counter() - started
    peak = peak_mb()
    counts = {part.check_id: part.rows for part in parts}
    made = json.loads((warehouse / EXPECTED).read_text())
    expected = {check: made["findings"].get(check, 0) for check in counts}
    rows = rows_of(scan(warehouse))
    written = sum(part.path.stat().st_size for part in parts)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"polars {pl.__version__}")
    print(f"warehouse: {warehouse} ({size / 1e6:,.0f} MB parquet"
          + (f", synthesized in {synthesized:.1f} s" if synthesized is not None else "") + ")")
    print(f"forms: {rows['forms']:,} ({made['copies']:,} copies of the {made['base_forms']:,} forms in {made['raw']})")
    print("rows: " + ", ".join(f"{name} {n:,}" for name, n in rows.items()))
    print(f"\n{'rule':32} {'s':>6} {'findings':>10}")
    for part in parts:
        print(f"{part.check_id:32} {part.seconds:6.2f} {part.rows:10,}")
    print(f"\nwrite_findings on the lazy scans ({len(parts)} rules, each streamed to its part: scan, findings, "
          f"messages, order): {total:.2f} s → {rows['forms'] / total:,.0f} forms/s")
    print(f"findings: {sum(counts.values()):,} in {written / 1e6:,.0f} MB parquet "
          f"({'= copies × the base findings, per rule' if counts == expected else f'≠ expected {expected}'})")
    print(f"peak memory (checking process): {peak:,.0f} MB")
    if counts != expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
