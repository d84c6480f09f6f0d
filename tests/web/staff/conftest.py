"""Staff accounts in the app's database, and clients logged in as staff or as an employer user."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from domain.roles import StaffRole
from store import audit
from store import staff as staff_store
from store import users as user_store
from store.models import AuditEntry, Organization, Staff
from tests.conftest import post_form

from ..pages import login

NEW_PASSWORD = "Chosen2024"


@dataclass
class StaffAccount:
    login: str
    password: str
    uuid: str
    role: StaffRole


@pytest.fixture
def make_staff(app):  # noqa: ANN001, ANN201
    """A staff account like ``rokin admin create-staff``: it still has its one-time initial password."""
    factory = app.extensions["rokin"].session_factory
    counter = iter(range(100, 1000))

    def make(role: StaffRole = StaffRole.ADMINISTRATOR, login: str | None = None) -> StaffAccount:
        with factory.begin() as session:
            staff, initial_password = staff_store.create_staff(
                session=session, login=login or f"staff{next(counter)}", role=role, actor=audit.Actor.cli())
            return StaffAccount(staff.login, initial_password, str(staff.uuid), role)

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

    def make(role: StaffRole = StaffRole.ADMINISTRATOR):  # noqa: ANN202
        account = make_staff(role)
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
