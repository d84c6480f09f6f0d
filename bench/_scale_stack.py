"""What the scale and burst benches read from a running stack (``bench.stack``): resident memory,
SQLite files on disk, the worker's backlog, the sink's mailbox, and a client of their own.

``bench.stack`` runs the product's processes (dev server on its SQLite file, SMTP sink, worker,
web) and can stop and start each on the same files.
"""

from __future__ import annotations

import asyncio
import mailbox
from pathlib import Path

import psutil
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from core.payload_keys import data_converter

from .stack import Stack


def rss_mib(pid: int) -> float:
    """Resident memory of one process, MiB."""
    return round(psutil.Process(pid).memory_info().rss / 2**20, 1)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time one process has used so far, seconds."""
    times = psutil.Process(pid).cpu_times()
    return round(times.user + times.system, 2)


def sqlite_mib(path: Path) -> float:
    """A SQLite database on disk with its -wal and -shm files, MiB."""
    files = (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
    return round(sum(file.stat().st_size for file in files if file.exists()) / 2**20, 2)


def product_db(stack: Stack) -> Path:
    url = stack.settings.database_url
    if not url.startswith("sqlite:///"):
        raise ValueError("the scale bench measures the SQLite product database")
    return Path(url.removeprefix("sqlite:///"))


def mail_count(stack: Stack) -> int:
    folder = stack.data_dir / "mail"
    return len(mailbox.Maildir(folder, create=False)) if (folder / "cur").is_dir() else 0


async def connect(stack: Stack) -> Client:
    return await Client.connect(stack.temporal_address, namespace=stack.settings.temporal_namespace,
                                data_converter=data_converter(stack.settings))  # the stack's processes' key


async def backlog(client: Client, task_queue: str) -> int:
    """Tasks waiting for the worker on the task queue (workflow and activity), as the server estimates."""
    total = 0
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        response = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
            namespace=client.namespace, task_queue=TaskQueue(name=task_queue), task_queue_type=kind,
            report_stats=True))
        total += response.stats.approximate_backlog_count
    return total


async def in_thread(function, *arguments):  # noqa: ANN001, ANN002, ANN201
    """``bench.stack`` waits by sleeping: keep the event loop (and its clients) free meanwhile."""
    return await asyncio.to_thread(function, *arguments)
