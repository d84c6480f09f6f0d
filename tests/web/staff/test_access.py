"""Who may use which staff page: administrator, receiver, approver, an employer user, anonymous."""

from __future__ import annotations

import pytest

from domain.roles import StaffRole
from tests.conftest import csrf_token

from .conftest import NEW_BRANCH, organization_codes

ANYONE_STAFF = {"administrator", "receiver", "approver"}
ADMINISTRATOR = {"administrator"}

# (method, path, who gets the page); everyone else is refused.
PAGES = [
    ("GET", "/staff/", ANYONE_STAFF),
    ("GET", "/staff/organizations", ADMINISTRATOR),
    ("GET", "/staff/organizations/new", ADMINISTRATOR),
    ("GET", "/staff/organizations/ORG100/notice", ADMINISTRATOR),
    ("POST", "/staff/organizations/new", ADMINISTRATOR),
]
WHO = ["administrator", "receiver", "approver", "employer", "anonymous"]

NEW_ORGANIZATION = {"code": "NEW200", "name": "新規労働組合", "email": "new@example.jp",
                    "email_confirm": "new@example.jp", "branch": NEW_BRANCH}


@pytest.fixture
def client_as(app, staff_client, employer_client):  # noqa: ANN001, ANN201
    def make(who: str):  # noqa: ANN202
        if who in ANYONE_STAFF:
            return staff_client(StaffRole(who))[0]
        if who == "employer":
            return employer_client
        return app.test_client()

    return make


def _any_form_token(client) -> str:  # noqa: ANN001
    """A valid CSRF token of this client's own session, so a refusal is about who, not CSRF."""
    for path in ("/staff/", "/employer/", "/staff/login"):
        page = client.get(path)
        if page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True):
            return csrf_token(client, path)
    raise AssertionError("no form to take a CSRF token from")


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path", "allowed"), PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_staff_page_access(client_as, make_organization, app_session, who, method, path, allowed):
    make_organization(code="ORG100")
    client = client_as(who)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": _any_form_token(client), **NEW_ORGANIZATION})

    if who in allowed:
        assert response.status_code == (302 if method == "POST" else 200), response.status_code
        if method == "POST":
            assert organization_codes(app_session) == ["EMPL01", "NEW200", "ORG100"]
        return
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login?next=")
    else:
        assert response.status_code == 403
        assert "この操作を行う権限がありません。" in response.get_data(as_text=True)
    assert organization_codes(app_session) == ["EMPL01", "ORG100"]  # nothing registered


@pytest.mark.parametrize("who", ["receiver", "approver", "employer"])
def test_refused_users_get_no_staff_menu_entries(client_as, who):
    page = client_as(who).get("/staff/")
    body = page.get_data(as_text=True)
    assert 'href="/staff/organizations/new"' not in body
    assert page.status_code == (403 if who == "employer" else 200)


def test_staff_member_is_not_an_employer(staff_client):
    client, _ = staff_client(StaffRole.ADMINISTRATOR)
    assert client.get("/employer/").status_code == 403
