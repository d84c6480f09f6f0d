"""Engine and session factory for SQLite (the default) and PostgreSQL.

A transaction either reads or writes, and one that writes is asked for by name:

- A session's own transaction, the one it begins by itself at its first query (the user loader,
  list pages, ``/readyz``, an activity's lookup), only reads. On SQLite it is a plain (deferred)
  ``BEGIN`` under ``PRAGMA query_only``: it never takes the write lock, so it never waits for a
  writer, and a write in it fails at once ("attempt to write a readonly database") instead of now
  and then, under load, with SQLITE_BUSY when SQLite cannot upgrade it.
- A transaction that writes is begun explicitly: ``writing(session)`` (the use-cases' ``committed``),
  ``session_factory.begin()`` or ``session.begin()``. On SQLite it is ``BEGIN IMMEDIATE``: it holds
  the write lock from its first statement, so a count-then-insert (the general-user quota) is
  atomic and a read-then-write never fails on the upgrade (PostgreSQL gets the same guarantee from
  ``SELECT ... FOR UPDATE`` where a rule needs it; there both kinds are ordinary transactions).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.session import SessionTransactionOrigin

# Connection execution option: the transaction about to begin only reads. Connections used without
# a session (migrations, scripts) do not set it and write as before.
READS_ONLY = "rokin_reads_only"


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _begin_sqlite_transactions_ourselves(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _begin_sqlite_transactions_ourselves(engine: Engine) -> None:
    """pysqlite would otherwise run a quota count outside any transaction and let two requests both
    see "18 users" before either inserts: we issue every BEGIN, of the kind the transaction asked for."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers and the one writer do not block each other
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # noqa: ANN001
        if connection.get_execution_options().get(READS_ONLY, False):
            connection.exec_driver_sql("PRAGMA query_only=ON")
            connection.exec_driver_sql("BEGIN")
        else:  # query_only belongs to the pooled connection: set it both ways, every time
            connection.exec_driver_sql("PRAGMA query_only=OFF")
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class RokinSession(Session):
    """A session whose own transactions read; ``begin()``, asked for explicitly, writes."""

    def begin(self, nested: bool = False) -> SessionTransaction:
        transaction = super().begin(nested=nested)
        if not nested:  # take the connection now, so that its BEGIN is the writing kind
            self.connection(execution_options={READS_ONLY: False})
        return transaction


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, class_=RokinSession, expire_on_commit=False, execution_options={READS_ONLY: True})


def is_writing(session: Session) -> bool:
    """Whether ``session`` is inside a transaction begun for writing."""
    transaction = session.get_transaction()
    return transaction is not None and transaction.origin is SessionTransactionOrigin.BEGIN


@contextmanager
def writing(session: Session) -> Iterator[Session]:
    """A transaction that writes: committed when the block ends, rolled back if it raises.

    A read transaction still open is ended first (committed: it has nothing to write, and changes
    made before the block are refused as a bug), and what it loaded is expired, so
    the block's checks see the rows as they are under the write lock, not as they were read before.
    Inside another writing transaction the block joins it: the outer one commits or rolls back.
    """
    if is_writing(session):
        yield session
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("changes made outside a writing transaction: make them inside the block")
    session.commit()  # the read transaction, if one is open
    session.expire_all()
    with session.begin():
        yield session


def end_reads(session: Session) -> None:
    """Commit a read-only transaction, keeping its objects loaded: before anything slow.

    Before an argon2 check or a wait on Temporal, so that no transaction (no pooled connection,
    no SQLite read snapshot) is held across it. Nothing may be written before this point; unsaved
    changes are a bug, not something to commit.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unsaved changes before a slow step")
    session.commit()
