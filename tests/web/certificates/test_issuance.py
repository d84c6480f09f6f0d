"""電子証明書発行 ④ → ⑤ → ⑦ with the Flask client, the real lockout and issuance workflows, and OpenSSL
reading the .p12 the page hands over."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from cryptography import x509
from sqlalchemy import select

from domain.validity import TOKYO, calendar_for
from store.models import Certificate
from tests.pki.conftest import openssl

from ..pages import text
from .issuing import authenticate, issue_form, press_issue, result

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
