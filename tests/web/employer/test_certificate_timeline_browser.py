"""The master's certificate timeline in Debian's Chromium over mutual TLS (issue 15): the SVG renders
beside its table, named by its title, today marked."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.fixtures.browser import PAGE_TIMEOUT_MS

from ..certificates.arrange import record_certificate
from ..client_certificates import certificate_files

pytestmark = pytest.mark.browser


async def test_the_timeline_renders(browser, live_server, app, registered, add_general_users, tmp_path):  # noqa: ANN001
    add_general_users(registered.user_id, "renew001", "later001")
    factory = app.extensions["rokin"].session_factory
    now = datetime.now(timezone.utc)
    record_certificate(factory, "renew001", now - timedelta(days=340))
    record_certificate(factory, "later001", now - timedelta(days=120))
    certificate, key = certificate_files(app, registered.user_id, tmp_path / "pki")
    context = await browser.new_context(
        ignore_https_errors=True, locale="ja-JP",
        client_certificates=[{"origin": live_server, "certPath": str(certificate), "keyPath": str(key)}])
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    errors: list[str] = []
    try:
        page = await context.new_page()
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        await page.goto(live_server + "/login")
        await page.fill("#password", registered.password)
        await page.get_by_role("button", name="ログイン", exact=True).click()
        await page.wait_for_url(re.compile(r"/employer/$"))
        svg = page.get_by_role("img", name="ユーザーの電子証明書の有効期間")
        await svg.scroll_into_view_if_needed()
        assert await svg.is_visible()
        box = await svg.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 60
        assert await page.locator("#chart-certificate-timeline .chart-marker").count() == 1
        assert await page.locator("#table-certificate-timeline tbody th").all_inner_texts() == [
            "renew001", "later001", registered.user_id]
        assert [e for e in errors if not e.startswith("Failed to load resource")] == []
    finally:
        await context.close()
