"""The benchmark report: every ``<out>/results/*.json`` into ``<out>/README.md``.

    python -m bench.report [--out docs/benchmarks]

First a table of every bench's headline figures, the development and the production topology
side by side (``<name>.json`` and ``<name>-production.json``, issue 14), then one section per bench
(in ``ORDER``, any other after them by name): its title, where the time of one request goes on each
topology side by side (when the bench profiled one: ``bench.profile``), then per topology the
command that reproduces it, the machine it ran on, its Markdown and its plots (PNG files the bench
wrote next to the README). A results file that is not a bench's JSON, or names a plot that is not
there, stops the report with one line saying which.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .common import DOCS, TOPOLOGIES, describe
from .profile import CATEGORIES
from .tables import ms, table

ORDER = ("issuance", "login", "burst", "scale", "revocation_delay")
REQUIRED = ("name", "title", "command", "machine", "markdown", "plots", "headlines")
MACHINE_KEYS = ("cpu", "cores", "memory_gib", "load_average_at_start", "python", "temporalio")  # bench.common.machine()
TOPOLOGY_NAMES = {"dev": "development topology", "production": "production topology"}


class ReportError(Exception):
    """A results file the report cannot use; the message names it."""


def load_results(results_dir: Path) -> list[dict[str, Any]]:
    """Every bench's payload, in report order."""
    payloads = []
    for path in sorted(results_dir.glob("*.json")):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ReportError(f"{path}: not readable JSON ({error})") from None
        missing = [key for key in REQUIRED if not isinstance(payload, dict) or key not in payload]
        if missing:
            raise ReportError(f"{path}: not a bench result (missing {', '.join(missing)})")
        if not isinstance(payload["machine"], dict) or not set(MACHINE_KEYS) <= payload["machine"].keys():
            raise ReportError(f"{path}: its machine is not bench.common.machine()'s")
        payloads.append(payload)
    if not payloads:
        raise ReportError(f"no results in {results_dir}: run the benches first (scripts/bench)")
    rank = {name: index for index, name in enumerate(ORDER)}
    return sorted(payloads, key=lambda payload: (rank.get(bench_of(payload), len(ORDER)), bench_of(payload),
                                                 topology_of(payload)))


def machine_line(info: dict[str, Any]) -> str:
    extras = [f"Temporal dev server: {info['temporal_dev_server']}" if info.get("temporal_dev_server") else "",
              f"run {info['when']}" if info.get("when") else ""]
    return "; ".join([describe(info).removeprefix("machine: ")] + [extra for extra in extras if extra])


def topology_of(payload: dict[str, Any]) -> str:
    return str(payload.get("topology", "dev"))


def bench_of(payload: dict[str, Any]) -> str:
    """The bench a result belongs to, whatever its topology: ``issuance`` for ``issuance-production``."""
    topology = topology_of(payload)
    return payload["name"] if topology == "dev" else payload["name"].removesuffix(f"-{topology}")


def by_bench(payloads: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Bench → topology → payload, in report order."""
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for payload in payloads:
        grouped.setdefault(bench_of(payload), {})[topology_of(payload)] = payload
    return grouped


def bench_title(runs: dict[str, dict[str, Any]]) -> str:
    if "dev" in runs:
        return runs["dev"]["title"]
    payload = next(iter(runs.values()))
    return payload["title"].split(" — ")[0]


def topology_part(payload: dict[str, Any], out: Path, *, heading: bool) -> str:
    for plot in payload["plots"]:
        if not (out / plot).is_file():
            raise ReportError(f"{out / plot}: plot named by results/{payload['name']}.json is missing")
    parts = [
        *([f"### {payload['title']}"] if heading else []),
        f"Reproduce: `{payload['command']}`",
        f"Machine: {machine_line(payload['machine'])}",
        payload["markdown"].strip(),
        *(f"![{plot}]({plot})" for plot in payload["plots"]),
    ]
    return "\n\n".join(parts)


def profiles_side_by_side(runs: dict[str, dict[str, Any]]) -> str:
    """Where one request's time goes, a column per topology that profiled it; "" if none did."""
    profiles = {topology: payload["results"]["profile"] for topology, payload in runs.items()
                if isinstance(payload.get("results"), dict) and "profile" in payload["results"]}
    if not profiles:
        return ""
    columns = [topology for topology in TOPOLOGIES if topology in profiles]

    def cell(topology: str, pick: Any) -> str:  # noqa: ANN401
        value = pick(profiles[topology])
        return "" if value is None else ms(value)

    rows = [[category, *(cell(topology, lambda profile, c=category: profile["in_app"][c]) for topology in columns)]
            for category in CATEGORIES]
    rows.append(["the app in all",
                 *(cell(topology, lambda profile: profile["in_app"]["total"]) for topology in columns)])
    rows.append(["TLS, HTTP server, nginx (measured p50 − the app)",
                 *(cell(topology, lambda profile: profile["outside_app"]) for topology in columns)])
    rows.append(["one full TLS handshake, alone", *(cell(topology, lambda profile: profile.get("tls_handshake"))
                                                    for topology in columns)])
    return "\n\n".join([
        "Where the time of one request goes (bench/profile.py: the product's app profiled inside the bench process "
        "on the topology's database and Temporal; the rest is outside the app):",
        table(["part", *(TOPOLOGY_NAMES.get(topology, topology) for topology in columns)], rows),
    ])


def section(runs: dict[str, dict[str, Any]], out: Path) -> str:
    both = len(runs) > 1
    parts = [f"## {bench_title(runs)}", profiles_side_by_side(runs)]
    parts += [topology_part(runs[topology], out, heading=both)
              for topology in [*TOPOLOGIES, *sorted(set(runs) - set(TOPOLOGIES))] if topology in runs]
    return "\n\n".join(part for part in parts if part)


def headline_rows(runs: dict[str, dict[str, Any]]) -> list[list[str]]:
    """One row per headline label, its value on each topology ("—" where that topology has not run)."""
    labels: list[str] = []
    values: dict[tuple[str, str], str] = {}
    for topology, payload in runs.items():
        for headline in payload["headlines"]:
            if headline["label"] not in labels:
                labels.append(headline["label"])
            values[headline["label"], topology] = headline["value"]
    title = bench_title(runs)
    return [[title, label, *(values.get((label, topology), "—") for topology in TOPOLOGIES)] for label in labels]


def render(payloads: list[dict[str, Any]], out: Path) -> str:
    grouped = by_bench(payloads)
    rows = [row for runs in grouped.values() for row in headline_rows(runs)]
    return "\n\n".join([
        "# Benchmarks",
        "Generated by `python -m bench.report` from `results/*.json`; `scripts/bench` runs every bench at full size "
        "and then this report. Each section names the command that reproduces it and the machine it ran on. "
        "Every figure is set beside its baseline measured in the same run on the same machine and topology: "
        "the development topology (`rokin dev`'s: werkzeug serving TLS, SQLite, one worker) and the production "
        "topology (`--topology production`: nginx, gunicorn, PostgreSQL, two workers), side by side.",
        table(["bench", "figure", *(TOPOLOGY_NAMES[topology] for topology in TOPOLOGIES)], rows, text_columns=4),
        *(section(runs, out) for runs in grouped.values()),
    ]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="report directory (default docs/benchmarks)")
    out = parser.parse_args(argv).out
    try:
        payloads = load_results(out / "results")
        text = render(payloads, out)
    except ReportError as error:
        print(f"bench.report: {error}", file=sys.stderr)
        return 2
    path = out / "README.md"
    path.write_text(text, encoding="utf-8")
    print(f"bench.report: {len(payloads)} bench(es) → {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
