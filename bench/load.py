"""Closed-loop load: N clients, each a thread doing its operations back to back.

Each client first prepares (untimed: its users, its sessions...), then all start together at a
barrier; throughput is the operations completed over the wall time from the barrier to the last
client's end, latency is what each operation's ``step`` reports.

An operation the system under test fails (an error page, a dropped connection, a timeout:
``FAILURES``) is counted and the client goes on — the report shows how many failed and why —
unless most of them fail, which is not a measurement any more. Any other exception is a bug of
the bench and stops it at once.
"""

from __future__ import annotations

import argparse
import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .browser import PageError
from .common import summarize

Step = Callable[[int], float]  # the j-th operation of a client; returns its milliseconds
FAILURES = (PageError, OSError, http.client.HTTPException)  # OSError: TLS, connections, timeouts
EXAMPLES = 3  # distinct failure messages kept for the report


def parse_levels(text: str) -> list[int]:
    """``--levels 1,4,8,16``: concurrency levels, ascending."""
    try:
        levels = sorted({int(value) for value in text.split(",") if value.strip()})
    except ValueError:
        levels = []
    if not levels or levels[0] < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: levels are positive integers, comma-separated (1,4,8,16)")
    return levels


def stopwatch(operation: Callable[[], Any]) -> float:
    """Run ``operation``; its milliseconds."""
    started = time.perf_counter()
    operation()
    return (time.perf_counter() - started) * 1000


@dataclass
class Run:
    clients: int
    samples_ms: list[float]  # of the operations that succeeded
    seconds: float
    failures: list[str] = field(default_factory=list)  # one line per failed operation

    @property
    def throughput(self) -> float:
        """Successful operations per second."""
        return len(self.samples_ms) / self.seconds

    @classmethod
    def combined(cls, runs: list[Run]) -> Run:
        """Rounds of the same clients as one run: their samples, their timed seconds added up."""
        return cls(runs[0].clients, [sample for run in runs for sample in run.samples_ms],
                   sum(run.seconds for run in runs), [failure for run in runs for failure in run.failures])

    def summary(self) -> dict[str, Any]:
        return {"clients": self.clients, "throughput_per_s": round(self.throughput, 2),
                "seconds": round(self.seconds, 2), **summarize(self.samples_ms), "failed": len(self.failures),
                "failure_examples": list(dict.fromkeys(self.failures))[:EXAMPLES]}


def closed_loop(clients: int, per_client: int, prepare: Callable[[int], Step], meter: Any = None) -> Run:
    """``prepare(client_index)`` returns that client's step; each client runs ``per_client`` steps.
    ``meter`` (``bench.cpu.CpuMeter``): started once every client is prepared, stopped when all are done."""
    barrier = threading.Barrier(clients + 1)
    samples: list[list[float]] = [[] for _ in range(clients)]
    failed: list[str] = []
    errors: list[BaseException] = []  # the bench's own: stop

    def client(index: int) -> None:
        try:
            step = prepare(index)
        except BaseException as error:  # noqa: BLE001  reported after the others are released
            errors.append(error)
            barrier.abort()
            return
        try:
            barrier.wait()
            for number in range(per_client):
                try:
                    samples[index].append(step(number))
                except FAILURES as failure:
                    failed.append(f"{type(failure).__name__}: {str(failure)[:200]}")
        except threading.BrokenBarrierError:
            return
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=client, args=(index,), name=f"bench-client-{index}")
               for index in range(clients)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    if meter is not None:
        meter.start()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if meter is not None:
        meter.stop()
    if errors:
        raise errors[0]
    run = Run(clients, [sample for client_samples in samples for sample in client_samples], seconds, failed)
    if len(failed) * 2 > clients * per_client:
        raise RuntimeError(f"{len(failed)} of {clients * per_client} operations failed, e.g. {failed[0]}")
    return run
