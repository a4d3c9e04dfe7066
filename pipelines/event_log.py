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
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

OPEN_FILES = 8  # engines kept open: the index's and the latest runs' (the webserver reads many runs)


class SqliteEventLog(SqliteEventLogStorage):
    """The event log in `<dagster_home>/history/runs/`, where Dagster's default storage keeps it."""

    def __init__(self, base_dir: str, inst_data=None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()  # shard → engine, the latest used last
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
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard),
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            event.listen(engine, "connect", _synchronous_normal)
            if len(self._engines) >= OPEN_FILES:
                self._engines.popitem(last=False)[1].dispose()
        self._engines[shard] = engine
        return engine

    def _close_files(self) -> None:
        while self._engines:
            self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        with self._db_lock:
            self._close_files()  # the run files are deleted
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            self._close_files()
        super().dispose()


def _synchronous_normal(connection, _record) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")
