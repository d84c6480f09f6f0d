"""RokinBankCode (issue 16): every workflow of an organization carries its 労金 from the start — the
lockout of its users, its issuances, its certificates' lifecycles, its written requests — and the
per-bank visibility queries operators read in the README (``rokin.visibility.BANK_QUERIES``) list
exactly one 労金's. An organization without a 労金 gets no attribute, and its workflows still run.

Everything starts the way the product starts it: the use-cases over the real gateway, the product's
worker (whose activity starts the lifecycle). The dev server is this module's own: queries are global.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from contract import search_attributes
from contract.names import (
    certificate_workflow_id,
    issuance_workflow_id,
    lockout_workflow_id,
    revocation_request_workflow_id,
)
from core.config import Settings
from domain.lockout import MAX_CONSECUTIVE_FAILURES
from domain.revocation import Party, PartyKind, RevocationReason
from domain.roles import StaffRole
from pki.devca import ensure_dev_pki
from rokin import visibility
from rokin.mailsink import start_sink
from store import audit
from store import branches as branch_store
from store import revocation as revocation_store
from store import users as user_store
from store.db import make_engine, make_session_factory
from store.login_throttle import ThrottleLimits
from store.migrate import upgrade
from tests.fixtures.mail import SINK_HOST, free_port
from tests.fixtures.payload_keys import TEST_CONVERTER
from tests.fixtures.temporal import DEV_SERVER, SEARCH_ATTRIBUTES, product_worker
from tests.fixtures.users import DEFAULT_PASSWORD, registered_master
from usecases import branches, issuance
from usecases.authentication import AttemptOrigin, AttemptRefused, authenticate_user
from usecases.bridge import TemporalBridge
from usecases.gateway import TemporalGateway
from usecases.transaction import committed

from .lockout_support import staff_account

T = TypeVar("T")
VISIBLE_WITHIN_SECONDS = 15.0  # the dev server's visibility store trails the workflows a little
ORIGIN = AttemptOrigin(None, ThrottleLimits.from_settings(Settings.from_env({})))
CHUO, KINKI = ("2963", "001"), ("2978", "030")


@dataclass(frozen=True)
class Organization:
    code: str
    master_user_id: str
    serial: str
    request_number: str


@dataclass(frozen=True)
class World:
    client: Client
    chuo: Organization
    kinki: list[Organization]
    unassigned: Organization
    locked_user_uuid: str  # a Kinki master who mistyped the password into a lock


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(DEV_SERVER),
                                                search_attributes=SEARCH_ATTRIBUTES, ui=False,
                                                data_converter=TEST_CONVERTER)
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="module")
async def world(server: WorkflowEnvironment, tmp_path_factory) -> AsyncIterator[World]:  # noqa: ANN001
    """One organization of 中央労金, two of 近畿労金, one without a 労金: each master issues a certificate
    and files a written request for it; one 近畿 master locks their ID; 中央's paper is received."""
    data_dir = tmp_path_factory.mktemp("bank-visibility")
    smtp_port = free_port()
    sink = start_sink(SINK_HOST, smtp_port, data_dir / "mail")
    settings = replace(Settings.from_env({}), data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'rokin.db'}",
                       task_queue="bank-visibility", smtp_host=SINK_HOST, smtp_port=smtp_port)
    ensure_dev_pki(settings.pki_dir)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    client = server.client
    gateway = TemporalGateway(TemporalBridge.on_loop(client, asyncio.get_running_loop(), settings.task_queue))
    try:
        async with product_worker(client, settings):
            await _call(factory, branches.load_shipped_branches_if_none, actor=audit.Actor.cli())
            chuo = await _organization(factory, gateway, settings.database_url, CHUO)
            kinki = [await _organization(factory, gateway, settings.database_url, KINKI) for _ in range(2)]
            unassigned = await _organization(factory, gateway, settings.database_url, None)
            locked = await _lock(factory, gateway, kinki[0].master_user_id)
            receiver = staff_account(settings.database_url, StaffRole.RECEIVER)  # the 連合会's: any 労金
            await asyncio.to_thread(gateway.receive_paper, chuo.request_number,
                                    Party(PartyKind.STAFF, receiver, staff_role=StaffRole.RECEIVER))
            yield World(client, chuo, kinki, unassigned, locked)
    finally:
        engine.dispose()
        sink.stop()


async def _call(factory: sessionmaker[Session], use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``use_case(session, …)`` in a thread, as a page would run it (the gateway waits on this loop)."""

    def run() -> T:
        with factory() as session:
            return use_case(session, *args, **kwargs)

    return await asyncio.to_thread(run)


async def _organization(factory: sessionmaker[Session], gateway: TemporalGateway, database_url: str,
                        branch: tuple[str, str] | None) -> Organization:
    master = registered_master(database_url, branch=None)  # assigned below, or never
    if branch is not None:
        with factory.begin() as session:
            user = user_store.get_by_user_id(session=session, user_id=master.user_id)
            branch_store.assign_branch(session=session, organization=user.organization, bank_code=branch[0],
                                       branch_code=branch[1], actor=audit.Actor.cli())
    entry = await _call(factory, issuance.authenticate_for_issuance, gateway, user_id=master.user_id,
                        password=DEFAULT_PASSWORD, origin=ORIGIN, now=datetime.now(timezone.utc))
    delivery = await _call(factory, issuance.issue_certificate, gateway, user_uuid=str(entry.user.uuid),
                           password=DEFAULT_PASSWORD, request_id=f"req-{master.uuid}",
                           delivery_deadline=timedelta(minutes=2))
    number = await _call(factory, _file_request, gateway, serial=delivery.certificate.serial,
                         master_user_id=master.user_id)
    return Organization(master.organization_code, master.user_id, delivery.certificate.serial, number)


def _file_request(session: Session, gateway: TemporalGateway, *, serial: str, master_user_id: str) -> str:
    """What ``usecases.revocation.file_request`` does, with the bank code passed to the start (the change
    asked of that use-case in the issue-16 report)."""
    with committed(session):
        master = user_store.get_by_user_id(session=session, user_id=master_user_id)
        filed = revocation_store.file_request(session=session, serial=serial, reason=RevocationReason.PC_CHANGE,
                                              actor=revocation_store.party_of_user(master),
                                              now=datetime.now(timezone.utc))
        gateway.start_revocation_request(filed, bank_code=branch_store.bank_code_of(
            session=session, organization_code=filed.organization_code))
    return filed.number


async def _lock(factory: sessionmaker[Session], gateway: TemporalGateway, user_id: str) -> str:
    for _ in range(MAX_CONSECUTIVE_FAILURES):
        with pytest.raises(AttemptRefused):
            await _call(factory, authenticate_user, gateway, user_id=user_id, password="Wrong2024x",
                        origin=ORIGIN, now=datetime.now(timezone.utc))
    with factory() as session:
        return str(user_store.get_by_user_id(session=session, user_id=user_id).uuid)


async def listed_ids(client: Client, query: str, expected: set[str]) -> set[str]:
    """The workflow IDs ``query`` lists, once they are ``expected`` or at the deadline (the dev server's
    visibility trails the workflows a little: a wait, not a timing assertion)."""
    deadline = time.monotonic() + VISIBLE_WITHIN_SECONDS
    while True:
        found = {workflow.id async for workflow in client.list_workflows(query)}
        if found == expected or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


def _running(organization: Organization, client_lockout_uuid: str) -> set[str]:
    return {lockout_workflow_id(client_lockout_uuid), certificate_workflow_id(organization.serial),
            revocation_request_workflow_id(organization.request_number)}


async def _master_uuid(world: World, organization: Organization) -> str:
    handle = world.client.get_workflow_handle(certificate_workflow_id(organization.serial))
    uuid = (await handle.describe()).typed_search_attributes.get(search_attributes.USER_UUID)
    assert uuid is not None
    return uuid


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the module's world is SQLite's
async def test_one_banks_running_workflows_are_listed_and_no_other_banks(world: World, database_url):  # noqa: ANN001
    expected: dict[str, set[str]] = {CHUO[0]: set(), KINKI[0]: set()}
    expected[CHUO[0]] |= _running(world.chuo, await _master_uuid(world, world.chuo))
    for organization in world.kinki:
        expected[KINKI[0]] |= _running(organization, await _master_uuid(world, organization))
    for bank_code, ids in expected.items():
        query = visibility.BANK_RUNNING.render({"bank_code": bank_code})
        assert await listed_ids(world.client, query, ids) == ids, query
    assert len(expected[KINKI[0]]) == 6 and len(expected[CHUO[0]]) == 3


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_issuance_carries_its_bank_and_an_organization_without_one_carries_none(world: World,
                                                                                        database_url):  # noqa: ANN001
    client = world.client
    chuo_issuance = await client.get_workflow_handle(
        issuance_workflow_id(f"req-{await _master_uuid(world, world.chuo)}")).describe()
    assert chuo_issuance.typed_search_attributes.get(search_attributes.BANK_CODE) == CHUO[0]
    unassigned_uuid = await _master_uuid(world, world.unassigned)
    for workflow_id in (lockout_workflow_id(unassigned_uuid), certificate_workflow_id(world.unassigned.serial),
                        issuance_workflow_id(f"req-{unassigned_uuid}")):
        attributes = (await client.get_workflow_handle(workflow_id).describe()).typed_search_attributes
        assert attributes.get(search_attributes.BANK_CODE) is None, workflow_id
        assert attributes.get(search_attributes.ORGANIZATION_CODE) == world.unassigned.code or \
            workflow_id.startswith("issuance/"), workflow_id


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_one_banks_locked_ids(world: World, database_url):  # noqa: ANN001
    kinki = visibility.BANK_LOCKED.render({"bank_code": KINKI[0]})
    chuo = visibility.BANK_LOCKED.render({"bank_code": CHUO[0]})
    assert await listed_ids(world.client, kinki, {lockout_workflow_id(world.locked_user_uuid)}) == \
        {lockout_workflow_id(world.locked_user_uuid)}
    assert await listed_ids(world.client, chuo, set()) == set()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_readme_command_counts_one_banks_running_workflows(world: World, database_url):  # noqa: ANN001
    """The README's CLI form: ``temporal workflow count --query "RokinBankCode = '2978' AND …"``."""
    address = world.client.service_client.config.target_host
    query = visibility.BANK_RUNNING.render({"bank_code": KINKI[0]})
    deadline = time.monotonic() + VISIBLE_WITHIN_SECONDS
    while True:
        done = await asyncio.to_thread(subprocess.run, [str(DEV_SERVER), "workflow", "count", "--address", address,
                                                        "--query", query], capture_output=True, text=True,
                                       timeout=60, check=False)
        if done.stdout.strip() == "Total: 6" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Total: 6"  # 2 organizations × lockout, lifecycle, written request


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_one_banks_requests_waiting_for_an_approver(world: World, database_url):  # noqa: ANN001
    chuo = visibility.BANK_AWAITING_APPROVAL.render({"bank_code": CHUO[0]})
    kinki = visibility.BANK_AWAITING_APPROVAL.render({"bank_code": KINKI[0]})
    received = {revocation_request_workflow_id(world.chuo.request_number)}
    assert await listed_ids(world.client, chuo, received) == received
    assert await listed_ids(world.client, kinki, set()) == set()
