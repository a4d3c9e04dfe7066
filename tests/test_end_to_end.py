"""`jixiao run` as a user runs it, the README's DuckDB query on its output, and what the real
Dagster webserver then shows a steward."""

import json
import os
import re
import signal
import subprocess
import urllib.request

import duckdb

from conftest import BIN, PROJECT, XINGQING, serve_ui
from filings.warehouse import committed, published_years


def test_run_publishes_every_year_and_prints_the_summary(run_output):
    root, _, done = run_output
    assert done.returncode == 0, done.stderr
    assert "files: 12 (parsed 8, partial 4, quarantined 0)" in done.stdout
    assert "forms: 22 (18 complete) in 5 reporting years 2016, 2020, 2022, 2023, 2024" in done.stdout
    assert re.search(r"year_matches_reporting_year\s+4\s+0\s", done.stdout)
    assert re.search(r"score_follows_rule\s+0\s+17\s", done.stdout)
    assert "findings: 45 (24 errors, 21 warnings)" in done.stdout
    assert "2024: 2 files (2 parsed, 0 unchanged since the last run), 12 forms" in done.stdout
    assert "2016: 1 file (1 parsed, 0 unchanged since the last run), 1 form in 1 batch\n" in done.stdout
    assert published_years(root / "warehouse") == [2016, 2020, 2022, 2023, 2024]
    for year in (2016, 2020, 2022, 2023, 2024):
        assert committed(root / "warehouse", year)["forms"].exists()


def test_readme_duckdb_query_runs_on_the_warehouse(run_output, monkeypatch):
    root, _, _ = run_output
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    query = re.search(r"<!-- duckdb-example -->\n```sql\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(root)
    rows = duckdb.sql(query).fetchall()
    assert len(rows) == 22  # the 2024 findings
    assert (XINGQING, "禁毒专项经费", "self_score_matches_total", 140, "自评得分", "100", "97") in rows


CHECK_QUERY = """{
  assetCheckExecutions(assetKey: {path: ["forms"]}, checkName: "self_score_matches_total", limit: 10) {
    status partition
    evaluation { success severity metadataEntries { label
      ... on MarkdownMetadataEntry { mdStr } ... on IntMetadataEntry { intValue } } }
  }
}"""


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_ui_serves_the_failed_check_with_its_finding(ui_port):
    """`jixiao ui` (make ui) serves the runs of `jixiao run`: the API behind the UI has the finding."""
    executions = _graphql(ui_port, CHECK_QUERY)["data"]["assetCheckExecutions"]
    [latest] = [e for e in executions if e["partition"] == "_|2024"]  # one run a year: 5 in all
    assert latest["status"] == "FAILED" and len(executions) == 5
    assert latest["evaluation"]["severity"] == "ERROR" and latest["evaluation"]["success"] is False
    entries = {e["label"]: e for e in latest["evaluation"]["metadataEntries"]}
    assert entries["findings"]["intValue"] == 1
    assert "禁毒专项经费" in entries["first_findings"]["mdStr"] and "| 140 |" in entries["first_findings"]["mdStr"]


def test_ui_started_as_a_background_job_stops_on_sigterm(run_output):
    """A shell starts a background job (`make ui &`, nohup) with SIGINT ignored, and dagster dev stops
    on SIGTERM by handling it as SIGINT: `jixiao ui` restores SIGINT, so a TERM still stops it."""
    _, env, _ = run_output
    server, _ = serve_ui(env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        raise AssertionError("jixiao ui ignored SIGTERM") from None


def test_a_second_run_with_nothing_changed_does_nothing_until_forced(run_output, tmp_path):
    """Nothing re-done that has not changed: every region is found as last published; `--force`
    re-runs what it is given, `--batch-files` as many files at a time as it says, with the parser
    processes `--workers` says."""
    import shutil
    import subprocess

    root, env, _ = run_output
    for folder in ("raw", "warehouse", "dagster_home"):
        shutil.copytree(root / folder, tmp_path / folder)
    env = {**env, "JIXIAO_RAW_DIR": str(tmp_path / "raw"), "JIXIAO_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
           "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    jixiao = str(BIN / "jixiao")
    again = subprocess.run([jixiao, "run"], env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "2024: 2 files, all as last published: nothing to do (--force re-runs)" in again.stdout
    assert "parsing, checking and publishing" not in again.stdout
    assert "findings: 45 (24 errors, 21 warnings)" in again.stdout
    outside = subprocess.run([jixiao, "run", "1990", "2024"], env=env, capture_output=True, text=True, timeout=600)
    assert outside.returncode == 0, outside.stderr
    assert outside.stdout.startswith("1990: skipped, outside the reporting years 2010–")
    assert "2024: 2 files, all as last published" in outside.stdout and "findings: 22 (" in outside.stdout
    forced = subprocess.run([jixiao, "run", "2024", "--force", "--batch-files", "1", "--workers", "1"], env=env,
                            capture_output=True, text=True, timeout=600)
    assert forced.returncode == 0, forced.stderr
    assert "2024: 2 files (0 parsed, 2 unchanged since the last run), 12 forms in 2 batches" in forced.stdout
    assert "findings: 22 (11 errors, 11 warnings)" in forced.stdout  # 2024's known findings, as in one batch
    for option in ("--batch-files", "--workers"):
        refused = subprocess.run([jixiao, "run", option, "0"], env=env, capture_output=True, text=True)
        assert refused.returncode == 2 and "positive whole number" in refused.stderr
