"""In real Chromium over HTTPS: マスターユーザーの初期登録 typed with the software keyboard, 電子証明書発行,
certificate login with the downloaded .p12, then a general user.

Screenshots of the login screen, the 初期登録 page with the keyboard open, the user list, the
one-time password and the delete confirmation go to ``ROKIN_SCREENSHOTS`` (default /tmp/shots)
for people to look at.
"""

from __future__ import annotations

import os
import re
import string
from pathlib import Path

import pytest

from domain.credentials import check_credential
from store import users as user_store
from tests.fixtures.browser import BrowserPage

from .client_certificates import browser_context_with, watch_for_errors

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ROKIN_SCREENSHOTS", "/tmp/shots"))
NEW_PASSWORD = "Kumiai2024x"  # upper and lower case and digits: exercises the case toggle
ALL_KEYS = sorted(string.ascii_lowercase + string.digits)


async def _shot(page, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _keyboard_of(page, field_id: str):  # noqa: ANN001, ANN202
    """The open button and the panel that the script added for ``#field_id``."""
    row = page.locator(f".softkeyboard-row:has(#{field_id})")
    opener = row.get_by_role("button", name="ソフトウェアキーボード", exact=True)
    return opener, page.locator(f".field:has(#{field_id}) .softkeyboard")


async def _key_order(panel) -> list[str]:  # noqa: ANN001
    return await panel.locator(".keys button").all_inner_texts()


async def _type_with_keyboard(page, field_id: str, secret: str) -> None:  # noqa: ANN001
    """Click the shown keys one by one; the order is shuffled, so each key is found by its label."""
    opener, panel = _keyboard_of(page, field_id)
    if await panel.is_hidden():
        await opener.click()
    shift = panel.get_by_role("button", name="大文字/小文字", exact=True)
    for character in secret:
        upper = character.isupper()
        if (await shift.get_attribute("aria-pressed") == "true") != upper:
            await shift.click()
        await panel.locator(".keys").get_by_role("button", name=character, exact=True).click()


async def test_master_registers_with_the_software_keyboard_and_creates_a_general_user(
    browser_page: BrowserPage, browser, make_organization, app, tmp_path,  # noqa: ANN001
) -> None:
    page = browser_page.page
    _, master_id, initial_password = make_organization()

    await browser_page.goto("/")
    await page.get_by_role("heading", name="ろうきん賃金控除事務支援システムログイン画面").wait_for()
    await _shot(page, "01-login-screen")
    await page.get_by_role("link", name="マスターユーザーの初期登録", exact=True).click()

    await page.fill("#user_id", master_id)
    await page.fill("#password", initial_password)
    await page.get_by_role("button", name="認証", exact=True).click()
    await page.wait_for_url(re.compile(r"/register/master/password$"))

    # Every password field has its own keyboard; keys start hidden and are buttons that never submit.
    opener, panel = _keyboard_of(page, "new_password")
    assert await panel.is_hidden()
    await opener.click()
    assert await opener.get_attribute("aria-expanded") == "true"
    first = await _key_order(panel)
    assert sorted(first) == ALL_KEYS
    assert set(await panel.locator("button").evaluate_all("buttons => buttons.map(b => b.type)")) == {"button"}
    await panel.get_by_role("button", name="閉じる", exact=True).click()
    assert await panel.is_hidden()
    await opener.click()
    second = await _key_order(panel)
    assert sorted(second) == ALL_KEYS
    assert first != second, "the key order is shuffled at every opening"  # 1 in 36! to fail by chance

    # 削除 and クリア edit what the keyboard typed; the case toggle keeps the order.
    await _type_with_keyboard(page, "new_password", "ab")
    await panel.get_by_role("button", name="削除", exact=True).click()
    assert await page.input_value("#new_password") == "a"
    before_shift = await _key_order(panel)
    await panel.get_by_role("button", name="大文字/小文字", exact=True).click()
    assert await _key_order(panel) == [key.upper() for key in before_shift]
    await panel.get_by_role("button", name="クリア", exact=True).click()
    assert await page.input_value("#new_password") == ""

    await _type_with_keyboard(page, "new_password", NEW_PASSWORD)
    await _shot(page, "02-registration-with-software-keyboard")
    await _type_with_keyboard(page, "new_password_confirm", NEW_PASSWORD)
    assert await panel.is_hidden(), "opening one keyboard closes the other"
    assert await page.input_value("#new_password") == NEW_PASSWORD
    assert await page.input_value("#new_password_confirm") == NEW_PASSWORD

    await page.fill("#email", "master@example.jp")
    await page.fill("#email_confirm", "master@example.jp")
    await page.get_by_role("button", name="登録", exact=True).click()
    await page.wait_for_url(re.compile(r"/certificate/issue$"))  # no certificate yet: 電子証明書発行 next
    await page.get_by_text("初期登録が完了しました。続けて電子証明書を発行してください。").wait_for()
    with app.extensions["rokin"].session_factory() as session:
        master = user_store.get_by_user_id(session=session, user_id=master_id)
        assert user_store.password_matches(master, NEW_PASSWORD)

    # ④ → ⑤ → ⑦: the .p12 downloads; Chromium then presents it (as if imported) and the master logs in.
    await page.fill("#user_id", master_id)
    await page.fill("#password", NEW_PASSWORD)
    await page.get_by_role("button", name="認証", exact=True).click()
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="発行", exact=True).click()
    p12 = tmp_path / (await download_info.value).suggested_filename
    await (await download_info.value).save_as(p12)
    assert browser_page.console_errors == [] and browser_page.failed_responses == []
    context = await browser_context_with(browser, browser_page.base_url, p12=p12, password=NEW_PASSWORD)
    page = await context.new_page()
    watch_for_errors(page, browser_page.console_errors)
    page.on("response", lambda response: response.status >= 400
            and browser_page.failed_responses.append(f"{response.status} {response.url}"))
    await page.goto(browser_page.base_url + "/login")
    await page.fill("#password", NEW_PASSWORD)
    await page.get_by_role("button", name="ログイン", exact=True).click()
    await page.wait_for_url(re.compile(r"/employer/$"))
    assert await page.locator("#my-user-id").inner_text() == master_id

    # The master creates a general user; the one-time password is shown on the result page.
    await page.fill("#user_id", "ippan001")
    await page.fill("#display_name", "一般 太郎")
    await page.get_by_role("button", name="作成", exact=True).click()
    await page.get_by_role("heading", name="一般ユーザーの作成結果").wait_for()
    await _shot(page, "04-general-user-created")
    shown = await page.locator("#initial-password").inner_text()
    assert check_credential(shown) is None
    assert await page.locator("#new-user-id").inner_text() == "ippan001"
    with app.extensions["rokin"].session_factory() as session:
        assert user_store.password_matches(user_store.get_by_user_id(session=session, user_id="ippan001"), shown)

    await page.get_by_role("link", name="ユーザー一覧へ戻る").click()
    await page.locator("#user-ippan001").wait_for()
    await _shot(page, "03-user-list")
    assert "初期登録待ち" in await page.locator("#user-ippan001").inner_text()

    # Deleting goes through a confirmation page (no inline confirm(): the CSP forbids inline scripts).
    await page.locator("#user-ippan001").get_by_role("link", name="削除").click()
    await page.get_by_role("heading", name="ユーザー削除の確認").wait_for()
    await _shot(page, "05-delete-confirmation")
    await page.get_by_role("button", name="削除", exact=True).click()
    await page.get_by_text("ユーザーID ippan001 を削除しました。").wait_for()
    assert await page.locator("#user-ippan001").count() == 0

    await page.get_by_role("button", name="ログアウト").click()
    await page.get_by_role("heading", name="ろうきん賃金控除事務支援システムログイン画面").wait_for()
    assert browser_page.console_errors == [], "no script errors and no CSP violations"
    assert browser_page.failed_responses == []
    await context.close()
