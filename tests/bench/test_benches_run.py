"""Each benchmark runs once at a tiny size, so a change that breaks one is caught here.

Timing is never asserted: the figures belong to the benchmark's own report.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("script", "size"),
    [("bench/lockout_latency.py", ["--attempts", "5"]), ("bench/issuance_latency.py", ["--issuances", "2"])],
)
def test_benchmark_runs_at_tiny_size(script, size):
    run = subprocess.run([sys.executable, script, *size], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "p50" in run.stdout
