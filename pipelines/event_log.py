"""Dagster's SQLite event log (a database per run, and an index), with its connections kept open.

Dagster's own `SqliteEventLogStorage` makes a new SQLAlchemy engine for every statement it runs:
it opens the file, compiles the statement afresh (SQLAlchemy caches compiled statements per engine)
and waits for the disk at every commit. A region's run writes about 160 events (steps, outputs,
materialisations, asset checks planned and evaluated), some of them twice (the run's file and the
index): 2–4 s of a run's time. Here each file keeps one engine, and commits reach the disk as
SQLite's WAL mode allows with `synchronous=NORMAL`: the database stays whole after a crash, and a
power cut may lose the last events written before it. `jixiao`'s DAGSTER_HOME uses it
(pipelines/cli.py); the webserver, reading the same files, too.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite import create_db_conn_string
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

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


def _engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _synchronous_normal)
    return engine


def _synchronous_normal(connection, _record) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")
