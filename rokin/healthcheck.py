"""Container health checks for ``docker-compose.yml`` (exit status 0 = healthy).

    python -m rokin.healthcheck http URL   # the server answers (any status below 500)
    python -m rokin.healthcheck worker     # a worker of THIS container polls the task queue

The worker check asks Temporal which workers polled the task queue recently and looks for this
host's identity (the SDK's default ``<pid>@<host name>``, and a container's host name is its
own): a container whose worker hangs, lost Temporal, or never started is unhealthy even while
other replicas (``--scale worker=3``) poll the same queue.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from .config import Settings

TIMEOUT_SECONDS = 5.0
# An idle worker's long poll lasts about a minute, then it polls again.
RECENT_POLL = timedelta(minutes=2, seconds=30)


def http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  (our own URL)
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


async def worker_polls(settings: Settings, host: str | None = None, *, now: datetime | None = None) -> bool:
    """Whether a worker on ``host`` (default: this one) polled both the workflow and the activity
    task queue within ``RECENT_POLL``."""
    suffix = f"@{host or socket.gethostname()}"
    now = now or datetime.now(timezone.utc)
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        described = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace, task_queue=TaskQueue(name=settings.task_queue),
            task_queue_type=kind), timeout=timedelta(seconds=TIMEOUT_SECONDS))
        if not any(poller.identity.endswith(suffix)
                   and now - poller.last_access_time.ToDatetime(tzinfo=timezone.utc) < RECENT_POLL
                   for poller in described.pollers):
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    match arguments:
        case ["http", url]:
            healthy = http_answers(url)
        case ["worker"]:
            try:
                healthy = asyncio.run(asyncio.wait_for(worker_polls(Settings.from_env()), 3 * TIMEOUT_SECONDS))
            except Exception:  # noqa: BLE001  Temporal unreachable, timeout...: unhealthy, and say why
                print(f"{sys.exc_info()[0].__name__}", file=sys.stderr)
                healthy = False
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0 if healthy else 1


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # not sys.exit: the SDK's threads can abort a finishing interpreter (sdk-python#300)
