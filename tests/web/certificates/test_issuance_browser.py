"""電子証明書発行 in Debian's Chromium under the real CSP: ④ → ⑤ → ⑥ 発行中 → ⑦ with the automatic
download of ``<userID><YYYYMMDDhhmmss>.p12``, which OpenSSL opens with the user's password; then
Chromium presents that .p12 over mutual TLS and the user logs in to the top screen."""

from __future__ import annotations

import json
import re

import pytest

from tests.pki.conftest import openssl

from ..client_certificates import browser_context_with, watch_for_errors

pytestmark = pytest.mark.browser


async def test_issue_download_the_p12_and_log_in_with_it(browser, browser_page, registered, tmp_path):
    page = browser_page.page
    await browser_page.goto("/")
    await page.click("#btn-issue")
    await page.wait_for_url("**/certificate/issue")
    await page.fill("#user_id", registered.user_id)
    await page.fill("#password", registered.password)
    await page.click("#submit")
    await page.wait_for_selector("#issue")
    await page.wait_for_load_state("load")  # issuance.js has run: its submit listener comes before ours
    assert not await page.is_visible("#issuing")

    # What the page shows once 発行 is pressed, as the POST leaves (recorded by a listener that runs
    # after issuance.js's; sessionStorage outlives the navigation to ⑦).
    await page.evaluate("""() => document.getElementById("issue-form").addEventListener("submit", () => {
        const progress = document.getElementById("issuing");
        sessionStorage.setItem("issuing", JSON.stringify({
            visible: !progress.hidden && progress.offsetHeight > 0, text: progress.textContent,
            disabled: document.getElementById("issue").disabled}));
    })""")
    async with page.expect_download() as download_info:
        await page.click("#issue")
    download = await download_info.value

    await page.wait_for_selector("#issued-serial")
    shown = json.loads(await page.evaluate("() => sessionStorage.getItem('issuing')"))
    assert shown["visible"] and shown["disabled"] and "電子証明書発行中" in shown["text"], shown
    name = download.suggested_filename
    assert re.fullmatch(rf"{registered.user_id}\d{{14}}\.p12", name), name
    assert name == await page.text_content("#issued-file-name")
    saved = tmp_path / name
    await download.save_as(saved)
    opened = openssl("pkcs12", "-in", str(saved), "-passin", f"pass:{registered.password}", "-noout")
    assert opened.returncode == 0, opened.stderr
    assert browser_page.console_errors == []
    assert browser_page.failed_responses == []

    # The downloaded file, as the browser's certificate store would hold it after ⑧ インポート.
    context = await browser_context_with(browser, browser_page.base_url, p12=saved, password=registered.password)
    try:
        errors: list[str] = []
        login = await context.new_page()
        watch_for_errors(login, errors)
        await login.goto(browser_page.base_url + "/")
        await login.click("#btn-login")
        assert await login.text_content("#login-user-id") == registered.user_id
        await login.fill("#password", registered.password)
        await login.click("#submit")
        await login.wait_for_url(re.compile(r"/employer/$"))
        assert await login.text_content("#my-certificate-serial") == await page.text_content("#issued-serial")
        assert await login.text_content("#my-certificate-days-left") == "366日"
        assert errors == []
    finally:
        await context.close()
