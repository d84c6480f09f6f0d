"""Synchronous callers' way to the async Temporal client, and the one place where "no answer"
becomes ``TemporalUnavailable``.

The async client is not safe across event loops, and Flask views (and the use-cases they call)
are synchronous, so calls are submitted to one event loop with ``asyncio.run_coroutine_threadsafe``
instead of ``asyncio.run`` per request. The web's bridge owns a loop on a background thread,
started lazily (after any fork of a process server) with its client; ``rokin simulate`` and
``rokin admin sample-data`` lend theirs (``on_loop``) and run the use-cases in a thread.

Failures: a transport failure or a time-out — the server unreachable, an RPC deadline, the worker
not answering before ``timeout`` — raises ``TemporalUnavailable``; anything else (a workflow's
refusal, a bug) passes through unchanged, traceback and all.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from temporalio.client import Client, RPCTimeoutOrCancelledError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.converter import DataConverter
from temporalio.service import RPCError, RPCStatusCode

from core.config import Settings
from core.payload_keys import data_converter

from .ports import TemporalUnavailable

T = TypeVar("T")

# RPC statuses that mean the call did not get through or got no answer in time, not "no".
TRANSPORT_STATUSES = frozenset({RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED,
                                RPCStatusCode.CANCELLED, RPCStatusCode.RESOURCE_EXHAUSTED})
DEFAULT_TIMEOUT_SECONDS = 15.0


def is_transport_failure(error: BaseException) -> bool:
    """Whether ``error`` says only that Temporal did not answer (in time)."""
    if isinstance(error, (TimeoutError, concurrent.futures.TimeoutError, RPCTimeoutOrCancelledError,
                          WorkflowUpdateRPCTimeoutOrCancelledError)):
        return True
    return isinstance(error, RPCError) and error.status in TRANSPORT_STATUSES


class TemporalBridge:
    def __init__(self, address: str, namespace: str, task_queue: str, *,
                 converter: Callable[[], DataConverter]) -> None:
        """``converter`` is asked at the first connection, so a process that never reaches Temporal
        (a page test with a fake port) needs no payload key; ``for_settings`` gives the product's."""
        self.address = address
        self.namespace = namespace
        self.task_queue = task_queue
        self._converter = converter
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Client | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> TemporalBridge:
        """The bridge to ``settings``' Temporal, with its payloads encrypted (``core.payload_keys``).
        The key ring is read now: a process without one stops at start with the ``ConfigError``
        naming what to set, instead of failing each request (and ``/readyz``) later."""
        converter = data_converter(settings)
        return cls(settings.temporal_address, settings.temporal_namespace, settings.task_queue,
                   converter=lambda: converter)

    @classmethod
    def on_loop(cls, client: Client, loop: asyncio.AbstractEventLoop, task_queue: str) -> TemporalBridge:
        """A bridge to a client already connected on a running ``loop`` (call it from another thread)."""
        bridge = cls("(lent client)", client.namespace, task_queue, converter=lambda: client.data_converter)
        bridge._loop, bridge._client = loop, client
        return bridge

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="temporal-client", daemon=True).start()
                self._loop = loop
            return self._loop

    async def _get_client(self) -> Client:
        if self._client is None:  # only ever touched on the bridge's loop, so no race
            try:
                self._client = await Client.connect(self.address, namespace=self.namespace,
                                                    data_converter=self._converter())
            except RuntimeError as error:  # the SDK's "Failed client connect": refused, unknown host...
                raise TemporalUnavailable("cannot connect to Temporal") from error
        return self._client

    def call(self, work: Callable[[Client], Coroutine[Any, Any, T]], timeout: float = DEFAULT_TIMEOUT_SECONDS) -> T:
        """Run ``work(client)`` on the bridge's loop and wait up to ``timeout`` seconds for its result."""

        async def run() -> T:
            return await work(await self._get_client())

        future = asyncio.run_coroutine_threadsafe(run(), self._ensure_loop())
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()  # the caller has given up and answered: stop the work rather than finish it unseen
            raise TemporalUnavailable(f"no answer within {timeout:g} s", timed_out=True) from None
        except TemporalUnavailable:
            raise
        except Exception as error:
            if is_transport_failure(error):
                timed_out = not isinstance(error, RPCError) or error.status is RPCStatusCode.DEADLINE_EXCEEDED
                raise TemporalUnavailable(type(error).__name__, timed_out=timed_out) from error
            raise
