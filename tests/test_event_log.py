"""The event log of jixiao's DAGSTER_HOME (pipelines/event_log.py): Dagster's SQLite files, kept open."""

import os
from pathlib import Path

from alembic.script import ScriptDirectory
from dagster import AssetCheckResult, DagsterInstance, Definitions, asset, asset_check
from dagster._core.events import DagsterEventType
from dagster._core.storage.event_log.sqlite import sqlite_event_log
from dagster._core.storage.sql import check_alembic_revision, get_alembic_config
from dagster._core.storage.event_log.schema import SqlEventLogStorageMetadata
from sqlalchemy import create_engine, text

from pipelines import cli
from pipelines.event_log import OPEN_RUNS, SqliteEventLog


@asset
def tally() -> int:
    return 3


@asset_check(asset=tally)
def tally_is_small() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


RUN_SUCCESS, ASSET_MATERIALIZATION, ASSET_CHECK_EVALUATION = (
    DagsterEventType.RUN_SUCCESS, DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION)
JOB = Definitions(assets=[tally], asset_checks=[tally_is_small]).resolve_implicit_global_asset_job_def()


def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return cli.dagster_home()


def test_jixiaos_dagster_home_keeps_runs_events_materialisations_and_checks_in_dagsters_files(tmp_path, monkeypatch):
    home = _home(tmp_path, monkeypatch)
    with DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, SqliteEventLog)
        run_ids = [JOB.execute_in_process(instance=instance).run_id for _ in range(OPEN_RUNS + 3)]
        assert list(instance.event_log_storage._runs) == run_ids[-OPEN_RUNS:]  # the latest runs' files open
    assert not list((home / "history" / "runs").glob("*.db-wal"))  # all closed with the instance
    # Read back as another process reads them: Dagster's own storage, on the same files.
    with DagsterInstance.from_ref(_default_storage_ref(home)) as other:
        assert type(other.event_log_storage).__name__ == "SqliteEventLogStorage"
        for run_id in run_ids:
            kinds = {e.dagster_event_type for e in other.all_logs(run_id) if e.is_dagster_event}
            assert {RUN_SUCCESS, ASSET_MATERIALIZATION, ASSET_CHECK_EVALUATION} <= kinds
        latest = other.get_latest_materialization_event(tally.key)
        assert latest.run_id == run_ids[-1]
        check = other.event_log_storage.get_latest_asset_check_execution_by_key([tally_is_small.check_key])
        assert check[tally_is_small.check_key].run_id == run_ids[-1]
    files = {path.stem for path in (home / "history" / "runs").glob("*.db")}
    assert files == {"index", *run_ids}


def test_commits_wait_for_the_disk_as_wal_mode_allows(tmp_path, monkeypatch):
    _home(tmp_path, monkeypatch)
    with DagsterInstance.get() as instance:
        run_id = JOB.execute_in_process(instance=instance).run_id
        with instance.event_log_storage.run_connection(run_id) as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_runs_file_is_made_at_dagsters_revision_from_migration_scripts_read_once(tmp_path, monkeypatch):
    _home(tmp_path, monkeypatch)
    with DagsterInstance.get() as instance:
        JOB.execute_in_process(instance=instance)  # the scripts read, if this process had not yet
        reads = []
        read = ScriptDirectory.from_config
        monkeypatch.setattr(ScriptDirectory, "from_config", lambda *args: reads.append(args) or read(*args))
        run_id = JOB.execute_in_process(instance=instance).run_id
        assert not reads  # Dagster's own reads them twice for each new file
        with instance.event_log_storage.run_connection(run_id) as conn:
            revision, head = check_alembic_revision(get_alembic_config(sqlite_event_log.__file__), conn)
    assert revision == head is not None  # as Dagster's own stamps it: its storage reads the file as is


def test_a_file_not_at_dagsters_revision_is_prepared_dagsters_way(tmp_path, monkeypatch):
    """A run's file with Dagster's tables but no revision stamped (as one made by an older Dagster,
    or left half made): neither left as it is nor made again, but stamped by Dagster's own code."""
    home = _home(tmp_path, monkeypatch)
    with DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        half_made = create_engine(storage.conn_string_for_shard("half-made"))
        SqlEventLogStorageMetadata.create_all(half_made)
        half_made.dispose()
        reads = []
        read = ScriptDirectory.from_config
        monkeypatch.setattr(ScriptDirectory, "from_config", lambda *args: reads.append(args) or read(*args))
        with storage.run_connection("half-made") as conn:
            assert conn.execute(text("SELECT count(*) FROM event_logs")).scalar() == 0
        assert reads  # Dagster's way: its scripts read
        with storage.run_connection("half-made") as conn:
            revision, head = check_alembic_revision(get_alembic_config(sqlite_event_log.__file__), conn)
    assert revision == head is not None and (home / "history" / "runs" / "half-made.db").exists()


def test_wipe_deletes_the_runs_files_it_had_open(tmp_path, monkeypatch):
    home = _home(tmp_path, monkeypatch)
    with DagsterInstance.get() as instance:
        run_id = JOB.execute_in_process(instance=instance).run_id
        run_file = home / "history" / "runs" / f"{run_id}.db"
        assert run_file in _open_files()
        instance.event_log_storage.wipe()
        assert not run_file.exists()
        # Dagster's own wipe deletes the files too, but the engines jixiao keeps would hold them open:
        # deleted, their space is freed only when this process ends.
        assert not any(path.name.startswith(run_id) for path in _open_files())
        assert not instance.event_log_storage._runs
        again = JOB.execute_in_process(instance=instance).run_id
        assert any(e.is_dagster_event for e in instance.all_logs(again))


def _open_files() -> list[Path]:
    """The files this process holds open (a deleted one's path as it was)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.append(Path(os.readlink(f"/proc/self/fd/{fd}").removesuffix(" (deleted)")))
        except OSError:
            pass  # closed meanwhile
    return found


def test_dagster_home_written_once_an_earlier_default_replaced_a_bureaus_own_kept(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    config = home / "dagster.yaml"
    config.write_text("telemetry:\n  enabled: false\n")  # as jixiao wrote it before the event log
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    cli.dagster_home()
    assert config.read_text() == cli.DAGSTER_YAML
    own = "telemetry:\n  enabled: false\nrun_monitoring:\n  enabled: true\n"
    config.write_text(own)
    cli.dagster_home()
    assert config.read_text() == own


def _default_storage_ref(home):
    """An instance of `home` with Dagster's default storage (as before jixiao's event log)."""
    from dagster._core.instance.ref import InstanceRef

    other = home.parent / "plain"
    other.mkdir()
    (other / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    for name in ("history", "schedules"):
        (other / name).symlink_to(home / name)
    return InstanceRef.from_dir(str(other))
