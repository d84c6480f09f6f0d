"""Pending timers read back from workflow histories, and the update results a history holds.

A timer is pending when its ``TimerStarted`` has no ``TimerFired``/``TimerCanceled``. Its fire
time is the workflow's clock when it was armed (the ``WorkflowTaskStarted`` of the task that
started it, which is ``workflow.now()`` there) plus ``start_to_fire_timeout``; its summary is
the ``summary``/``timeout_summary`` the workflow gave it, as the Temporal UI shows it. Payloads are
encrypted (``core.payload_codec``): each is read through the stack's key ring, as the UI's codec does.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory

from core.payload_codec import EncryptionCodec, KeyRing, decrypt

TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True)
class Timer:
    summary: str
    fires_at: datetime


def key_ring(client: Client) -> KeyRing:
    """The key ring of a client connected with the product's data converter."""
    codec = client.data_converter.payload_codec
    assert isinstance(codec, EncryptionCodec), "connect with core.payload_keys.data_converter"
    return codec.ring


def _text(payload: Payload, ring: KeyRing) -> str:
    payload = decrypt(ring, payload)
    try:
        return json.loads(payload.data)
    except ValueError:
        return payload.data.decode("utf-8", errors="replace")


def pending_timers(history: WorkflowHistory, ring: KeyRing) -> list[Timer]:
    events = {event.event_id: event for event in history.events}
    started: dict[str, Timer] = {}
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            attributes = event.timer_started_event_attributes
            completed = events[attributes.workflow_task_completed_event_id]
            task_started = events[completed.workflow_task_completed_event_attributes.started_event_id]
            armed_at = task_started.event_time.ToDatetime(tzinfo=timezone.utc)
            started[attributes.timer_id] = Timer(_text(event.user_metadata.summary, ring),
                                                 armed_at + attributes.start_to_fire_timeout.ToTimedelta())
        elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            started.pop(event.timer_fired_event_attributes.timer_id, None)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            started.pop(event.timer_canceled_event_attributes.timer_id, None)
    return list(started.values())


def update_results(history: WorkflowHistory, ring: KeyRing) -> list[dict]:
    """The successful results of the history's completed updates, decoded from JSON."""
    results = []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            outcome = event.workflow_execution_update_completed_event_attributes.outcome
            results.extend(json.loads(decrypt(ring, payload).data) for payload in outcome.success.payloads)
    return results


def holds(history: WorkflowHistory, expected: Timer, ring: KeyRing) -> bool:
    """Exactly one pending timer, with the expected summary, firing when expected (to the second)."""
    found = pending_timers(history, ring)
    return (len(found) == 1 and found[0].summary == expected.summary
            and abs(found[0].fires_at - expected.fires_at) <= TOLERANCE)


def describe_history(workflow_id: str, history: WorkflowHistory, expected: Timer, ring: KeyRing) -> dict:
    return {"workflow_id": workflow_id, "expected": [expected.summary, expected.fires_at.isoformat()],
            "pending": [[timer.summary, timer.fires_at.isoformat()] for timer in pending_timers(history, ring)],
            "last_events": [EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
                            for event in history.events[-6:]]}


@dataclass
class TimerReport:
    """How the pending timers of a set of workflows compare with what each should hold."""

    checked: int = 0
    matching: int = 0
    late: list[dict] = field(default_factory=list)  # matched only on a later look: work was in flight
    mismatches: list[dict] = field(default_factory=list)  # never matched (the first few, as their history showed)
    by_summary: Counter = field(default_factory=Counter)
    earliest: datetime | None = None
    latest: datetime | None = None

    def matched(self, expected: Timer) -> None:
        self.matching += 1
        self.by_summary[expected.summary] += 1
        self.earliest = min(filter(None, (self.earliest, expected.fires_at)))
        self.latest = max(filter(None, (self.latest, expected.fires_at)))

    def as_dict(self) -> dict:
        return {"checked": self.checked, "matching": self.matching, "late": len(self.late),
                "late_first_seen": self.late[:10], "mismatches": self.mismatches[:10],
                "mismatch_count": len(self.mismatches), "by_summary": dict(self.by_summary),
                "earliest_fire": self.earliest.isoformat() if self.earliest else None,
                "latest_fire": self.latest.isoformat() if self.latest else None}


async def check_timers(client: Client, expected: dict[str, Timer], concurrency: int, *,
                       patience: float = 60.0) -> TimerReport:
    """Fetch every workflow's history (``concurrency`` at a time) and compare its pending timers.

    A workflow that does not hold its timer yet is looked at again every few seconds for up to
    ``patience`` seconds (work in flight when the worker stopped is redone by the new one) and is
    counted as ``late`` if it then does; one that never does is a mismatch.
    """
    gate = asyncio.Semaphore(concurrency)
    ring = key_ring(client)
    report = TimerReport(checked=len(expected))
    first_seen: dict[str, dict] = {}
    waiting = dict(expected)
    give_up_at = time.monotonic() + patience

    async def look(workflow_id: str) -> None:
        async with gate:
            history = await client.get_workflow_handle(workflow_id).fetch_history()
        if holds(history, expected[workflow_id], ring):
            report.matched(expected[workflow_id])
            del waiting[workflow_id]
            if workflow_id in first_seen:
                report.late.append(first_seen[workflow_id])
        else:
            first_seen.setdefault(workflow_id, describe_history(workflow_id, history, expected[workflow_id], ring))

    while True:
        await asyncio.gather(*(look(workflow_id) for workflow_id in list(waiting)))
        if not waiting or time.monotonic() > give_up_at:
            break
        await asyncio.sleep(2)
    report.mismatches = [first_seen[workflow_id] for workflow_id in waiting]
    return report
