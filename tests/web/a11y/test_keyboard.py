"""By keyboard alone, in Debian's Chromium (issue 15): the software keyboard (focus order, visible focus,
named <button> keys, Escape back to the field), 電子証明書発行 ④ → ⑤ → ⑦ without a mouse, and input
errors that are tied to their fields and announced."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.browser import BrowserPage

from ..test_browser_registration import _shot
from .employer_journey import MASTER_PASSWORD

pytestmark = pytest.mark.browser

KEYS = 36  # a–z and 0–9
CONTROLS = 4  # 大文字/小文字, 削除, クリア, 閉じる

# What has the focus: its id (or tag), and whether a focus indicator is drawn around it.
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {id: element.id || element.tagName.toLowerCase(), tag: element.tagName.toLowerCase(),
          text: element.textContent.trim(), visible: outline || style.boxShadow !== "none"};
}"""


async def _tab_to(page, element_id: str, *, limit: int = 30) -> list[dict]:  # noqa: ANN001
    """Press Tab until ``#element_id`` has the focus; every element focused on the way, in order."""
    visited = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        visited.append(focused)
        if focused["id"] == element_id:
            return visited
    raise AssertionError(f"#{element_id} never got the focus; went through {[f['id'] for f in visited]}")


def _all_visible(visited: list[dict]) -> None:
    assert [focused for focused in visited if not focused["visible"]] == [], "focused without a visible indicator"


def _ids(visited: list[dict]) -> list[str]:
    return [focused["id"] for focused in visited]


async def test_the_software_keyboard_works_from_the_keyboard(browser_page: BrowserPage) -> None:
    page = browser_page.page
    await browser_page.goto("/register/master")
    await _tab_to(page, "password")

    # The field's own keyboard button comes right after the field, and opens the keyboard with Enter.
    opener = await _next(page)
    assert opener["tag"] == "button" and opener["text"] == "ソフトウェアキーボード" and opener["visible"], opener
    await page.keyboard.press("Enter")
    panel = page.locator(".softkeyboard")
    assert await panel.is_visible()
    assert await page.locator(".softkeyboard-open").get_attribute("aria-expanded") == "true"

    # Every key and control is a <button> with a name; Tab goes through them in order, each visibly focused.
    buttons = panel.get_by_role("button")
    assert await buttons.count() == KEYS + CONTROLS
    names = [name.strip() for name in await buttons.all_inner_texts()]
    assert all(names), names
    assert set(await panel.locator("button").evaluate_all("all => all.map(b => b.tagName + b.type)")) == {
        "BUTTONbutton"}
    walked = [await _next(page) for _ in range(KEYS + CONTROLS)]
    assert [focused["text"] for focused in walked] == names
    assert all(focused["visible"] for focused in walked), [f["text"] for f in walked if not f["visible"]]

    # Back to the first key with Shift+Tab, and type it with Enter and with Space.
    for _ in range(KEYS + CONTROLS - 1):
        await page.keyboard.press("Shift+Tab")
    first = (await page.evaluate(FOCUSED))["text"]
    assert first == names[0]
    await _shot(page, "a11y-01-software-keyboard-focus")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Space")
    assert await page.input_value("#password") == first * 2

    # Escape closes the keyboard and gives the focus back to the field.
    await page.keyboard.press("Escape")
    assert await panel.is_hidden()
    assert await page.locator(".softkeyboard-open").get_attribute("aria-expanded") == "false"
    assert (await page.evaluate(FOCUSED))["id"] == "password"
    assert browser_page.console_errors == []


async def _next(page) -> dict:  # noqa: ANN001
    await page.keyboard.press("Tab")
    return await page.evaluate(FOCUSED)


async def test_issuance_by_keyboard_alone(browser_page: BrowserPage, registered, tmp_path) -> None:  # noqa: ANN001
    """④ ユーザー認証 → ⑤ 発行 → ⑦ 発行結果 with Tab, typing and Enter; the focus order follows the form and
    every stop on the way shows where the focus is."""
    page = browser_page.page
    await browser_page.goto("/certificate/issue")
    visited = await _tab_to(page, "user_id")
    await page.keyboard.type(registered.user_id)
    visited += await _tab_to(page, "password", limit=1)
    await page.keyboard.type(MASTER_PASSWORD)
    visited += await _tab_to(page, "submit")
    order = _ids(visited)
    assert order.index("user_id") < order.index("password") < order.index("submit")
    _all_visible(visited)
    await page.keyboard.press("Enter")

    await page.locator("#issue-form").wait_for()
    await page.wait_for_load_state("load")
    visited = await _tab_to(page, "issue")
    assert "cancel" in _ids(visited), "キャンセル comes before 発行"
    _all_visible(visited)
    async with page.expect_download() as download:
        await page.keyboard.press("Enter")
    assert (await download.value).suggested_filename.endswith(".p12")
    await page.wait_for_url(re.compile(r"/certificate/issue/run$"))
    await page.wait_for_load_state("load")
    visited = await _tab_to(page, "p12-download")
    _all_visible(visited)
    assert browser_page.console_errors == []


async def test_input_errors_are_tied_to_their_fields_and_announced(browser_page: BrowserPage) -> None:
    page = browser_page.page
    await browser_page.goto("/register/master")
    await page.click("#submit")  # nothing typed
    await page.locator(".field-error").first.wait_for()

    # The summary has the focus (so it is read out) and links to each field in error.
    summary = page.locator("#error-summary")
    await page.wait_for_load_state("load")  # forms.js moves the focus once it has run
    await page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    assert (await page.evaluate(FOCUSED))["id"] == "error-summary"
    assert await summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "#user_id", "#password"]
    for field in ("user_id", "password"):
        control = page.locator(f"#{field}")
        assert await control.get_attribute("aria-invalid") == "true"
        described = (await control.get_attribute("aria-describedby") or "").split()
        texts = [await page.locator(f"#{element}").inner_text() for element in described]
        error = await page.locator(f".field:has(#{field}) .error").inner_text()
        assert error and any(error in text for text in texts), (field, described, texts)
        assert await page.locator(f".field:has(#{field}) .error").get_attribute("role") == "alert"
    await _shot(page, "a11y-02-error-summary")
    # Following a summary link puts the focus in the field.
    await summary.locator("a").nth(1).click()
    assert (await page.evaluate(FOCUSED))["id"] == "password"


@pytest.mark.parametrize(("language", "title"), [("ja", "マスターユーザー初期登録ログイン"),
                                                 ("en", None)])
async def test_the_page_language_follows_the_switch(browser_page: BrowserPage, language: str,
                                                    title: str | None) -> None:
    """The language switch (``?lang=``) is remembered, and ``<html lang>`` says it on the next pages."""
    page = browser_page.page
    await browser_page.goto(f"/?lang={language}")
    await browser_page.goto("/register/master")
    assert await page.evaluate("document.documentElement.lang") == language
    heading = await page.locator("h1").inner_text()
    if title is not None:
        assert heading == title
    else:
        assert heading != "マスターユーザー初期登録ログイン" and heading.isascii(), heading
