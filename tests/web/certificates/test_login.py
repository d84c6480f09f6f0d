"""Certificate login with the Flask client: the trusted-proxy header, the session bound to its
certificate, the top screen's certificate and renewal banner (seed 003 Q7)."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from domain.certificate_login import CertificateLoginProblem
from domain.validity import calendar_for
from store import audit
from store import users as user_store
from tests.conftest import post_form
from tests.rokin.test_serve import foreign_client
from web import messages

from ..client_certificates import present, sign_certificate
from ..pages import text

PROXY = "10.0.0.5"


def problem_text(problem: CertificateLoginProblem) -> str:
    return html.escape(messages.render(problem), quote=False)


def log_in(client, password: str):  # noqa: ANN001, ANN201
    return post_form(client, "/login", {"password": password})


@pytest.fixture
def behind_proxy(app):  # noqa: ANN001, ANN201
    """The deployment names ``PROXY`` as its trusted reverse proxy."""
    rokin = app.extensions["rokin"]
    rokin.settings = replace(rokin.settings, trusted_proxies=(PROXY,))
    return app


def proxied(app, peer: str, pem: str | None):  # noqa: ANN001, ANN201
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    if pem is not None:
        client.environ_base["HTTP_X_SSL_CLIENT_CERT"] = quote(pem)  # nginx's $ssl_client_escaped_cert
    return client


def test_the_proxy_header_is_honoured_only_from_the_trusted_proxy(behind_proxy, master):
    pem = sign_certificate(behind_proxy, master.user_id)
    trusted = proxied(behind_proxy, PROXY, pem)
    assert master.user_id in text(trusted.get("/login"))
    assert log_in(trusted, master.password).location.endswith("/employer/")
    assert master.user_id in text(trusted.get("/employer/"))

    stranger = proxied(behind_proxy, "10.0.0.6", pem)
    page = stranger.get("/login")
    assert page.status_code == 200 and problem_text(CertificateLoginProblem.NO_CERTIFICATE) in text(page)


def test_without_a_trusted_proxy_the_header_means_nothing(app, master):
    pem = sign_certificate(app, master.user_id)
    page = proxied(app, "127.0.0.1", pem).get("/login")
    assert problem_text(CertificateLoginProblem.NO_CERTIFICATE) in text(page)


def test_a_foreign_certificate_from_the_proxy_gets_a_clear_page(behind_proxy, tmp_path):
    certificate, _ = foreign_client(tmp_path / "foreign")
    page = proxied(behind_proxy, PROXY, certificate.read_text()).get("/login")
    assert page.status_code == 403 and problem_text(CertificateLoginProblem.FOREIGN) in text(page)


def test_a_deleted_users_certificate_cannot_log_in(app, master, add_general_users):
    add_general_users(master.user_id, "ippan001")
    factory = app.extensions["rokin"].session_factory
    with factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id="ippan001")
        user_store.complete_initial_registration(session=session, user=user, new_password="Ippan2024x",
                                                 email="i@example.jp", actor=audit.Actor.cli())
    pem = sign_certificate(app, "ippan001")
    with factory.begin() as session:
        master_row = user_store.get_by_user_id(session=session, user_id=master.user_id)
        gone = user_store.get_by_user_id(session=session, user_id="ippan001")
        user_store.delete_general_user(session=session, master=master_row, user_uuid=str(gone.uuid),
                                       actor=audit.Actor.cli())
    client = app.test_client()
    present(client, pem)
    page = client.get("/login")
    assert page.status_code == 403 and problem_text(CertificateLoginProblem.USER_INACTIVE) in text(page)


@pytest.mark.parametrize("what", ["another certificate", "no certificate"])
def test_the_session_needs_the_certificate_it_logged_in_with(app, master, what):
    client = app.test_client()
    present(client, sign_certificate(app, master.user_id))
    assert log_in(client, master.password).location.endswith("/employer/")
    present(client, sign_certificate(app, master.user_id) if what == "another certificate" else None)
    response = client.get("/employer/", follow_redirects=True)
    assert problem_text(CertificateLoginProblem.CHANGED) in text(response)
    assert client.get("/employer/").status_code == 302


@pytest.mark.parametrize(("days_ago", "banner", "renewal_open"), [
    (324, False, False),  # day 325: 41 days before the expiry date
    (325, True, False),  # day 326: 40 days before — the banner appears (seed 003 Q7)
    (335, True, True),  # day 336: the renewal window opens
])
def test_the_top_screen_shows_the_certificate_and_from_40_days_before_expiry_the_banner(
        app, master, days_ago, banner, renewal_open):
    issued_at = datetime.now(timezone.utc) - timedelta(days=days_ago)  # same hour: day ``days_ago + 1``
    calendar = calendar_for(issued_at)
    client = app.test_client()
    serial_pem = sign_certificate(app, master.user_id, issued_at=issued_at)
    present(client, serial_pem)
    assert log_in(client, master.password).location.endswith("/employer/")
    page = text(client.get("/employer/"))
    assert f'<dd id="my-certificate-days-left">{366 - days_ago}日</dd>' in page
    assert f"{calendar.not_after:%Y-%m-%d} 23:59:59" in page
    assert ('id="renewal-banner"' in page) is banner
    assert ("電子証明書の更新が可能です。" in page) is renewal_open
