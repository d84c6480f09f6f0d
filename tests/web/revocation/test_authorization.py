"""Authorization matrix of the revocation pages: every role × every action on an open request.
Each refused case answers 403 (409 where only the request's state stands in the way) and changes
nothing: not the request, not the certificate, not the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.revocation import RequestState
from domain.roles import CertificateStatus, StaffRole
from store.models import AuditEntry
from tests.conftest import csrf_token

from ..pages import login
from .support import certificate, live_serial, request_state

ROLES = ("receiver", "approver", "administrator", "master", "other_master", "general", "anonymous")
STAFF = {"receiver": StaffRole.RECEIVER, "approver": StaffRole.APPROVER, "administrator": StaffRole.ADMINISTRATOR}

# (action, method, path template, extra form data) — {number} and {serial} are filled in.
ACTIONS = {
    "inbox": ("GET", "/staff/requests", {}),
    "view": ("GET", "/staff/requests/{number}", {}),
    "receive": ("POST", "/staff/requests/{number}/receive", {}),
    "approve": ("POST", "/staff/requests/{number}/decide", {"decision": "approve", "comment": "ok"}),
    "reject": ("POST", "/staff/requests/{number}/decide", {"decision": "reject", "comment": "no"}),
    "withdraw": ("POST", "/staff/requests/{number}/withdraw", {}),
    "file_on_behalf": ("POST", "/staff/requests/new", {"serial": "{serial}", "reason": "left"}),
    "emergency": ("POST", "/staff/emergency", {"serial": "{serial}", "reason": "suspected_misuse", "note": "x"}),
}

# What each role gets on a request awaiting its paper; anything not listed is refused with 403.
ALLOWED = {
    ("receiver", "inbox"): 200, ("receiver", "view"): 200,
    ("approver", "inbox"): 200, ("approver", "view"): 200,
    ("administrator", "inbox"): 200, ("administrator", "view"): 200,
    ("approver", "approve"): 409, ("approver", "reject"): 409,  # an approver, but the paper is not received
    ("receiver", "file_on_behalf"): 409,  # a receiver, but a request for the certificate is open
    ("receiver", "receive"): None,  # allowed and changing: test_staff_requests does it
    ("administrator", "withdraw"): None,  # allowed and changing: test_staff_requests does it
    ("administrator", "emergency"): None,  # likewise
}


@pytest.fixture
def clients(app, master, general, other_organization, staff_as, client):  # noqa: ANN001, ANN201
    made = {role: staff_as(staff_role, f"{role[:6]}01") for role, staff_role in STAFF.items()}
    other = app.test_client()
    login(other, other_organization[0], "Other2024x")
    made.update(master=client, other_master=other, general=general.client, anonymous=app.test_client())
    return made


def _token(client, role: str) -> str:  # noqa: ANN001
    page = {"anonymous": "/revocation-request", "master": "/employer/", "other_master": "/employer/",
            "general": "/employer/"}.get(role, "/staff/requests")
    return csrf_token(client, page)


def _audit_count(factory) -> int:  # noqa: ANN001
    with factory() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def test_every_role_and_action_on_an_open_request(app, filed, clients):
    factory = app.extensions["rokin"].session_factory
    serial, number = filed
    audits = _audit_count(factory)
    for role in ROLES:
        client = clients[role]
        token = _token(client, role)
        for action, (method, path, data) in ACTIONS.items():
            expected = 302 if role == "anonymous" else ALLOWED.get((role, action), 403)
            if expected is None:
                continue
            url = path.format(number=number)
            form = {key: value.format(serial=serial) for key, value in data.items()}
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token, **form})
            assert response.status_code == expected, (role, action, response.status_code)
            if role == "anonymous":
                assert "/staff/login" in response.location
    assert request_state(factory, number) is RequestState.AWAITING_PAPER
    assert certificate(factory, serial).status is CertificateStatus.ACTIVE
    assert _audit_count(factory) == audits


def test_maker_checker_the_receiver_cannot_decide_and_the_approver_cannot_receive(app, filed, clients):
    factory = app.extensions["rokin"].session_factory
    serial, number = filed
    approver, receiver = clients["approver"], clients["receiver"]
    token = csrf_token(approver, "/staff/requests")
    assert approver.post(f"/staff/requests/{number}/receive", data={"csrf_token": token}).status_code == 403
    assert receiver.post(f"/staff/requests/{number}/receive",
                         data={"csrf_token": csrf_token(receiver, "/staff/requests")}).status_code == 302
    refused = receiver.post(f"/staff/requests/{number}/decide", data={
        "csrf_token": csrf_token(receiver, "/staff/requests"), "decision": "approve"})
    assert refused.status_code == 403 and "承認者のみ" in refused.get_data(as_text=True)
    assert request_state(factory, number) is RequestState.PAPER_RECEIVED
    assert certificate(factory, serial).status is CertificateStatus.ACTIVE


def test_a_general_users_certificate_is_not_for_emergency_by_a_master(app, master, general, clients):
    """The master user may revoke a general user's certificate only from the user list, never here."""
    factory = app.extensions["rokin"].session_factory
    serial = live_serial(factory, general.account.user_id)
    response = clients["master"].post("/staff/emergency", data={
        "csrf_token": csrf_token(clients["master"], "/employer/"), "serial": serial, "reason": "left", "note": "x"})
    assert response.status_code == 403
    assert certificate(factory, serial).status is CertificateStatus.ACTIVE
