"""ruff (the rule set in pyproject.toml, with the bug-finding families) and mypy (strict on domain/,
contract/, workflows/ and usecases/) run with every test run, so CI runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_finds_nothing():
    result = run(str(BIN / "ruff"), "check", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    result = run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr
