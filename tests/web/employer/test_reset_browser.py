"""In real Chromium (issue 13): the master user resets a general user's password from the user list;
the general user, with the same certificate, goes through 一般ユーザーの初期登録 again and logs in.
Screenshots go to ``ROKIN_SCREENSHOTS``."""

from __future__ import annotations

import re

import pytest

from store import audit
from store import users as user_store
from tests.fixtures.browser import BrowserPage

from ..client_certificates import browser_context_with, certificate_files, watch_for_errors
from ..test_browser_registration import _shot

pytestmark = pytest.mark.browser

MASTER_PASSWORD = "Master2024x"
GENERAL_PASSWORD = "Ippan2024x"
AGAIN_PASSWORD = "Mata2026xy"


async def log_in(page, base_url: str, password: str) -> None:  # noqa: ANN001
    await page.goto(base_url + "/login")
    await page.fill("#password", password)
    await page.get_by_role("button", name="ログイン", exact=True).click()
    await page.wait_for_url(re.compile(r"/employer/$"))


async def test_the_master_resets_a_general_user_who_registers_again(browser_page: BrowserPage, browser, app,
                                                                     make_organization, tmp_path) -> None:  # noqa: ANN001
    _, master_id, _ = make_organization()
    with app.extensions["rokin"].session_factory.begin() as session:
        master = user_store.get_by_user_id(session=session, user_id=master_id)
        user_store.complete_initial_registration(session=session, user=master, new_password=MASTER_PASSWORD,
                                                 email="master@example.jp", actor=audit.Actor.cli())
        general, _ = user_store.create_general_user(session=session, master=master, user_id="ippan001",
                                                    display_name="一般 花子", actor=audit.Actor.cli())
        user_store.complete_initial_registration(session=session, user=general, new_password=GENERAL_PASSWORD,
                                                 email="ippan@example.jp", actor=audit.Actor.cli())
    base = browser_page.base_url
    master_context = await browser_context_with(browser, base, pem_files=certificate_files(app, master_id, tmp_path))
    user_context = await browser_context_with(browser, base, pem_files=certificate_files(app, "ippan001", tmp_path))
    try:
        page = await master_context.new_page()
        watch_for_errors(page, browser_page.console_errors)
        user_page = await user_context.new_page()
        watch_for_errors(user_page, browser_page.console_errors)
        await log_in(user_page, base, GENERAL_PASSWORD)

        await log_in(page, base, MASTER_PASSWORD)
        await page.click("#reset-ippan001")
        await page.get_by_role("heading", name="パスワード初期化の確認").wait_for()
        await _shot(page, "h4-06-reset-confirm")
        await page.click("#confirm-reset")
        await page.get_by_role("heading", name="パスワード初期化の結果").wait_for()
        await _shot(page, "h4-07-reset-result")
        initial = await page.locator("#initial-password").inner_text()

        await user_page.goto(base + "/employer/")  # the general user's session has ended
        assert "/employer/" not in user_page.url
        await user_page.goto(base + "/")
        await user_page.get_by_role("link", name="一般ユーザーの初期登録", exact=True).click()
        await user_page.fill("#user_id", "ippan001")
        await user_page.fill("#password", initial)
        await user_page.get_by_role("button", name="認証", exact=True).click()
        await user_page.wait_for_url(re.compile(r"/register/general/password$"))
        await user_page.fill("#new_password", AGAIN_PASSWORD)
        await user_page.fill("#new_password_confirm", AGAIN_PASSWORD)
        await user_page.fill("#email", "ippan@example.jp")
        await user_page.fill("#email_confirm", "ippan@example.jp")
        await user_page.get_by_role("button", name="登録", exact=True).click()
        # Not ④: the user still holds a valid certificate, so the login screen says to log in with it.
        await user_page.wait_for_url(re.compile(r"/$"))
        assert "お持ちの電子証明書でログインしてください" in await user_page.inner_text("body")
        await log_in(user_page, base, AGAIN_PASSWORD)  # the same certificate, the new password
        assert browser_page.console_errors == []
    finally:
        await master_context.close()
        await user_context.close()
