"""Dagster's SQLite event log (a database per run, and an index), with its connections kept open.

Dagster's own `SqliteEventLogStorage` makes a new SQLAlchemy engine for every statement it runs:
it opens the file, compiles the statement afresh (SQLAlchemy caches compiled statements per engine)
and waits for the disk at every commit. A region's run writes about 160 events (steps, outputs,
materialisations, asset checks planned and evaluated), some of them twice (the run's file and the
index): 2–4 s of a run's time. Here each file keeps one engine, and commits reach the disk as
SQLite's WAL mode allows with `synchronous=NORMAL`: the database stays whole after a crash, and a
power cut may lose the last events written before it. And Dagster's migration scripts, which
Dagster reads afresh twice for every file it opens (to check the file's revision, and to stamp a
new one: about 0.1 s of CPU a run), are read once a process. `jixiao`'s DAGSTER_HOME uses it
(pipelines/cli.py); the webserver, reading the same files, too.
"""

from __future__ import annotations

import os
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from dagster import StringSource
from dagster._core.storage.event_log.schema import SqlEventLogStorageMetadata
from dagster._core.storage.event_log.sqlite import sqlite_event_log
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import get_alembic_config
from dagster._core.storage.sqlite import create_db_conn_string
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError

OPEN_RUNS = 8  # runs' files kept open beside the index: the latest (the webserver reads many runs)


class SqliteEventLog(SqliteEventLogStorage):
    """The event log in `<dagster_home>/history/runs/`, where Dagster's default storage keeps it."""

    def __init__(self, base_dir: str, inst_data=None) -> None:
        self._index = _engine(create_db_conn_string(base_dir, INDEX_SHARD_NAME))
        self._runs: OrderedDict[str, Engine] = OrderedDict()  # run id → engine, the latest used last
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls):
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> SqliteEventLog:
        return cls(os.path.join(config_value["dagster_home"], "history", "runs", ""), inst_data=inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._index if shard == INDEX_SHARD_NAME else self._run(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _run(self, run_id: str) -> Engine:
        engine = self._runs.pop(run_id, None)
        if engine is None:
            engine = _engine(self.conn_string_for_shard(run_id))
            if len(self._runs) >= OPEN_RUNS:
                self._runs.popitem(last=False)[1].dispose()
        self._runs[run_id] = engine
        return engine

    def _initdb(self, engine: Engine, for_index_shard: bool = False) -> None:
        """A file at Dagster's latest revision is left as it is, and a new run's empty file is made
        and stamped as Dagster makes it, from migration scripts read once a process. Anything else
        (an older file, a new index, a file another process is making at the same moment) goes
        Dagster's way, with its retries."""
        if not for_index_shard:
            try:
                with engine.connect() as conn:
                    migrations = MigrationContext.configure(conn)
                    revision = migrations.get_current_revision()
                    if revision is not None and revision == _scripts().get_current_head():
                        return
                    if revision is None and not inspect(conn).get_table_names():
                        SqlEventLogStorageMetadata.create_all(conn)
                        conn.execute(text("PRAGMA journal_mode=WAL"))
                        migrations.stamp(_scripts(), "head")
                        conn.commit()
                        return
            except (DatabaseError, sqlite3.DatabaseError):
                pass  # made by another process meanwhile, say: Dagster's way
        super()._initdb(engine, for_index_shard)

    def has_table(self, table_name: str) -> bool:
        """Asked at every asset event, inside a write to the index: on a connection of its own."""
        with self._index.connect() as conn:
            return bool(conn.dialect.has_table(conn, table_name))

    def _close_runs(self) -> None:
        while self._runs:
            self._runs.popitem()[1].dispose()

    def wipe(self) -> None:
        with self._db_lock:
            self._close_runs()  # their files are deleted
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            self._close_runs()
            self._index.dispose()
        super().dispose()


@cache
def _scripts() -> ScriptDirectory:
    """Dagster's migration scripts for the event log (their revisions parsed when first asked)."""
    return ScriptDirectory.from_config(get_alembic_config(sqlite_event_log.__file__))


def _engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _synchronous_normal)
    return engine


def _synchronous_normal(connection, _record) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")
