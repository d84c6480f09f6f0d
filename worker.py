"""The Temporal worker: every workflow and activity of the product on one task queue.

Run with ``python worker.py`` (or ``python -m worker``); configuration comes from the
environment (``core.config``). SIGINT/SIGTERM shut it down gracefully.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.worker import Replayer, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities import build_activities
from contract import schedules
from core.config import ConfigError, Settings
from core.logs import configure_logging
from core.payload_keys import data_converter
from rokin.worker_health import WorkerHealth, health_server, worker_runtime
from store.db import make_engine, make_session_factory
from workflows.certificate_lifecycle import CertificateLifecycleWorkflow
from workflows.crl_refresh import CrlRefreshWorkflow
from workflows.issuance import IssuanceWorkflow
from workflows.lockout import LockoutWorkflow
from workflows.notice import NoticeWorkflow
from workflows.reconciliation import ReconciliationWorkflow
from workflows.revocation_request import RevocationRequestWorkflow

# Listed here, not in workflows/__init__.py: the sandbox imports a workflow's package for each new run,
# and an __init__ that imported all seven made every run (and every cached one) carry all seven.
WORKFLOWS = [NoticeWorkflow, LockoutWorkflow, IssuanceWorkflow, CertificateLifecycleWorkflow, CrlRefreshWorkflow,
             RevocationRequestWorkflow, ReconciliationWorkflow]

# The rules package is pure and deterministic, so workflows share the real module: inside the
# sandbox ``datetime`` is a restricted stand-in, and dataclass fields typed with it fail to decode.
# The contract (names, policies, search-attribute keys: constants) is shared too (issue 14): the
# sandbox builds every run its own copy of the modules it does not share, which made each cached run
# cost memory and each run rebuilt after an eviction cost time.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("domain", "contract"))

# Runs kept in memory (the SDK's default is 1,000). A run evicted from the cache is rebuilt from its
# history at its next task: a login whose lockout workflow was evicted waited for that replay
# (issue 14: p50 36 ms with 6,000 live workflows against 16 ms with none). Sized for the active set —
# the lockout workflows of the IDs that log in within a few hours and the issuances under way — not
# for every live workflow: a year-long lifecycle sleeps between its milestones, and is rebuilt then.
# A cached run costs about 0.15 MiB (measured: 155 KiB with the sandbox as configured here, against
# 309 KiB while workflows/__init__.py imported every workflow), so the default 5,000
# (ROKIN_WORKER_CACHED_WORKFLOWS) is about 0.8 GiB per replica; each replica caches the runs it worked,
# so two hold 10,000.


# A workflow's next task goes first to the worker that has it cached (its sticky queue). When that
# worker has died, the task waits this long before any replica may take it: the SDK's 10 s default
# outlasts the web's lockout deadline (usecases.gateway, 8 s), so a login right after a replica's
# crash would be told "try later". A live worker picks its sticky tasks in milliseconds.
STICKY_QUEUE_TIMEOUT = timedelta(seconds=3)


def make_worker(client: Client, settings: Settings, session_factory: sessionmaker[Session]) -> Worker:
    return Worker(client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                  activities=build_activities(settings, session_factory), workflow_runner=WORKFLOW_RUNNER,
                  graceful_shutdown_timeout=timedelta(seconds=10),
                  max_cached_workflows=settings.worker_cached_workflows,
                  sticky_queue_schedule_to_start_timeout=STICKY_QUEUE_TIMEOUT)


def make_replayer(converter: DataConverter) -> Replayer:
    """The worker's workflows and sandbox, for replaying recorded histories (``tests/test_replay.py``).
    ``converter`` holds the keys of the histories' payloads (``core.payload_keys``; old, unencrypted
    histories replay with any)."""
    return Replayer(workflows=WORKFLOWS, workflow_runner=WORKFLOW_RUNNER, data_converter=converter)


async def run_worker(settings: Settings) -> None:
    """Poll until cancelled; cancelling the task shuts the worker down gracefully. With
    ROKIN_WORKER_HEALTH / ROKIN_WORKER_METRICS set, /healthz and the SDK's metrics are served."""
    health = WorkerHealth(settings.task_queue)
    async with contextlib.AsyncExitStack() as stack:
        if settings.worker_health:
            await stack.enter_async_context(health_server(settings.worker_health, health))
        client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                      runtime=worker_runtime(settings.worker_metrics),
                                      data_converter=data_converter(settings))  # the worker inherits it
        await schedules.ensure_schedules(client, settings.task_queue)  # idempotent: the daily CRL and reconciliation
        engine = make_engine(settings.database_url)
        stack.callback(engine.dispose)
        health.client, health.worker = client, make_worker(client, settings, make_session_factory(engine))
        await health.worker.run()


async def _run_until_signalled(settings: Settings) -> None:
    main_task = asyncio.current_task()
    assert main_task is not None
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, main_task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await run_worker(settings)


def main() -> int:
    try:
        settings = Settings.from_env()
        configure_logging(settings)
        asyncio.run(_run_until_signalled(settings))
    except ConfigError as error:  # a bad variable, a port taken: one line, exit 2
        print(f"rokin worker: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
