"""Staff accounts in the app's database, and clients logged in as staff or as an employer user."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from domain.banks import FEDERATION
from domain.roles import StaffRole
from store import audit
from store import staff as staff_store
from store import users as user_store
from store.models import AuditEntry, Organization, Staff
from tests.conftest import post_form
from usecases.branches import load_shipped_branches_if_none

from ..pages import login

NEW_PASSWORD = "Chosen2024"


NEW_BRANCH = "2963-101"  # 団体登録's 労金・お取引店 choice: 中央労働金庫 新宿支店, from the shipped list


@dataclass
class StaffAccount:
    login: str
    password: str
    uuid: str
    role: StaffRole
    bank_code: str = FEDERATION.code


@pytest.fixture
def shipped_branches(app) -> None:  # noqa: ANN001
    """The branch list the product ships (団体登録 offers its branches)."""
    with app.extensions["rokin"].session_factory() as session:
        load_shipped_branches_if_none(session, actor=audit.Actor.cli())


@pytest.fixture
def make_staff(app, shipped_branches):  # noqa: ANN001, ANN201
    """A staff account like ``rokin admin create-staff``: it still has its one-time initial password.
    Of the 連合会 unless ``bank_code`` says otherwise (it sees every 労金, and organizations without one)."""
    factory = app.extensions["rokin"].session_factory
    counter = iter(range(100, 1000))

    def make(role: StaffRole = StaffRole.ADMINISTRATOR, login: str | None = None,
             bank_code: str = FEDERATION.code) -> StaffAccount:
        with factory.begin() as session:
            staff, initial_password = staff_store.create_staff(
                session=session, login=login or f"staff{next(counter)}", role=role, actor=audit.Actor.cli(),
                bank_code=bank_code)
            return StaffAccount(staff.login, initial_password, str(staff.uuid), role, bank_code)

    return make


def log_in(client, account: StaffAccount, password: str | None = None):  # noqa: ANN001, ANN201
    return post_form(client, "/staff/login", {"login": account.login, "password": password or account.password})


def set_own_password(client, account: StaffAccount):  # noqa: ANN001, ANN201
    """The forced first change; afterwards ``account.password`` is the staff member's own."""
    response = post_form(client, "/staff/password",
                         {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/", response.get_data(as_text=True)
    account.password = NEW_PASSWORD
    return response


@pytest.fixture
def staff_client(app, make_staff):  # noqa: ANN001, ANN201
    """A new test client logged in as a staff member of ``role`` whose own password is set."""

    def make(role: StaffRole = StaffRole.ADMINISTRATOR, bank_code: str = FEDERATION.code):  # noqa: ANN202
        account = make_staff(role, bank_code=bank_code)
        client = app.test_client()
        assert log_in(client, account).headers["Location"] == "/staff/password"
        set_own_password(client, account)
        return client, account

    return make


@pytest.fixture
def employer_client(app, make_organization):  # noqa: ANN001, ANN201
    """A client logged in as a registered master user (an employer, not staff)."""
    factory = app.extensions["rokin"].session_factory
    _code, user_id, _initial = make_organization(code="EMPL01")
    with factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        user_store.complete_initial_registration(session=session, user=user, new_password="Master2024",
                                                 email="master@example.jp", actor=audit.Actor.cli())
    client = app.test_client()
    response = login(client, user_id, "Master2024")  # with the user's certificate
    assert response.status_code == 302 and response.headers["Location"] == "/employer/", response.status_code
    return client


def read(app_session, statement) -> list:  # noqa: ANN001
    """Rows of plain column values; the transaction ends at once, since SQLite's BEGIN IMMEDIATE
    would otherwise keep the database write lock away from the app."""
    try:
        return list(app_session.execute(statement))
    finally:
        app_session.rollback()


def organization_codes(app_session) -> list[str]:  # noqa: ANN001
    return [code for (code,) in read(app_session, select(Organization.code).order_by(Organization.code))]


def audit_entries(app_session, action: str) -> list:  # noqa: ANN001
    """(actor_kind, actor_id, target_kind, target_id, client_address) of each entry, oldest first."""
    return read(app_session, select(AuditEntry.actor_kind, AuditEntry.actor_id, AuditEntry.target_kind,
                                    AuditEntry.target_id, AuditEntry.client_address)
                .where(AuditEntry.action == action).order_by(AuditEntry.id))


def staff_password_state(app_session, login: str) -> tuple[bool, str]:  # noqa: ANN001
    """(still on the initial password, password hash)."""
    [row] = read(app_session, select(Staff.initial_password, Staff.password_hash).where(Staff.login == login))
    return row.initial_password, row.password_hash
