"""The Temporal worker: every workflow and activity of the product on one task queue.

Run with ``python worker.py`` (or ``python -m worker``); configuration comes from the
environment (``rokin.config``). SIGINT/SIGTERM shut it down gracefully.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.worker import Replayer, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities import build_activities
from rokin.config import Settings
from store.db import make_engine, make_session_factory
from workflows import WORKFLOWS, schedules


# The rules package is pure and deterministic, so workflows share the real module: inside the
# sandbox ``datetime`` is a restricted stand-in, and dataclass fields typed with it fail to decode.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules("domain"))


def make_worker(client: Client, settings: Settings, session_factory: sessionmaker[Session]) -> Worker:
    return Worker(client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                  activities=build_activities(settings, session_factory), workflow_runner=WORKFLOW_RUNNER,
                  graceful_shutdown_timeout=timedelta(seconds=10))


def make_replayer(data_converter: DataConverter = DataConverter.default) -> Replayer:
    """The worker's workflows and sandbox, for replaying recorded histories (``tests/test_replay.py``)."""
    return Replayer(workflows=WORKFLOWS, workflow_runner=WORKFLOW_RUNNER, data_converter=data_converter)


async def run_worker(settings: Settings) -> None:
    """Poll until cancelled; cancelling the task shuts the worker down gracefully."""
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    await schedules.ensure_schedules(client, settings.task_queue)  # idempotent: the daily CRL and reconciliation
    engine = make_engine(settings.database_url)
    try:
        await make_worker(client, settings, make_session_factory(engine)).run()
    finally:
        engine.dispose()


async def _run_until_signalled() -> None:
    main_task = asyncio.current_task()
    assert main_task is not None
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, main_task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await run_worker(Settings.from_env())


def main() -> None:
    asyncio.run(_run_until_signalled())


if __name__ == "__main__":
    main()
