"""Issuance: 発行 → .p12 through the real web, against a bare workflow and the raw cryptography.

    python -m bench.issuance [--serial 200] [--levels 1,4,8,16] [--per-client 20] [--out docs/benchmarks]

The product runs as ``rokin dev`` runs it (``bench.stack``): the Temporal dev server on its SQLite
file, the product's worker, the SMTP sink and ``rokin web`` over HTTPS, each its own process.
Every simulated user is a fresh registered master user (a new one per issuance: a user holding a
valid certificate may not issue again) whose password hash has the production argon2id cost.

Timed: the 発行 POST of a real HTTPS client on its keep-alive connection, until ⑦'s page with
the .p12 is read — the web checks the ticket's fingerprint of the stored hash (an HMAC, no second
argon2id since issue 14), makes the key pair and CSR, the issuance workflow signs (a local
activity in its first workflow task), the web builds the .p12 and confirms (recorded ACTIVE by a
local activity; the lifecycle starts after the answer). Not timed: ④ ユーザー認証 before it.
Serially (one client, ④ then 発行 in turn), then
at each concurrency level: every client holds its own users at ⑤ (④ done beforehand, each in
its own session), then all press 発行 back to back; as ⑤'s ticket lasts five minutes, this goes
in rounds of ``ROUND`` issuances per client, and the rate is over the rounds' timed seconds.

Baselines, in the same run, serially and at the same levels: a bare workflow with one no-op
local activity on the same server (``bench.bare``, its own worker process; the product's eager
settings: local activity, no eager start), the raw cryptography with the product's functions
(``bench.baseline.raw_crypto``) and one argon2id verification (what the 発行 POST used to repeat).
The floor is bare workflow + raw cryptography back to back; at N clients its throughput is
N / (mean bare workflow + mean raw cryptography), by Little's law. The old floor's bare workflow
(one regular activity, what a plain Temporal program gets) is measured beside it and reported.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import journeys, plots
from . import profile as profiling
from .baseline import (
    ARGON2_LABEL,
    BARE_REGULAR_LABEL,
    BARE_WORKFLOW_LABEL,
    RAW_CRYPTO_LABEL,
    BareTemporal,
    argon2_verification,
    client_ca,
    raw_crypto,
)
from .browser import Browser, PageError, tls_context
from .common import DOCS, add_topology_argument, describe, machine, publish, result_name, topology_flag
from .cpu import BENCH, CpuMeter
from .load import FAILURES, Run, Step, closed_loop, parse_levels, stopwatch
from .people import Person, check_production_hashes, describe_hashing, make_masters
from .stack import Stack, running_stack
from .tables import failures_note, ms, per_second, table, times

NAME = "issuance"
TITLE = "Issuance: 発行 → .p12 through the web"
WARM_UP = 2  # first issuances connect the web's Temporal client, load the CA...: not counted
ROUND = 10  # issuances per client prepared at ⑤ at once: the ticket must not expire before 発行
PROFILED = 5  # 発行 POSTs profiled in the bench process ("where the time goes"), after one untimed
ISSUANCE_LABEL = "issuance: 発行 → .p12 (HTTPS, web + workflow)"
FLOOR_LABEL = "floor: bare workflow + raw cryptography"
OLD_FLOOR_LABEL = "old floor: old bare workflow (regular activity) + raw cryptography"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.issuance", description=__doc__.splitlines()[0])
    parser.add_argument("--serial", type=int, default=200, help="issuances timed one at a time (default 200)")
    parser.add_argument("--levels", type=parse_levels, default=[1, 4, 8, 16], help="concurrent clients (1,4,8,16)")
    parser.add_argument("--per-client", type=int, default=20, help="issuances per client at each level (20)")
    parser.add_argument("--out", type=Path, default=DOCS, help="report directory (default docs/benchmarks)")
    add_topology_argument(parser)
    parsed = parser.parse_args(argv)
    if parsed.serial < 1 or parsed.per_client < 1:
        parser.error("--serial and --per-client must be at least 1")
    return parsed


class Issuances:
    """The product's 発行 as clients press it, each client with its own users."""

    def __init__(self, stack: Stack, people: list[Person]) -> None:
        self.stack = stack
        self.context = tls_context(stack.ca_certificate)
        self._people = iter(people)
        self._browsers: dict[int, Browser] = {}

    def take(self, count: int) -> list[Person]:
        return [next(self._people) for _ in range(count)]

    def browser(self, client: int) -> Browser:
        """Client ``client``'s browser: one keep-alive connection, used by one thread at a time."""
        if client not in self._browsers:
            self._browsers[client] = Browser(self.stack.web_url, self.context)
        return self._browsers[client]

    def close(self) -> None:
        for browser in self._browsers.values():
            browser.close()

    def serial_step(self, people: list[Person]) -> Step:
        """④ (untimed) then 発行 (timed), user after user, on one connection."""
        browser = self.browser(0)

        def step(number: int) -> float:
            ready = journeys.authenticate_for_issuance(browser, people[number])
            return self._timed_issue(browser, ready, check=number == 0)

        return step

    def in_rounds(self, groups: list[list[Person]], meter: CpuMeter | None = None) -> Run:
        """Client ``i`` issues to ``groups[i]``: rounds of ⑤ for ``ROUND`` users each, then their 発行s
        (``meter`` counts the CPU of the 発行s only, not of the untimed ④s)."""
        runs = []
        for start in range(0, len(groups[0]), ROUND):
            chunks = [group[start:start + ROUND] for group in groups]
            runs.append(closed_loop(len(groups), len(chunks[0]),
                                    lambda client, chunks=chunks: self._prepared_step(client, chunks[client]),
                                    meter))
        return Run.combined(runs)

    def _prepared_step(self, client: int, people: list[Person]) -> Step:
        """Every user at ⑤ first (untimed), then 発行 after 発行 (timed). A ④ that failed counts
        as a failed issuance."""
        browser = self.browser(client)
        readies: list[journeys.Ready | PageError] = []
        for person in people:
            try:
                readies.append(journeys.authenticate_for_issuance(browser, person))
            except FAILURES as failure:
                readies.append(PageError(f"④ failed: {failure}"))

        def step(number: int) -> float:
            ready = readies[number]
            if isinstance(ready, PageError):
                raise ready
            return self._timed_issue(browser, ready, check=number == 0)

        return step

    def _timed_issue(self, browser: Browser, ready: journeys.Ready, *, check: bool) -> float:
        p12: list[bytes] = []
        elapsed = stopwatch(lambda: p12.append(journeys.press_issue(browser, ready)))
        if check:  # the file is real: the user's password opens it (untimed)
            journeys.open_p12(p12[0], ready.person.password)
        return elapsed


def measure(stack: Stack, options: argparse.Namespace) -> dict[str, Any]:
    total_users = WARM_UP + options.serial + sum(options.levels) * options.per_client + PROFILED + 1
    print(f"making {total_users} users...", flush=True)
    issuances = Issuances(stack, make_masters(stack.settings.database_url, total_users))
    check_production_hashes(stack.settings.database_url)
    bare = BareTemporal(stack)
    ca = client_ca(stack.settings)
    baselines: dict[str, Callable[[], Any]] = {
        "bare_workflow": bare.workflow,
        "bare_workflow_regular": bare.regular_workflow,
        "raw_crypto": lambda: raw_crypto(ca, stack.settings),
        "argon2": argon2_verification,
    }
    try:
        closed_loop(1, WARM_UP, lambda _client: issuances.serial_step(issuances.take(WARM_UP)))
        for operation in baselines.values():
            closed_loop(1, WARM_UP, each_alone(operation))
        serial = measure_serial(issuances, baselines, options.serial)
        levels, cpu = zip(*(measure_level(issuances, baselines, clients, options.per_client)
                            for clients in options.levels), strict=True)
        print("where the time goes: one 発行 POST profiled in the app...", flush=True)
        profile = profile_issuance(stack, issuances.take(PROFILED + 1))
        return {"serial": serial, "levels": list(levels), "cpu": list(cpu),
                "profile": profile, "tls_handshake": profiling.tls_handshake_ms(stack.web_url, issuances.context),
                "topology": stack.topology}
    finally:
        issuances.close()


def profile_issuance(stack: Stack, people: list[Person]) -> dict[str, float]:
    """The 発行 POST in the product's app in this process (``bench.profile``), ④ before it untimed."""
    app = profiling.in_process_app(stack.settings)
    waiting = iter(people)

    def request(watches: profiling.Stopwatches) -> float:
        person, client = next(waiting), app.test_client()
        page = profiling.get(client, "/certificate/issue")
        confirm = profiling.post(client, "/certificate/issue", referer="/certificate/issue", data={
            "csrf_token": profiling.form_token(page), "user_id": person.user_id, "password": person.password})
        ticket = journeys.TICKET.search(confirm.get_data(as_text=True))
        if ticket is None:
            raise PageError(f"④ answered {confirm.status_code} without a ticket in the profiled app")
        elapsed: list[float] = []
        with profiling.timing(watches, elapsed):
            done = profiling.post(client, "/certificate/issue/run", referer="/certificate/issue",
                                  data={"csrf_token": profiling.form_token(confirm), "ticket": ticket.group(1)})
        if done.status_code != 200:
            raise PageError(f"発行 answered {done.status_code} in the profiled app")
        return elapsed[0]

    with profiling.instrumented() as warm:  # the app's first request connects to Temporal, loads the CA...
        request(warm)
    return profiling.profile_requests(request, len(people) - 1)


def each_alone(operation: Callable[[], Any]) -> Callable[[int], Step]:
    """Every client repeats ``operation``, timed."""
    return lambda _client: lambda _number: stopwatch(operation)


def measure_serial(issuances: Issuances, baselines: dict[str, Callable[[], Any]], count: int) -> dict[str, Run]:
    print(f"serial: {count} issuances and as many of each baseline...", flush=True)
    people = issuances.take(count)
    runs = {"issuance": closed_loop(1, count, lambda _client: issuances.serial_step(people))}
    runs |= {name: closed_loop(1, count, each_alone(operation)) for name, operation in baselines.items()}
    report(f"serial ({count})", runs, rates=False)
    return runs


def measure_level(issuances: Issuances, baselines: dict[str, Callable[[], Any]], clients: int,
                  per_client: int) -> tuple[dict[str, Run], dict[str, Any]]:
    """The runs at ``clients``, and the CPU per operation each process spent on the product's 発行s and on
    the raw cryptography (the bench process's own)."""
    print(f"{clients} client(s) x {per_client}...", flush=True)
    product, crypto = CpuMeter(issuances.stack), CpuMeter(issuances.stack)
    runs = {"issuance": issuances.in_rounds([issuances.take(per_client) for _ in range(clients)], product)}
    runs |= {name: closed_loop(clients, per_client, each_alone(operation), crypto if name == "raw_crypto" else None)
             for name, operation in baselines.items()}
    report(f"{clients} client(s)", runs, rates=True)
    cpu = {"issuance": product.per_operation(len(runs["issuance"].samples_ms)),
           "raw_crypto_ms": crypto.per_operation(len(runs["raw_crypto"].samples_ms))["by_process"][BENCH]}
    print(f"    CPU per 発行: {cpu['issuance']['by_process']} (total {cpu['issuance']['total']} ms); "
          f"raw cryptography {cpu['raw_crypto_ms']} ms", flush=True)
    return runs, cpu


def report(heading: str, runs: dict[str, Run], *, rates: bool) -> None:
    """Print what was measured (serially, the issuance's rate would include the untimed ④: left out)."""
    print(f"  {heading}:")
    for name, run in runs.items():
        summary = run.summary()
        rate = f"  {summary['throughput_per_s']:7.2f}/s" if rates else ""
        failed = f", {summary['failed']} failed" if summary["failed"] else ""
        print(f"    {name:13} p50 {summary['p50']:8.1f} ms  p95 {summary['p95']:8.1f} ms  p99 {summary['p99']:8.1f} ms"
              f"{rate}  (n={summary['n']}{failed})", flush=True)


def floor(runs: dict[str, Run], *, with_argon2: bool = False, bare: str = "bare_workflow") -> dict[str, float]:
    """Bare workflow and raw cryptography back to back (and argon2 too): latency sums, Little's-law rate.
    ``bare``: "bare_workflow_regular" for the old floor (a regular activity)."""
    parts = [runs[bare], runs["raw_crypto"]] + ([runs["argon2"]] if with_argon2 else [])
    summaries = [part.summary() for part in parts]
    mean_ms = sum(summary["mean"] for summary in summaries)
    return {
        "p50": round(sum(summary["p50"] for summary in summaries), 2),
        "p99": round(sum(summary["p99"] for summary in summaries), 2),
        "mean": round(mean_ms, 2),
        "throughput_per_s": round(parts[0].clients / (mean_ms / 1000), 2),
    }


def figures(measured: dict[str, Any]) -> dict[str, Any]:
    """Summaries, floors and ratios (JSON-ready)."""
    serial_runs: dict[str, Run] = measured["serial"]
    serial = {name: run.summary() for name, run in serial_runs.items()}
    serial_floor, serial_floor_argon2 = floor(serial_runs), floor(serial_runs, with_argon2=True)
    serial_old_floor = floor(serial_runs, bare="bare_workflow_regular")
    issuance_p50 = serial["issuance"]["p50"]
    levels = []
    for runs, cpu in zip(measured["levels"], measured["cpu"], strict=True):
        summaries = {name: run.summary() for name, run in runs.items()}
        level_floor, level_floor_argon2 = floor(runs), floor(runs, with_argon2=True)
        level_old_floor = floor(runs, bare="bare_workflow_regular")
        throughput = summaries["issuance"]["throughput_per_s"]
        levels.append({
            "clients": runs["issuance"].clients, **summaries, "floor": level_floor,
            "floor_with_argon2": level_floor_argon2, "old_floor": level_old_floor, "cpu_ms": cpu,
            "ratios": {
                "throughput_to_floor": round(throughput / level_floor["throughput_per_s"], 3),
                "throughput_to_floor_with_argon2": round(throughput / level_floor_argon2["throughput_per_s"], 3),
                "throughput_to_bare_workflow": round(throughput / summaries["bare_workflow"]["throughput_per_s"], 3),
                "throughput_to_raw_crypto": round(throughput / summaries["raw_crypto"]["throughput_per_s"], 3),
                "throughput_to_old_floor": round(throughput / level_old_floor["throughput_per_s"], 3),
                "p50_to_floor": round(summaries["issuance"]["p50"] / level_floor["p50"], 3),
                "p99_to_p50": round(summaries["issuance"]["p99"] / summaries["issuance"]["p50"], 3),
            },
        })
    return {
        "profile": {**profiling.profile_summary(measured["profile"], measured_p50=serial["issuance"]["p50"],
                                                tls_ms=measured["tls_handshake"]), "topology": measured["topology"]},
        "serial": {**serial, "floor": serial_floor, "floor_with_argon2": serial_floor_argon2,
                   "old_floor": serial_old_floor,
                   "ratios": {"p50_to_floor": round(issuance_p50 / serial_floor["p50"], 3),
                              "p50_to_old_floor": round(issuance_p50 / serial_old_floor["p50"], 3),
                              "p50_to_bare_workflow": round(issuance_p50 / serial["bare_workflow"]["p50"], 3),
                              "p50_to_raw_crypto": round(issuance_p50 / serial["raw_crypto"]["p50"], 3),
                              "p50_to_floor_with_argon2": round(issuance_p50 / serial_floor_argon2["p50"], 3)}},
        "levels": levels,
        "samples_ms": {"serial": {name: [round(value, 1) for value in run.samples_ms]
                                  for name, run in serial_runs.items()}},
    }


def draw(results: dict[str, Any], out: Path, name: str = NAME) -> list[str]:
    levels = results["levels"]
    clients = [level["clients"] for level in levels]

    def line(kind: str, key: str) -> tuple[list[int], list[float]]:
        return clients, [level[kind][key] for level in levels]

    baselines = ("bare workflow", "raw cryptography", "floor (bare workflow + raw crypto)")
    latency = plots.line_chart(
        out / f"{name}-latency.png", title="Issuance latency vs concurrent clients", xlabel="concurrent clients",
        ylabel="milliseconds (log scale)", log_y=True, dashed=baselines, dotted=("issuance p99",),
        colors={"issuance p50": "C0", "issuance p99": "C0"},
        series={"issuance p50": line("issuance", "p50"), "issuance p99": line("issuance", "p99"),
                "bare workflow": line("bare_workflow", "p50"), "raw cryptography": line("raw_crypto", "p50"),
                "floor (bare workflow + raw crypto)": line("floor", "p50")})
    throughput = plots.line_chart(
        out / f"{name}-throughput.png", title="Issuance throughput vs concurrent clients",
        xlabel="concurrent clients", ylabel="operations per second (log scale)", log_y=True, dashed=baselines,
        series={"issuance (per s)": line("issuance", "throughput_per_s"),
                "bare workflow": line("bare_workflow", "throughput_per_s"),
                "raw cryptography": line("raw_crypto", "throughput_per_s"),
                "floor (bare workflow + raw crypto)": line("floor", "throughput_per_s")})
    samples = results["samples_ms"]["serial"]
    distribution = plots.cdf_chart(
        out / f"{name}-serial.png", title="Serial issuance latency distribution",
        dashed=("bare workflow", "raw cryptography", "argon2id verification"),
        samples={"issuance (web + workflow)": samples["issuance"], "bare workflow": samples["bare_workflow"],
                 "raw cryptography": samples["raw_crypto"], "argon2id verification": samples["argon2"]})
    return [latency, throughput, distribution]


LABELS = {"issuance": ISSUANCE_LABEL, "bare_workflow": BARE_WORKFLOW_LABEL,
          "bare_workflow_regular": BARE_REGULAR_LABEL, "raw_crypto": RAW_CRYPTO_LABEL, "argon2": ARGON2_LABEL}


def markdown(results: dict[str, Any]) -> str:
    serial, parameters, levels = results["serial"], results["parameters"], results["levels"]
    measured = {f"serially, {LABELS[key]}": serial[key] for key in LABELS}
    measured |= {f"{level['clients']} clients, {LABELS[key]}": level[key] for level in levels for key in LABELS}
    return "\n\n".join([
        f"{parameters['hashing']}. Serially: {parameters['serial']} issuances one after another, each by a new "
        "registered master user; the baselines as many times each.",
        *serial_tables(serial),
        f"Concurrent clients, {parameters['per_client']} issuances each (every client its own users). Rates are "
        "operations per second; the floor's is clients ÷ (mean bare workflow + mean raw cryptography).",
        *level_tables(levels),
        reading(serial, levels[-1]),
        cpu_table(levels),
        profiling.profile_markdown(results["profile"], "one 発行 POST (a keep-alive connection: no handshake)"),
        failures_note(measured),
    ]).strip()


def serial_tables(serial: dict[str, Any]) -> list[str]:
    rows = [[label, ms(serial[key]["p50"]), ms(serial[key]["p95"]), ms(serial[key]["p99"]), ms(serial[key]["mean"]),
             serial[key]["failed"]] for key, label in LABELS.items()]
    rows.append([FLOOR_LABEL, ms(serial["floor"]["p50"]), "", ms(serial["floor"]["p99"]), ms(serial["floor"]["mean"]),
                 ""])
    old = serial["old_floor"]
    rows.append([OLD_FLOOR_LABEL, ms(old["p50"]), "", ms(old["p99"]), ms(old["mean"]), ""])
    ratios = serial["ratios"]
    return [
        table(["serially", "p50", "p95", "p99", "mean", "failed"], rows),
        table(["issuance p50 ÷ floor", "÷ old floor", "÷ bare workflow", "÷ raw cryptography", "÷ (floor + argon2id)"],
              [[times(ratios["p50_to_floor"]), times(ratios["p50_to_old_floor"]), times(ratios["p50_to_bare_workflow"]),
                times(ratios["p50_to_raw_crypto"]), times(ratios["p50_to_floor_with_argon2"])]]),
    ]


def level_tables(levels: list[dict[str, Any]]) -> list[str]:
    rates = [[
        level["clients"], ms(level["issuance"]["p50"]), ms(level["issuance"]["p99"]),
        per_second(level["issuance"]["throughput_per_s"]), level["issuance"]["failed"],
        per_second(level["bare_workflow"]["throughput_per_s"]), per_second(level["raw_crypto"]["throughput_per_s"]),
        per_second(level["argon2"]["throughput_per_s"]), per_second(level["floor"]["throughput_per_s"]),
    ] for level in levels]
    ratios = [[
        level["clients"], times(level["ratios"]["throughput_to_floor"]),
        times(level["ratios"]["throughput_to_old_floor"]),
        times(level["ratios"]["throughput_to_bare_workflow"]), times(level["ratios"]["throughput_to_raw_crypto"]),
        times(level["ratios"]["throughput_to_floor_with_argon2"]), times(level["ratios"]["p50_to_floor"]),
        times(level["ratios"]["p99_to_p50"]),
    ] for level in levels]
    return [
        table(["clients", "issuance p50", "issuance p99", "issuances", "failed", "bare workflows", "raw crypto",
               "argon2id", "floor"], rates),
        table(["clients", "issuance rate ÷ floor", "÷ old floor", "÷ bare workflow", "÷ raw cryptography",
               "÷ (floor + argon2id)", "issuance p50 ÷ floor p50", "issuance p99 ÷ p50"], ratios),
    ]


def cpu_table(levels: list[dict[str, Any]]) -> str:
    """Where the machine's CPU went during the 発行s at each level, beside the raw cryptography's."""
    names = list(levels[0]["cpu_ms"]["issuance"]["by_process"])
    rows = [[name, *(ms(level["cpu_ms"]["issuance"]["by_process"][name]) for level in levels)] for name in names]
    rows.append(["all of them", *(ms(level["cpu_ms"]["issuance"]["total"]) for level in levels)])
    rows.append(["raw cryptography alone (key, CSR, signing, .p12)", *(ms(level["cpu_ms"]["raw_crypto_ms"])
                                                                        for level in levels)])
    top = levels[-1]["cpu_ms"]
    busiest = max(top["issuance"]["by_process"].items(), key=lambda item: item[1])
    return ("CPU time per 発行 by process (user + system; PostgreSQL's server not counted), while the timed "
            "発行s ran:\n\n"
            + table(["process", *(f"{level['clients']} clients" for level in levels)], rows)
            + f"\n\nAt {levels[-1]['clients']} clients a 発行 costs the machine {ms(top['issuance']['total'])} of CPU, "
            f"{times(top['issuance']['total'] / max(top['raw_crypto_ms'], 0.1))} the raw cryptography's "
            f"{ms(top['raw_crypto_ms'])}; the most goes to {busiest[0]} ({ms(busiest[1])}): on a machine the "
            "product shares with its Temporal server, that is where the rate is lost.")


def reading(serial: dict[str, Any], top: dict[str, Any]) -> str:
    beyond = serial["issuance"]["p50"] - serial["floor"]["p50"]
    return (
        f"Serially, 発行 → .p12 takes {ms(serial['issuance']['p50'])} at the median, "
        f"{times(serial['ratios']['p50_to_floor'])} the floor of a bare workflow plus the raw cryptography "
        f"({ms(serial['floor']['p50'])}, its bare workflow with one local activity as the product signs), "
        f"{ms(beyond)} beyond it, and {times(serial['ratios']['p50_to_old_floor'])} the old floor with a regular "
        f"activity ({ms(serial['old_floor']['p50'])}), what a plain Temporal program gets. The 発行 POST no longer "
        f"repeats the argon2id check ({ms(serial['argon2']['p50'])}). At {top['clients']} concurrent clients the "
        f"web delivers {per_second(top['issuance']['throughput_per_s'])}, "
        f"{times(top['ratios']['throughput_to_floor'])} the floor's rate and "
        f"{times(top['ratios']['throughput_to_raw_crypto'])} the raw cryptography's "
        f"({per_second(top['raw_crypto']['throughput_per_s'])}), p99 {times(top['ratios']['p99_to_p50'])} p50."
    )


def headlines(results: dict[str, Any]) -> list[dict[str, str]]:
    serial, top = results["serial"], results["levels"][-1]
    return [
        {"label": "Issuance 発行 → .p12, serial p50",
         "value": f"{ms(serial['issuance']['p50'])} ({times(serial['ratios']['p50_to_floor'])} bare workflow "
                  f"(local activity) + raw crypto; {times(serial['ratios']['p50_to_old_floor'])} the old floor with "
                  "a regular activity)"},
        {"label": f"Issuance throughput, {top['clients']} clients",
         "value": f"{per_second(top['issuance']['throughput_per_s'])} "
                  f"({times(top['ratios']['throughput_to_raw_crypto'])} the raw cryptography's rate, "
                  f"{times(top['ratios']['throughput_to_floor'])} the floor's; "
                  f"p99 {times(top['ratios']['p99_to_p50'])} p50"
                  + (f"; {top['issuance']['failed']} failed)" if top["issuance"]["failed"] else ")")},
    ]


def command(options: argparse.Namespace) -> str:
    return (f"python -m bench.issuance --serial {options.serial} --levels {','.join(map(str, options.levels))} "
            f"--per-client {options.per_client}{topology_flag(options.topology)}")


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    info = machine()
    print(describe(info), flush=True)
    with running_stack(topology=options.topology) as stack:
        measured = measure(stack, options)
    results = {"parameters": {"serial": options.serial, "levels": options.levels, "per_client": options.per_client,
                              "hashing": describe_hashing()}, **figures(measured)}
    out = options.out
    name = result_name(NAME, options.topology)
    title = TITLE if options.topology == "dev" else f"{TITLE} — {options.topology} topology"
    payload = {"name": name, "title": title, "topology": options.topology, "command": command(options),
               "machine": info, "results": results, "markdown": markdown(results), "plots": draw(results, out, name),
               "headlines": headlines(results)}
    publish(payload, out)


if __name__ == "__main__":
    main()
