"""A master user's own open request, from 電子証明書の失効依頼 on the login screen: after ID + password
it sees the request (number, state, dates) instead of a new-request form, downloads its form again,
and withdraws it after a confirmation; nobody else can. And the staff inbox shows a request that
closed by itself because an administrator revoked the certificate in an emergency."""

from __future__ import annotations

import re
import time

from sqlalchemy import select
from temporalio.common import WorkflowIDReusePolicy

from contract import revocation_client
from contract.certificate_client import start_lifecycle
from domain.certificates import LifecycleInput
from domain.revocation import RequestState
from domain.roles import CertificateStatus, StaffRole
from store.models import AuditEntry, User
from tests.conftest import csrf_token, post_form

from ..pages import text
from .support import START, authenticate, certificate, live_serial, request_state

STATUS = f"{START}/status"


def withdraw_path(number: str) -> str:
    return f"{START}/{number}/withdraw"


def mail_ending(smtp_sink, subject: str, timeout: float = 30.0):  # noqa: ANN001, ANN201
    """The first message whose subject ends with ``subject``, waiting for it."""
    deadline = time.monotonic() + timeout
    while not (found := [mail for mail in smtp_sink.messages() if mail.subject.endswith(subject)]):
        assert time.monotonic() < deadline, f"no e-mail {subject}"
        time.sleep(0.05)
    return found[0]


def request_audit(factory, number: str) -> list[AuditEntry]:  # noqa: ANN001
    with factory() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.target_id == number).order_by(AuditEntry.id)))


def test_an_open_request_is_shown_instead_of_a_new_form_with_its_form_again(app, master, filed):
    serial, number = filed
    client = app.test_client()  # another browser: the one that filed is not needed
    response = authenticate(client, master.user_id, master.password)
    assert response.status_code == 302 and response.location.endswith(STATUS)
    page = text(client.get(STATUS))
    section = re.search(rf'<section class="panel open-request" id="open-request-{number}">(.*?)</section>',
                        page, re.S).group(1)
    for shown in (number, "書面到着待ち", serial, "パソコン変更", "書面の提出期限", "依頼日"):
        assert shown in section, shown
    assert 'id="new-request"' not in page  # its only certificate has its request
    assert client.get(f"{START}/file").location.endswith(STATUS)
    pdf = client.get(f"{START}/{number}/form.pdf")  # printed again from here
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f'href="{withdraw_path(number)}"' in section


def test_the_master_withdraws_after_confirming_and_is_told_by_email(app, master, filed, smtp_sink):
    factory = app.extensions["rokin"].session_factory
    serial, number = filed
    client = app.test_client()
    authenticate(client, master.user_id, master.password)
    confirm = text(client.get(withdraw_path(number)))
    assert f'<dd id="withdraw-number">{number}</dd>' in confirm and "電子証明書は失効しません" in confirm

    response = post_form(client, withdraw_path(number), {})
    assert response.status_code == 302 and response.location.endswith(STATUS)
    assert request_state(factory, number) is RequestState.WITHDRAWN
    bridge = app.extensions["rokin"].bridge  # the workflow has ended, its e-mail sent
    assert bridge.call(lambda c: revocation_client.request_handle(c, number).result()) == RequestState.WITHDRAWN
    assert certificate(factory, serial).status is CertificateStatus.ACTIVE
    with factory() as session:
        master_uuid = str(session.scalar(select(User.uuid).where(User.user_id == master.user_id)))
    withdrawal = request_audit(factory, number)[-1]
    assert (withdrawal.action, withdrawal.actor_kind, withdrawal.actor_id) == (
        "revocation_request.withdraw", "user", master_uuid)

    page = text(client.get(STATUS))
    assert f"失効依頼 {number} を取り下げました。" in page and 'id="no-open-requests"' in page
    assert 'id="new-request"' in page  # the certificate is free for a new request
    assert number in mail_ending(smtp_sink, "電子証明書の失効依頼 取下げのお知らせ").body

    again = post_form(client, f"{START}/file", {"serial": serial, "reason": "deleted"})
    assert again.status_code == 302  # filed anew, with another reason


def test_a_received_request_shows_its_receipt_and_can_still_be_withdrawn(app, master, filed, staff_as):
    factory = app.extensions["rokin"].session_factory
    _, number = filed
    receiver = staff_as(StaffRole.RECEIVER, "recv01")
    receiver.post(f"/staff/requests/{number}/receive",
                  data={"csrf_token": csrf_token(receiver, "/staff/requests")})
    assert request_state(factory, number) is RequestState.PAPER_RECEIVED
    client = app.test_client()
    authenticate(client, master.user_id, master.password)
    page = text(client.get(STATUS))
    assert "承認待ち" in page and 'class="received-on"' in page and "form.pdf" not in page
    assert post_form(client, withdraw_path(number), {}).status_code == 302
    assert request_state(factory, number) is RequestState.WITHDRAWN


def test_nobody_else_withdraws_and_nothing_changes(app, master, filed, other_organization):
    factory = app.extensions["rokin"].session_factory
    _, number = filed
    before = len(request_audit(factory, number))
    anonymous = app.test_client()
    token = csrf_token(anonymous, START)
    response = anonymous.post(withdraw_path(number), data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith(START)  # authenticate first
    assert anonymous.get(STATUS).location.endswith(START)

    other = app.test_client()  # another organization's master, authenticated on this page
    live_serial(factory, other_organization[0])
    assert authenticate(other, other_organization[0], "Other2024x").status_code == 302
    assert other.get(withdraw_path(number)).status_code == 404
    assert other.post(withdraw_path(number), data={"csrf_token": csrf_token(other, START)}).status_code == 404

    mine = app.test_client()
    authenticate(mine, master.user_id, master.password)
    assert mine.post(withdraw_path(number), data={}).status_code == 400  # no CSRF token
    assert request_state(factory, number) is RequestState.AWAITING_PAPER
    assert len(request_audit(factory, number)) == before


def test_an_emergency_revocation_closes_the_request_and_the_inbox_shows_it(app, master, filed, staff_as, smtp_sink):
    factory = app.extensions["rokin"].session_factory
    serial, number = filed
    with factory() as session:
        user_uuid = str(session.scalar(select(User.uuid).where(User.user_id == master.user_id)))
    # The certificate's lifecycle, as issuance would have started it: its end is what closes the request.
    issued_at = certificate(factory, serial).not_before
    lifecycle = LifecycleInput(serial, user_uuid, master.organization_code, issued_at, resumed=True)
    bridge = app.extensions["rokin"].bridge
    bridge.call(lambda client: start_lifecycle(client, lifecycle, task_queue=bridge.task_queue,
                                                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE))
    administrator = staff_as(StaffRole.ADMINISTRATOR, "admin01")
    assert post_form(administrator, "/staff/emergency", {"serial": serial, "reason": "suspected_misuse",
                                                         "note": "不審なアクセスの報告"}).status_code == 302

    assert number in mail_ending(smtp_sink, "電子証明書の失効依頼 終了のお知らせ").body
    assert request_state(factory, number) is RequestState.CLOSED
    inbox = text(administrator.get("/staff/requests?state=closed"))
    row = re.search(rf'<tr id="request-{number}">(.*?)</tr>', inbox, re.S).group(1)
    assert '<td class="state">他の手続で失効済み</td>' in row
    assert number not in text(administrator.get("/staff/requests"))  # no longer open
    page = text(administrator.get(f"/staff/requests/{number}"))
    closing = re.search(r'<tr class="history-close">(.*?)</tr>', page, re.S).group(1)
    assert "自動終了（他の手続で失効）" in closing and "システム" in closing and "電子証明書：失効" in closing
    assert 'id="withdraw"' not in page and 'id="receive"' not in page
