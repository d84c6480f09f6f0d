"""Engine and session factory for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _serialize_sqlite_writers(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _serialize_sqlite_writers(engine: Engine) -> None:
    """Every SQLite transaction starts with BEGIN IMMEDIATE.

    pysqlite would otherwise run a quota count outside any transaction and let two requests
    both see "18 users" before either inserts. Taking the write lock at BEGIN makes
    count-then-insert atomic (PostgreSQL gets the same guarantee from SELECT ... FOR UPDATE).
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # noqa: ANN001
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def end_reads(session: Session) -> None:
    """Commit a read-only transaction, keeping its objects loaded: before anything slow.

    Before an argon2 check or a wait on Temporal: on SQLite every transaction holds the write lock
    from its BEGIN, so one left open across a 200 ms hash makes every other request wait, and the
    workflows' activities too. Nothing may be written before this point; unsaved changes are a
    bug, not something to commit.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes before a slow step")
    session.commit()
