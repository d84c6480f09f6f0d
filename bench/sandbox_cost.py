"""What a workflow run costs the worker when it is not in its cache: a new instance, then the replay.

A login whose lockout workflow was evicted, and every new issuance or lifecycle, pay it (issue 14,
``bench.scale``). The product's worker runs its workflows in the SDK's sandbox, which imports the
workflow's module again for each new instance; this replays one recorded lockout history many times
with the product's runner and, as the reference, with the SDK's unsandboxed runner, and prints the
worker's CPU per history. Short: the history cut after its second workflow task (a login's miss
replays about that much); full: all of it.

``python -m bench.sandbox_cost [--runs 200]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, WorkflowRunner

import worker as product_worker

from .tables import table

HISTORY = Path(__file__).resolve().parent.parent / "tests/histories/LockoutWorkflow/locked_then_lifted.json"


def histories() -> dict[str, WorkflowHistory]:
    """The recorded history, short and full (unencrypted: it replays with the default converter)."""
    events = json.loads(HISTORY.read_text(encoding="utf-8"))["events"]
    completed = [index for index, event in enumerate(events)
                 if event["eventType"] == "EVENT_TYPE_WORKFLOW_TASK_COMPLETED"]
    cuts = {"short": events[:completed[1] + 1], "full": events}
    return {name: WorkflowHistory.from_json("bench-sandbox-cost", json.dumps({"events": cut}))
            for name, cut in cuts.items()}


async def cpu_ms_per_history(runner: WorkflowRunner, history: WorkflowHistory, runs: int) -> float:
    replayer = Replayer(workflows=product_worker.WORKFLOWS, workflow_runner=runner)

    async def repeated() -> AsyncIterator[WorkflowHistory]:
        for _ in range(runs):
            yield history

    started = time.process_time()
    async with replayer.workflow_replay_iterator(repeated()) as results:
        async for result in results:
            if result.replay_failure is not None:
                raise result.replay_failure
    return (time.process_time() - started) * 1000 / runs


async def measure(runs: int) -> list[list[str]]:
    runners = {"the product's (sandboxed)": product_worker.WORKFLOW_RUNNER,
               "unsandboxed (reference)": UnsandboxedWorkflowRunner()}
    rows = []
    for name, history in histories().items():
        for runner in runners.values():  # warm both: the first replays import and compile
            await cpu_ms_per_history(runner, history, 2)
        costs = {label: await cpu_ms_per_history(runner, history, runs) for label, runner in runners.items()}
        rows += [[f"{name} ({len(history.events)} events)", label, f"{cost:.2f} ms"] for label, cost in costs.items()]
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="replays of each history per runner (default 200)")
    options = parser.parse_args(argv)
    rows = asyncio.run(measure(max(1, options.runs)))
    print(table(["history", "runner", "worker CPU per history"], rows, text_columns=2))


if __name__ == "__main__":
    main()
