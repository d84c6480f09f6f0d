"""Certificate login: mutual TLS + password to the top screen, against argon2id + a bare update.

    python -m bench.login [--levels 1,8,32] [--per-client 30] [--out docs/benchmarks]

The product runs as ``rokin dev`` runs it (``bench.stack``). Each client is its own registered
master user with its own certificate, issued beforehand through the real web (④ → 発行 → .p12,
by the product's CA), so no two clients share a lockout workflow. One login, timed: a new TLS
connection presenting the certificate (full handshake), GET /login, POST the password (the web
verifies argon2id with production parameters and asks the user's lockout workflow through an
update), and the redirect to the top screen, read until it shows the certificate's serial.

Baseline, in the same run at the same levels: one argon2id verification with production
parameters followed by one update on a bare workflow of the same server (``bench.bare``, its own
worker), each client its own workflow. At one client, each half is also timed alone.

Where the time goes: one login (login page, password, top screen) profiled in the product's app
run inside this process on the same database and Temporal (``bench.profile``), beside a full TLS
handshake with the client certificate timed alone.
"""

from __future__ import annotations

import argparse
import ssl
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import journeys, plots
from . import profile as profiling
from .baseline import ARGON2_LABEL, BARE_UPDATE_LABEL, BareTemporal, argon2_verification
from .browser import Browser, Page, PageError, tls_context
from .common import DOCS, add_topology_argument, describe, machine, publish, result_name, topology_flag
from .cpu import CpuMeter, cpu_comparison
from .load import Run, Step, closed_loop, parse_levels, stopwatch
from .people import Person, check_production_hashes, describe_hashing, make_masters
from .stack import Stack, running_stack
from .tables import failures_note, ms, per_second, table, times

NAME = "login"
TITLE = "Certificate login: mutual TLS + password"
WARM_UP = 2
ISSUING_CLIENTS = 4  # certificates for the bench users are issued this many at a time (untimed)
BASELINE_LABEL = "baseline: argon2id verification + bare update"
PROFILED = 5  # logins profiled in the bench process ("where the time goes"), after one untimed


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.login", description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=parse_levels, default=[1, 8, 32], help="concurrent clients (1,8,32)")
    parser.add_argument("--per-client", type=int, default=30, help="logins per client at each level (30)")
    parser.add_argument("--out", type=Path, default=DOCS, help="report directory (default docs/benchmarks)")
    add_topology_argument(parser)
    parsed = parser.parse_args(argv)
    if parsed.per_client < 1:
        parser.error("--per-client must be at least 1")
    return parsed


class Logins:
    """One user and certificate per client; a login from a fresh connection each time."""

    def __init__(self, stack: Stack, people: list[Person]) -> None:
        self.stack = stack
        with ThreadPoolExecutor(ISSUING_CLIENTS) as pool:
            issued = list(pool.map(self._certificate_of, people))
        self.clients = [(person, serial, context) for person, (serial, context) in zip(people, issued, strict=True)]

    def _certificate_of(self, person: Person) -> tuple[str, ssl.SSLContext]:
        """④ → 発行 through the web, the .p12 opened: the serial and a TLS context presenting it."""
        browser = Browser(self.stack.web_url, tls_context(self.stack.ca_certificate))
        try:
            p12 = journeys.press_issue(browser, journeys.authenticate_for_issuance(browser, person))
        finally:
            browser.close()
        certificate, key = journeys.login_identity(p12, person.password, self.stack.data_dir / "clients")
        return certificate.stem, tls_context(self.stack.ca_certificate, (certificate, key))

    def step(self, index: int) -> Step:
        person, serial, context = self.clients[index]

        def login(_number: int) -> float:
            shown: list[str] = []
            elapsed = stopwatch(lambda: shown.append(journeys.log_in(self.stack.web_url, context, person.password)))
            if shown[0] != serial:
                raise PageError(f"the top screen shows certificate {shown[0]}, expected {serial}")
            return elapsed

        return login


def measure(stack: Stack, options: argparse.Namespace) -> dict[str, Any]:
    clients = max(options.levels)
    print(f"making {clients} users and issuing their certificates through the web...", flush=True)
    people = make_masters(stack.settings.database_url, clients)
    check_production_hashes(stack.settings.database_url)
    logins = Logins(stack, people)
    bare = BareTemporal(stack)
    workflows = [bare.start_idle() for _ in range(clients)]

    def baseline(index: int) -> Step:
        return lambda _number: stopwatch(lambda: (argon2_verification(), bare.update(workflows[index])))

    closed_loop(1, WARM_UP, logins.step)
    closed_loop(1, WARM_UP, baseline)
    levels: list[dict[str, Run]] = []
    cpu: list[dict[str, Any]] = []
    for count in options.levels:
        print(f"{count} client(s) x {options.per_client}...", flush=True)
        login_cpu, baseline_cpu = CpuMeter(stack), CpuMeter(stack)
        level = {"login": closed_loop(count, options.per_client, logins.step, login_cpu),
                 "baseline": closed_loop(count, options.per_client, baseline, baseline_cpu)}
        report(f"{count} client(s)", level)
        cpu.append({name: meter.per_operation(len(level[name].samples_ms))
                    for name, meter in (("login", login_cpu), ("baseline", baseline_cpu))})
        print(f"    CPU per login: {cpu[-1]['login']['by_process']} (total {cpu[-1]['login']['total']} ms); "
              f"baseline {cpu[-1]['baseline']['total']} ms", flush=True)
        levels.append(level)
    print("the baseline's halves alone, one client...", flush=True)
    parts = {"argon2": closed_loop(1, options.per_client, lambda _index: lambda _n: stopwatch(argon2_verification)),
             "bare_update": closed_loop(1, options.per_client,
                                        lambda index: lambda _n: stopwatch(lambda: bare.update(workflows[index])))}
    report("1 client", parts)
    print("where the time goes: one login profiled in the app...", flush=True)
    person, serial, context = logins.clients[0]
    profile = profile_login(stack, person, serial)
    return {"levels": levels, "cpu": cpu, "parts": parts, "profile": profile, "topology": stack.topology,
            "tls_handshake": profiling.tls_handshake_ms(stack.web_url, context)}


def profile_login(stack: Stack, person: Person, serial: str) -> dict[str, float]:
    """A certificate login (login page, password, top screen) in the product's app in this process, the
    certificate handed over as the HTTPS server hands it (``bench.profile``)."""
    app = profiling.in_process_app(stack.settings)
    presented = {"SSL_CLIENT_CERT": (stack.data_dir / "clients" / f"{serial}.pem").read_text()}

    def request(watches: profiling.Stopwatches) -> float:
        client = app.test_client()
        client.environ_base.update(presented)  # every request of this connection, redirects too
        elapsed: list[float] = []
        with profiling.timing(watches, elapsed):
            form = profiling.get(client, "/login")
            top = profiling.post(client, "/login", referer="/login", follow_redirects=True,
                                 data={"csrf_token": profiling.form_token(form), "password": person.password})
        shown = journeys.TOP_SCREEN_SERIAL.search(top.get_data(as_text=True))
        if shown is None or shown.group(1) != serial:
            page = Page(top.status_code, top.request.path, top.get_data(as_text=True))
            raise PageError(f"the profiled login answered without the top screen: {page.gist()}")
        return elapsed[0]

    with profiling.instrumented() as warm:  # the app's first request connects to Temporal
        request(warm)
    return profiling.profile_requests(request, PROFILED)


def report(heading: str, runs: dict[str, Run]) -> None:
    print(f"  {heading}:")
    for name, run in runs.items():
        summary = run.summary()
        failed = f", {summary['failed']} failed" if summary["failed"] else ""
        print(f"    {name:11} p50 {summary['p50']:8.1f} ms  p99 {summary['p99']:8.1f} ms"
              f"  {summary['throughput_per_s']:7.2f}/s  (n={summary['n']}{failed})", flush=True)


def figures(measured: dict[str, Any]) -> dict[str, Any]:
    levels = []
    for runs, cpu in zip(measured["levels"], measured["cpu"], strict=True):
        login, baseline = runs["login"].summary(), runs["baseline"].summary()
        levels.append({"clients": login["clients"], "login": login, "baseline": baseline, "cpu_ms": cpu, "ratios": {
            "p50": round(login["p50"] / baseline["p50"], 3),
            "p99": round(login["p99"] / baseline["p99"], 3),
            "throughput": round(login["throughput_per_s"] / baseline["throughput_per_s"], 3),
        }})
    profile = profiling.profile_summary(measured["profile"], measured_p50=levels[0]["login"]["p50"],
                                        tls_ms=measured["tls_handshake"])
    return {"levels": levels, "parts": {name: run.summary() for name, run in measured["parts"].items()},
            "profile": {**profile, "topology": measured["topology"]}}


def draw(results: dict[str, Any], out: Path, name: str = NAME) -> list[str]:
    levels = results["levels"]
    clients = [level["clients"] for level in levels]

    def line(kind: str, key: str) -> tuple[list[int], list[float]]:
        return clients, [level[kind][key] for level in levels]

    latency = plots.line_chart(
        out / f"{name}-latency.png", title="Certificate login latency vs concurrent clients",
        xlabel="concurrent clients", ylabel="milliseconds (log scale)", log_y=True,
        dashed=("baseline p50",), dotted=("login p99", "baseline p99"),
        colors={"login p50": "C0", "login p99": "C0", "baseline p50": "C1", "baseline p99": "C1"},
        series={"login p50": line("login", "p50"), "login p99": line("login", "p99"),
                "baseline p50": line("baseline", "p50"), "baseline p99": line("baseline", "p99")})
    throughput = plots.line_chart(
        out / f"{name}-throughput.png", title="Certificate logins per second vs concurrent clients",
        xlabel="concurrent clients", ylabel="operations per second", dashed=("baseline (argon2id + bare update)",),
        series={"logins": line("login", "throughput_per_s"),
                "baseline (argon2id + bare update)": line("baseline", "throughput_per_s")})
    return [latency, throughput]


def markdown(results: dict[str, Any]) -> str:
    levels, parts, parameters = results["levels"], results["parts"], results["parameters"]
    rows = [[
        level["clients"], ms(level["login"]["p50"]), ms(level["login"]["p99"]),
        per_second(level["login"]["throughput_per_s"]), level["login"]["failed"], ms(level["baseline"]["p50"]),
        ms(level["baseline"]["p99"]),
        per_second(level["baseline"]["throughput_per_s"]), times(level["ratios"]["p50"]),
        times(level["ratios"]["p99"]), times(level["ratios"]["throughput"]),
    ] for level in levels]
    first, top = levels[0], levels[-1]
    beyond = first["login"]["p50"] - first["baseline"]["p50"]
    rest = (f"the other {ms(beyond)} are the TLS handshake with the client certificate, three requests and the "
            "certificate checks" if beyond > 0 else "the rest of the login is lost in the noise of the baseline")
    reading = (
        f"With {first['clients']} client(s) a certificate login takes {ms(first['login']['p50'])} at the median, "
        f"{times(first['ratios']['p50'])} one argon2id verification plus one bare update "
        f"({ms(first['baseline']['p50'])}; alone, argon2id {ms(parts['argon2']['p50'])} and the update "
        f"{ms(parts['bare_update']['p50'])}): {rest}. At {top['clients']} concurrent clients it reaches "
        f"{per_second(top['login']['throughput_per_s'])}, {times(top['ratios']['throughput'])} the baseline's rate."
    )
    return "\n\n".join([
        f"{parameters['hashing']}. {parameters['per_client']} logins per client at each level; every client its "
        "own user and certificate, and every login a new TLS connection.",
        table(["clients", "login p50", "login p99", "logins", "failed", "baseline p50", "baseline p99",
               "baseline rate", "p50 ÷ baseline", "p99 ÷ baseline", "rate ÷ baseline"], rows),
        table(["one client, alone", "p50", "p99"], [
            [ARGON2_LABEL, ms(parts["argon2"]["p50"]), ms(parts["argon2"]["p99"])],
            [BARE_UPDATE_LABEL, ms(parts["bare_update"]["p50"]), ms(parts["bare_update"]["p99"])]]),
        reading,
        cpu_section(top),
        profiling.profile_markdown(results["profile"], "one certificate login (its login page, password and top "
                                   f"screen; the measured p50 is {levels[0]['clients']} client's)"),
        failures_note({f"{level['clients']} clients, {kind}": level[kind]
                       for level in levels for kind in ("login", "baseline")}),
    ]).strip()


def cpu_section(top: dict[str, Any]) -> str:
    """Where the machine's CPU went at the top level: per login, and per baseline operation."""
    header, *rows = cpu_comparison(top["cpu_ms"]["login"], top["cpu_ms"]["baseline"], what="login",
                                   baseline_label="baseline (argon2id + bare update)")
    login, baseline = top["cpu_ms"]["login"]["total"], top["cpu_ms"]["baseline"]["total"]
    return (f"CPU time by process at {top['clients']} clients, while the timed operations ran (user + system; "
            "PostgreSQL's server not counted; the baseline's argon2id and its bare workflow's worker run in the bench "
            f"process):\n\n{table(header, rows)}\n\nA login costs the machine {ms(login)} of CPU, "
            f"{times(login / max(baseline, 0.1))} its baseline's {ms(baseline)}.")


def headlines(results: dict[str, Any]) -> list[dict[str, str]]:
    first, top = results["levels"][0], results["levels"][-1]
    return [
        {"label": f"Certificate login p50, {first['clients']} client(s)",
         "value": f"{ms(first['login']['p50'])} ({times(first['ratios']['p50'])} argon2id + bare update)"},
        {"label": f"Certificate logins, {top['clients']} clients",
         "value": f"{per_second(top['login']['throughput_per_s'])} ({times(top['ratios']['throughput'])} the "
                  "baseline's rate" + (f"; {top['login']['failed']} failed)" if top["login"]["failed"] else ")")},
    ]


def command(options: argparse.Namespace) -> str:
    return (f"python -m bench.login --levels {','.join(map(str, options.levels))} --per-client {options.per_client}"
            f"{topology_flag(options.topology)}")


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    info = machine()
    print(describe(info), flush=True)
    with running_stack(topology=options.topology) as stack:
        measured = measure(stack, options)
    results = {"parameters": {"levels": options.levels, "per_client": options.per_client,
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
