"""The web's Temporal client: one per process, on one background event-loop thread.

The async client is not safe across event loops, and Flask views are synchronous, so views
submit coroutines to this loop with ``call`` instead of ``asyncio.run`` per request. The loop
starts lazily — after any fork of a process server — on the first call.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from temporalio.client import Client

T = TypeVar("T")


class TemporalBridge:
    def __init__(self, address: str, namespace: str, task_queue: str) -> None:
        self.address = address
        self.namespace = namespace
        self.task_queue = task_queue
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Client | None = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="temporal-client", daemon=True).start()
                self._loop = loop
            return self._loop

    async def _get_client(self) -> Client:
        if self._client is None:  # only ever touched on the bridge's loop, so no race
            self._client = await Client.connect(self.address, namespace=self.namespace)
        return self._client

    def call(self, work: Callable[[Client], Coroutine[Any, Any, T]], timeout: float = 15.0) -> T:
        """Run ``work(client)`` on the bridge's loop and wait for its result."""

        async def run() -> T:
            return await work(await self._get_client())

        future = asyncio.run_coroutine_threadsafe(run(), self._ensure_loop())
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()  # the view has given up and answered: stop the work rather than finish it unseen
            raise
