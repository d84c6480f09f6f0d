"""電子証明書発行 in Debian's Chromium under the real CSP: ④ → ⑤ → ⑥ 発行中 → ⑦ with the automatic
download of ``<userID><YYYYMMDDhhmmss>.p12``, which OpenSSL opens with the user's password."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.pki.conftest import openssl

pytestmark = pytest.mark.browser


async def test_issue_and_download_the_p12(browser_page, master, tmp_path):
    page = browser_page.page
    await browser_page.goto("/")
    await page.click("#btn-issue")
    await page.wait_for_url("**/certificate/issue")
    await page.fill("#user_id", master.user_id)
    await page.fill("#password", master.password)
    await page.click("#submit")
    await page.wait_for_selector("#issue")
    assert not await page.is_visible("#issuing")

    # Hold the 発行 POST back for a moment, to see ⑥ 発行中 while it runs.
    release = asyncio.Event()

    async def hold(route):  # noqa: ANN001, ANN202
        await release.wait()
        await route.continue_()

    await page.route("**/certificate/issue/run", hold)
    async with page.expect_download() as download_info:
        await page.click("#issue", no_wait_after=True)  # the navigation is held back below
        # The page is still ⑤ while its navigation is pending (locators would wait for the navigation).
        shown = await page.evaluate("""() => {
            const progress = document.getElementById("issuing");
            return {visible: !progress.hidden && progress.offsetHeight > 0, text: progress.textContent,
                    disabled: document.getElementById("issue").disabled};
        }""")
        assert shown["visible"] and shown["disabled"] and "電子証明書発行中" in shown["text"], shown
        release.set()
    download = await download_info.value

    await page.wait_for_selector("#issued-serial")
    name = download.suggested_filename
    assert re.fullmatch(rf"{master.user_id}\d{{14}}\.p12", name), name
    assert name == await page.text_content("#issued-file-name")
    saved = tmp_path / name
    await download.save_as(saved)
    opened = openssl("pkcs12", "-in", str(saved), "-passin", f"pass:{master.password}", "-noout")
    assert opened.returncode == 0, opened.stderr
    assert browser_page.console_errors == []
    assert browser_page.failed_responses == []
