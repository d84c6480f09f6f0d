"""失効 on the master user's user list, and deleting a general user revokes their certificate."""

from __future__ import annotations

import time

import pytest

from domain.certificates import CrlReason
from domain.revocation import CRL_REASONS, RevocationReason
from domain.roles import CertificateStatus
from tests.conftest import csrf_token, post_form

from ..pages import delete_general_user, text
from .support import certificate, is_active, live_serial, now, record_certificate


def factory_of(app):  # noqa: ANN001, ANN201
    return app.extensions["rokin"].session_factory


def revocation_mails(sink, count: int) -> list:  # noqa: ANN001
    """Wait for ``count`` 失効 e-mails (the registrations of the fixtures sent theirs before)."""
    deadline = time.monotonic() + 15
    while len(found := [mail for mail in sink.messages() if "失効" in mail.subject]) < count:
        assert time.monotonic() < deadline, [mail.subject for mail in sink.messages()]
        time.sleep(0.05)
    return found


def revoke_url(find_user, user_id: str) -> str:  # noqa: ANN001
    return f"/employer/users/{find_user(user_id).uuid}/revoke"


def test_the_user_list_offers_revocation_only_for_a_live_certificate(app, client, master, add_general_users, find_user):
    add_general_users(master.user_id, "ippan001", "ippan002")
    record_certificate(factory_of(app), "ippan001", now())
    page = text(client.get("/employer/"))
    assert 'id="revoke-ippan001"' in page
    assert 'id="revoke-ippan002"' not in page
    assert client.get(revoke_url(find_user, "ippan002")).status_code == 404


@pytest.mark.parametrize("reason", [RevocationReason.LEFT, RevocationReason.SUSPECTED_MISUSE, RevocationReason.OTHER])
def test_the_master_revokes_with_a_reason_and_both_are_told(app, client, master, general, find_user, smtp_sink,
                                                            reason):
    serial = live_serial(factory_of(app), general.account.user_id)
    url = revoke_url(find_user, general.account.user_id)
    confirm = text(client.get(url))
    assert serial in confirm and "退職・異動" in confirm and "p12未インポート" in confirm

    response = post_form(client, url, {"reason": reason.value}, follow_redirects=True)
    assert response.status_code == 200
    assert f"ユーザーID {general.account.user_id} の電子証明書を失効しました" in text(response)
    row = certificate(factory_of(app), serial)
    assert row.status is CertificateStatus.REVOKED
    assert row.revocation_reason == CRL_REASONS[reason]
    assert f'id="revoke-{general.account.user_id}"' not in text(response)  # nothing left to revoke
    mails = revocation_mails(smtp_sink, 2)
    assert len(mails) == 2, [(mail.subject, mail.recipients) for mail in mails]  # to the user and the master


def test_a_revoked_certificate_is_not_offered_again(app, client, master, general, find_user):
    serial = live_serial(factory_of(app), general.account.user_id)
    post_form(client, revoke_url(find_user, general.account.user_id), {"reason": "pc_change"})
    assert not is_active(factory_of(app), serial)
    assert client.get(revoke_url(find_user, general.account.user_id)).status_code == 404  # no live one left


def test_no_reason_no_revocation(app, client, master, add_general_users, find_user):
    add_general_users(master.user_id, "ippan001")
    serial = record_certificate(factory_of(app), "ippan001", now())
    response = post_form(client, revoke_url(find_user, "ippan001"), {})
    assert response.status_code == 400 and "失効理由を選択してください。" in text(response)
    response = post_form(client, revoke_url(find_user, "ippan001"), {"reason": "bogus"})
    assert response.status_code == 400
    assert is_active(factory_of(app), serial)


def test_who_may_not_revoke_gets_403_or_404_and_nothing_changes(app, client, master, general, find_user,
                                                                 other_organization):
    factory = factory_of(app)
    mine = live_serial(factory, general.account.user_id)
    _, other_general = other_organization
    theirs = record_certificate(factory, other_general, now())
    own = live_serial(factory, master.user_id)
    attempts = [
        (client, revoke_url(find_user, other_general), 403),  # another organization's user
        (client, revoke_url(find_user, master.user_id), 403),  # the master's own certificate: 書面
        (general.client, revoke_url(find_user, general.account.user_id), 403),  # a general user
        (app.test_client(), revoke_url(find_user, general.account.user_id), 302),  # nobody: to the login screen
    ]
    for who, url, status in attempts:
        token = csrf_token(who, "/employer/" if who is not attempts[-1][0] else "/revocation-request")
        assert who.post(url, data={"csrf_token": token, "reason": "left"}).status_code == status, url
        assert who.get(url).status_code == status, url
    assert all(is_active(factory, serial) for serial in (mine, theirs, own))


def test_deleting_a_general_user_revokes_their_certificate(app, client, master, general, find_user, smtp_sink):
    serial = live_serial(factory_of(app), general.account.user_id)
    response = delete_general_user(client, str(find_user(general.account.user_id).uuid))
    assert response.status_code == 302
    row = certificate(factory_of(app), serial)
    assert row.status is CertificateStatus.REVOKED and row.revocation_reason == CrlReason.CESSATION_OF_OPERATION
    assert revocation_mails(smtp_sink, 1)
