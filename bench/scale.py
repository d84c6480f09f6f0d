"""Lifecycle scale (issue 7, item 3): a whole customer base of live workflows on one dev server.

    python -m bench.scale [--certificates 20000] [--lockouts 20000] [--step 2000] [--out DIR]

The product's own processes (``bench.stack``): ``temporal server start-dev --db-filename`` (its
SQLite file), ``rokin worker``, ``rokin web`` over HTTPS and the SMTP sink, on a temporary SQLite
product database. This process is the client.

1. Baseline, nothing alive: ``--logins`` logins (a right password: the one lockout update the web
   sends after checking the hash) and ``--issuances`` issuances through the web (④ then 発行; the
   発行 POST until ⑦'s .p12 is in hand is timed, as in the issuance bench).
2. Growth, in steps of ``--step`` workflows: bulk-insert the step's users and certificates
   (``bench/_scale_rows.py``, not timed); start their lifecycles the way issuance does
   (``contract.certificate_client.start_lifecycle``, ``resumed``: their 発行 e-mail went out long ago), then send one
   wrong password for each lockout user (``lockout_client.attempt``: update-with-start),
   ``--concurrency`` at a time. Each kind is timed until the worker's task queue is empty again
   (its rate: started and settled), with the CPU the server, the worker and this process spent;
   then the resident memory of the server and the worker and the size of both SQLite files.
3. Lock ``--locked`` of the lockout users (5 more wrong passwords: a 60-minute timer, an e-mail).
4. All alive: the logins (on random bulk lockouts, mostly evicted from the worker's cache) and
   the issuances of step 1 again.
5. Stop the worker and the dev server, start both on the same files; count the Running workflows
   by type and state in visibility; read the history of every lifecycle and every locked lockout
   and check its one pending timer (summary, and fire time to the second); time the logins again
   on the cold worker; check that every e-mail due arrived, once.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy

from contract import lockout_client
from contract.certificate_client import start_lifecycle
from contract.names import certificate_workflow_id, lockout_workflow_id
from domain.certificates import LifecycleInput
from domain.lockout import LockoutStatus, Outcome, SubjectKind
from domain.roles import UserRole
from store.db import make_engine, make_session_factory
from store.models import Certificate

from . import _scale_report as report
from ._scale_cli import at_least, fraction
from ._scale_http import Browser, issue_certificate
from ._scale_rows import PASSWORD, TIMER_SUMMARIES, CustomerBase, Holder, pending_timer
from ._scale_stack import backlog, connect, cpu_seconds, in_thread, mail_count, product_db_mib, rss_mib, sqlite_mib
from ._scale_timers import Timer, check_timers
from .common import DOCS, add_topology_argument, describe, machine, topology_flag
from .stack import Stack, running_stack

LOCK_TIMER_SUMMARY = "ロックの自動解除（60分）"  # workflows/lockout.py, ``_arm_lock_timer``
SETTLE_POLL_SECONDS = 0.25
MAIL_WAIT_SECONDS = 120.0


def log(message: str) -> None:
    print(message, flush=True)


def subject_kind(holder: Holder) -> SubjectKind:
    return SubjectKind.MASTER if holder.role is UserRole.MASTER else SubjectKind.GENERAL


async def bounded(calls: Iterable[Callable[[], Awaitable[Any]]], concurrency: int) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await call()

    return await asyncio.gather(*(one(call) for call in calls))


@dataclass
class Run:
    """Everything one run keeps: the processes, the client, the people, what was measured."""

    args: argparse.Namespace
    stack: Stack
    client: Client
    base: CustomerBase
    rng: random.Random
    certified: list[Holder] = field(default_factory=list)  # bulk lifecycles
    lockout_users: list[Holder] = field(default_factory=list)  # bulk lockouts
    probe_lockouts: int = 0  # lockouts the latency probes started (issuances, baseline logins)
    issued_users: list[Holder] = field(default_factory=list)  # their lifecycles too
    locked_until: dict[str, datetime] = field(default_factory=dict)
    expected_mail: int = 0
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self):  # noqa: ANN201
        return self.stack.settings

    # --- the people's actions -------------------------------------------------------------

    async def wrong_password(self, holder: Holder) -> Any:
        return await lockout_client.attempt(
            self.client, user_uuid=holder.uuid, organization_code=holder.organization_code,
            subject_kind=subject_kind(holder), password_ok=False, task_queue=self.settings.task_queue,
            deadline=60.0)

    async def start_lifecycle(self, holder: Holder) -> None:
        assert holder.serial is not None and holder.issued_at is not None
        await start_lifecycle(
            self.client, LifecycleInput(holder.serial, holder.uuid, holder.organization_code, holder.issued_at,
                                        resumed=True),
            task_queue=self.settings.task_queue, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)

    async def logins(self, holders: Sequence[Holder]) -> list[float]:
        """One right password each, one at a time; milliseconds per attempt."""
        timings = []
        for holder in holders:
            started = time.perf_counter()
            result = await lockout_client.attempt(
                self.client, user_uuid=holder.uuid, organization_code=holder.organization_code,
                subject_kind=subject_kind(holder), password_ok=True, task_queue=self.settings.task_queue)
            timings.append((time.perf_counter() - started) * 1000)
            if not result.allowed:
                raise RuntimeError(f"a login was refused ({result.outcome.value})")
        return timings

    def issuances(self, count: int) -> dict[str, list[float]]:
        """``count`` new users each pass ④ and press 発行 over HTTPS, one after another."""
        holders = self.base.make(count, certified=0, prefix="P", now=datetime.now(timezone.utc))
        self.base.write(holders)
        authenticate, issue = [], []
        for holder in holders:
            browser = Browser(self.stack.ports["web"], self.stack.ca_certificate)
            try:
                four, five = issue_certificate(browser, holder.user_id, PASSWORD)
            finally:
                browser.close()
            authenticate.append(four)
            issue.append(five)
        self.issued_users.extend(holders)
        self.probe_lockouts += count  # ④'s attempt started each one's lockout
        self.expected_mail += count  # each new lifecycle sends its 発行 e-mail
        return {"authenticate_ms": authenticate, "issue_ms": issue}

    async def probe(self, label: str, login_holders: Sequence[Holder]) -> dict[str, Any]:
        logins = await self.logins(login_holders)
        issuances = await asyncio.to_thread(self.issuances, self.args.issuances)
        await self.settle()  # the issued certificates' lifecycles reach their first timer
        found = {"logins_ms": logins, **issuances}
        log(f"{label}: login p50 {statistics.median(logins):.0f} ms, 発行 → .p12 p50 "
            f"{statistics.median(issuances['issue_ms']):.0f} ms")
        return found

    # --- measurements -------------------------------------------------------------------

    async def settle(self) -> None:
        """Until the worker's task queue stays empty."""
        empty_in_a_row = 0
        while empty_in_a_row < 3:  # ~0.75 s: a task just dispatched is done by then, nearly always
            await asyncio.sleep(SETTLE_POLL_SECONDS)
            empty_in_a_row = empty_in_a_row + 1 if await backlog(self.client, self.settings.task_queue) == 0 else 0

    def worker_pids(self) -> list[int]:
        return [self.stack.pid(name) for name in self.stack.workers]

    def cpu_total(self) -> float:
        return cpu_seconds(self.stack.pid("temporal"), *self.worker_pids(), os.getpid())

    def sample(self) -> dict[str, Any]:
        """Sizes now, and the CPU seconds each process has used so far (independent of the machine's load).
        The production topology's worker replicas count as one worker (their sum)."""
        stack = self.stack
        return {"workflows": len(self.certified) + len(self.lockout_users), "lifecycles": len(self.certified),
                "lockouts": len(self.lockout_users), "server_rss_mib": rss_mib(stack.pid("temporal")),
                "worker_rss_mib": rss_mib(*self.worker_pids()), "temporal_db_mib": sqlite_mib(stack.temporal_db),
                "product_db_mib": product_db_mib(stack), "server_cpu_s": cpu_seconds(stack.pid("temporal")),
                "worker_cpu_s": cpu_seconds(*self.worker_pids()), "bench_cpu_s": cpu_seconds(os.getpid())}


# --- phases ---------------------------------------------------------------------------


async def baseline(run: Run) -> None:
    """Nothing alive yet: one warm-up issuance, then the probes."""
    await asyncio.to_thread(run.issuances, 1)
    # Login probes need lockout workflows to update: a wrong password each first (not timed).
    probes = run.base.make(run.args.logins, certified=0, prefix="P", now=datetime.now(timezone.utc))
    run.base.write(probes)
    await bounded([lambda holder=holder: run.wrong_password(holder) for holder in probes], run.args.concurrency)
    run.probe_lockouts += len(probes)
    run.results["baseline"] = await run.probe("baseline, nothing alive", probes)


async def timed(run: Run, work: Awaitable[Any]) -> tuple[Any, float, float]:
    """Run ``work``, then wait until the worker has drained the task queue: (its result, seconds,
    CPU seconds the dev server, the worker and this process spent meanwhile)."""
    cpu, began = run.cpu_total(), time.monotonic()
    result = await work
    await run.settle()
    return result, time.monotonic() - began, run.cpu_total() - cpu


async def grow(run: Run) -> None:
    """Start the base in steps; each kind's rate counts until the worker has caught up with it."""
    args = run.args
    steps = max(1, math.ceil((args.certificates + args.lockouts) / args.step))
    started = time.monotonic()
    samples = [{**run.sample(), "elapsed_s": 0.0}]
    rates = []
    for index in range(steps):
        certificates = args.certificates * (index + 1) // steps - args.certificates * index // steps
        lockouts = args.lockouts * (index + 1) // steps - args.lockouts * index // steps
        now = datetime.now(timezone.utc)
        holders = run.base.make(max(certificates, lockouts), certified=certificates, prefix="B", now=now)
        run.base.write(holders)
        _, lifecycle_s, lifecycle_cpu = await timed(run, bounded(
            [lambda holder=holder: run.start_lifecycle(holder) for holder in holders[:certificates]], args.concurrency))
        answers, lockout_s, lockout_cpu = await timed(run, bounded(
            [lambda holder=holder: run.wrong_password(holder) for holder in holders[:lockouts]], args.concurrency))
        if any(answer.failures != 1 or answer.outcome is not Outcome.WRONG_PASSWORD for answer in answers):
            raise RuntimeError("a first wrong password was not counted as exactly one failure")
        run.certified.extend(holders[:certificates])
        run.lockout_users.extend(holders[:lockouts])
        run.expected_mail += sum(1 for holder in holders[:certificates]
                                 if pending_timer(holder.issued_at, now).summary != TIMER_SUMMARIES[0])
        step = {"index": index + 1, "lifecycles": certificates, "lockouts": lockouts,
                "lifecycle_s": round(lifecycle_s, 2), "lockout_s": round(lockout_s, 2),
                "lifecycle_cpu_s": round(lifecycle_cpu, 2), "lockout_cpu_s": round(lockout_cpu, 2),
                "rate_per_s": round((certificates + lockouts) / (lifecycle_s + lockout_s), 1),
                "lifecycle_rate_per_s": round(certificates / lifecycle_s, 1) if certificates else None,
                "lockout_rate_per_s": round(lockouts / lockout_s, 1) if lockouts else None}
        rates.append(step)
        samples.append({**run.sample(), "elapsed_s": round(time.monotonic() - started, 1)})
        last = samples[-1]
        log(f"  {last['workflows']:>6} workflows: {step['rate_per_s']:.0f}/s (lifecycles "
            f"{step['lifecycle_rate_per_s']}/s, lockouts {step['lockout_rate_per_s']}/s); server "
            f"{last['server_rss_mib']:.0f} MiB, worker {last['worker_rss_mib']:.0f} MiB, temporal.db "
            f"{last['temporal_db_mib']:.1f} MiB, rokin.db {last['product_db_mib']:.1f} MiB")
    run.results["growth"] = {"samples": samples, "steps": rates, "seconds": round(time.monotonic() - started, 1)}


async def lock_some(run: Run) -> None:
    count = round(len(run.lockout_users) * run.args.locked)
    chosen = run.rng.sample(run.lockout_users, count)
    started = time.monotonic()

    async def lock(holder: Holder) -> None:
        for _ in range(5):
            answer = await run.wrong_password(holder)
        if answer.outcome is not Outcome.LOCKED_NOW or answer.locked_until is None:
            raise RuntimeError(f"the 6th wrong password did not lock ({answer.outcome.value})")
        run.locked_until[holder.uuid] = answer.locked_until

    await bounded([lambda holder=holder: lock(holder) for holder in chosen], run.args.concurrency)
    await run.settle()
    seconds = time.monotonic() - started
    run.expected_mail += count
    run.results["locking"] = {"locked": count, "seconds": round(seconds, 1),
                              "attempts_per_s": round(count * 5 / seconds, 1) if count else None}
    log(f"locked {count} IDs (5 more wrong passwords each) in {seconds:.1f} s")


async def count_running(client: Client) -> dict[str, int]:
    queries = {
        "lifecycles": "WorkflowType = 'CertificateLifecycleWorkflow'",
        "lifecycles_bulk": "WorkflowType = 'CertificateLifecycleWorkflow' AND RokinOrganizationCode STARTS_WITH 'B'",
        "lifecycles_active": "WorkflowType = 'CertificateLifecycleWorkflow' AND RokinState = 'active'",
        "lifecycles_renewal_window": "WorkflowType = 'CertificateLifecycleWorkflow' AND RokinState = 'renewal_window'",
        "lockouts": "WorkflowType = 'LockoutWorkflow'",
        "lockouts_bulk": "WorkflowType = 'LockoutWorkflow' AND RokinOrganizationCode STARTS_WITH 'B'",
        "lockouts_locked": f"WorkflowType = 'LockoutWorkflow' AND RokinState = '{LockoutStatus.LOCKED.value}'",
    }
    counts = {}
    for name, query in queries.items():
        counts[name] = (await client.count_workflows(f"{query} AND ExecutionStatus = 'Running'")).count
    return counts


def expected_lifecycle_timers(run: Run) -> dict[str, Timer]:
    """Every lifecycle's next wait: bulk ones from their issue date, issued ones from the database."""
    expected = {}
    for holder in run.certified:
        assert holder.issued_at is not None
        expected[certificate_workflow_id(holder.serial)] = pending_timer(holder.issued_at, datetime.now(timezone.utc))
    engine = make_engine(run.settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            owners = [holder.uuid for holder in run.issued_users]
            for serial, not_before in session.execute(select(Certificate.serial, Certificate.not_before).where(
                    Certificate.owner_uuid.in_([uuid.UUID(owner) for owner in owners]))):
                expected[certificate_workflow_id(serial)] = pending_timer(not_before.replace(tzinfo=timezone.utc),
                                                                          datetime.now(timezone.utc))
    finally:
        engine.dispose()
    return expected


async def restart_and_verify(run: Run) -> None:
    stack, found = run.stack, {}
    before = run.sample()
    started = time.monotonic()
    for worker in stack.workers:
        await in_thread(stack.stop, worker)
    await in_thread(stack.stop, "temporal")
    found["stop_s"] = round(time.monotonic() - started, 1)
    found["files_after_stop_mib"] = {"temporal_db": sqlite_mib(stack.temporal_db),
                                     "product_db": product_db_mib(stack)}
    began = time.monotonic()
    await in_thread(stack.start, "temporal")
    found["server_ready_s"] = round(time.monotonic() - began, 1)
    run.client = await connect(stack)
    began = time.monotonic()
    for worker in stack.workers:
        await in_thread(stack.start, worker)  # returns once the new worker polls
    found["worker_ready_s"] = round(time.monotonic() - began, 1)
    log(f"restarted: dev server serving after {found['server_ready_s']} s, worker polling after "
        f"{found['worker_ready_s']} s")

    counts = await count_running(run.client)
    expected_counts = {
        "lifecycles": len(run.certified) + len(run.issued_users), "lifecycles_bulk": len(run.certified),
        "lockouts": len(run.lockout_users) + run.probe_lockouts, "lockouts_bulk": len(run.lockout_users),
        "lockouts_locked": len(run.locked_until)}
    found["running"] = {"found": counts, "expected": expected_counts,
                        "exact": all(counts[key] == value for key, value in expected_counts.items())}
    log(f"running after restart: {counts} (expected {expected_counts})")

    began = time.monotonic()
    lifecycle_report = await check_timers(run.client, expected_lifecycle_timers(run), run.args.concurrency)
    lifecycle_seconds = time.monotonic() - began
    began = time.monotonic()
    lock_report = await check_timers(
        run.client, {lockout_workflow_id(user_uuid): Timer(LOCK_TIMER_SUMMARY, until)
                     for user_uuid, until in run.locked_until.items()}, run.args.concurrency)
    lock_seconds = time.monotonic() - began
    found["lifecycle_timers"] = {**lifecycle_report.as_dict(), "seconds": round(lifecycle_seconds, 1)}
    found["lock_timers"] = {**lock_report.as_dict(), "seconds": round(lock_seconds, 1)}
    log(f"pending timers: lifecycles {lifecycle_report.matching}/{lifecycle_report.checked} as expected "
        f"({lifecycle_seconds:.1f} s), locks {lock_report.matching}/{lock_report.checked} ({lock_seconds:.1f} s)")
    for report_, label in ((lifecycle_report, "lifecycle"), (lock_report, "lock")):
        for seen in report_.late:
            log(f"  {label} timer pending only after the new worker finished work in flight: {seen}")
        for seen in report_.mismatches:
            log(f"  {label} timer NOT as expected: {seen}")

    chosen = run.rng.sample([holder for holder in run.lockout_users if holder.uuid not in run.locked_until],
                            min(run.args.logins, len(run.lockout_users) - len(run.locked_until)))
    found["cold_logins_ms"] = await run.logins(chosen)
    after = run.sample()
    found["before"] = {key: before[key] for key in ("server_rss_mib", "worker_rss_mib")}
    found["after"] = {key: after[key] for key in ("server_rss_mib", "worker_rss_mib", "temporal_db_mib",
                                                  "product_db_mib")}
    run.results["restart"] = found


async def mail_check(run: Run) -> None:
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while mail_count(run.stack) < run.expected_mail and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)  # a duplicate would arrive about now
    run.results["mail"] = {"expected": run.expected_mail, "received": mail_count(run.stack)}


async def main(args: argparse.Namespace, stack: Stack, info: dict[str, Any]) -> dict[str, Any]:
    began = time.monotonic()
    engine = make_engine(stack.settings.database_url)
    try:
        run = Run(args, stack, await connect(stack), CustomerBase(make_session_factory(engine), stack.settings),
                  random.Random(args.seed))
        run.results["workers"] = {"processes": len(stack.workers),
                                  "cached_each": stack.settings.worker_cached_workflows}
        await baseline(run)
        log(f"growing to {args.certificates} lifecycles + {args.lockouts} lockouts, sampling every {args.step}")
        await grow(run)
        await lock_some(run)
        alive = [holder for holder in run.lockout_users if holder.uuid not in run.locked_until]
        run.results["alive"] = await run.probe("all alive", run.rng.sample(alive, min(args.logins, len(alive))))
        await restart_and_verify(run)
        await mail_check(run)
    finally:
        engine.dispose()
    run.results["total_seconds"] = round(time.monotonic() - began, 1)
    return {"machine": info, "results": run.results}


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=at_least(1), default=20_000,
                        help="certificate lifecycles (default 20000)")
    parser.add_argument("--lockouts", type=at_least(1), default=20_000, help="lockout workflows (default 20000)")
    parser.add_argument("--step", type=at_least(2), default=2_000, help="workflows between samples (default 2000)")
    parser.add_argument("--locked", type=fraction, default=0.02, help="fraction of lockouts locked (default 0.02)")
    parser.add_argument("--logins", type=at_least(1), default=30, help="login probes per phase (default 30)")
    parser.add_argument("--issuances", type=at_least(1), default=10, help="issuance probes per phase (default 10)")
    parser.add_argument("--concurrency", type=at_least(1), default=32, help="starts in flight (default 32)")
    parser.add_argument("--seed", type=int, default=7, help="of the issue dates and the samples (default 7)")
    parser.add_argument("--out", type=Path, default=DOCS, help="report directory (default docs/benchmarks)")
    add_topology_argument(parser)
    return parser.parse_args(argv)


def run_cli(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    info = machine()
    log(describe(info))
    with running_stack(topology=args.topology) as stack:
        measured = asyncio.run(main(args, stack, info))
    report.publish(args, measured, f"python -m bench.scale --certificates {args.certificates} "
                                   f"--lockouts {args.lockouts} --step {args.step}"
                                   f"{topology_flag(args.topology)}")  # the sizes, not --out


if __name__ == "__main__":
    run_cli()
