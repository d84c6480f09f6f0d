"""``python -m bench`` (``scripts/bench``): which benches and topologies it runs, and its refusals."""

from __future__ import annotations

import subprocess
import sys

from bench.common import ROOT


def bench_all(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench", *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


def test_an_unknown_bench_is_named_and_nothing_runs():
    run = bench_all("--only", "issuance,nosuch")
    assert run.returncode == 2 and "unknown bench nosuch" in run.stderr and "===" not in run.stdout


def test_an_unknown_topology_is_named_and_nothing_runs():
    run = bench_all("--topologies", "dev,docker")
    assert run.returncode == 2 and "--topologies: choose from dev, production, not 'dev,docker'" in run.stderr
    assert "===" not in run.stdout

