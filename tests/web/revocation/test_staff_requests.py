"""The Rokin staff inbox and request page: 書面受付 → 承認 / 否認 with maker-checker, the history,
filing on a customer's behalf, and an administrator's emergency revocation."""

from __future__ import annotations

import re

from domain.revocation import RequestState
from domain.revocation_rules import RevocationRefusal
from domain.roles import CertificateStatus, StaffRole
from tests.conftest import csrf_token, post_form
from web import messages
from web.staff.filing_views import NOT_FOUND_TEXT

from ..pages import text
from .support import audit_actions, certificate, live_serial, request_state


def page_of(number: str) -> str:
    return f"/staff/requests/{number}"


def act(client, number: str, action: str, **data: str):  # noqa: ANN001, ANN201
    return client.post(f"{page_of(number)}/{action}", data={"csrf_token": csrf_token(client, "/staff/requests"),
                                                             **data})


def test_receive_then_approve_revokes_and_the_history_says_who(app, filed, staff_as, smtp_sink):
    factory = app.extensions["rokin"].session_factory
    serial, number = filed
    receiver, approver = staff_as(StaffRole.RECEIVER, "recv01"), staff_as(StaffRole.APPROVER, "appr01")
    inbox = text(receiver.get("/staff/requests"))
    row = re.search(rf'<tr id="request-{number}">(.*?)</tr>', inbox, re.S).group(1)
    assert "書面到着待ち" in row and "0営業日" in row

    assert 'id="receive"' in text(receiver.get(page_of(number)))
    assert 'id="receive"' not in text(approver.get(page_of(number)))
    assert act(receiver, number, "receive").status_code == 302
    assert request_state(factory, number) is RequestState.PAPER_RECEIVED
    assert "承認待ち" in text(approver.get("/staff/requests"))

    assert act(approver, number, "decide", decision="approve", comment="書面確認済み").status_code == 302
    assert request_state(factory, number) is RequestState.APPROVED
    assert certificate(factory, serial).status is CertificateStatus.REVOKED
    history = text(approver.get(page_of(number)))
    for action, actor in [("file", None), ("receive", "recv01"), ("comment", "appr01"), ("approve", "appr01")]:
        entry = re.search(rf'<tr class="history-{action}">(.*?)</tr>', history, re.S)
        assert entry, action
        assert actor is None or actor in entry.group(1)
    assert "書面確認済み" in history
    assert 'id="approve"' not in history  # decided: nothing left to do
    assert number not in text(approver.get("/staff/requests"))  # the default filter: open requests
    assert number in text(approver.get("/staff/requests?state=approved"))


def test_a_rejection_needs_a_comment_and_keeps_the_certificate(app, filed, staff_as):
    factory = app.extensions["rokin"].session_factory
    serial, number = filed
    receiver, approver = staff_as(StaffRole.RECEIVER, "recv01"), staff_as(StaffRole.APPROVER, "appr01")
    act(receiver, number, "receive")
    response = act(approver, number, "decide", decision="reject", comment=" ")
    assert response.status_code == 400
    assert messages.render(RevocationRefusal.COMMENT_REQUIRED) in text(response)
    assert request_state(factory, number) is RequestState.PAPER_RECEIVED

    assert act(approver, number, "decide", decision="reject", comment="押印がありません").status_code == 302
    assert request_state(factory, number) is RequestState.REJECTED
    assert certificate(factory, serial).status is CertificateStatus.ACTIVE
    again = act(approver, number, "decide", decision="approve")
    assert again.status_code == 409 and messages.render(RevocationRefusal.WRONG_STATE) in text(again)


def test_a_receiver_files_from_paper_and_cannot_approve_it(app, master, staff_as):
    factory = app.extensions["rokin"].session_factory
    serial = live_serial(factory, master.user_id)
    receiver, approver = staff_as(StaffRole.RECEIVER, "recv01"), staff_as(StaffRole.APPROVER, "appr01")
    response = post_form(receiver, "/staff/requests/new", {"serial": serial.upper(), "reason": "left"})
    assert response.status_code == 302
    number = response.location.rsplit("/", 1)[1]
    assert request_state(factory, number) is RequestState.PAPER_RECEIVED  # the paper is in hand

    refused = act(receiver, number, "decide", decision="approve")
    assert refused.status_code == 403 and messages.render(RevocationRefusal.NEEDS_APPROVER) in text(refused)
    again = post_form(receiver, "/staff/requests/new", {"serial": serial, "reason": "left"})
    assert again.status_code == 409
    assert messages.render(RevocationRefusal.REQUEST_OPEN, number=number) in text(again)
    unknown = post_form(receiver, "/staff/requests/new", {"serial": "ab" * 19, "reason": "left"})
    assert unknown.status_code == 404 and NOT_FOUND_TEXT in text(unknown)
    assert act(approver, number, "decide", decision="approve").status_code == 302
    assert certificate(factory, serial).status is CertificateStatus.REVOKED


def test_an_administrator_revokes_in_an_emergency_with_a_note(app, master, general, staff_as, smtp_sink):
    factory = app.extensions["rokin"].session_factory
    serial = live_serial(factory, general.account.user_id)
    administrator = staff_as(StaffRole.ADMINISTRATOR, "admin01")
    assert 'href="/staff/emergency"' in text(administrator.get("/staff/"))
    response = post_form(administrator, "/staff/emergency", {"serial": serial, "reason": "suspected_misuse",
                                                             "note": ""})
    assert response.status_code == 400 and messages.render(RevocationRefusal.NOTE_REQUIRED) in text(response)
    assert certificate(factory, serial).status is CertificateStatus.ACTIVE

    response = post_form(administrator, "/staff/emergency", {"serial": serial, "reason": "suspected_misuse",
                                                             "note": "不審なアクセスの報告"})
    assert response.status_code == 302
    assert certificate(factory, serial).status is CertificateStatus.REVOKED
    assert "certificate.emergency_revoke" in audit_actions(factory, serial)


def test_an_administrator_withdraws_an_open_request(app, filed, staff_as):
    factory = app.extensions["rokin"].session_factory
    serial, number = filed
    administrator = staff_as(StaffRole.ADMINISTRATOR, "admin01")
    assert 'id="withdraw"' in text(administrator.get(page_of(number)))
    assert act(administrator, number, "withdraw").status_code == 302
    assert request_state(factory, number) is RequestState.WITHDRAWN
    assert certificate(factory, serial).status is CertificateStatus.ACTIVE
    again = act(administrator, number, "withdraw")
    assert again.status_code == 409
