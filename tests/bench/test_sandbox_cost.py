"""bench.sandbox_cost replays a recorded history with both runners and prints a figure for each."""

from __future__ import annotations

import re

from .test_benches_run import run_module

ROW = re.compile(r"^\| (short|full) \((\d+) events\) \| (.+?) \| ([\d.]+) ms \|$", re.MULTILINE)


def test_each_history_gets_a_cost_with_each_runner():
    run = run_module("bench.sandbox_cost", "--runs", "3")
    assert run.returncode == 0, run.stderr[-3000:]
    rows = ROW.findall(run.stdout)
    assert [(kind, runner) for kind, _, runner, _ in rows] == [
        ("short", "the product's (sandboxed)"), ("short", "unsandboxed (reference)"),
        ("full", "the product's (sandboxed)"), ("full", "unsandboxed (reference)")], run.stdout
    short, full = int(rows[0][1]), int(rows[2][1])
    assert 0 < short < full
    assert all(float(cost) > 0 for *_, cost in rows)
