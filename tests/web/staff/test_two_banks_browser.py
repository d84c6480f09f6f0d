"""In real Chromium over HTTPS (issue 16): two 労金, a written revocation request (失効依頼) filed in each
from the login screen. Each 労金's receiver and approver see only their own in the inbox — another's page
is 404 — and do 受付 / 承認 of their own; the 連合会's administrator sees both. Each request form (PDF,
downloaded) names its organization's branch as 提出先, read back with poppler's ``pdftotext``."""

from __future__ import annotations

import re
import subprocess

import pytest

from domain.banks import FEDERATION
from domain.roles import StaffRole
from store import audit
from store import organizations as org_store
from store import staff as staff_store
from store import users as user_store
from tests.fixtures.browser import BrowserPage
from tests.web.certificates.arrange import record_certificate
from tests.web.revocation.conftest import fresh_request_numbers  # noqa: F401  (autouse: free numbers 1–5)
from tests.web.revocation.support import now
from usecases.branches import load_shipped_branches_if_none

from ..staff_browser import staff_page

pytestmark = pytest.mark.browser

MASTER_PASSWORD = "Master2024x"
STAFF_PASSWORD = "Shokuin2024x"
# Two 労金 of the shipped branch list: (bank code, branch code, what the PDF says of the branch).
BANKS = {"A": ("2963", "101", "新宿支店"), "B": ("2978", "030", "京都支店")}
BANK_NAMES = {"A": "中央労働金庫", "B": "近畿労働金庫"}


def _arrange(app) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    """Per 労金: an organization at its branch whose master did 初期登録 and holds a certificate, and a
    receiver and an approver of that 労金; a 連合会 administrator. Returns {A/B: (master ID, serial)}."""
    factory = app.extensions["rokin"].session_factory
    with factory() as session:
        load_shipped_branches_if_none(session, actor=audit.Actor.cli())
    masters = {}
    with factory.begin() as session:
        for key, (bank_code, branch_code, _) in BANKS.items():
            created = org_store.create_organization(session=session, code=f"TWO{key}", name=f"{key}労働組合",
                                                    email="m@example.jp", actor=audit.Actor.cli(),
                                                    bank_code=bank_code, branch_code=branch_code)
            user_store.complete_initial_registration(session=session, user=created.master,
                                                     new_password=MASTER_PASSWORD, email="m@example.jp",
                                                     actor=audit.Actor.cli())
            masters[key] = created.master.user_id
            for login, role in ((f"recv{key}01", StaffRole.RECEIVER), (f"appr{key}01", StaffRole.APPROVER)):
                _staff(session, login, role, bank_code)
        _staff(session, "fedadm01", StaffRole.ADMINISTRATOR, FEDERATION.code)
    return {key: (user_id, record_certificate(factory, user_id, now())) for key, user_id in masters.items()}


def _staff(session, login: str, role: StaffRole, bank_code: str) -> None:  # noqa: ANN001
    staff, _ = staff_store.create_staff(session=session, login=login, role=role, actor=audit.Actor.cli(),
                                        bank_code=bank_code)
    staff_store.change_password(session=session, staff=staff, new_password=STAFF_PASSWORD, actor=audit.Actor.cli())


async def _file(browser_page: BrowserPage, master_id: str, serial: str, tmp_path) -> tuple[str, str]:  # noqa: ANN001
    """電子証明書の失効依頼 from the login screen; (its number, the downloaded PDF's text)."""
    page = browser_page.page
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
    async with page.expect_download() as download_info:
        await page.locator("#download-request-pdf").click()
    pdf = tmp_path / f"{number}.pdf"
    await (await download_info.value).save_as(pdf)
    extracted = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return number, extracted.stdout


async def _inbox(page, base_url: str, state: str = "") -> set[str]:  # noqa: ANN001
    """The request numbers the inbox lists (``state``: its filter; the open ones by default)."""
    await page.goto(base_url + "/staff/requests" + (f"?state={state}" if state else ""))
    ids = await page.locator("tr[id^=request-]").evaluate_all("rows => rows.map(row => row.id)")
    return {row_id.removeprefix("request-") for row_id in ids}


async def test_each_bank_sees_and_decides_only_its_own_written_requests(
    browser_page: BrowserPage, browser, app, tmp_path,  # noqa: ANN001
) -> None:
    masters = _arrange(app)
    base = browser_page.base_url
    numbers, sheets = {}, {}
    for key, (master_id, serial) in masters.items():
        numbers[key], sheets[key] = await _file(browser_page, master_id, serial, tmp_path)

    # The PDF sends each organization's paper to its own branch (提出先), and never to the other one.
    for key, (_, _, branch_name) in BANKS.items():
        other = "B" if key == "A" else "A"
        assert "提出先" in sheets[key] and branch_name in sheets[key] and BANK_NAMES[key] in sheets[key], sheets[key]
        assert BANKS[other][2] not in sheets[key] and numbers[key] in sheets[key]

    errors: list[str] = []
    federation_context, federation = await staff_page(browser, base, "fedadm01", STAFF_PASSWORD, errors)
    assert await _inbox(federation, base) == {numbers["A"], numbers["B"]}

    for key in ("A", "B"):
        other = "B" if key == "A" else "A"
        number = numbers[key]
        receiver_context, receiver = await staff_page(browser, base, f"recv{key}01", STAFF_PASSWORD, errors)
        assert await _inbox(receiver, base) == {number}, "only its own 労金's request"
        assert (await receiver.goto(f"{base}/staff/requests/{numbers[other]}")).status == 404
        await receiver.goto(f"{base}/staff/requests")
        await receiver.locator(f"#request-{number}").get_by_role("link", name=number).click()
        await receiver.locator("#receive").click()
        await receiver.get_by_text(f"失効依頼 {number} の書面を受け付けました。").wait_for()

        approver_context, approver = await staff_page(browser, base, f"appr{key}01", STAFF_PASSWORD, errors)
        assert await _inbox(approver, base) == {number}
        assert (await approver.goto(f"{base}/staff/requests/{numbers[other]}")).status == 404
        await approver.goto(f"{base}/staff/requests/{number}")
        await approver.fill("#comment", "届出印を確認しました")
        await approver.locator("#approve").click()
        await approver.get_by_text(f"失効依頼 {number} を承認しました。電子証明書は失効しました。").wait_for()
        assert await approver.locator("#request-state").inner_text() == "承認済み"
        await receiver_context.close()
        await approver_context.close()

    assert await _inbox(federation, base, "approved") == {numbers["A"], numbers["B"]}
    await federation_context.close()
    expected = [error for error in errors if "status of 404" in error]  # the other 労金's request pages, 4 times
    assert len(expected) == 4 and [error for error in errors if error not in expected] == [], errors
    assert browser_page.console_errors == [], "no script errors and no CSP violations"
