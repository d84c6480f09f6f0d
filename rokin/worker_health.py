"""The worker's operations endpoints: Temporal SDK metrics for Prometheus, and ``/healthz``.

- Metrics (``ROKIN_WORKER_METRICS=host:port``): the SDK's own Prometheus endpoint
  (``temporal_`` metrics: task slots, poll and schedule-to-start latencies, failures...), served
  by its runtime; ``worker_runtime`` also forwards the SDK core's log lines to Python logging, so
  they come out in our format.
- Health (``ROKIN_WORKER_HEALTH=host:port``): ``GET /healthz`` answers 200 while the worker runs
  and Temporal lists it among the recent pollers of both its workflow and its activity task queue;
  503 otherwise (starting, stopping, Temporal unreachable, polling stuck). Served on the worker's
  own event loop: a loop that hangs cannot answer at all, which a health check reads as unhealthy.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    PrometheusConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.worker import Worker

from core.config import ConfigError, split_address

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 3.0
REQUEST_TIMEOUT_SECONDS = 5.0
# An idle worker's long poll lasts about a minute, then it polls again.
RECENT_POLL = timedelta(minutes=2, seconds=30)
CORE_LOGGER = "temporalio.core"


def worker_runtime(metrics_address: str | None) -> Runtime:
    """The SDK runtime of the worker's client: core logs through Python logging (our format),
    and the Prometheus endpoint when ``metrics_address`` is set (it binds at once)."""
    try:
        return Runtime(telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                                  forwarding=LogForwardingConfig(logger=logging.getLogger(CORE_LOGGER))),
            metrics=PrometheusConfig(bind_address=metrics_address) if metrics_address else None,
        ))
    except ValueError as error:  # "Failed starting Prometheus exporter: Address already in use"
        raise ConfigError(f"ROKIN_WORKER_METRICS={metrics_address}: {error}") from None


async def polled_recently(client: Client, task_queue: str, identity: str, *, now: datetime | None = None) -> bool:
    """Whether a worker with ``identity`` polled both kinds of ``task_queue`` within ``RECENT_POLL``."""
    now = now or datetime.now(timezone.utc)
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        described = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=task_queue), task_queue_type=kind),
            timeout=timedelta(seconds=PROBE_TIMEOUT_SECONDS))
        if not any(poller.identity == identity
                   and now - poller.last_access_time.ToDatetime(tzinfo=timezone.utc) < RECENT_POLL
                   for poller in described.pollers):
            return False
    return True


class WorkerHealth:
    """What ``/healthz`` reports: unhealthy until ``client`` and ``worker`` are set (starting)."""

    def __init__(self, task_queue: str) -> None:
        self.task_queue = task_queue
        self.client: Client | None = None
        self.worker: Worker | None = None  # polls as ``client.identity`` (we set no identity of its own)

    async def healthy(self) -> bool:
        client, worker = self.client, self.worker
        if client is None or worker is None or not worker.is_running:
            return False
        try:
            return await asyncio.wait_for(polled_recently(client, self.task_queue, client.identity),
                                          PROBE_TIMEOUT_SECONDS * 2)
        except Exception as error:  # noqa: BLE001  Temporal unreachable, timeout: unhealthy
            log.warning("worker health probe failed (%s)", type(error).__name__)
            return False


@asynccontextmanager
async def health_server(address: str, health: WorkerHealth) -> AsyncIterator[asyncio.Server]:
    """Serve ``GET /healthz`` on ``address`` while inside."""
    host, port = split_address(address)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), REQUEST_TIMEOUT_SECONDS)
            while (await asyncio.wait_for(reader.readline(), REQUEST_TIMEOUT_SECONDS)) not in (b"\r\n", b"\n", b""):
                pass  # headers: nothing in them matters
            method, path, *_ = request_line.decode("latin-1").split() or ["", ""]
            if method == "GET" and path == "/healthz":
                ok = await health.healthy()
                status, body = (200, "OK") if ok else (503, "Service Unavailable"), {
                    "status": "ok" if ok else "unavailable"}
            else:
                status, body = (404, "Not Found"), {"status": "not found"}
            payload = json.dumps(body).encode()
            writer.write(f"HTTP/1.1 {status[0]} {status[1]}\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
            await writer.drain()
        except (TimeoutError, ConnectionError, ValueError):
            pass  # a client that says nothing useful gets nothing
        finally:
            writer.close()

    try:
        server = await asyncio.start_server(answer, host, port)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise ConfigError(f"ROKIN_WORKER_HEALTH={address}: cannot listen ({reason})") from None
    try:
        yield server
    finally:
        server.close()
        await server.wait_closed()
