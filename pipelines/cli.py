"""`jixiao run` (make run) and `jixiao ui` (make ui): the commands a bureau runs."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from pipelines.partition_runs import PartitionRun, add_regions, partition_name, regions_to_run, run_partitions
from pipelines.resources import PROJECT_ROOT, JixiaoPaths

# Dagster's default storage (SQLite files in DAGSTER_HOME), but for the event log, which keeps its
# files open (pipelines/event_log.py); telemetry off.
DAGSTER_YAML = """\
telemetry:
  enabled: false
event_log_storage:
  module: pipelines.event_log
  class: SqliteEventLog
  config:
    dagster_home:
      env: DAGSTER_HOME
"""
_EARLIER_YAML = "telemetry:\n  enabled: false\n"  # what jixiao wrote before pipelines/event_log.py


def dagster_home() -> Path:
    """DAGSTER_HOME, by default `.dagster_home/` in the project, its dagster.yaml written when
    missing (or as an earlier jixiao wrote it): DAGSTER_YAML."""
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() == _EARLIER_YAML:
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def run(years: list[int], force: bool = False, batch_files: int | None = None, workers: int | None = None) -> int:
    """Materialise every asset for each reporting year, region by region, the year's largest
    first (each parsed while the one before is checked and published; regions of few files side
    by side, see run_order), but for the regions whose files are all as last published (unless
    `force`), `batch_files` files at a time parsed by `workers` processes (by default the
    parsed_filings op's); print what was published and found."""
    dagster_home()
    from dagster import DagsterInstance

    from filings.discover import reporting_years, unplaced
    from pipelines.partitions import REPORTING_YEARS

    paths = JixiaoPaths()
    years = years or reporting_years(paths.raw)
    if not years:
        print(f"jixiao: no filings under {paths.raw}/<year>/ — nothing to do")
        return 0
    for stray in unplaced(paths.raw):
        print(f"warning: raw/{stray} is not under a reporting-year folder (raw/<YYYY>/…); not read")
    valid = set(REPORTING_YEARS.get_partition_keys())
    for year in years:
        if str(year) not in valid:
            print(f"{year}: skipped, outside the reporting years {min(valid)}–{max(valid)}")
    years = [year for year in years if str(year) in valid]
    todo: dict[tuple[int, str], int] = {}  # partition → its number of files
    unchanged: set[str] = set()  # regions skipped in some year
    for year in years:
        regions, skipped = regions_to_run(paths, year, force)
        for region, files in skipped.items():
            print(f"{partition_name(year, region)}: {files} files, all as last published: nothing to do (--force re-runs)")
        todo |= {(year, region): files for region, files in regions.items()}
        unchanged |= skipped.keys()
    if unchanged:  # partitions in the UI, as the runs' regions are (run_partition adds those)
        with DagsterInstance.get() as instance:
            add_regions(instance, sorted(unchanged))
    failed = set()
    for year, region, outcome in run_partitions(todo, batch_files, workers, started=_starting):
        if not _report(year, region, outcome):
            failed.add(year)
    done = [year for year in years if year not in failed]
    if done:
        print_summary(paths, done)
    return 1 if failed else 0


def _starting(year: int, region: str) -> None:
    print(f"{partition_name(year, region)}: parsing, checking and publishing …", flush=True)


def _report(year: int, region: str, outcome: PartitionRun) -> bool:
    """Print what a partition's run did; whether it succeeded."""
    name = partition_name(year, region)
    if not outcome.success:
        print(f"{name}: FAILED — see run {outcome.run_id} in the Dagster UI (make ui)")
        return False
    meta = outcome.metadata
    print(f"{name}: {_count(meta['files'], 'file')} ({meta['files_parsed']} parsed, {meta['files_reused']} "
          f"unchanged since the last run), {_count(meta['forms'], 'form')} in {_count(meta['batches'], 'batch')}",
          flush=True)
    return True


def _count(n: int, noun: str) -> str:
    """`1 file`, `2 files`, `2 batches`."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}{'es' if noun.endswith('ch') else 's'}"


def print_summary(paths: JixiaoPaths, years: list[int]) -> None:
    import polars as pl

    from checks.catalogue import CATALOGUE
    from filings.warehouse import read

    warehouse = paths.warehouse
    filings, forms, findings = (pl.concat([read(warehouse, name, year) for year in years])
                                for name in ("filings", "forms", "check_results"))
    status = dict(filings["status"].value_counts().iter_rows())
    print(f"\nfiles: {filings.height} (parsed {status.get('parsed', 0)}, partial {status.get('partial', 0)}, "
          f"quarantined {status.get('quarantined', 0)})")
    print(f"forms: {forms.height} ({forms['complete'].sum()} complete) in {_count(len(years), 'reporting year')} "
          f"{', '.join(map(str, years))}")
    counts = {(c, s): n for c, s, n in findings.group_by("check_id", "severity").len().iter_rows()}
    print(f"findings: {findings.height} ({(findings['severity'] == 'error').sum()} errors, "
          f"{(findings['severity'] == 'warning').sum()} warnings)")
    print(f"  {'check':<30} {'errors':>6} {'warnings':>8}")
    for rule in CATALOGUE:
        errors, warnings = counts.get((rule.check_id, "error"), 0), counts.get((rule.check_id, "warning"), 0)
        print(f"  {rule.check_id:<30} {errors:>6} {warnings:>8}  {rule.title}")
    print(f"\nwarehouse:  {warehouse}/<table>/reporting_year=<YYYY>/region=<region>/part-<generation>.parquet, "
          f"committed in {warehouse}/_commits/")
    print(f"data docs:  {paths.great_expectations / 'index.html'}")
    print(f"reports:    {paths.reports}/<YYYY>/[<region>/]stewards_report.html and findings.xlsx")
    print("review the findings: make ui (Dagster), or query warehouse/check_results with DuckDB")


def ui(host: str, port: int) -> None:
    """The Dagster UI for stewards, bound to this machine only unless told otherwise."""
    dagster_home()
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    os.chdir(PROJECT_ROOT)
    dagster = str(Path(sys.executable).parent / "dagster")  # the one installed beside jixiao
    # dagster dev stops on SIGTERM by handling it as SIGINT; a shell starts a background job (`make ui &`,
    # nohup) with SIGINT ignored, and an ignored signal stays ignored across exec: it would never stop.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execv(dagster, [dagster, "dev", "-w", workspace, "-h", host, "-p", str(port)])


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"需要正整数 / a positive whole number, not {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jixiao", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="parse, check and publish reporting years (default: all in raw/)")
    run_cmd.add_argument("years", nargs="*", type=int, help="reporting years, e.g. 2024")
    run_cmd.add_argument("--force", action="store_true",
                         help="re-run regions whose files are all as last published (default: skip them)")
    run_cmd.add_argument("--batch-files", type=_positive, metavar="N",
                         help="files parsed, validated and staged at a time (default 500): memory grows with it")
    run_cmd.add_argument("--workers", type=_positive, metavar="N",
                         help="parser processes (default: one a core); fewer leave cores to other work")
    ui_cmd = commands.add_parser("ui", help="start the Dagster UI")
    ui_cmd.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    ui_cmd.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.years, args.force, args.batch_files, args.workers)
    ui(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
