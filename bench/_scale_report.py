"""The scale bench's report: growth per thousand workflows, tables, plots and the results file."""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

from .common import result_name, summarize, write_results
from .tables import table

NAME = "scale"
GROWTH = (("server_rss_mib", "Dev server resident memory", "MiB"),
          ("worker_rss_mib", "Worker resident memory", "MiB"),
          ("temporal_db_mib", "Temporal SQLite file (with WAL)", "MiB"),
          ("product_db_mib", "Product database (SQLite with its WAL, or PostgreSQL)", "MiB"))


# Runs before the result said how it was served: one worker with the SDK's default cache.
EARLIER_WORKERS = {"processes": 1, "cached_each": 1_000}


def per_thousand(samples: list[dict], key: str) -> float:
    """Least-squares slope of ``key`` against workflows alive, per 1,000, over the second half of the
    growth: the marginal cost once start-up effects (a warming heap, the worker's cache filling) are past."""
    samples = samples[len(samples) // 2:]
    xs = [sample["workflows"] / 1000 for sample in samples]
    ys = [sample[key] for sample in samples]
    if len(set(xs)) < 2:
        return 0.0
    return statistics.linear_regression(xs, ys).slope


def cpu_per_workflow(samples: list[dict]) -> dict[str, float]:
    """CPU milliseconds (user + system) each process spent per workflow started, over the growth."""
    first, last = samples[0], samples[-1]
    started = last["workflows"] - first["workflows"]
    return {key: round((last[f"{key}_cpu_s"] - first[f"{key}_cpu_s"]) * 1000 / started, 1)
            for key in ("server", "worker", "bench")}


def start_rates(steps: list[dict]) -> dict[str, float | None]:
    """Workflows per second, started and settled, overall and per kind; and CPU ms per workflow of each kind."""
    lifecycles = sum(step["lifecycles"] for step in steps)
    lockouts = sum(step["lockouts"] for step in steps)
    lifecycle_s = sum(step["lifecycle_s"] for step in steps)
    lockout_s = sum(step["lockout_s"] for step in steps)
    return {"overall": round((lifecycles + lockouts) / (lifecycle_s + lockout_s), 1),
            "lifecycles": round(lifecycles / lifecycle_s, 1) if lifecycles else None,
            "lockouts": round(lockouts / lockout_s, 1) if lockouts else None,
            "lifecycle_cpu_ms": round(sum(step["lifecycle_cpu_s"] for step in steps) * 1000 / lifecycles, 1)
            if lifecycles else None,
            "lockout_cpu_ms": round(sum(step["lockout_cpu_s"] for step in steps) * 1000 / lockouts, 1)
            if lockouts else None}


def _ms(values: list[float]) -> str:
    if not values:
        return ""
    found = summarize(values)
    return f"{found['p50']:,.0f} / {found['p95']:,.0f} / {found['max']:,.0f}"


def _timer_rows(restart: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for key, label in (("lifecycle_timers", "lifecycles"), ("lock_timers", "locked lockouts")):
        timers = restart[key]
        speed = timers["checked"] / timers["seconds"] if timers["seconds"] else 0
        rows.append([label, f"{timers['matching']:,}", f"{timers['checked']:,}", f"{timers['late']:,}",
                     f"{speed:,.0f}"])
        rows += [[f"— {summary}", f"{count:,}", "", "", ""] for summary, count in sorted(timers["by_summary"].items())]
    return rows


def late_note(timers: list[dict[str, Any]]) -> str:
    late = sum(found["late"] for found in timers)
    if not late:
        return ""
    return (f"; {late:,} of them only on a second look, once the new worker had redone the work that was in flight "
            f"when the old one stopped")


def markdown(args: argparse.Namespace, results: dict[str, Any], slopes: dict[str, float],
             rates: dict[str, float | None], cpu: dict[str, float], cores: int) -> str:
    samples, steps = results["growth"]["samples"], results["growth"]["steps"]
    first, last = samples[0], samples[-1]
    restart = results["restart"]
    running, mail = restart["running"], results["mail"]
    timers = [restart["lifecycle_timers"], restart["lock_timers"]]
    all_timers = all(found["matching"] == found["checked"] for found in timers)
    workers = results.get("workers", EARLIER_WORKERS)
    served_by = "one worker process" if workers["processes"] == 1 else f"{workers['processes']} worker processes"
    growth = table(["", "per 1,000 more workflows", "at start", "all alive"],
                   [[label, f"{slopes[key]:+.2f} {unit}", f"{first[key]:.1f} {unit}", f"{last[key]:.1f} {unit}"]
                    for key, label, unit in GROWTH])
    latency = table(["latency, ms (p50 / p95 / max)", "nothing alive", "all alive", "after restart (cold worker)"], [
        ["login: one lockout update (right password)", _ms(results["baseline"]["logins_ms"]),
         _ms(results["alive"]["logins_ms"]), _ms(restart["cold_logins_ms"])],
        ["issuance: 発行 POST → .p12 (HTTPS)", _ms(results["baseline"]["issue_ms"]), _ms(results["alive"]["issue_ms"]),
         ""],
        ["④ ユーザー認証 POST (argon2 + lockout)", _ms(results["baseline"]["authenticate_ms"]),
         _ms(results["alive"]["authenticate_ms"]), ""],
    ])
    counts = table(["Running in visibility after the restart", "found", "expected"],
                   [[key.replace("_", " "), f"{running['found'][key]:,}",
                     f"{running['expected'][key]:,}" if key in running["expected"] else ""]
                    for key in running["found"]])
    pending = table(["pending timers, every history fetched", "as expected", "checked",
                     "of them after a second look", "histories/s"], _timer_rows(restart))
    sampled = table(["workflows alive", "step rate /s", "dev server MiB", "worker MiB", "Temporal file MiB",
                     "product DB MiB"],
                    [[f"{sample['workflows']:,}", f"{step['rate_per_s']}" if step else "",
                      f"{sample['server_rss_mib']:.0f}", f"{sample['worker_rss_mib']:.0f}",
                      f"{sample['temporal_db_mib']:.1f}", f"{sample['product_db_mib']:.1f}"]
                     for sample, step in zip(samples, [None, *steps], strict=True)])
    return "\n\n".join([
        f"{args.certificates:,} certificate lifecycles and {args.lockouts:,} lockout workflows on one Temporal dev "
        f"server with its SQLite file, served by {served_by}; users and certificates bulk-inserted "
        f"(`bench/_scale_rows.py`), lifecycles started as issuance starts them, each lockout by one wrong "
        f"password through the web's client call; {results['locking']['locked']:,} lockouts then locked.",
        growth,
        f"(Per 1,000 more: the least-squares slope over the second half of the growth.) "
        f"Start rate, each kind timed until the worker's backlog is empty again: **{rates['overall']} "
        f"workflows/s**; lifecycles {rates['lifecycles']}/s ({rates['lifecycle_cpu_ms']} ms of CPU each), lockouts "
        f"(update-with-start with one wrong password, then the read-model mirror) {rates['lockouts']}/s "
        f"({rates['lockout_cpu_ms']} ms of CPU each), {args.concurrency} in flight. Growth took "
        f"{results['growth']['seconds']:,.0f} s, "
        f"the whole run {results['total_seconds']:,.0f} s. CPU per workflow started (user + system, so whatever "
        f"else the machine ran): dev server {cpu['server']:.0f} ms, worker {cpu['worker']:.0f} ms, this bench "
        f"{cpu['bench']:.0f} ms (client and bulk rows); {cores} otherwise idle cores would start about "
        f"{cores * 1000 / sum(cpu.values()):.0f} workflows/s. Each worker caches at most "
        f"{workers['cached_each']:,} workflow runs, so its memory levels off; an evicted workflow is replayed from "
        f"its history when it next has work, which is what the logins with all alive pay (they are sampled from "
        f"all the lockouts, most of them evicted).",
        latency,
        f"Restart: worker and dev server stopped in {restart['stop_s']} s; the server answered again after "
        f"{restart['server_ready_s']} s and the new worker polled {restart['worker_ready_s']} s later. Counts "
        f"{'match' if running['exact'] else 'DO NOT match'} what was started; "
        f"{'every' if all_timers else 'NOT every'} lifecycle and locked lockout holds exactly its one pending "
        f"timer with the summary and fire time it was given (to the second)"
        f"{late_note(timers)}. Unlocked lockouts wait on a condition, not a timer, so their histories are not read.",
        counts,
        pending,
        f"E-mails (renewal notices of certificates already in their window, lock notices, 発行 notices): "
        f"{mail['received']:,} received, {mail['expected']:,} expected.",
        sampled,
    ])


def plots(results: dict[str, Any], out: Path, name: str = NAME) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    samples = results["growth"]["samples"]
    steps = results["growth"]["steps"]
    workflows = [sample["workflows"] for sample in samples]
    written = []

    def save(figure, file_name: str) -> None:  # noqa: ANN001
        figure.tight_layout()
        figure.savefig(out / file_name, dpi=110)
        pyplot.close(figure)
        written.append(file_name)

    figure, axis = pyplot.subplots(figsize=(7, 4))
    for key, label, _ in GROWTH[:2]:
        axis.plot(workflows, [sample[key] for sample in samples], marker="o", label=label)
    axis.set(xlabel="workflows alive", ylabel="resident memory (MiB)", title="Memory vs workflows alive")
    axis.set_ylim(bottom=0)
    axis.legend()
    axis.grid(alpha=0.3)
    save(figure, f"{name}-memory.png")

    figure, axis = pyplot.subplots(figsize=(7, 4))
    for key, label, _ in GROWTH[2:]:
        axis.plot(workflows, [sample[key] for sample in samples], marker="o", label=label)
    axis.set(xlabel="workflows alive", ylabel="size on disk (MiB)", title="Database size vs workflows alive")
    axis.set_ylim(bottom=0)
    axis.legend()
    axis.grid(alpha=0.3)
    save(figure, f"{name}-storage.png")

    figure, axis = pyplot.subplots(figsize=(7, 4))
    at = [sample["workflows"] for sample in samples[1:]]
    axis.plot(at, [step["rate_per_s"] for step in steps], marker="o", label="both kinds")
    axis.plot(at, [step["lifecycle_rate_per_s"] for step in steps], marker=".", linestyle="--",
              label="certificate lifecycles")
    axis.plot(at, [step["lockout_rate_per_s"] for step in steps], marker=".", linestyle="--",
              label="lockouts (update-with-start)")
    axis.set(xlabel="workflows alive at the end of the step", ylabel="workflows/s (started and settled)",
             title="Start rate")
    axis.set_ylim(bottom=0)
    axis.legend()
    axis.grid(alpha=0.3)
    save(figure, f"{name}-start-rate.png")
    return written


def headlines(args: argparse.Namespace, results: dict[str, Any], slopes: dict[str, float],
              rates: dict[str, float | None], cpu: dict[str, float]) -> list[dict[str, str]]:
    """The report's summary rows; the all-alive latencies beside the same probes with nothing alive."""
    samples, restart = results["growth"]["samples"], results["restart"]
    timers = restart["lifecycle_timers"]["matching"] + restart["lock_timers"]["matching"]
    checked = restart["lifecycle_timers"]["checked"] + restart["lock_timers"]["checked"]

    def alive_against_empty(key: str) -> str:
        alive, empty = summarize(results["alive"][key])["p50"], summarize(results["baseline"][key])["p50"]
        return f"{alive:.0f} ms ({alive / empty:.2f}× the {empty:.0f} ms with nothing alive)"

    return [
        {"label": "Workflows alive", "value": f"{args.certificates:,} lifecycles + {args.lockouts:,} lockouts"},
        {"label": "Start rate (started and settled)", "value": f"{rates['overall']} workflows/s"},
        {"label": "CPU per workflow started (server + worker)",
         "value": f"{cpu['server'] + cpu['worker']:.0f} ms"},
        {"label": "Dev server memory", "value": f"{slopes['server_rss_mib']:+.1f} MiB per 1,000 workflows"},
        {"label": "Worker memory, all alive", "value": f"{samples[-1]['worker_rss_mib']:.0f} MiB"},
        {"label": "Temporal SQLite file", "value": f"{slopes['temporal_db_mib']:+.2f} MiB per 1,000 workflows"},
        {"label": "Login with all alive (p50)", "value": alive_against_empty("logins_ms")},
        {"label": "Issuance with all alive (p50)", "value": alive_against_empty("issue_ms")},
        {"label": "Timers pending after restart", "value": f"{timers:,} / {checked:,}"},
    ]


def publish(args: argparse.Namespace, measured: dict[str, Any], command: str) -> Path:
    results = measured["results"]
    samples = results["growth"]["samples"]
    slopes = {key: round(per_thousand(samples, key), 3) for key, _, _ in GROWTH}
    rates = start_rates(results["growth"]["steps"])
    cpu = cpu_per_workflow(samples)
    results["per_thousand"] = slopes
    results["start_rate_per_s"] = rates
    results["cpu_ms_per_workflow"] = cpu
    args.out.mkdir(parents=True, exist_ok=True)
    body = markdown(args, results, slopes, rates, cpu, measured["machine"]["cores"] or 1)
    topology = getattr(args, "topology", "dev")
    name = result_name(NAME, topology)
    title = "Lifecycle scale: live workflows on one dev server"
    payload = {
        "name": name,
        "title": title if topology == "dev" else f"{title} — {topology} topology",
        "topology": topology,
        "command": command,
        "machine": measured["machine"],
        "results": {"arguments": {key: value for key, value in vars(args).items() if key != "out"}, **results},
        "markdown": body,
        "plots": plots(results, args.out, name),
        "headlines": headlines(args, results, slopes, rates, cpu),
    }
    path = write_results(name, payload, out_dir=args.out / "results")
    print()
    print(body)
    print()
    print(f"results: {path}; plots: {', '.join(str(args.out / name) for name in payload['plots'])}")
    return path
