"""The burst bench's report: latency and count tables, the plot, the results file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from usecases.gateway import LOCKOUT_DEADLINE_SECONDS

from .common import result_name, write_results
from .tables import table

NAME = "burst"
ANSWERED = ("wrong_password", "locked")  # pages that carry the arbiter's answer
PAGE_LABELS = {"wrong_password": "wrong ID or password", "locked": "locked",
               "unavailable": "\"try again later\"", "other": "error page"}
PAGE_COLORS = {"wrong_password": "tab:blue", "locked": "tab:orange", "unavailable": "tab:green", "other": "tab:red"}


def _p50_p99(found: dict[str, Any]) -> str:
    return f"{found['latency_ms']['p50']:,.0f} / {found['latency_ms']['p99']:,.0f} ms"


def _statuses(found: dict[str, Any]) -> str:
    return ", ".join(f"{count}× {status}" for status, count in sorted(found["statuses"].items()))


def markdown(results: dict[str, Any]) -> str:
    attempts = results["attempts"]
    counts = results["counts"]
    many, one = counts["many_ids"], counts["one_id"]
    latency_rows = []
    for key, label in (("many_ids", f"{attempts} IDs × 1"), ("one_id", f"1 ID × {attempts}")):
        found = results[key]
        latency = found["latency_ms"]
        latency_rows.append([label, *(f"{latency[name]:,.0f}" for name in ("p50", "p95", "p99", "max")),
                             f"{found['wall_ms']:,.0f}", _statuses(found), f"{found['web_peak_rss_mib']:.0f}"])
    outcomes = ", ".join(f"{name} {count}" for name, count in sorted(one["arbiter_outcomes"].items()))
    count_rows = [
        [f"{attempts} IDs: pages with the arbiter's answer", f"{many['answered']} (all \"wrong ID or password\": "
                                                              f"{many['wrong_password_pages']})"],
        [f"{attempts} IDs: attempts the arbiter judged (histories)", many["judged"]],
        [f"{attempts} IDs: histories holding one counted failure per judged attempt",
         f"{many['histories_in_order']} of {many['ids']}"],
        [f"{attempts} IDs: read-model rows agreeing", f"{many['read_model_matches']} of {many['ids']}"],
        ["one ID: pages with the arbiter's answer", f"{one['answered']}: \"wrong ID or password\" "
                                                   f"{one['wrong_password_pages']}; \"locked\" "
                                                   f"{one['pages'].get('locked', 0)}"],
        ["one ID: pages without it", ", ".join(f"{count} {PAGE_LABELS[page]}" for page, count in one["pages"].items()
                                               if page not in ANSWERED) or "none"],
        ["one ID: attempts the arbiter judged (history, in order)",
         f"{one['judged']}: {outcomes}{'' if one['history_in_order'] else ' — NOT in the rule order'}"],
        ["one ID: failures counted", one["arbiter_counted"]],
        ["one ID: read model", f"{one['read_model']['failed_attempts']} failures, lock count "
                               f"{one['read_model']['lock_count']}, {one['read_model']['status']}"],
        ["one ID: lock e-mails / all e-mails sent", f"{one['lock_emails']} / {one['emails_total']}"],
        ["one ID: pending lock timers", one["pending_lock_timers"]],
    ]
    return "\n\n".join([
        f"{attempts} simultaneous wrong passwords at the login form (`POST /login` over HTTPS with the user's client "
        f"certificate: production argon2, then the lockout workflow), first on {attempts} different user IDs, then "
        f"{attempts} on one ID, against `rokin web` on the SQLite database.",
        table(["burst", "p50 ms", "p95 ms", "p99 ms", "max ms", "whole burst ms", "HTTP statuses", "web peak RSS MiB"],
              latency_rows),
        table(["counts", "found"], count_rows, text_columns=2),
        f"Counts exact: **{'yes' if counts['exact'] else 'NO'}**; every page carries the arbiter's answer: "
        f"**{'yes' if counts['all_answered'] else 'NO'}**. Each request pays the argon2 verification (64 MiB "
        f"and ~0.1 s of a core) before it reaches the arbiter; the web hashes one password per core at a time, "
        f"in arrival order (`store/passwords.py`), so a burst queues there and the latency spreads from one "
        f"hash to the whole burst while the web's memory stays flat. The arbiter judges one ID's attempts one "
        f"after another, so exactly 6 count and the rest are refused as "
        f"locked.{unanswered_note(f'{attempts} IDs', many)}{unanswered_note('One ID', one)}",
        *([f"Errors the web logged: {', '.join(f'{count}× {text}' for text, count in results['web_errors'].items())}."]
          if results["web_errors"] else []),
    ])


def unanswered_note(label: str, found: dict[str, Any]) -> str:
    waited = found["pages"].get("unavailable", 0)
    if not waited:
        return ""
    return (f" {label}: {waited} attempts waited longer than the web waits for the arbiter "
            f"({LOCKOUT_DEADLINE_SECONDS:.0f} s) and were refused with \"try again later\"; the arbiter judged "
            f"{found['judged'] - found['answered']} of them afterwards, each counted as the rule says.")


def plot(results: dict[str, Any], out: Path, name: str = NAME) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    attempts = results["attempts"]
    bursts = (("many_ids", f"{attempts} IDs × 1"), ("one_id", f"1 ID × {attempts}"))
    figure, axes = pyplot.subplots(1, 3, figsize=(15, 4.2))
    for key, label in bursts:
        latencies = sorted(sample["latency_ms"] for sample in results[key]["samples"])
        axes[0].plot(latencies, [(index + 1) / len(latencies) for index in range(len(latencies))], label=label)
    axes[0].set(xlabel="latency (ms)", ylabel="fraction of requests", title="Latency (CDF)")
    for axis, (key, label) in zip(axes[1:], bursts, strict=True):
        ranked = sorted(results[key]["samples"], key=lambda sample: sample["latency_ms"])
        for page, page_label in PAGE_LABELS.items():
            points = [(rank + 1, sample["latency_ms"]) for rank, sample in enumerate(ranked)
                      if sample["page"].split(":")[0] == page]
            if points:
                xs, ys = zip(*points, strict=True)
                axis.scatter(xs, ys, s=12, label=page_label, color=PAGE_COLORS[page])
        axis.set(xlabel="answer, in order of arrival", ylabel="latency (ms)", title=f"{label}: what each page said")
    for axis in axes:
        axis.grid(alpha=0.3)
        axis.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    file_name = f"{name}-latency.png"
    figure.savefig(out / file_name, dpi=110)
    pyplot.close(figure)
    return [file_name]


def publish(args: argparse.Namespace, measured: dict[str, Any], command: str) -> Path:
    results = measured["results"]
    args.out.mkdir(parents=True, exist_ok=True)
    body = markdown(results)
    topology = getattr(args, "topology", "dev")
    name = result_name(NAME, topology)
    title = "Burst: simultaneous wrong passwords"
    payload = {
        "name": name,
        "title": title if topology == "dev" else f"{title} — {topology} topology",
        "topology": topology,
        "command": command,
        "machine": measured["machine"],
        "results": results,
        "markdown": body,
        "plots": plot(results, args.out, name),
        "headlines": [
            {"label": f"{args.attempts} IDs at once (p50 / p99)", "value": _p50_p99(results["many_ids"])},
            {"label": f"1 ID × {args.attempts} at once (p50 / p99)", "value": _p50_p99(results["one_id"])},
            {"label": "Counts exact", "value": "yes" if results["counts"]["exact"] else "no"},
        ],
    }
    path = write_results(name, payload, out_dir=args.out / "results")
    print()
    print(body)
    print()
    print(f"results: {path}; plots: {', '.join(str(args.out / name) for name in payload['plots'])}")
    return path
