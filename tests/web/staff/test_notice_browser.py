"""The whole staff flow in Debian's Chromium, under the real CSP: login, first password change,
団体登録, and the ご利用開始のお知らせ with its [印刷] button and print layout."""

from __future__ import annotations

import re

import pytest

from domain.roles import StaffRole

from .conftest import NEW_BRANCH, NEW_PASSWORD

pytestmark = pytest.mark.browser

LONGEST_NAME = "全国東京都中央区労働組合連合会厚生事業部" * 5  # NAME_MAX_LENGTH characters
PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


async def test_register_and_print_the_notice(browser_page, make_staff):
    account = make_staff(StaffRole.ADMINISTRATOR)
    page = browser_page.page
    # Count print requests instead of opening the dialog a headless browser cannot show.
    await page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")
    failed = []  # the browser's own /favicon.ico request is the only 404 allowed
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and failed.append(r.url))

    await browser_page.goto("/staff/")
    assert "/staff/login" in page.url
    await page.fill("#login", account.login)
    await page.fill("#password", account.password)
    await page.click("#submit")
    await page.wait_for_url("**/staff/password")
    await page.fill("#new_password", NEW_PASSWORD)
    await page.fill("#new_password_confirm", NEW_PASSWORD)
    await page.click("#submit")
    await page.wait_for_url("**/staff/")

    await page.click("#menu-register_organization")
    await page.fill("#code", "1234")
    await page.fill("#name", LONGEST_NAME)
    await page.fill("#email", "master@example.jp")
    await page.fill("#email_confirm", "master@example.jp")
    await page.select_option("#branch", NEW_BRANCH)  # 労金・お取引店 (issue 16)
    await page.click("#submit")
    await page.wait_for_url("**/staff/organizations/1234/notice")

    password = await page.text_content("#notice-initial-password")
    assert password and len(password.strip()) >= 6
    await page.click("#print-notice")
    assert await page.evaluate("window.__printed") == 1

    toolbar = page.locator(".notice-toolbar")
    assert await toolbar.is_visible()
    await page.emulate_media(media="print")
    assert not await toolbar.is_visible()
    assert not await page.locator(".site-header").is_visible()
    assert await page.locator("#notice-initial-password").is_visible()
    assert len(PDF_PAGE.findall(await page.pdf(format="A4"))) == 1  # one A4 sheet, even with the longest name
    assert failed == []
    # No CSP violation, no script error ("Failed to load resource" is the favicon's 404).
    assert [e for e in browser_page.console_errors if not e.startswith("Failed to load resource")] == []

    await page.emulate_media(media="screen")
    await page.reload()
    assert await page.locator("#notice-initial-password").count() == 0
    assert await page.locator("#notice-no-password").is_visible()
