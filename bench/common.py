"""What every benchmark shares: the machine it ran on, percentiles, and where results go.

Each bench writes ``docs/benchmarks/results/<name>.json`` (the figures and the machine) and its
plots as ``docs/benchmarks/<name>-*.png``; ``python -m bench.report`` turns the JSON files into
``docs/benchmarks/README.md``. Timings are milliseconds throughout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks"
RESULTS = DOCS / "results"


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile; ``fraction`` in [0, 1]."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summarize(samples_ms: list[float]) -> dict[str, float]:
    """n, mean, p50, p95, p99 and max of a list of millisecond timings."""
    return {
        "n": len(samples_ms),
        "mean": round(statistics.fmean(samples_ms), 2),
        "p50": round(percentile(samples_ms, 0.50), 2),
        "p95": round(percentile(samples_ms, 0.95), 2),
        "p99": round(percentile(samples_ms, 0.99), 2),
        "max": round(max(samples_ms), 2),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _dev_server_version() -> str:
    binary = Path(sys.prefix) / "bin" / "temporal"
    try:
        return subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=False,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict[str, Any]:
    """The facts that make a figure comparable: CPU, cores, memory, load, versions, when."""
    memory_kib = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    return {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "temporalio": _version("temporalio"),
        "temporal_dev_server": _dev_server_version(),
        "platform": platform.platform(),
    }


def describe(info: dict[str, Any]) -> str:
    """One line for the console."""
    return (f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, load "
            f"{info['load_average_at_start'][0]}; Python {info['python']}, temporalio {info['temporalio']}")


TOPOLOGIES = ("dev", "production")  # bench.stack.running_stack's


def add_topology_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topology", choices=TOPOLOGIES, default="dev",
                        help="dev: as `rokin dev` runs (default); production: docker-compose.yml's as processes "
                             "(nginx, gunicorn, two workers, PostgreSQL: bench.production)")


def result_name(name: str, topology: str) -> str:
    """A bench's results and plots are named ``<name>`` on the dev topology, ``<name>-production`` else."""
    return name if topology == "dev" else f"{name}-{topology}"


def topology_flag(topology: str) -> str:
    """The command line's part for ``topology`` (none for the default)."""
    return "" if topology == "dev" else f" --topology {topology}"


def write_results(name: str, payload: dict[str, Any], *, out_dir: Path | None = None) -> Path:
    """Write ``<out_dir or docs/benchmarks/results>/<name>.json`` and return its path."""
    directory = out_dir or RESULTS
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def publish(payload: dict[str, Any], out: Path) -> Path:
    """Write ``payload`` to ``<out>/results/<name>.json``; print its headlines and the machine line."""
    path = write_results(payload["name"], payload, out_dir=out / "results")
    for headline in payload["headlines"]:
        print(f"{headline['label']}: {headline['value']}")
    print(describe(payload["machine"]))
    print(f"results: {path}", flush=True)
    return path
