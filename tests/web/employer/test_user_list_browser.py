"""The master's user list with each user's certificate, in Debian's Chromium over mutual TLS with
JavaScript turned off (issue 13): the expiry sort is a plain link the server answers.
Screenshots go to ``ROKIN_SCREENSHOTS``."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from domain.certificates import CrlReason
from domain.roles import CertificateStatus
from store import certificates as certificate_store
from tests.fixtures.browser import PAGE_TIMEOUT_MS
from tests.web.test_browser_registration import _shot

from ..certificates.arrange import record_certificate
from ..client_certificates import certificate_files

pytestmark = pytest.mark.browser


async def test_the_user_list_sorts_by_expiry_without_javascript(browser, live_server, app, registered,
                                                                add_general_users, tmp_path):
    add_general_users(registered.user_id, "renew001", "expir001", "revok001", "nocer001")
    factory = app.extensions["rokin"].session_factory
    now = datetime.now(timezone.utc)
    record_certificate(factory, "renew001", now - timedelta(days=340))
    record_certificate(factory, "expir001", now - timedelta(days=400))
    revoked = record_certificate(factory, "revok001", now - timedelta(days=10))
    with factory.begin() as session:
        certificate_store.end_certificate(session=session, certificate=certificate_store.get_by_serial(
            session=session, serial=revoked), status=CertificateStatus.REVOKED, reason=CrlReason.KEY_COMPROMISE, at=now)
    certificate, key = certificate_files(app, registered.user_id, tmp_path / "pki")
    context = await browser.new_context(
        ignore_https_errors=True, locale="ja-JP", java_script_enabled=False,
        client_certificates=[{"origin": live_server, "certPath": str(certificate), "keyPath": str(key)}])
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = await context.new_page()
        await page.goto(live_server + "/login")
        await page.fill("#password", registered.password)
        await page.get_by_role("button", name="ログイン", exact=True).click()
        await page.wait_for_url(re.compile(r"/employer/$"))
        states = page.locator("#user-list tbody td.certificate-state")
        assert await states.all_inner_texts() == ["有効", "有効期限切れ", "電子証明書なし", "更新期間中", "失効"]

        await page.click("#sort-expiry")
        await page.wait_for_url(re.compile(r"sort=expiry"))
        ids = page.locator("#user-list tbody td.user-id")
        assert await ids.all_inner_texts() == ["expir001", "renew001", "revok001", registered.user_id, "nocer001"]
        await _shot(page, "h3-user-list-by-expiry")
        await page.click("#sort-expiry")
        await page.wait_for_url(re.compile(r"sort=expiry_desc"))
        assert await ids.all_inner_texts() == [registered.user_id, "revok001", "renew001", "expir001", "nocer001"]
    finally:
        await context.close()
