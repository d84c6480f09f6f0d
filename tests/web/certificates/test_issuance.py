"""電子証明書発行 ④ → ⑤ → ⑦ with the Flask client, the real lockout and issuance workflows, and OpenSSL
reading the .p12 the page hands over."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import datetime, timezone

from cryptography import x509
from sqlalchemy import select

from domain.certificates import IssuanceRefusal
from domain.roles import CertificateStatus
from domain.validity import TOKYO, calendar_for
from store.models import Certificate
from tests.pki.conftest import openssl
from usecases.ports import TemporalUnavailable
from web import messages

from ..pages import errors, text
from .arrange import certificates_of, record_certificate, void_certificate
from .issuing import DOWNLOAD, authenticate, issue_form, press_issue, result, stopped_message

FILE_NAME = re.compile(r"^(?P<user>[A-Za-z0-9]+)(?P<stamp>\d{14})\.p12$")


def test_authentication_page_has_id_password_software_keyboard_cancel_and_authenticate(client):
    page = text(client.get("/certificate/issue"))
    assert "電子証明書発行 ユーザー認証" in page
    assert re.search(r'<input [^>]*id="user_id"', page)
    password = re.search(r'<input [^>]*id="password"[^>]*>', page).group(0)
    assert 'type="password"' in password and "data-softkeyboard" in password
    assert re.search(r'<a class="button secondary" href="/">キャンセル</a>', page)
    assert re.search(r'<button type="submit" id="submit">認証</button>', page)


def test_issue_a_certificate_and_open_the_p12_with_the_password(client, registered, app_session, client_ca, tmp_path):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    confirm = authenticate(client, registered.user_id, registered.password)
    page = text(confirm)
    # ⑤ 発行: キャンセル and 発行 only; the password rides sealed, never in clear.
    assert "電子証明書発行" in page and 'id="issue"' in page and 'id="cancel"' in page
    assert registered.password not in page
    form = issue_form(confirm)

    done = press_issue(client, form)
    issued = result(done)
    page = text(done)
    assert done.headers["Cache-Control"] == "no-store"
    assert "電子証明書発行結果" in page and "インポート" in page

    # <userID><YYYYMMDDhhmmss>.p12 in Japan time, the issue time of the certificate.
    name = FILE_NAME.match(issued.file_name)
    assert name and name["user"] == registered.user_id
    row = app_session.scalar(select(Certificate).where(Certificate.serial == issued.serial))
    app_session.rollback()
    # The .p12 came only once the delivery was confirmed: ACTIVE, so a certificate login works now.
    assert row.status is CertificateStatus.ACTIVE and row.delivered_at is not None
    not_before = row.not_before.replace(tzinfo=timezone.utc)
    assert name["stamp"] == f"{not_before.astimezone(TOKYO):%Y%m%d%H%M%S}"
    assert before <= not_before <= datetime.now(timezone.utc)
    assert f"{calendar_for(not_before).not_after:%Y-%m-%d} 23:59:59" in page

    p12 = tmp_path / issued.file_name
    p12.write_bytes(issued.p12)
    pem = tmp_path / "from-p12.pem"
    opened = openssl("pkcs12", "-in", str(p12), "-passin", f"pass:{registered.password}", "-nokeys", "-clcerts",
                     "-out", str(pem))
    assert opened.returncode == 0, opened.stderr
    certificate = x509.load_pem_x509_certificate(pem.read_bytes())
    assert format(certificate.serial_number, "x") == issued.serial
    verified = openssl("verify", "-purpose", "sslclient", "-CAfile", str(client_ca.ca_certificate), str(pem))
    assert verified.returncode == 0, verified.stderr
    assert openssl("pkcs12", "-in", str(p12), "-passin", "pass:Wrong2024x", "-noout").returncode != 0
    info = openssl("pkcs12", "-in", str(p12), "-passin", f"pass:{registered.password}", "-info", "-noout")
    assert "AES-256-CBC" in info.stderr and "sha256" in info.stderr.lower(), info.stderr


def test_issuance_help_page_explains_the_import(client):
    page = text(client.get("/certificate/import"))
    assert "現在のユーザー(C)" in page and "全ての拡張プロファイルを含める(A)" in page
    assert "証明書の種類に基づいて、自動的に証明書ストアを選択する(U)" in page


# --- the issuance saga (issue 11) --------------------------------------------------------------

PREVIOUS_VOIDED = "前回の電子証明書発行は完了しなかったため"
WAIT_SECONDS = 30.0


class TellingLost:
    """The web's Temporal port when the network fails right after the web recorded the delivery: every
    call goes through to the real server but the one that tells the issuance."""

    def __init__(self, port) -> None:  # noqa: ANN001
        self.port = port

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.port, name)

    def tell_delivered(self, **_delivery) -> None:  # noqa: ANN003
        raise TemporalUnavailable("the network failed")


class SignedTooLate:
    """The web's Temporal port when the web stalls after signing past the delivery deadline: the signed
    certificate comes back only once the issuance has voided it."""

    def __init__(self, port, factory, user_id: str) -> None:  # noqa: ANN001
        self.port, self.factory, self.user_id = port, factory, user_id

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.port, name)

    def begin_issuance(self, request):  # noqa: ANN001, ANN201
        outcome = self.port.begin_issuance(request)
        until_statuses(self.factory, self.user_id, [CertificateStatus.REVOKED])
        return outcome


def until_statuses(factory, user_id: str, wanted: list[CertificateStatus]) -> None:  # noqa: ANN001
    deadline = time.monotonic() + WAIT_SECONDS
    while [row.status for row in certificates_of(factory, user_id)] != wanted:
        assert time.monotonic() < deadline, f"the user's certificates never became {wanted}"
        time.sleep(0.2)


def test_while_an_issuance_awaits_its_delivery_authentication_says_to_wait(client, registered, app):
    factory = app.extensions["rokin"].session_factory
    record_certificate(factory, registered.user_id, datetime.now(timezone.utc), pending=True)
    [message] = errors(authenticate(client, registered.user_id, registered.password))
    assert message == messages.render(IssuanceRefusal.ISSUANCE_PENDING)
    assert "前回の電子証明書発行の処理が完了していない" in message


def test_after_an_issuance_that_did_not_complete_the_user_is_told_and_issues_again(client, registered, app):
    factory = app.extensions["rokin"].session_factory
    voided = record_certificate(factory, registered.user_id, datetime.now(timezone.utc), pending=True)
    void_certificate(factory, voided)
    confirm = authenticate(client, registered.user_id, registered.password)
    assert PREVIOUS_VOIDED in text(confirm)
    issued = result(press_issue(client, issue_form(confirm)))
    assert {row.serial: row.status for row in certificates_of(factory, registered.user_id)} == {
        voided: CertificateStatus.REVOKED, issued.serial: CertificateStatus.ACTIVE}
    assert PREVIOUS_VOIDED not in text(authenticate(client, registered.user_id, registered.password))


def test_a_delivery_the_issuance_was_not_told_of_is_found_at_its_deadline(app, client, registered, smtp_sink):
    """Issue 14: the web records the delivery itself, then tells the issuance. If that message is lost,
    the user still has the file, and at its deadline the issuance finds the certificate ACTIVE, keeps it
    and starts its lifecycle (the 発行 e-mail)."""
    factory = app.extensions["rokin"].session_factory
    rokin = app.extensions["rokin"]
    rokin.settings = replace(rokin.settings, delivery_deadline_seconds=2)  # the dev server's real clock passes it
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    real_port, rokin.temporal = rokin.temporal, TellingLost(rokin.temporal)
    issued = result(press_issue(client, form))
    rokin.temporal = real_port
    assert issued.p12
    [mail] = smtp_sink.wait_for(1, timeout=WAIT_SECONDS)  # after the deadline: the lifecycle sends it
    assert "電子証明書発行のお知らせ" in mail.subject
    assert [row.status for row in certificates_of(factory, registered.user_id)] == [CertificateStatus.ACTIVE]


def test_a_delivery_recorded_after_the_deadline_void_hands_over_no_file(app, client, registered):
    """The web stalls between signing and recording past the deadline; the issuance voids the certificate
    first, so the web's record is refused: no file, the "try again later" page, and ⑤ says why."""
    factory = app.extensions["rokin"].session_factory
    rokin = app.extensions["rokin"]
    rokin.settings = replace(rokin.settings, delivery_deadline_seconds=2)
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    real_port, rokin.temporal = rokin.temporal, SignedTooLate(rokin.temporal, factory, registered.user_id)
    response = press_issue(client, form)
    rokin.temporal = real_port
    assert response.status_code == 503 and DOWNLOAD.search(text(response)) is None
    assert stopped_message(response) == "ただいま電子証明書を発行できません。しばらくしてから再度お試しください。"

    confirm = authenticate(client, registered.user_id, registered.password)
    assert PREVIOUS_VOIDED in text(confirm)
    issued = result(press_issue(client, issue_form(confirm)))
    assert CertificateStatus.ACTIVE in {row.status for row in certificates_of(factory, registered.user_id)}
    assert issued.p12
