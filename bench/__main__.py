"""Every benchmark at full size, in order, then the report (``scripts/bench`` runs this).

    python -m bench [--out docs/benchmarks] [--only issuance,login] [--topologies dev,production]

Each bench runs as its own ``python -m bench.<name> --out <out> [--topology production]`` process with
its default (full) sizes, on each topology (default both, the report puts them side by side), so each
starts its own stack on a quiet machine state; then ``python -m bench.report``.
A bench that fails stops the run (the report would mix old and new figures).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

from .common import DOCS, ROOT, TOPOLOGIES, topology_flag
from .report import ORDER


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="report directory (default docs/benchmarks)")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(ORDER)} (default: all)")
    parser.add_argument("--topologies", default=",".join(TOPOLOGIES),
                        help=f"comma-separated subset of {','.join(TOPOLOGIES)} (default: all)")
    options = parser.parse_args(argv)
    topologies = [name.strip() for name in options.topologies.split(",")]
    if not topologies or any(name not in TOPOLOGIES for name in topologies):
        parser.error(f"--topologies: choose from {', '.join(TOPOLOGIES)}, not {options.topologies!r}")
    out = options.out.resolve()  # the benches run from the repository root
    names = [name.strip() for name in options.only.split(",")] if options.only else list(ORDER)
    unknown = [name for name in names if name not in ORDER]
    if unknown:
        parser.error(f"unknown bench {', '.join(unknown)}; choose from {', '.join(ORDER)}")
    missing = [name for name in names if importlib.util.find_spec(f"bench.{name}") is None]
    if missing:
        print(f"python -m bench: bench/{missing[0]}.py is missing", file=sys.stderr)
        return 2
    for name in names:
        for topology in topologies:
            started = time.monotonic()
            label = f"bench.{name}{topology_flag(topology)}"
            print(f"=== {label}", flush=True)
            run = subprocess.run([sys.executable, "-m", f"bench.{name}", "--out", str(out),
                                  *topology_flag(topology).split()], cwd=ROOT, check=False)
            if run.returncode != 0:
                print(f"python -m bench: {label} failed (exit {run.returncode}); no report written", file=sys.stderr)
                return 1
            print(f"=== {label} took {(time.monotonic() - started) / 60:.1f} min", flush=True)
    return subprocess.run([sys.executable, "-m", "bench.report", "--out", str(out)], cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
