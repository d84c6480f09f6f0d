"""What the scale and burst benches read from a running stack (``bench.stack``): resident memory and
CPU time (a gunicorn master with its children counts as one), database sizes on disk (SQLite files, or
the PostgreSQL database of the production topology), the workers' backlog, the sink's mailbox, and a
client of their own.

``bench.stack`` runs the product's processes (dev server on its SQLite file, SMTP sink, worker(s),
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


def _tree(pid: int) -> list[psutil.Process]:
    """The process and its descendants (gunicorn's workers), those still alive."""
    process = psutil.Process(pid)
    return [process, *process.children(recursive=True)]


def rss_mib(*pids: int) -> float:
    """Resident memory of the processes and their children, MiB."""
    total = 0
    for pid in pids:
        for process in _tree(pid):
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
    return round(total / 2**20, 1)


def cpu_seconds(*pids: int) -> float:
    """User + system CPU time the processes (with their children) have used so far, seconds."""
    total = 0.0
    for pid in pids:
        for process in _tree(pid):
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return round(total, 2)


def sqlite_mib(path: Path) -> float:
    """A SQLite database on disk with its -wal and -shm files, MiB."""
    files = (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
    return round(sum(file.stat().st_size for file in files if file.exists()) / 2**20, 2)


def product_db_mib(stack: Stack) -> float:
    """The product database's size on disk: the SQLite file with its WAL, or the PostgreSQL database."""
    url = stack.settings.database_url
    if url.startswith("sqlite:///"):
        return sqlite_mib(Path(url.removeprefix("sqlite:///")))
    from sqlalchemy import text

    from store.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    finally:
        engine.dispose()
    return round(int(size) / 2**20, 2)


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
