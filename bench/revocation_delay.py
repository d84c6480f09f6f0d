"""Revocation delay: from the approver's 承認 until `openssl ocsp` answers revoked and `openssl crl` lists it.

    python -m bench.revocation_delay [--requests 30] [--out docs/benchmarks]

The product runs as ``rokin dev`` runs it (``bench.stack``: the Temporal dev server, the product's
worker, the SMTP sink and ``rokin web`` over HTTPS, each its own process) plus the plain-HTTP PKI
listener (``rokin pki-http``: ``/crl`` and ``/ocsp``). Not timed, for each request: a new master
user issues its certificate through the web (④ → 発行), files 電子証明書の失効依頼 from the login
screen, and a receiver records the paper (受付) in the staff inbox.

Timed, one request at a time: the approver's 承認 POST (a real HTTPS client, logged in as a
different staff member) starts the clock; meanwhile one thread runs ``openssl ocsp -issuer ca.pem
-cert cert.pem -url http://127.0.0.1:<port>/ocsp`` in a loop until it prints ``revoked``, another
fetches ``/crl`` and runs ``openssl crl`` in a loop until the serial is listed. Each loop's figure
is when its first positive answer came; a loop's resolution is the time one round takes.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from contract import revocation_client
from domain.roles import StaffRole
from pki.issue import serial_hex
from rokin.devstack import port_answers
from store import audit
from store import staff as staff_store
from store.db import make_engine, make_session_factory
from store.models import AuditEntry

from . import journeys, plots
from .browser import Browser, Page, PageError, tls_context
from .common import DOCS, add_topology_argument, describe, machine, publish, result_name, summarize, topology_flag
from .people import PASSWORD, Person, make_masters
from .stack import LOOPBACK, Stack, free_port, running_stack
from .tables import ms, table

NAME = "revocation_delay"
TITLE = "Revocation delay: 承認 → OCSP answers revoked, CRL lists the serial"
STAFF_PASSWORD = "Shokuin2024x"
REQUEST_NUMBER = re.compile(r'<dd id="request-number">(R-\d{4}-\d{6,})</dd>')
WAIT_SECONDS = 60.0  # a loop that sees no change for this long fails the run
LABELS = {"ocsp": "approval -> openssl ocsp says revoked", "crl": "approval -> openssl crl lists the serial",
          "database": "approval -> revoked in the database", "post": "approval POST answered (result page)"}


@dataclass(frozen=True)
class Prepared:
    """A received request waiting for its approval, and the certificate it revokes."""

    number: str
    serial: str
    certificate: Path


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.revocation_delay", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="approvals timed, one at a time (default 30)")
    parser.add_argument("--out", type=Path, default=DOCS, help="report directory (default docs/benchmarks)")
    add_topology_argument(parser)
    options = parser.parse_args(argv)
    if options.requests < 1:
        parser.error("--requests must be at least 1")
    return options


# --- the PKI listener and what OpenSSL says -------------------------------------------------------


def pki_listener(stack: Stack) -> str:
    """The CRL and OCSP listener's base URL: the production topology's (gunicorn behind nginx), or
    ``rokin pki-http`` started on a free port, as ``rokin dev`` runs it."""
    if stack.topology == "production":
        return stack.settings.pki_url
    port = free_port()
    stack.spawn("pki", [sys.executable, "-m", "rokin", "pki-http", "--host", LOOPBACK, "--port", str(port)],
                lambda _process: port_answers(port))
    return f"http://{LOOPBACK}:{port}"


def ocsp_status(pki_url: str, ca: Path, certificate: Path) -> str:
    """What ``openssl ocsp`` says of the certificate: good / revoked / unknown, or its error text."""
    run = subprocess.run(["openssl", "ocsp", "-issuer", str(ca), "-cert", str(certificate), "-url", f"{pki_url}/ocsp",
                          "-CAfile", str(ca)], capture_output=True, text=True, check=False)
    found = re.search(rf"^{re.escape(str(certificate))}: (\w+)", run.stdout, re.M)
    return found.group(1) if found else (run.stdout + run.stderr).strip()[:200]


def crl_lists(pki_url: str, serial: str, scratch: Path) -> bool:
    """Whether the CRL the listener serves now, read by ``openssl crl``, lists ``serial``."""
    path = scratch / "crl.der"
    with urllib.request.urlopen(f"{pki_url}/crl", timeout=30) as response:  # noqa: S310  our own listener
        path.write_bytes(response.read())
    run = subprocess.run(["openssl", "crl", "-inform", "DER", "-in", str(path), "-noout", "-text"],
                         capture_output=True, text=True, check=True)
    hexadecimal = serial.upper() if len(serial) % 2 == 0 else "0" + serial.upper()
    return f"Serial Number: {hexadecimal}" in run.stdout


def first_true(check, started: float, rounds: list[float]) -> float:  # noqa: ANN001
    """Run ``check()`` in a loop; milliseconds from ``started`` to the end of its first True round."""
    while True:
        begun = time.perf_counter()
        answered = check()
        rounds.append((time.perf_counter() - begun) * 1000)
        if answered:
            return (time.perf_counter() - started) * 1000
        if time.perf_counter() - started > WAIT_SECONDS:
            raise RuntimeError(f"no change within {WAIT_SECONDS:.0f} s")


# --- the people and their requests (not timed) ----------------------------------------------------


def staff_browser(stack: Stack, login: str) -> Browser:
    """A staff member logged in at 職員ログイン over HTTPS."""
    browser = Browser(stack.web_url, tls_context(stack.ca_certificate))
    landed = browser.submit(browser.get("/staff/login"), "/staff/login", {"login": login, "password": STAFF_PASSWORD})
    if landed.path.startswith("/staff/login"):
        raise PageError(f"staff login {login} refused: {landed.gist()}")
    return browser


def make_staff(database_url: str) -> None:
    """The receiver and the approver, with their own passwords already set (as after their first login)."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            for login, role in (("recv01", StaffRole.RECEIVER), ("appr01", StaffRole.APPROVER)):
                staff, _ = staff_store.create_staff(session=session, login=login, role=role, actor=audit.Actor.cli())
                staff_store.change_password(session=session, staff=staff, new_password=STAFF_PASSWORD,
                                            actor=audit.Actor.cli())
    finally:
        engine.dispose()


def prepare(stack: Stack, person: Person, receiver: Browser, scratch: Path) -> Prepared:
    """④ → 発行 (the certificate), 電子証明書の失効依頼 from the login screen, 受付 by the receiver."""
    master = Browser(stack.web_url, tls_context(stack.ca_certificate))
    try:
        p12 = journeys.press_issue(master, journeys.authenticate_for_issuance(master, person))
        certificate_pem, _ = journeys.login_identity(p12, PASSWORD, scratch / "certificates")
        _, certificate = journeys.open_p12(p12, PASSWORD)
        serial = serial_hex(certificate.serial_number)
        master.cookies = {}
        choose = master.submit(master.get("/revocation-request"), "/revocation-request",
                               {"user_id": person.user_id, "password": PASSWORD})
        filed = master.submit(choose, "/revocation-request/file", {"serial": serial, "reason": "pc_change"})
        number = filed.field(REQUEST_NUMBER, "request number (filing refused?)")
    finally:
        master.close()
    page = receiver.get(f"/staff/requests/{number}")
    received = receiver.submit(page, f"/staff/requests/{number}/receive", {})
    if "承認待ち" not in received.text:
        raise PageError(f"受付 of {number} not recorded: {received.gist()}")
    return Prepared(number, serial, certificate_pem)


# --- the measurement ---------------------------------------------------------------------------


def approve_and_watch(stack: Stack, approver: Browser, request: Prepared, pki_url: str,
                      scratch: Path, rounds: dict[str, list[float]]) -> dict[str, float]:
    """承認, timed from the POST until OpenSSL sees the revocation over OCSP and in the CRL."""
    ca = stack.ca_certificate
    if (before := ocsp_status(pki_url, ca, request.certificate)) != "good":
        raise RuntimeError(f"OCSP says {before!r} before the approval of {request.number}")
    page = approver.get(f"/staff/requests/{request.number}")
    answered: dict[str, Any] = {}

    def post() -> None:
        result: Page = approver.submit(page, f"/staff/requests/{request.number}/decide",
                                       {"decision": "approve", "comment": ""})
        answered["ms"] = (time.perf_counter() - started) * 1000
        answered["page"] = result

    crl_ms: dict[str, float] = {}

    def watch_crl() -> None:
        crl_ms["ms"] = first_true(lambda: crl_lists(pki_url, request.serial, scratch), started, rounds["crl"])

    started, started_wall = time.perf_counter(), time.time()
    threads = [threading.Thread(target=post), threading.Thread(target=watch_crl)]
    for thread in threads:
        thread.start()
    rounds_before = len(rounds["ocsp"])
    ocsp_ms = first_true(lambda: ocsp_status(pki_url, ca, request.certificate) == "revoked", started, rounds["ocsp"])
    for thread in threads:
        thread.join(WAIT_SECONDS * 2)
    if "ms" not in answered or "ms" not in crl_ms:
        raise RuntimeError(f"the approval of {request.number} or its CRL did not finish")
    if "承認済み" not in answered["page"].text:
        raise PageError(f"承認 of {request.number} refused: {answered['page'].gist()}")
    revoked_at = database_revocation_time(stack.settings.database_url, request.serial)
    return {"ocsp": ocsp_ms, "crl": crl_ms["ms"], "post": answered["ms"],
            "database": (revoked_at - started_wall) * 1000, "ocsp_rounds": len(rounds["ocsp"]) - rounds_before}


def database_revocation_time(database_url: str, serial: str) -> float:
    """When the approval's transaction wrote the revocation (its audit entry), as a Unix time: from
    then on the OCSP responder, which reads the database, can answer revoked."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            at = session.scalar(select(AuditEntry.at).where(AuditEntry.target_id == serial,
                                                            AuditEntry.action == "certificate.revoke"))
    finally:
        engine.dispose()
    if at is None:
        raise RuntimeError(f"no revocation of {serial} in the audit log")
    return at.timestamp()


def settle(stack: Stack, number: str) -> None:
    """Until the request's workflow has closed (its e-mail, the lifecycle's end): samples stay apart."""
    deadline = time.monotonic() + WAIT_SECONDS
    while stack.bridge().call(lambda client: revocation_client.request_handle(client, number).describe()).status \
            .name == "RUNNING":
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workflow of {number} did not close")
        time.sleep(0.05)


def measure(stack: Stack, options: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    pki_url = pki_listener(stack)
    make_staff(stack.settings.database_url)
    people = make_masters(stack.settings.database_url, options.requests)
    receiver = staff_browser(stack, "recv01")
    print(f"preparing {options.requests} received requests (issuance, filing, 受付)...", flush=True)
    prepared = [prepare(stack, person, receiver, scratch) for person in people]
    approver = staff_browser(stack, "appr01")  # not the receiver: maker-checker
    deadline = time.monotonic() + WAIT_SECONDS  # the worker makes the OCSP responder certificate at start
    while ocsp_status(pki_url, stack.ca_certificate, prepared[0].certificate) != "good":
        if time.monotonic() > deadline:
            raise RuntimeError("the OCSP responder never answered good")
        time.sleep(0.2)
    samples: dict[str, list[float]] = {"ocsp": [], "crl": [], "post": [], "database": [], "ocsp_rounds": []}
    rounds: dict[str, list[float]] = {"ocsp": [], "crl": []}
    for request in prepared:
        for key, value in approve_and_watch(stack, approver, request, pki_url, scratch, rounds).items():
            samples[key].append(value)
        settle(stack, request.number)
    receiver.close()
    approver.close()
    return {"samples": samples, "rounds": rounds}


# --- the report --------------------------------------------------------------------------------


def figures(measured: dict[str, Any]) -> dict[str, Any]:
    samples, rounds = measured["samples"], measured["rounds"]
    before_answer = sum(ocsp <= post for ocsp, post in zip(samples["ocsp"], samples["post"], strict=True))
    return {
        "ocsp_revoked_ms": summarize(samples["ocsp"]),
        "crl_listed_ms": summarize(samples["crl"]),
        "approve_post_ms": summarize(samples["post"]),
        "database_revoked_ms": summarize(samples["database"]),
        "ocsp_round_ms": summarize(rounds["ocsp"]),
        "crl_round_ms": summarize(rounds["crl"]),
        "ocsp_revoked_before_the_post_answered": before_answer,
        "ocsp_revoked_at_the_first_call": sum(count == 1 for count in samples["ocsp_rounds"]),
        "ocsp_calls_per_request": samples["ocsp_rounds"],
        "samples_ms": {key: values for key, values in samples.items() if key != "ocsp_rounds"},
    }


def markdown(results: dict[str, Any]) -> str:
    rows = [[label, results[key]["n"], ms(results[key]["p50"]), ms(results[key]["p95"]), ms(results[key]["max"])]
            for label, key in (("承認 → `openssl ocsp` answers revoked", "ocsp_revoked_ms"),
                               ("承認 → `openssl crl` lists the serial", "crl_listed_ms"),
                               ("承認 → revoked in the database (audit time)", "database_revoked_ms"),
                               ("承認 POST → result page", "approve_post_ms"))]
    ocsp, post, n = results["ocsp_revoked_ms"], results["approve_post_ms"], results["ocsp_revoked_ms"]["n"]
    reading = (
        f"The OCSP responder reads the database, so it can answer revoked once the approval's activity has "
        f"written the revocation, p50 {ms(results['database_revoked_ms']['p50'])} after the 承認 POST left the "
        f"browser; `openssl ocsp` polling in a loop first printed revoked p50 {ms(ocsp['p50'])} after it, in "
        f"{results['ocsp_revoked_before_the_post_answered']} of {n} requests before the POST itself answered "
        f"(p50 {ms(post['p50'])}: the update also waits for the new CRL). `openssl crl` lists the serial "
        f"p50 {ms(results['crl_listed_ms']['p50'])} after the POST. The loops' figures include up to one "
        f"polling round: one `openssl ocsp` call took {ms(results['ocsp_round_ms']['p50'])} (p50), one CRL "
        f"fetch and `openssl crl` {ms(results['crl_round_ms']['p50'])}; the first `openssl ocsp` call already "
        f"answered revoked in {results['ocsp_revoked_at_the_first_call']} of {n} requests, so there the figure "
        "is one OCSP round trip started with the POST."
    )
    return table(["measure", "n", "p50", "p95", "max"], rows) + "\n\n" + reading


def draw(results: dict[str, Any], out: Path, name: str = NAME) -> list[str]:
    samples = results["samples_ms"]
    return [plots.cdf_chart(out / f"{name}-cdf.png", title="Approval to revoked, as OpenSSL sees it",
                            samples={LABELS[key]: samples[key] for key in ("database", "ocsp", "crl", "post")},
                            dashed=[LABELS["database"], LABELS["post"]])]


def headlines(results: dict[str, Any]) -> list[dict[str, str]]:
    """p50 / p95 / max of each measure (``publish`` prints them)."""
    return [{"label": label, "value": f"p50 {ms(results[key]['p50'])}, p95 {ms(results[key]['p95'])}, "
                                      f"max {ms(results[key]['max'])} (n={results[key]['n']})"}
            for label, key in (("承認 → openssl ocsp answers revoked", "ocsp_revoked_ms"),
                               ("承認 → openssl crl lists the serial", "crl_listed_ms"),
                               ("承認 → revoked in the database", "database_revoked_ms"),
                               ("承認 POST → result page", "approve_post_ms"))]


def command(options: argparse.Namespace) -> str:
    return f"python -m bench.revocation_delay --requests {options.requests}{topology_flag(options.topology)}"


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    info = machine()
    print(describe(info), flush=True)
    with tempfile.TemporaryDirectory(prefix="rokin-revocation-bench-") as scratch, running_stack(
            topology=options.topology) as stack:
        measured = measure(stack, options, Path(scratch))
    results = {"parameters": {"requests": options.requests}, **figures(measured)}
    out, name = options.out, result_name(NAME, options.topology)
    title = TITLE if options.topology == "dev" else f"{TITLE} — {options.topology} topology"
    payload = {"name": name, "title": title, "topology": options.topology, "command": command(options), "machine": info,
               "results": results, "markdown": markdown(results), "plots": draw(results, out, name),
               "headlines": headlines(results)}
    publish(payload, out)


if __name__ == "__main__":
    main()
