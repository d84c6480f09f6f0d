"""The authorization matrix of issue 16: every staff route × staff of the target's 労金, of another 労金
and of the 連合会 × target objects of two 労金 → the expected status. Another 労金's organization, user,
request, certificate or staff account is 404 — the page of one that does not exist — and the attempt
changes nothing: the target's rows are as before, and no audit entry names the acting staff member.

One app and one data set per database (module scope; SQLite and PostgreSQL), with the product's worker
on the run's Temporal dev server. The table is run in its order: a route that changes something comes
after the pages that read it, and each permitted action may find it done already by the one before
(so its expected statuses are a set: done, or refused for its state — never 404).
"""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.service import RPCError, RPCStatusCode

from contract.names import revocation_request_workflow_id
from core.config import Settings
from domain.banks import FEDERATION
from domain.roles import StaffRole
from domain.validity import tokyo_date
from store import audit
from store import organizations as org_store
from store import staff as staff_store
from store import users as user_store
from store.migrate import upgrade
from store.models import AuditEntry, Certificate, Organization, Staff, User
from store.revocation_models import RevocationRequest
from store.sessions import LoginSession
from tests.conftest import _fresh_database_url, csrf_token
from tests.fixtures.mail import SINK_HOST, SmtpSink, free_port
from tests.fixtures.payload_keys import TEST_PAYLOAD_KEYS
from tests.web.certificates.arrange import record_certificate
from tests.web.revocation.support import file_request
from usecases.branches import load_shipped_branches_if_none

from .conftest import StaffAccount, log_in, set_own_password
from .dashboard_tables import table

A, B, F = "2963", "2978", FEDERATION.code  # two 労金 and the 連合会
BRANCH = {A: "101", B: "030"}
OTHER_BANK_BRANCH = {A: f"{B}-{BRANCH[B]}", B: f"{A}-{BRANCH[A]}"}
PASSWORD = "Master2024x"
ROLE = {"admin": StaffRole.ADMINISTRATOR, "recv": StaffRole.RECEIVER, "appr": StaffRole.APPROVER}
REQUESTS = 8  # request numbers the data set uses (their workflow IDs are freed on the shared dev server first)


# --- the data set ------------------------------------------------------------------------------------


@dataclass
class Bank:
    """One 労金's targets (or, for the organization without a bank, the 連合会's only)."""

    code: str
    org: str = ""  # its organization: a master with a certificate and a written request (受付, 承認)
    master_uuid: str = ""
    master_id: str = ""
    general_serial: str = ""  # a general user's certificate (緊急失効)
    request: str = ""
    withdraw_org: str = ""
    withdraw_request: str = ""  # another organization's request (取下げ)
    filing_serial: str = ""  # a third organization's master's certificate, no request yet (受付担当者の登録)
    victim_uuid: str = ""  # a staff member of this 労金 whose sessions an administrator may end
    created_staff_uuid: str = ""  # a staff account of this 労金 (職員登録's result page)


@dataclass
class World:
    app: object
    factory: object
    banks: dict[str, Bank]
    clients: dict[str, object] = field(default_factory=dict)  # "A-admin", "F-recv", ...
    staff_uuids: dict[str, str] = field(default_factory=dict)
    no_bank_org: str = ""  # registered before issue 16: the 連合会's only


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    for url in _fresh_database_url(request.param, tmp_path_factory):
        upgrade(url)
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def free_request_numbers(database: str, dev_server_env) -> None:  # noqa: ANN001
    """Each database numbers its requests from 1, but a request's workflow ID is its number and the dev
    server is the run's: delete the earlier ones (as tests/web/revocation/conftest.py does)."""
    client = dev_server_env.client
    year = tokyo_date(datetime.now(timezone.utc)).year
    ids = [revocation_request_workflow_id(f"R-{year}-{n:06d}") for n in range(1, REQUESTS + 1)]
    for workflow_id in ids:
        try:
            await client.workflow_service.delete_workflow_execution(DeleteWorkflowExecutionRequest(
                namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=workflow_id)))
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
    deadline = time.monotonic() + 30
    for workflow_id in ids:
        while True:
            try:
                await client.get_workflow_handle(workflow_id).describe()
            except RPCError as error:
                if error.status is RPCStatusCode.NOT_FOUND:
                    break
                raise
            assert time.monotonic() < deadline, f"{workflow_id} not deleted"
            await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
def world(database: str, free_request_numbers, dev_server_env, worker_thread, session_dev_pki,  # noqa: ANN001
          tmp_path_factory) -> Iterator[World]:
    from web import create_app

    data_dir = tmp_path_factory.mktemp("matrix-var")
    sink = SmtpSink(SINK_HOST, free_port(), data_dir / "maildir")
    sink.start()
    settings = replace(Settings.from_env({}), data_dir=data_dir, database_url=database,
                       payload_keys=TEST_PAYLOAD_KEYS,
                       temporal_address=dev_server_env.client.service_client.config.target_host,
                       temporal_namespace=dev_server_env.client.namespace, task_queue=f"test-{uuid.uuid4().hex}",
                       smtp_host=sink.host, smtp_port=sink.port)
    shutil.copytree(session_dev_pki.directory, settings.pki_dir, dirs_exist_ok=True)
    app = create_app({"TESTING": True}, settings=settings)
    try:
        with worker_thread.worker(settings):
            yield _arrange(app)
    finally:
        sink.stop()


def _arrange(app) -> World:  # noqa: ANN001
    factory = app.extensions["rokin"].session_factory
    with factory() as session:
        load_shipped_branches_if_none(session, actor=audit.Actor.cli())
    world = World(app, factory, {A: Bank(A), B: Bank(B)})
    counter = iter(range(1, 100))

    def organization(bank_code: str | None) -> tuple[str, str, str, str]:
        """A new organization whose master did 初期登録 and holds a certificate: (code, master ID, serial,
        master UUID)."""
        code = f"M{next(counter):03d}"
        with factory.begin() as session:
            created = org_store.create_organization(
                session=session, code=code, name="行列労働組合", email="m@example.jp", actor=audit.Actor.cli(),
                bank_code=bank_code, branch_code=BRANCH.get(bank_code or ""))
            user_store.complete_initial_registration(session=session, user=created.master, new_password=PASSWORD,
                                                     email="m@example.jp", actor=audit.Actor.cli())
            user_id, master_uuid = created.master.user_id, str(created.master.uuid)
        return code, user_id, record_certificate(factory, user_id, datetime.now(timezone.utc)), master_uuid

    def filed(user_id: str, serial: str) -> str:
        _, response = file_request(app, user_id, PASSWORD, serial)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.location.rsplit("/", 1)[1]

    for bank in world.banks.values():
        bank.org, bank.master_id, serial, bank.master_uuid = organization(bank.code)
        bank.request = filed(bank.master_id, serial)
        master_id = bank.master_id
        with factory.begin() as session:
            master = user_store.get_by_user_id(session=session, user_id=master_id)
            user_store.create_general_user(session=session, master=master, user_id=f"ippan{bank.code}",
                                           display_name="一般", actor=audit.Actor.cli())
        bank.general_serial = record_certificate(factory, f"ippan{bank.code}", datetime.now(timezone.utc))
        bank.withdraw_org, master_id, serial, _ = organization(bank.code)
        bank.withdraw_request = filed(master_id, serial)
        _, _, bank.filing_serial, _ = organization(bank.code)
        with factory.begin() as session:
            victim, _ = staff_store.create_staff(session=session, login=f"victim{bank.code}", role=StaffRole.RECEIVER,
                                                 actor=audit.Actor.cli(), bank_code=bank.code)
            made, _ = staff_store.create_staff(session=session, login=f"made{bank.code}", role=StaffRole.APPROVER,
                                               actor=audit.Actor.cli(), bank_code=bank.code)
            bank.victim_uuid, bank.created_staff_uuid = str(victim.uuid), str(made.uuid)
    world.no_bank_org, _, _, _ = organization(None)

    for bank_key, bank_code in (("A", A), ("B", B), ("F", F)):
        for role_key, role in ROLE.items():
            login = f"{role_key}{bank_code}"
            with factory.begin() as session:
                staff, initial = staff_store.create_staff(session=session, login=login, role=role,
                                                          actor=audit.Actor.cli(), bank_code=bank_code)
                account = StaffAccount(staff.login, initial, str(staff.uuid), role, bank_code)
            client = app.test_client()
            assert log_in(client, account).headers["Location"] == "/staff/password"
            set_own_password(client, account)
            world.clients[f"{bank_key}-{role_key}"] = client
            world.staff_uuids[f"{bank_key}-{role_key}"] = account.uuid
    return world


# --- what "changes nothing" looks at ---------------------------------------------------------------


def snapshot(world: World, actor: str) -> tuple:
    """Every row a staff route could change, and the audit entries naming ``actor``."""
    with world.factory() as session:
        return (
            sorted(session.execute(select(RevocationRequest.number, RevocationRequest.state,
                                          RevocationRequest.received_by_staff_uuid)).all()),
            sorted(session.execute(select(Certificate.serial, Certificate.status)).all()),
            sorted(session.execute(select(User.user_id, User.password_hash, User.lockout_status)).all()),
            sorted(session.execute(select(Organization.code, Organization.bank_code,
                                          Organization.branch_code)).all()),
            sorted(session.execute(select(Staff.login, Staff.bank_code)).all()),
            session.scalar(select(func.count()).select_from(LoginSession).where(LoginSession.ended_at.is_(None))),
            session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.actor_id == world.staff_uuids[actor])),
        )


# --- the table ---------------------------------------------------------------------------------------

OK = frozenset({200})
DONE = frozenset({302})


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: Callable[[World, Bank], str]
    roles: tuple[str, ...]  # the roles that may use it (others: the gate's 403, not tested here)
    permitted: frozenset[int]  # for staff of the target's 労金 and of the 連合会
    form: Callable[[World, Bank], dict] = lambda world, bank: {}
    shows: Callable[[World, Bank], str] | None = None  # a GET list: what it must (or must not) show
    form_page: str = "/staff/"  # where a POST takes its CSRF token from


def _user_page(suffix: str) -> Callable[[World, Bank], str]:
    return lambda world, bank: f"/staff/accounts/user/{bank.master_uuid}/{suffix}"


ROUTES = [
    # Lists: the same status for all; what they show is the matter (``shows``).
    Route("団体一覧", "GET", lambda w, b: "/staff/organizations", ("admin",), OK,
          shows=lambda w, b: f'id="org-{b.org}"'),
    Route("ユーザー検索", "GET", lambda w, b: f"/staff/accounts?q={b.org}", ("admin", "recv", "appr"), OK,
          shows=lambda w, b: f'id="account-{b.master_id}"'),
    Route("失効依頼一覧", "GET", lambda w, b: "/staff/requests", ("admin", "recv", "appr"), OK,
          shows=lambda w, b: f'id="request-{b.request}"'),
    Route("ダッシュボード", "GET", lambda w, b: f"/staff/?org={b.org}", ("admin", "recv", "appr"), OK,
          shows=lambda w, b: 'id="dashboard-org-error"'),
    # One object's pages.
    Route("ご利用開始のお知らせ", "GET", lambda w, b: f"/staff/organizations/{b.org}/notice", ("admin",), OK),
    Route("お取引店登録", "GET", lambda w, b: f"/staff/organizations/{b.org}/branch", ("admin",), OK),
    Route("解除確認", "GET", _user_page("unlock"), ("admin",), OK),
    Route("パスワード初期化の確認", "GET", _user_page("reset-password"), ("admin",), OK),
    Route("ご利用開始（変更）のお知らせ", "GET", _user_page("reset-notice"), ("admin",), OK),
    Route("失効依頼", "GET", lambda w, b: f"/staff/requests/{b.request}", ("admin", "recv", "appr"), OK),
    Route("セッション終了の確認", "GET", lambda w, b: f"/staff/accounts/staff/{b.victim_uuid}/sessions", ("admin",),
          OK),
    Route("職員登録の結果", "GET", lambda w, b: f"/staff/staff-accounts/{b.created_staff_uuid}/created", ("admin",),
          OK),
    # Actions.
    Route("ロック解除", "POST", _user_page("unlock"), ("admin",), DONE),
    Route("パスワード初期化", "POST", _user_page("reset-password"), ("admin",), DONE),
    Route("受付", "POST", lambda w, b: f"/staff/requests/{b.request}/receive", ("recv",), frozenset({302, 409})),
    Route("承認", "POST", lambda w, b: f"/staff/requests/{b.request}/decide", ("appr",), frozenset({302, 409}),
          form=lambda w, b: {"decision": "approve", "comment": "書面を確認しました"}),
    Route("取下げ", "POST", lambda w, b: f"/staff/requests/{b.withdraw_request}/withdraw", ("admin",),
          frozenset({302, 409})),
    Route("書面からの失効依頼登録", "POST", lambda w, b: "/staff/requests/new", ("recv",), frozenset({302, 409}),
          form=lambda w, b: {"serial": b.filing_serial, "reason": "pc_change"}, form_page="/staff/requests/new"),
    Route("緊急失効", "POST", lambda w, b: "/staff/emergency", ("admin",), frozenset({302, 409}),
          form=lambda w, b: {"serial": b.general_serial, "reason": "suspected_misuse", "note": "不正利用の疑い"},
          form_page="/staff/emergency"),
    Route("お取引店登録の実行", "POST", lambda w, b: f"/staff/organizations/{b.org}/branch", ("admin",), DONE,
          form=lambda w, b: {"branch": f"{b.code}-{BRANCH[b.code]}"}),
    Route("セッション終了", "POST", lambda w, b: f"/staff/accounts/staff/{b.victim_uuid}/sessions", ("admin",), DONE),
]


def _cases() -> Iterator:
    for route in ROUTES:
        for role in route.roles:
            for target in (A, B):
                for relation in ("same", "other", "federation"):
                    yield pytest.param(route, role, target, relation,
                                       id=f"{route.name}-{role}-{'AB'[target == B]}-{relation}")


def _actor(role: str, target: str, relation: str) -> str:
    if relation == "federation":
        return f"F-{role}"
    own = "A" if target == A else "B"
    return f"{own if relation == 'same' else 'AB'.replace(own, '')}-{role}"


@pytest.mark.parametrize(("route", "role", "target", "relation"), list(_cases()))
def test_staff_route_within_the_bank(world: World, route: Route, role: str, target: str, relation: str):
    actor = _actor(role, target, relation)
    client, bank = world.clients[actor], world.banks[target]
    before = snapshot(world, actor)
    path = route.path(world, bank)
    if route.method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": csrf_token(client, route.form_page),
                                           **route.form(world, bank)})
    page = response.get_data(as_text=True)

    if route.shows is not None:  # a list: everyone gets it, with only their 労金's rows
        assert response.status_code in route.permitted, (actor, path, response.status_code)
        visible = route.shows(world, bank) in page
        if route.name == "ダッシュボード":  # another 労金's organization reads as unknown there
            assert visible is (relation == "other"), (actor, path)
        else:
            assert visible is (relation != "other"), (actor, path)
    elif relation == "other":
        assert response.status_code == 404, (actor, path, response.status_code, page[:300])
    else:
        assert response.status_code in route.permitted, (actor, path, response.status_code, page[:300])
    if relation == "other":
        assert snapshot(world, actor) == before, "another 労金's staff changed something"


# --- the rest of the rule, one case each -----------------------------------------------------------------


def test_an_organization_without_a_bank_is_the_federations_only(world: World):
    code = world.no_bank_org
    for actor in ("A-admin", "B-admin"):
        client = world.clients[actor]
        assert f'id="org-{code}"' not in client.get("/staff/organizations").get_data(as_text=True)
        assert client.get(f"/staff/organizations/{code}/notice").status_code == 404
        assert client.get(f"/staff/organizations/{code}/branch").status_code == 404
    federation = world.clients["F-admin"]
    listed = federation.get("/staff/organizations").get_data(as_text=True)
    assert f'id="org-{code}"' in listed and 'id="branch-warning"' in listed
    assert "2027年4月1日以降、お取引店が未登録の団体には電子証明書を発行できません" in listed
    assert federation.get(f"/staff/organizations/{code}/branch").status_code == 200


def test_a_banks_staff_register_organizations_and_staff_only_in_their_bank(world: World):
    client = world.clients["A-admin"]
    before = snapshot(world, "A-admin")
    form = {"code": "XBANK1", "name": "越境労働組合", "email": "x@example.jp", "email_confirm": "x@example.jp",
            "branch": OTHER_BANK_BRANCH[A]}
    refused = client.post("/staff/organizations/new",
                          data={"csrf_token": csrf_token(client, "/staff/organizations/new"), **form})
    assert refused.status_code == 200 and "ご自身の労働金庫以外は選択できません。" in refused.get_data(as_text=True)
    page = client.get("/staff/organizations/new").get_data(as_text=True)
    assert f'value="{A}-{BRANCH[A]}"' in page and f'value="{B}-' not in page, "only its own branches are offered"
    staff_form = {"login": "xbank001", "role": "receiver", "bank": B}
    refused = client.post("/staff/staff-accounts/new",
                          data={"csrf_token": csrf_token(client, "/staff/staff-accounts/new"), **staff_form})
    assert refused.status_code == 200 and "ご自身の労働金庫以外は選択できません。" in refused.get_data(as_text=True)
    refused = client.post("/staff/staff-accounts/new", data={
        "csrf_token": csrf_token(client, "/staff/staff-accounts/new"), **staff_form, "bank": F})
    assert refused.status_code == 200
    assert snapshot(world, "A-admin") == before
    own = client.post("/staff/staff-accounts/new", data={
        "csrf_token": csrf_token(client, "/staff/staff-accounts/new"), **staff_form, "login": "ownbank01", "bank": A})
    assert own.status_code == 302 and "中央労働金庫" in client.get(own.location).get_data(as_text=True)

    federation = world.clients["F-admin"]
    created = federation.post("/staff/staff-accounts/new", data={
        "csrf_token": csrf_token(federation, "/staff/staff-accounts/new"), **staff_form})
    assert created.status_code == 302
    shown = federation.get(created.location).get_data(as_text=True)
    assert 'id="new-staff-initial-password"' in shown and "近畿労働金庫" in shown
    assert 'id="new-staff-initial-password"' not in federation.get(created.location).get_data(as_text=True)


def test_a_banks_approver_cannot_decide_another_banks_received_request(world: World):
    """Maker-checker within a 労金: B's approver meets A's request, received by A's receiver, as a 404."""
    number = world.banks[A].request
    receiver = world.clients["A-recv"]
    receiver.post(f"/staff/requests/{number}/receive",
                  data={"csrf_token": csrf_token(receiver, "/staff/")})  # done already, or now
    approver = world.clients["B-appr"]
    before = snapshot(world, "B-appr")
    response = approver.post(f"/staff/requests/{number}/decide", data={
        "csrf_token": csrf_token(approver, "/staff/"), "decision": "reject", "comment": "越境"})
    assert response.status_code == 404
    assert snapshot(world, "B-appr") == before


def test_the_dashboard_counts_only_the_banks_requests(world: World):
    with world.factory() as session:
        per_bank = dict(session.execute(
            select(Organization.bank_code, func.count(RevocationRequest.id))
            .join(RevocationRequest, RevocationRequest.organization_id == Organization.id)
            .group_by(Organization.bank_code)).all())
    assert per_bank[A] >= 2 and per_bank[B] >= 2
    for actor, expected in (("A-recv", per_bank[A]), ("B-appr", per_bank[B]), ("F-admin", sum(per_bank.values()))):
        page = world.clients[actor].get("/staff/").get_data(as_text=True)
        assert sum(row["count"] for row in table(page, "states").values()) == expected, actor
