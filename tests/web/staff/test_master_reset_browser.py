"""In real Chromium (issue 13): a Rokin administrator resets a master user's password from ユーザー検索
and prints the new ご利用開始（変更）のお知らせ (one A4 sheet; the password shows once).
Screenshots go to ``ROKIN_SCREENSHOTS``."""

from __future__ import annotations

import re

import pytest

from domain.roles import StaffRole
from store import audit
from store import users as user_store

from ..test_browser_registration import _shot
from .conftest import NEW_PASSWORD

pytestmark = pytest.mark.browser

PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


async def test_an_administrator_resets_a_master_and_prints_the_changed_notice(browser_page, make_staff, app,
                                                                              make_organization) -> None:  # noqa: ANN001
    _, master_id, _ = make_organization(code="4321")
    with app.extensions["rokin"].session_factory.begin() as session:
        master = user_store.get_by_user_id(session=session, user_id=master_id)
        user_store.complete_initial_registration(session=session, user=master, new_password="Master2024x",
                                                 email="master@example.jp", actor=audit.Actor.cli())
    account = make_staff(StaffRole.ADMINISTRATOR)
    page = browser_page.page
    await page.add_init_script("window.print = () => { window.__printed = (window.__printed || 0) + 1; };")

    await browser_page.goto("/staff/login")
    await page.fill("#login", account.login)
    await page.fill("#password", account.password)
    await page.click("#submit")
    await page.wait_for_url("**/staff/password")
    await page.fill("#new_password", NEW_PASSWORD)
    await page.fill("#new_password_confirm", NEW_PASSWORD)
    await page.click("#submit")
    await page.wait_for_url("**/staff/")

    await browser_page.goto("/staff/accounts?q=4321")
    await _shot(page, "h4-08-staff-search-reset-button")
    await page.click(f"#reset-{master_id}")
    await page.get_by_role("heading", name="マスターユーザーのパスワード初期化の確認").wait_for()
    await _shot(page, "h4-09-staff-reset-confirm")
    await page.click("#confirm-reset")
    await page.wait_for_url(re.compile(r"/reset-notice$"))
    password = await page.text_content("#notice-initial-password")
    assert password and len(password.strip()) >= 6
    await _shot(page, "h4-10-changed-notice")
    await page.click("#print-notice")
    assert await page.evaluate("window.__printed") == 1
    await page.emulate_media(media="print")
    assert not await page.locator(".notice-toolbar").is_visible()
    assert len(PDF_PAGE.findall(await page.pdf(format="A4"))) == 1
    await page.emulate_media(media="screen")
    await page.reload()
    assert await page.locator("#notice-initial-password").count() == 0
    with app.extensions["rokin"].session_factory() as session:
        reset_master = user_store.get_by_user_id(session=session, user_id=master_id)
        assert user_store.password_matches(reset_master, password.strip())
    assert [e for e in browser_page.console_errors if not e.startswith("Failed to load resource")] == []
