"""The bare Temporal baseline: the least a workflow can cost on the same server, in its own worker.

- ``BareLocalWorkflow``: one no-op local activity, then done — what issuance costs Temporal at the
  least with the product's settings (issue 14: the signing step is a local activity inside the
  workflow task; no eager start, as the web polls no task queue): start, one workflow task, result.
- ``BareWorkflow``: one no-op (regular) activity, then done — the old floor, what a plain Temporal
  program gets: start, a workflow task, an activity task, a workflow task, result. Its worker runs
  with ``--plain`` (no eager activity dispatch), as a program on a server without it would.
- ``IdleWorkflow``: answers an update that does nothing (what a lockout attempt costs at the
  least: one update on a running workflow); it waits until cancelled.

``python -m bench.bare --address A --task-queue Q`` runs their worker: a process of its own, like
the product's worker, so the baseline's load generator and worker do not share a GIL. It imports
only temporalio (no product code), which keeps the workflow sandbox's work minimal too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

ACTIVITY_TIMEOUT = timedelta(seconds=30)


@activity.defn(name="BenchNoop")
async def noop() -> None:
    """Nothing: the round trip through the server is what is measured."""


@workflow.defn(name="BenchBareWorkflow")
class BareWorkflow:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(noop, start_to_close_timeout=ACTIVITY_TIMEOUT)


@workflow.defn(name="BenchBareLocalWorkflow")
class BareLocalWorkflow:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_local_activity(noop, start_to_close_timeout=ACTIVITY_TIMEOUT)


@workflow.defn(name="BenchIdleWorkflow")
class IdleWorkflow:
    def __init__(self) -> None:
        self.answered = 0

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.update
    async def touch(self, value: bool) -> bool:
        self.answered += 1
        return value


async def run_worker(address: str, task_queue: str, *, plain: bool = False) -> None:
    """``plain``: no eager activity dispatch (the old floor's worker)."""
    # No payload codec: the baseline is bare Temporal; the product's AES-GCM codec is part of what it measures.
    client = await Client.connect(address)
    worker = Worker(client, task_queue=task_queue, workflows=[BareWorkflow, BareLocalWorkflow, IdleWorkflow],
                    activities=[noop], graceful_shutdown_timeout=timedelta(seconds=5),
                    disable_eager_activity_execution=plain)
    main = asyncio.current_task()
    assert main is not None
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, main.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await worker.run()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the bare baseline's worker")
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--plain", action="store_true", help="no eager activity dispatch (the old floor)")
    arguments = parser.parse_args()
    asyncio.run(run_worker(arguments.address, arguments.task_queue, plain=arguments.plain))
