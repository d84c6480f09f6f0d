"""Helpers for the lockout workflow tests: accounts, attempts through the real client helper,
the read model, and the privacy check every lockout history must pass."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from contract import lockout_client
from contract.names import lockout_workflow_id
from core.config import Settings
from domain.lockout import AttemptResult, LockoutStatus, SubjectKind
from domain.lockout_release import ActorKind, ReleaseRequest, ReleaseResult
from domain.roles import StaffRole
from store import audit
from store import lockout as lockout_store
from store import staff as staff_store
from store import users as user_store
from store.db import make_engine, make_session_factory
from store.lockout import LockoutView
from store.models import Staff, User
from tests.fixtures.temporal import history_json, product_worker
from tests.fixtures.users import MadeUser, pending_general_user

GENERAL_PASSWORD = "Ippan2024pw"


def registered_general(database_url: str, master: MadeUser, *, user_id: str = "ippan01",
                       email: str = "hanako.ippan@example.jp") -> MadeUser:
    """A general user that has done 初期登録: it has its own password and an e-mail address."""
    pending = pending_general_user(database_url, master, user_id=user_id)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            user = user_store.get_by_uuid(session=session, user_uuid=pending.uuid)
            user_store.complete_initial_registration(session=session, user=user, new_password=GENERAL_PASSWORD,
                                                     email=email, actor=audit.Actor.cli())
    finally:
        engine.dispose()
    return MadeUser(pending.uuid, pending.user_id, pending.organization_code, email,
                    (*pending.passwords, GENERAL_PASSWORD))


def staff_account(database_url: str, role: StaffRole = StaffRole.ADMINISTRATOR, login: str = "staff01") -> str:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            staff, _ = staff_store.create_staff(session=session, login=login, role=role, actor=audit.Actor.cli())
            return str(staff.uuid)
    finally:
        engine.dispose()


def kind_of(user: MadeUser, master: MadeUser | None = None) -> SubjectKind:
    return SubjectKind.MASTER if master is None or user.uuid == master.uuid else SubjectKind.GENERAL


_STARTED: list[tuple[Client, str]] = []  # every lockout workflow a test touched, for ``cleanup``


async def attempt(client: Client, task_queue: str, user: MadeUser, subject_kind: SubjectKind,
                  password_ok: bool) -> AttemptResult:
    _STARTED.append((client, lockout_workflow_id(user.uuid)))
    return await lockout_client.attempt(client, user_uuid=user.uuid, organization_code=user.organization_code,
                                        subject_kind=subject_kind, password_ok=password_ok, task_queue=task_queue)


async def release(client: Client, user: MadeUser, subject_kind: SubjectKind, request: ReleaseRequest) -> ReleaseResult:
    _STARTED.append((client, lockout_workflow_id(user.uuid)))
    return await lockout_client.release(client, user_uuid=user.uuid, organization_code=user.organization_code,
                                        subject_kind=subject_kind, request=request)


def as_master(master: MadeUser, kind) -> ReleaseRequest:
    return ReleaseRequest(kind, ActorKind.MASTER_USER, master.uuid, master.organization_code)


def as_admin(admin_uuid: str, kind) -> ReleaseRequest:
    return ReleaseRequest(kind, ActorKind.ROKIN_ADMINISTRATOR, admin_uuid)


def read_model(database_url: str, subject_kind: SubjectKind, user_uuid: str,
               now: datetime | None = None) -> LockoutView | None:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return lockout_store.get_view(session=session, subject_kind=subject_kind, user_uuid=user_uuid,
                                          now=now or datetime.now(timezone.utc))
    finally:
        engine.dispose()


@asynccontextmanager
async def lockout_worker(client: Client, settings: Settings) -> AsyncIterator[None]:
    """The product's worker, left only once the test's lockout workflows have settled."""
    async with product_worker(client, settings):
        yield
        await settle(client)


async def skip(env: WorkflowEnvironment, duration: timedelta) -> None:
    """Let ``duration`` pass on the time-skipping server once the workflows have settled.

    Real time cannot jump an hour while the worker is still handling the last attempt; here it
    could, and the Java test server then refuses the cancel of a timer it has already fired.
    """
    await settle(env.client)
    await env.sleep(duration)


async def settle(client: Client, timeout: float = 15.0) -> None:
    """Wait until the lockout workflows this test touched have nothing in progress — no
    workflow task, activity or notice child — so the worker can stop or time can jump.

    Read from the history: the time-skipping server's describe shows no pending workflow
    task. It also never skips time while a task is outstanding, and a task left behind for a
    stopped worker would freeze time for every later test (sdk-java#1138).
    """
    deadline = time.monotonic() + timeout
    for workflow_id in {workflow_id for _, workflow_id in _STARTED}:  # this test's, on this server
        handle = client.get_workflow_handle(workflow_id)
        while (busy := _in_progress(await _events(handle))):
            if time.monotonic() > deadline:
                raise AssertionError(f"{workflow_id} still busy: {busy}")
            await asyncio.sleep(0.05)


async def _events(handle) -> list:
    try:
        return list((await handle.fetch_history()).events)
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:  # never started (a refused release, say)
            return []
        raise


CLOSED = {f"WORKFLOW_EXECUTION_{end}" for end in ("COMPLETED", "FAILED", "TIMED_OUT", "CANCELED", "TERMINATED",
                                                  "CONTINUED_AS_NEW")}  # not ..._UPDATE_COMPLETED


def _in_progress(events) -> list[str]:
    """What the history shows as started and not finished: activities, children, workflow tasks."""
    open_items: dict[int, str] = {}
    for event in events:
        kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
        attributes = getattr(event, event.WhichOneof("attributes")) if event.WhichOneof("attributes") else None
        if kind in ("ACTIVITY_TASK_SCHEDULED", "START_CHILD_WORKFLOW_EXECUTION_INITIATED", "WORKFLOW_TASK_SCHEDULED"):
            open_items[event.event_id] = kind
        for field in ("scheduled_event_id", "initiated_event_id"):
            if kind.endswith(("COMPLETED", "FAILED", "TIMED_OUT", "CANCELED", "TERMINATED")) \
                    and attributes is not None and hasattr(attributes, field):
                open_items.pop(getattr(attributes, field), None)
    last = EventType.Name(events[-1].event_type).removeprefix("EVENT_TYPE_") if events else ""
    if last in CLOSED:
        return []
    if last == "WORKFLOW_EXECUTION_STARTED":  # a new run, its first task not yet scheduled
        return [last]
    return sorted(open_items.values())


@pytest.fixture(autouse=True)
async def cleanup() -> AsyncIterator[None]:
    """Terminate every lockout workflow the test started on a shared server (they run for ever
    otherwise). Tests on the time-skipping server do without: their server ends with them."""
    _STARTED.clear()  # what tests without this fixture started, on servers that may be gone
    yield
    while _STARTED:
        client, workflow_id = _STARTED.pop()
        with contextlib.suppress(RPCError):
            await client.get_workflow_handle(workflow_id).terminate("end of test")


async def mirrored(database_url: str, subject_kind: SubjectKind, user_uuid: str, expected: LockoutStatus,
                   timeout: float = 10.0) -> Staff | User:
    """Wait until the read-model row says ``expected`` (the workflow mirrors after answering)."""
    model = Staff if subject_kind is SubjectKind.STAFF else User
    engine = make_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with make_session_factory(engine)() as session:
                row = session.get(model, uuid.UUID(user_uuid))
                if row is not None and row.lockout_status is expected:
                    return row
            if time.monotonic() > deadline:
                raise AssertionError(f"read model still {row and row.lockout_status}, expected {expected}")
            await asyncio.sleep(0.05)
    finally:
        engine.dispose()


async def assert_history_private(client: Client, users: list[MadeUser]) -> str:
    """The lockout histories of ``users`` name them by UUID only: no password, e-mail or user ID."""
    found = []
    for user in users:
        history = await history_json(client, lockout_workflow_id(user.uuid))
        assert user.uuid in history  # decoded: the checks below can fail
        for secret in (*user.passwords, user.user_id, *(filter(None, [user.email]))):
            assert secret not in history, "personal data in a lockout history"
        found.append(history)
    return "\n".join(found)
