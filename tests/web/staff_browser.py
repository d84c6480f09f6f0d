"""A staff member's own Chromium context, logged in at 職員ログイン: shared by the browser journeys."""

from __future__ import annotations

import re

from tests.fixtures.browser import PAGE_TIMEOUT_MS

from .client_certificates import watch_for_errors


async def staff_page(browser, base_url: str, login: str, password: str, errors: list[str]):  # noqa: ANN001, ANN201
    """(context, page) of a fresh context logged in as ``login``; console errors go to ``errors``."""
    context = await browser.new_context(ignore_https_errors=True, locale="ja-JP")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = await context.new_page()
    watch_for_errors(page, errors)
    await page.goto(base_url + "/staff/login")
    await page.fill("#login", login)
    await page.fill("#password", password)
    await page.get_by_role("button", name="ログイン", exact=True).click()
    await page.wait_for_url(re.compile(r"/staff/$"))
    return context, page
