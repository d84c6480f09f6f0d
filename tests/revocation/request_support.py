"""Helpers for the written-request workflow tests: do what the web will do, read the results."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timezone

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus

from contract import revocation_client
from contract.names import revocation_request_workflow_id
from core.config import Settings
from domain.revocation import Party, PartyKind, RequestInput, RevocationReason
from domain.roles import StaffRole
from store import revocation as revocation_store
from store.db import make_engine, make_session_factory
from store.revocation_models import RevocationRequest
from tests.fixtures.temporal import history_json
from tests.fixtures.users import MadeUser
from tests.workflows.certificate_support import children
from tests.workflows.lockout_support import staff_account


@dataclass(frozen=True)
class Staff:
    receiver: Party
    approver: Party
    second_approver: Party
    logins: tuple[str, ...]


def make_staff(database_url: str) -> Staff:
    logins = ("recv01", "appr01", "appr02")
    roles = (StaffRole.RECEIVER, StaffRole.APPROVER, StaffRole.APPROVER)
    parties = [Party(PartyKind.STAFF, staff_account(database_url, role, login), staff_role=role)
               for role, login in zip(roles, logins, strict=True)]
    return Staff(*parties, logins=logins)


def master_party(master: MadeUser) -> Party:
    return Party(PartyKind.MASTER_USER, master.uuid, organization_code=master.organization_code)


async def file_like_the_web(client: Client, settings: Settings, *, serial: str, actor: Party, now: datetime,
                            reason: RevocationReason = RevocationReason.PC_CHANGE,
                            reason_detail: str = "") -> RequestInput:
    """File the request and start its workflow inside one transaction, then commit."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            filed = revocation_store.file_request(session=session, serial=serial, reason=reason, actor=actor,
                                                  now=now, reason_detail=reason_detail)
            await revocation_client.start_request(client, filed, task_queue=settings.task_queue)
            return filed
    finally:
        engine.dispose()


def comment(settings: Settings, number: str, actor: Party, text: str, *, approve: bool) -> int:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            return revocation_store.add_decision_comment(session=session, number=number, actor=actor, text=text,
                                                         approve=approve)
    finally:
        engine.dispose()


def request_row(settings: Settings, number: str) -> RevocationRequest:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            row = revocation_store.get_request(session=session, number=number)
            assert row is not None
            return row
    finally:
        engine.dispose()


async def settle_children(client: Client, workflow_id: str) -> None:
    """Wait until the e-mail children of ``workflow_id`` have closed (the test server's clock needs it)."""
    for child in await children(client, workflow_id):
        while (await client.get_workflow_handle(child).describe()).status == WorkflowExecutionStatus.RUNNING:
            await asyncio.sleep(0.05)


async def assert_request_history_private(client: Client, number: str, people: list[MadeUser],
                                         free_text: list[str]) -> str:
    """No e-mail address, user ID, password or free text in the request's history or its children's."""
    workflow_id = revocation_request_workflow_id(number)
    histories = [await history_json(client, workflow_id)]
    histories += [await history_json(client, child) for child in await children(client, workflow_id)]
    text = "\n".join(histories)
    assert number in text  # decoded payloads: the checks below can fail
    for person in people:
        for secret in (person.email, person.user_id, *person.passwords):
            assert not secret or secret not in text, "personal data in a revocation history"
    for words in free_text:
        assert words not in text, "free text in a revocation history"
    return text


async def timers_fired(client: Client, workflow_id: str) -> list[datetime]:
    """When the workflow's timers fired (UTC)."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return [event.event_time.ToDatetime().replace(tzinfo=timezone.utc) for event in history.events
            if event.event_type == EventType.EVENT_TYPE_TIMER_FIRED]
