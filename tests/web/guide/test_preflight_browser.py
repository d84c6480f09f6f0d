"""The preflight check in Debian's Chromium under the real CSP and real mutual TLS (issue 13): with a
client certificate of this system the page names it and its expiry; without one it says none was
offered; with JavaScript off its <noscript> says so. Screenshots go to ``ROKIN_SCREENSHOTS``."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import PAGE_TIMEOUT_MS
from tests.web.test_browser_registration import _shot

from ..client_certificates import browser_context_with, certificate_files, watch_for_errors

pytestmark = pytest.mark.browser


async def _open_check_from_the_login_screen(page, base_url: str) -> None:  # noqa: ANN001
    await page.goto(base_url + "/")
    await page.click("#btn-preflight")
    await page.wait_for_url("**/guide/check?probe=1")


async def test_with_a_client_certificate_the_check_names_it_and_its_expiry(browser, live_server, app, registered,
                                                                           tmp_path):
    context = await browser_context_with(browser, live_server,
                                         pem_files=certificate_files(app, registered.user_id, tmp_path / "pki"))
    try:
        errors: list[str] = []
        page = await context.new_page()
        watch_for_errors(page, errors)
        await _open_check_from_the_login_screen(page, live_server)
        assert await page.get_attribute("#check-certificate", "data-verdict") == "usable"
        assert await page.text_content("#presented-user-id") == registered.user_id
        assert await page.text_content("#presented-days-left") == "366日"
        assert await page.text_content("#certificate-advice") == "この電子証明書でログインできます。"
        assert await page.is_visible("#check-cookies [data-result=ok]")
        assert await page.is_visible("#check-javascript [data-result=ok]"), "guide.js marked JavaScript on"
        assert not await page.is_visible("#check-javascript [data-result=ng]")
        await _shot(page, "h3-preflight-with-certificate")
        assert errors == []
    finally:
        await context.close()


async def test_without_a_client_certificate_the_check_says_none_was_offered(browser_page):
    page = browser_page.page
    await _open_check_from_the_login_screen(page, browser_page.base_url)
    assert await page.get_attribute("#check-certificate", "data-verdict") == "none"
    assert await page.locator("#presented-certificate").count() == 0
    assert "ブラウザから電子証明書が提示されませんでした" in await page.text_content("#certificate-advice")
    assert await page.is_visible("#check-cookies [data-result=ok]")
    assert await page.is_visible("#check-javascript [data-result=ok]")
    await _shot(page, "h3-preflight-without-certificate")
    assert browser_page.console_errors == []
    assert browser_page.failed_responses == []


async def test_with_javascript_off_the_check_says_so(browser, live_server):
    context = await browser.new_context(ignore_https_errors=True, locale="ja-JP", java_script_enabled=False)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = await context.new_page()
        await _open_check_from_the_login_screen(page, live_server)  # the cookie probe needs no script
        assert await page.is_visible("#check-javascript [data-result=ng]")
        assert "JavaScriptが無効になっています" in await page.inner_text("#check-javascript")
        assert not await page.is_visible("#check-javascript [data-result=ok]")
        assert await page.is_visible("#check-cookies [data-result=ok]")
        await _shot(page, "h3-preflight-javascript-off")
        await page.get_by_role("link", name="ブラウザの設定", exact=True).click()
        await page.wait_for_url("**/guide/")
        await _shot(page, "h3-browser-settings-guide")
    finally:
        await context.close()
