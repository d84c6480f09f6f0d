"""Every revocation path ends the sessions opened with the revoked certificate (issue 12, point 1):
an approved written request and an administrator's 緊急失効 (the master's own 失効: tests/web/certificates)."""

from __future__ import annotations

from domain.roles import StaffRole
from store.sessions import EndReason
from tests.conftest import csrf_token, post_form

from ..session_support import copied_with_certificate, is_anonymous_employer, session_row
from .support import live_serial


def test_an_approved_written_request_ends_the_masters_sessions(app, client, master, filed, staff_as):
    thief = copied_with_certificate(app, client, master.user_id)
    _, number = filed
    receiver, approver = staff_as(StaffRole.RECEIVER, "recv01"), staff_as(StaffRole.APPROVER, "appr01")
    for who, action, data in [(receiver, "receive", {}), (approver, "decide", {"decision": "approve"})]:
        response = who.post(f"/staff/requests/{number}/{action}",
                            data={"csrf_token": csrf_token(who, "/staff/requests"), **data})
        assert response.status_code == 302, action
    assert session_row(app, client).end_reason is EndReason.CERTIFICATE_ENDED
    assert is_anonymous_employer(thief) and is_anonymous_employer(client)


def test_an_emergency_revocation_ends_the_users_sessions(app, master, general, staff_as):
    thief = copied_with_certificate(app, general.client, general.account.user_id)
    serial = live_serial(app.extensions["rokin"].session_factory, general.account.user_id)
    administrator = staff_as(StaffRole.ADMINISTRATOR, "admin01")
    response = post_form(administrator, "/staff/emergency", {"serial": serial, "reason": "suspected_misuse",
                                                             "note": "不審なアクセスの報告"})
    assert response.status_code == 302
    assert session_row(app, general.client).end_reason is EndReason.CERTIFICATE_ENDED
    assert is_anonymous_employer(thief) and is_anonymous_employer(general.client)
