"""In real Chromium over HTTPS with the user's client certificate (issue 13): パスワード変更 and
メールアドレス変更 with the code from the real SMTP sink. Screenshots go to ``ROKIN_SCREENSHOTS``."""

from __future__ import annotations

import asyncio
import re

import pytest

from store import audit
from store import users as user_store
from tests.fixtures.browser import BrowserPage

from ..client_certificates import browser_context_with, certificate_files, watch_for_errors
from ..test_browser_registration import _shot
from .test_account_pages import CODE, mails_titled

pytestmark = pytest.mark.browser

PASSWORD = "Master2024x"
NEW_PASSWORD = "Kawari2026x"
NEW_EMAIL = "new.master@example.jp"


def registered_master(app, make_organization) -> str:  # noqa: ANN001
    _, master_id, _ = make_organization()
    with app.extensions["rokin"].session_factory.begin() as session:
        master = user_store.get_by_user_id(session=session, user_id=master_id)
        user_store.complete_initial_registration(session=session, user=master, new_password=PASSWORD,
                                                 email="master@example.jp", actor=audit.Actor.cli())
    return master_id


async def log_in(page, base_url: str, password: str) -> None:  # noqa: ANN001
    await page.goto(base_url + "/login")
    await page.fill("#password", password)
    await page.get_by_role("button", name="ログイン", exact=True).click()
    await page.wait_for_url(re.compile(r"/employer/$"))


async def test_a_user_changes_password_and_email_address(browser_page: BrowserPage, browser, app, make_organization,
                                                         smtp_sink, find_user, tmp_path) -> None:  # noqa: ANN001
    master_id = registered_master(app, make_organization)
    base = browser_page.base_url
    context = await browser_context_with(browser, base, pem_files=certificate_files(app, master_id, tmp_path / "c"))
    try:
        page = await context.new_page()
        watch_for_errors(page, browser_page.console_errors)
        await log_in(page, base, PASSWORD)

        await page.click("#menu-account")
        await page.get_by_role("heading", name="パスワード・メールアドレス変更").wait_for()
        await _shot(page, "h4-01-account-menu")
        await page.click("#account-password")
        await page.fill("#current_password", "Wrong2024x")
        await page.fill("#new_password", NEW_PASSWORD)
        await page.fill("#new_password_confirm", NEW_PASSWORD)
        await page.click("#submit")
        await page.get_by_text("現在のパスワードが正しくありません。").wait_for()
        await _shot(page, "h4-02-password-change-wrong-current")
        await page.fill("#current_password", PASSWORD)
        await page.fill("#new_password", NEW_PASSWORD)
        await page.fill("#new_password_confirm", NEW_PASSWORD)
        await page.click("#submit")
        await page.wait_for_url(re.compile(r"/employer/$"))
        await page.get_by_text("パスワードを変更しました。ほかの場所でのログインは終了しました。").wait_for()
        await asyncio.to_thread(mails_titled, smtp_sink, "パスワード変更のお知らせ")

        await page.click("#menu-account")
        await page.click("#account-email")
        await page.fill("#email", NEW_EMAIL)
        await page.fill("#email_confirm", NEW_EMAIL)
        await _shot(page, "h4-03-email-change")
        await page.click("#send-code")
        await page.locator("#pending-email").wait_for()
        [mail] = await asyncio.to_thread(mails_titled, smtp_sink, "メールアドレス変更の確認コード")
        await _shot(page, "h4-04-email-code-entry")
        await page.fill("#code", CODE.search(mail.body).group(1))
        await page.click("#confirm-code")
        await page.get_by_text("メールアドレスを変更しました。ほかの場所でのログインは終了しました。").wait_for()
        assert await page.locator("#current-email").inner_text() == NEW_EMAIL
        await _shot(page, "h4-05-email-changed")
        assert find_user(master_id).email == NEW_EMAIL
        await asyncio.to_thread(mails_titled, smtp_sink, "メールアドレス変更のお知らせ", 2)

        await page.click("#logout")  # the new password is the one that logs in now
        await page.get_by_text("ログアウトしました。").wait_for()
        await log_in(page, base, NEW_PASSWORD)
        assert browser_page.console_errors == []
    finally:
        await context.close()
