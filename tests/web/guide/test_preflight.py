"""ブラウザの設定 and the preflight check (issue 13), through the Flask client: reachable from the login
screen; the cookie probe; the presented certificate judged as ログイン judges it and described with
what its holder sees only; what to do for each case."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509

from domain.certificate_login import CertificateLoginProblem
from domain.certificates import CrlReason
from domain.roles import CertificateStatus
from domain.validity import calendar_for
from store import certificates as certificate_store
from tests.rokin.test_serve import foreign_client
from web import messages

from ..client_certificates import present, sign_certificate
from ..pages import text

CHECK = "/guide/check"


def _check(client) -> str:  # noqa: ANN001
    """The check as a browser follows it: the probe cookie is set, then the page reads it back."""
    first = client.get(CHECK)
    assert first.status_code == 302 and first.location == CHECK + "?probe=1"
    page = client.get(first.location)
    assert page.status_code == 200
    return text(page)


def _verdict(page: str) -> str:
    return re.search(r'<tr id="check-certificate" data-verdict="([^"]+)">', page).group(1)


def _advice(page: str) -> str:
    return html.unescape(re.search(r'<p id="certificate-advice">([^<]*)</p>', page).group(1))


def test_the_login_screen_links_to_the_guide_and_the_check(client):
    page = text(client.get("/"))
    assert 'id="btn-browser-settings" href="/guide/"' in page and 'id="btn-preflight" href="/guide/check"' in page


def test_the_guide_covers_what_this_product_needs(client):
    response = client.get("/guide/")
    assert response.status_code == 200
    page = text(response)
    for section in ("cookies-javascript", "downloads", "import", "choose-certificate", "remove-certificate"):
        assert f'id="{section}"' in page
    for words in ("Microsoft Edge の場合", "Google Chrome の場合", "Windows からインポートした証明書を管理",
                  "「個人」タブ", "その他", "古いパソコンから電子証明書を削除しただけでは"):
        assert words in page, words
    assert 'href="/guide/check"' in page and 'href="/certificate/import"' in page
    english = text(client.get("/guide/?lang=en"))
    assert "Allow cookies and JavaScript" in english and "Manage imported certificates from Windows" in english


def test_cookies_on_and_off(app, client):
    page = _check(client)
    assert re.search(r'<tr id="check-cookies">.*?data-result="ok"', page, re.S)
    no_cookies = app.test_client(use_cookies=False)
    blocked = _check(no_cookies)
    cookie_row = re.search(r'<tr id="check-cookies">.*?</tr>', blocked, re.S).group(0)
    assert 'data-result="ng"' in cookie_row and "Cookieが無効になっています" in cookie_row
    assert 'href="/guide/#cookies-javascript"' in cookie_row


def test_javascript_is_said_off_in_noscript_and_marked_on_by_the_script(client):
    page = _check(client)
    row = re.search(r'<tr id="check-javascript">.*?</tr>', page, re.S).group(0)
    assert re.search(r"<noscript>.*JavaScriptが無効になっています.*</noscript>", row, re.S)
    assert "data-js-on hidden" in row
    assert '<script src="/static/js/guide.js" defer></script>' in page


def test_no_certificate_says_so_and_what_to_do(client):
    page = _check(client)
    assert _verdict(page) == "none"
    assert 'id="presented-certificate"' not in page
    assert "ブラウザから電子証明書が提示されませんでした" in _advice(page)
    assert "すべて閉じて" in _advice(page)


def test_a_usable_certificate_is_described_with_what_its_holder_sees(app, master):
    guest = app.test_client()  # a browser that is not logged in (``master`` logged ``client`` in)
    present(guest, sign_certificate(app, master.user_id))
    page = _check(guest)
    assert _verdict(page) == "usable"
    assert f'<dd id="presented-user-id">{master.user_id}</dd>' in page
    assert f'<dd id="presented-organization-code">{master.organization_code}</dd>' in page
    assert '<dd id="presented-days-left">366日</dd>' in page
    not_after = calendar_for(datetime.now(timezone.utc)).not_after
    assert f"{not_after:%Y-%m-%d} 23:59:59" in page
    assert _advice(page) == "この電子証明書でログインできます。"
    # nothing the certificate does not carry: no organization name, e-mail address or user name
    assert "テスト労働組合" not in page and "@example.jp" not in page


def test_a_certificate_in_its_renewal_window_says_it_can_be_renewed(app, master):
    guest = app.test_client()
    present(guest, sign_certificate(app, master.user_id, issued_at=datetime.now(timezone.utc) - timedelta(days=340)))
    page = _check(guest)
    assert _verdict(page) == "renewal_window"
    assert "更新できます" in _advice(page)


@pytest.mark.parametrize(("arrange", "problem"), [
    ("expired", CertificateLoginProblem.EXPIRED),
    ("revoked", CertificateLoginProblem.REVOKED),
])
def test_a_certificate_that_cannot_log_in_says_why_and_what_to_do(app, master, arrange, problem):
    issued_at = datetime.now(timezone.utc) - timedelta(days=400 if arrange == "expired" else 1)
    pem = sign_certificate(app, master.user_id, issued_at=issued_at)
    if arrange == "revoked":
        with app.extensions["rokin"].session_factory.begin() as session:
            serial = format(x509.load_pem_x509_certificate(pem.encode()).serial_number, "x")
            row = certificate_store.get_by_serial(session=session, serial=serial)
            certificate_store.end_certificate(session=session, certificate=row, status=CertificateStatus.REVOKED,
                                              reason=CrlReason.KEY_COMPROMISE, at=datetime.now(timezone.utc))
    guest = app.test_client()
    present(guest, pem)
    page = _check(guest)
    assert _verdict(page) == arrange
    assert f'<dd id="presented-user-id">{master.user_id}</dd>' in page
    assert 'id="presented-days-left"' not in page
    assert _advice(page) == messages.render(problem)


def test_a_foreign_certificate_is_described_by_no_more_than_that(client, tmp_path):
    certificate, _ = foreign_client(tmp_path / "foreign")
    present(client, certificate.read_text())
    page = _check(client)
    assert _verdict(page) == "foreign"
    assert 'id="presented-certificate"' not in page and "dev-client" not in page
    assert _advice(page) == messages.render(CertificateLoginProblem.FOREIGN)
