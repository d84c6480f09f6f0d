"""In real Chromium over HTTPS, the lockout lifecycle on the real pages (issue 3): six wrong
passwords show the lock message with its time, the master's user list shows ロック中, and the
master's ロック解除 lets the user in again. Screenshots go to ``ROKIN_SCREENSHOTS``."""

from __future__ import annotations

import asyncio
import re

import pytest

from domain.lockout import LockoutStatus
from store import audit
from store import users as user_store
from tests.fixtures.browser import BrowserPage

from .client_certificates import browser_context_with, certificate_files, watch_for_errors
from .lockout_support import WRONG, countdown, hh_mm, locked_message, wait_for_lockout
from .test_browser_registration import _shot

pytestmark = pytest.mark.browser

MASTER_PASSWORD = "Master2024x"
GENERAL_PASSWORD = "Ippan2024x"


def _registered_organization(app, make_organization) -> tuple[str, str]:  # noqa: ANN001
    """A master and one general user, both past 初期登録 (arranged through the store)."""
    _, master_id, _ = make_organization()
    with app.extensions["rokin"].session_factory.begin() as session:
        master = user_store.get_by_user_id(session=session, user_id=master_id)
        user_store.complete_initial_registration(session=session, user=master, new_password=MASTER_PASSWORD,
                                                 email="master@example.jp", actor=audit.Actor.cli())
        general, _ = user_store.create_general_user(session=session, master=master, user_id="ippan001",
                                                          display_name="一般 花子", actor=audit.Actor.cli())
        user_store.complete_initial_registration(session=session, user=general, new_password=GENERAL_PASSWORD,
                                                 email="ippan@example.jp", actor=audit.Actor.cli())
    return master_id, "ippan001"


async def _log_in(page, base_url: str, user_id: str, password: str) -> None:  # noqa: ANN001
    """ログイン: the page's context presents ``user_id``'s certificate; the password is typed."""
    await page.goto(base_url + "/login")
    assert await page.locator("#login-user-id").inner_text() == user_id
    await page.fill("#password", password)
    await page.get_by_role("button", name="ログイン", exact=True).click()
    await page.wait_for_load_state()


async def test_six_wrong_passwords_lock_and_the_master_unlocks(
    browser_page: BrowserPage, browser, app, make_organization, tmp_path,  # noqa: ANN001
) -> None:
    master_id, user_id = _registered_organization(app, make_organization)
    base = browser_page.base_url
    user_context = await browser_context_with(
        browser, base, pem_files=certificate_files(app, user_id, tmp_path / "certificates"))
    page = await user_context.new_page()
    watch_for_errors(page, browser_page.console_errors)

    for remaining in range(5, 0, -1):
        await _log_in(page, base, user_id, WRONG)
        await page.get_by_text(countdown(remaining), exact=True).wait_for()
    await _log_in(page, base, user_id, WRONG)
    view = await asyncio.to_thread(wait_for_lockout, app, user_id, LockoutStatus.LOCKED)
    message = page.locator(".form-error")
    assert await message.inner_text() == locked_message(view.locked_until)
    assert re.fullmatch(r"このユーザーIDはロックされています。\d\d:\d\d以降に再度お試しください。",
                        await message.inner_text())
    await _shot(page, "10-locked-message")

    # The master, in a browser of its own, sees ロック中（hh:mmまで） and unlocks from the list.
    context = await browser_context_with(
        browser, base, pem_files=certificate_files(app, master_id, tmp_path / "certificates"))
    try:
        master_page = await context.new_page()
        await _log_in(master_page, base, master_id, MASTER_PASSWORD)
        await master_page.wait_for_url(re.compile(r"/employer/$"))
        row = master_page.locator(f"#user-{user_id}")
        assert await row.locator(".lockout-status").inner_text() == f"ロック中（{hh_mm(view.locked_until)}まで）"
        await _shot(master_page, "11-user-list-locked")
        await row.get_by_role("link", name="ロック解除").click()
        await master_page.get_by_role("heading", name="ロック解除の確認").wait_for()
        await _shot(master_page, "12-unlock-confirmation")
        await master_page.get_by_role("button", name="ロック解除", exact=True).click()
        await master_page.get_by_text(f"{user_id} のロックを解除しました。").wait_for()
        assert await row.locator(".lockout-status").inner_text() == "正常"
        assert await row.get_by_role("link", name="ロック解除").count() == 0
    finally:
        await context.close()

    await _log_in(page, base, user_id, GENERAL_PASSWORD)
    await page.wait_for_url(re.compile(r"/employer/$"))
    assert await page.locator("#my-user-id").inner_text() == user_id
    assert browser_page.console_errors == [], "no script errors and no CSP violations"
    await user_context.close()
