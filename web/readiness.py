"""``/readyz``: can this web process serve pages now? The database answers a query and Temporal's
frontend says it serves, each within a short timeout; both are asked at once.

A database that hangs (a firewall dropping packets) must not hang the probe or pile up threads:
one query at a time runs on a thread of its own, and a probe that finds one still running waits
for that one instead of starting another. The answer names each check's state, never an error
text (a database URL can hold a password).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from usecases.bridge import TemporalBridge
from usecases.ports import TemporalUnavailable

CHECK_TIMEOUT_SECONDS = 2.0
OK, UNAVAILABLE, TIMEOUT = "ok", "unavailable", "timeout"


@dataclass
class Readiness:
    _executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz-database"))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _query: Future | None = None

    def check(self, session_factory: sessionmaker[Session], temporal: TemporalBridge) -> dict[str, str]:
        query = self._database_query(session_factory)
        return {"temporal": _temporal_state(temporal), "database": _state_of(query)}

    def _database_query(self, session_factory: sessionmaker[Session]) -> Future:
        with self._lock:
            if self._query is None or self._query.done():
                self._query = self._executor.submit(_select_one, session_factory)
            return self._query


def _select_one(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:  # a read transaction: it never waits for a writer (store.db)
        session.execute(text("SELECT 1"))


def _state_of(query: Future) -> str:
    try:
        query.result(timeout=CHECK_TIMEOUT_SECONDS)
    except FutureTimeout:
        return TIMEOUT
    except (SQLAlchemyError, OSError):  # refused, unknown host, bad credentials...: the state is enough
        return UNAVAILABLE
    return OK


def _temporal_state(temporal: TemporalBridge) -> str:
    try:
        serving = temporal.call(
            lambda client: client.service_client.check_health(timeout=timedelta(seconds=CHECK_TIMEOUT_SECONDS)),
            timeout=CHECK_TIMEOUT_SECONDS)
    except TemporalUnavailable as error:
        return TIMEOUT if error.timed_out else UNAVAILABLE
    return OK if serving else UNAVAILABLE
