"""In real Chromium over HTTPS, a written revocation request from end to end (issue 5): the master
user files 電子証明書の失効依頼 from the login screen and downloads the request form as a PDF, sees
its request when it comes back, a receiver (受付) and a different approver (承認) complete it in the
staff inbox, and the master reissues its certificate (④ → 発行 → the .p12 downloads).
Screenshots go to ``ROKIN_SCREENSHOTS`` (default /tmp/shots)."""

from __future__ import annotations

import io
import re

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from pypdf import PdfReader

from domain.roles import CertificateStatus, StaffRole
from pki.issue import serial_hex
from store import audit
from store import certificates as certificate_store
from store import staff as staff_store
from store import users as user_store
from tests.fixtures.browser import BrowserPage

from ..client_certificates import certificate_for
from ..staff_browser import staff_page
from ..test_browser_registration import _shot

pytestmark = pytest.mark.browser

MASTER_PASSWORD = "Master2024x"
STAFF_PASSWORD = "Shokuin2024x"


def _arrange(app, make_organization) -> tuple[str, str]:  # noqa: ANN001
    """A master user past 初期登録 holding a certificate, and a receiver and an approver with their own
    passwords (all through the store); returns (master ID, certificate serial)."""
    _, master_id, _ = make_organization()
    factory = app.extensions["rokin"].session_factory
    with factory.begin() as session:
        master = user_store.get_by_user_id(session=session, user_id=master_id)
        user_store.complete_initial_registration(session=session, user=master, new_password=MASTER_PASSWORD,
                                                 email="master@example.jp", actor=audit.Actor.cli())
        for login, role in (("recv01", StaffRole.RECEIVER), ("appr01", StaffRole.APPROVER)):
            staff, _ = staff_store.create_staff(session=session, login=login, role=role, actor=audit.Actor.cli())
            staff_store.change_password(session=session, staff=staff, new_password=STAFF_PASSWORD,
                                        actor=audit.Actor.cli())
    certificate_for(app, master_id)
    with factory() as session:
        user = user_store.get_by_user_id(session=session, user_id=master_id)
        [held] = certificate_store.user_certificates(session=session, user_uuid=user.uuid)
        return master_id, held.serial


async def _open_request(page, base_url: str, number: str) -> None:  # noqa: ANN001
    await page.goto(base_url + "/staff/requests")
    await page.locator(f"#request-{number}").get_by_role("link", name=number).click()
    await page.get_by_role("heading", name=f"失効依頼 {number}").wait_for()


async def test_a_written_request_from_the_login_screen_to_the_reissued_certificate(
    browser_page: BrowserPage, browser, app, make_organization, tmp_path,  # noqa: ANN001
) -> None:
    master_id, serial = _arrange(app, make_organization)
    factory = app.extensions["rokin"].session_factory
    base, page = browser_page.base_url, browser_page.page

    # 電子証明書の失効依頼: ID + password, the certificate and the reason, the request number.
    await browser_page.goto("/")
    await page.get_by_role("link", name="電子証明書の失効依頼", exact=True).click()
    await page.fill("#user_id", master_id)
    await page.fill("#password", MASTER_PASSWORD)
    await page.get_by_role("button", name="認証", exact=True).click()
    await page.wait_for_url(re.compile(r"/revocation-request/file$"))
    await page.check(f"input[name=serial][value='{serial}']")
    await page.get_by_label("パソコン変更", exact=True).check()
    await page.get_by_role("button", name="失効依頼", exact=True).click()
    await page.wait_for_url(re.compile(r"/revocation-request/R-\d{4}-\d{6}$"))
    number = await page.locator("#request-number").inner_text()
    await _shot(page, "20-revocation-request-filed")

    # The request form downloads as a real PDF whose text is Japanese.
    async with page.expect_download() as download_info:
        await page.locator("#download-request-pdf").click()
    download = await download_info.value
    assert download.suggested_filename == f"revocation-request-{number}.pdf"
    pdf = tmp_path / download.suggested_filename
    await download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    extracted = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    for shown in ("電子証明書失効依頼書", "届出印", "パソコン変更", number, master_id, serial):
        assert shown in extracted, (shown, extracted)

    # Coming back, the master sees its open request instead of a new form.
    await browser_page.goto("/revocation-request")
    await page.fill("#user_id", master_id)
    await page.fill("#password", MASTER_PASSWORD)
    await page.get_by_role("button", name="認証", exact=True).click()
    await page.wait_for_url(re.compile(r"/revocation-request/status$"))
    request_panel = page.locator(f"#open-request-{number}")
    assert await request_panel.locator(".request-state").inner_text() == "書面到着待ち"
    await _shot(page, "21-revocation-request-status")

    # 受付 by a receiver, then 承認 by an approver who is not the receiver.
    staff_errors: list[str] = []
    receiver_context, receiver = await staff_page(browser, base, "recv01", STAFF_PASSWORD, staff_errors)
    await _open_request(receiver, base, number)
    await receiver.locator("#receive").click()
    await receiver.get_by_text(f"失効依頼 {number} の書面を受け付けました。").wait_for()
    assert await receiver.locator("#approve").count() == 0  # maker-checker: not for the receiver
    approver_context, approver = await staff_page(browser, base, "appr01", STAFF_PASSWORD, staff_errors)
    await _open_request(approver, base, number)
    await approver.fill("#comment", "届出印を確認しました")
    await approver.locator("#approve").click()
    await approver.get_by_text(f"失効依頼 {number} を承認しました。電子証明書は失効しました。").wait_for()
    assert await approver.locator("#request-state").inner_text() == "承認済み"
    await _shot(approver, "22-revocation-request-approved")
    with factory() as session:
        assert certificate_store.get_by_serial(session=session, serial=serial).status is CertificateStatus.REVOKED
    await receiver_context.close()
    await approver_context.close()

    # The master reissues: 電子証明書発行 ④ → 発行, and the new .p12 downloads.
    await browser_page.goto("/")
    await page.get_by_role("link", name="電子証明書発行", exact=True).click()
    await page.fill("#user_id", master_id)
    await page.fill("#password", MASTER_PASSWORD)
    await page.get_by_role("button", name="認証", exact=True).click()
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="発行", exact=True).click()
    download = await download_info.value
    assert re.fullmatch(rf"{master_id}\d{{14}}\.p12", download.suggested_filename)
    p12 = tmp_path / download.suggested_filename
    await download.save_as(p12)
    _, certificate, _ = pkcs12.load_key_and_certificates(p12.read_bytes(), MASTER_PASSWORD.encode())
    new_serial = serial_hex(certificate.serial_number)
    assert new_serial != serial
    with factory() as session:
        assert certificate_store.get_by_serial(session=session, serial=new_serial).status is CertificateStatus.ACTIVE

    assert browser_page.console_errors == [] and staff_errors == [], "no script errors and no CSP violations"
    assert browser_page.failed_responses == []
