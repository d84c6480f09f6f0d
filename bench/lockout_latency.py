"""Latency of one login attempt through the lockout workflow, on a local dev server.

    python bench/lockout_latency.py [--attempts 500]

Starts the Temporal dev server from the venv (in memory, free port), the product's worker on
a temporary SQLite database, registers one master user, then reports one attempt at a time
exactly as the web does (``workflows.lockout_client.attempt``: update-with-start) and prints
p50/p99 in milliseconds: the first attempt (which starts the workflow) apart, then the rest
(right passwords, with a wrong one in every five, so the state and the read model change).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temporalio.testing import WorkflowEnvironment  # noqa: E402

from domain.lockout import SubjectKind  # noqa: E402
from rokin.config import Settings  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from tests.fixtures.temporal import DEV_SERVER, SEARCH_ATTRIBUTES, product_worker  # noqa: E402
from tests.fixtures.users import registered_master  # noqa: E402
from workflows import lockout_client  # noqa: E402


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def main(attempts: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="rokin-bench-"))
    url = f"sqlite:///{data_dir / 'rokin.db'}"
    upgrade(url)
    settings = replace(Settings.from_env({}), data_dir=data_dir, database_url=url, task_queue="bench",
                       smtp_port=9)  # nothing listens: no e-mail is due anyway (never 6 wrong in a row)
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(DEV_SERVER),
                                                search_attributes=SEARCH_ATTRIBUTES, ui=False)
    try:
        master = registered_master(url)
        timings: list[float] = []
        async with product_worker(env.client, settings):
            for number in range(attempts + 1):
                started = time.perf_counter()
                await lockout_client.attempt(env.client, user_uuid=master.uuid,
                                             organization_code=master.organization_code,
                                             subject_kind=SubjectKind.MASTER, password_ok=number % 5 != 4,
                                             task_queue=settings.task_queue)
                timings.append((time.perf_counter() - started) * 1000)
    finally:
        await env.shutdown()
    first, rest = timings[0], timings[1:]
    print(f"first attempt (starts the workflow): {first:.1f} ms")
    print(f"{len(rest)} attempts: p50 {statistics.median(rest):.1f} ms, p99 {percentile(rest, 0.99):.1f} ms, "
          f"max {max(rest):.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=500)
    asyncio.run(main(parser.parse_args().attempts))
