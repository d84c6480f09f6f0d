"""Where the CPU goes while a bench's timed phases run: each of the stack's processes (a gunicorn master
with its workers as one) and this bench process, so a throughput short of its baseline says which
process spent the machine. PostgreSQL's server processes are not the stack's children: not counted."""

from __future__ import annotations

from typing import Any

import psutil

from ._scale_stack import cpu_seconds
from .stack import Stack

BENCH = "bench (the clients)"


class CpuMeter:
    """``start()`` / ``stop()`` around each timed phase (``bench.load.closed_loop`` calls them); the
    seconds add up over every phase until ``per_operation``."""

    def __init__(self, stack: Stack) -> None:
        self._pids = {name: stack.pid(name) for name in stack.processes if name != "smtp"}
        self._spent = dict.fromkeys([*self._pids, BENCH], 0.0)
        self._started: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        own = psutil.Process().cpu_times()  # this process alone: the stack's processes are its children
        return {**{name: cpu_seconds(pid) for name, pid in self._pids.items()}, BENCH: own.user + own.system}

    def start(self) -> None:
        self._started = self._now()

    def stop(self) -> None:
        for name, seconds in self._now().items():
            self._spent[name] += seconds - self._started[name]

    def per_operation(self, operations: int) -> dict[str, Any]:
        """Milliseconds of CPU per operation, by process, and their total."""
        each = {name: round(1000 * seconds / max(operations, 1), 1) for name, seconds in self._spent.items()}
        return {"by_process": each, "total": round(sum(each.values()), 1)}


def cpu_comparison(product: dict[str, Any], baseline: dict[str, Any], *, what: str,
                   baseline_label: str) -> list[list[str]]:
    """Rows of a table: CPU per operation by process for the product and for its baseline, then the totals."""
    names = list(dict.fromkeys([*product["by_process"], *baseline["by_process"]]))

    def spent(part: dict[str, Any], name: str) -> str:
        return f"{part['by_process'].get(name, 0.0):,.1f} ms"

    rows = [[name, spent(product, name), spent(baseline, name)] for name in names]
    rows.append([f"all of them, per {what}", f"{product['total']:,.1f} ms", f"{baseline['total']:,.1f} ms"])
    return [["process", what, baseline_label], *rows]
