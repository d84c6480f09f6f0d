"""⑥ 発行中 and ⑦ 閉じる in Debian's Chromium under the real CSP (issue 13).

⑥: while the 発行 POST runs, the step bar stands on ⑥ and the 発行 button is disabled, visibly and
for assistive technology. ⑦: 閉じる closes a window that a script opened; any other window stays
open (browsers refuse), and the page then says to close it with [×], and why.
Screenshots go to ``ROKIN_SCREENSHOTS``."""

from __future__ import annotations

import json

import pytest
from playwright._impl._errors import TargetClosedError  # not re-exported by playwright.async_api

from tests.web.test_browser_registration import _shot

pytestmark = pytest.mark.browser


async def _issue(page, account) -> None:  # noqa: ANN001
    """From the login screen through ④ and ⑤ to ⑦ (the .p12 download is accepted and ignored)."""
    await page.click("#btn-issue")
    await page.wait_for_url("**/certificate/issue")
    await page.fill("#user_id", account.user_id)
    await page.fill("#password", account.password)
    await page.click("#submit")
    await page.wait_for_selector("#issue")
    await page.wait_for_load_state("load")  # issuance.js has run
    async with page.expect_download():
        await page.click("#issue")
    await page.wait_for_selector("#issued-serial")


async def test_issuing_moves_the_step_bar_to_6_and_disables_the_button(browser_page, registered):
    page = browser_page.page
    await browser_page.goto("/")
    await page.click("#btn-issue")
    await page.fill("#user_id", registered.user_id)
    await page.fill("#password", registered.password)
    await page.click("#submit")
    await page.wait_for_selector("#issue")
    await page.wait_for_load_state("load")
    assert await page.text_content(".issuance-steps li.current") == "⑤ 発行"

    # What the page shows once 発行 is pressed, as the POST leaves (a listener after issuance.js's;
    # sessionStorage outlives the navigation to ⑦).
    await page.evaluate("""() => document.getElementById("issue-form").addEventListener("submit", () => {
        const button = document.getElementById("issue");
        const current = document.querySelectorAll(".issuance-steps li.current");
        sessionStorage.setItem("issuing", JSON.stringify({
            current: Array.from(current, (item) => item.textContent),
            ariaCurrent: Array.from(document.querySelectorAll(".issuance-steps li[aria-current=step]"),
                                    (item) => item.textContent),
            disabled: button.disabled, ariaDisabled: button.getAttribute("aria-disabled"),
            opacity: getComputedStyle(button).opacity, cursor: getComputedStyle(button).cursor}));
    })""")
    async with page.expect_download():
        await page.click("#issue")
    await page.wait_for_selector("#issued-serial")
    shown = json.loads(await page.evaluate("() => sessionStorage.getItem('issuing')"))
    assert shown["current"] == ["⑥ 発行中"] and shown["ariaCurrent"] == ["⑥ 発行中"], shown
    assert shown["disabled"] and shown["ariaDisabled"] == "true", shown
    assert float(shown["opacity"]) < 1 and shown["cursor"] == "not-allowed", "the button looks disabled"
    assert await page.text_content(".issuance-steps li.current") == "⑦ 発行結果"

    # ⑦ 閉じる in a tab the user opened: the browser refuses window.close(); the page says what to do.
    assert not await page.is_visible("#close-note")
    await page.click("#close-window")
    await page.wait_for_selector("#close-note", state="visible")
    assert not page.is_closed()
    note = await page.inner_text("#close-note")
    assert "[×]ボタン" in note and "ブラウザを閉じるまで記憶しています" in note
    await _shot(page, "h3-issuance-result-close")
    assert browser_page.console_errors == []


async def test_close_closes_a_window_that_a_script_opened(browser_page, registered):
    opener = browser_page.page
    await browser_page.goto("/")
    async with opener.expect_popup() as popup_info:
        await opener.evaluate("() => { window.open('/', 'issuance'); }")
    popup = await popup_info.value
    await popup.wait_for_load_state()
    await _issue(popup, registered)
    async with popup.expect_event("close"):
        try:
            await popup.click("#close-window")
        except TargetClosedError:  # the window closed before the click's own bookkeeping ended: the point
            pass
    assert popup.is_closed()
