"""The lockout arbiter behind the web tests: the product's worker on a thread of its own.

Flask views are synchronous and block while they wait for Temporal, and pytest-asyncio's
loop does not run during a synchronous test, so the worker cannot live there. It runs on an
event loop in a background thread, with a client of its own (a client belongs to its loop),
against the session's dev server. Each test gets a fresh worker on its own task queue and
database (``tests/web/conftest.py``); starting and stopping one takes some 40 ms.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from typing import Any, TypeVar

from temporalio.client import Client

from core.config import Settings
from tests.fixtures.payload_keys import TEST_CONVERTER
from tests.fixtures.temporal import product_worker

T = TypeVar("T")
STEP_TIMEOUT_SECONDS = 30.0


class WorkerThread:
    def __init__(self, target_host: str, namespace: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="web-test-worker", daemon=True)
        self._thread.start()
        self.client: Client = self._run(Client.connect(target_host, namespace=namespace,
                                                       data_converter=TEST_CONVERTER))

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(STEP_TIMEOUT_SECONDS)

    @contextmanager
    def worker(self, settings: Settings) -> Iterator[None]:
        """The product's worker (every workflow and activity) for ``settings`` while inside."""
        stack = AsyncExitStack()
        self._run(stack.enter_async_context(product_worker(self.client, settings)))
        try:
            yield
        finally:
            self._run(stack.aclose())

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
