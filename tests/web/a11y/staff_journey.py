"""The Rokin staff's journey, step by step (see ``journeys``): an administrator and a receiver."""

from __future__ import annotations

import re

from domain.roles import StaffRole
from store import audit
from store import organizations as organization_store
from store import staff as staff_store
from store import users as user_store

from ..certificates.arrange import certificates_of
from ..client_certificates import sign_certificate
from ..staff.conftest import NEW_BRANCH
from .walk import Step, Walk

STAFF_PASSWORD = "Shokuin2024x"
RECEIVER_PASSWORD = "Uketsu2024x"
HOLDER_PASSWORD = "Master2024x"


async def _staff_login(walk: Walk) -> None:
    await walk.actor("administrator")
    await walk.goto("/staff/login")


async def _staff_login_errors(walk: Walk) -> None:
    await walk.page.click("#submit")
    await walk.page.locator(".field-error, .form-error").first.wait_for()


async def _staff_first_password(walk: Walk) -> None:
    page = walk.page
    await page.fill("#login", walk.facts["administrator"])
    await page.fill("#password", walk.facts["administrator_initial"])
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/staff/password$"))


async def _staff_top(walk: Walk) -> None:
    page = walk.page
    for field in ("#new_password", "#new_password_confirm"):
        await page.fill(field, STAFF_PASSWORD)
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/staff/$"))


async def _organization_new(walk: Walk) -> None:
    await walk.goto("/staff/organizations/new")


async def _organization_new_errors(walk: Walk) -> None:
    await walk.page.click("#submit")
    await walk.page.locator(".field-error").first.wait_for()


async def _notice(walk: Walk) -> None:
    page = walk.page
    await page.fill("#code", "7777")
    await page.fill("#name", "テスト労働組合")
    for field in ("#email", "#email_confirm"):
        await page.fill(field, "union@example.jp")
    await page.select_option("#branch", NEW_BRANCH)  # お取引店 (issue 16)
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/staff/organizations/7777/notice$"))


async def _organizations(walk: Walk) -> None:
    await walk.goto("/staff/organizations")


async def _assign_branch(walk: Walk) -> None:
    await walk.goto("/staff/organizations/7777/branch")


async def _accounts(walk: Walk) -> None:
    await walk.goto("/staff/accounts?q=7777")


def _master_of(walk: Walk, code: str) -> str:
    with walk.app.extensions["rokin"].session_factory() as session:
        organization = organization_store.get_by_code(session=session, code=code)
        master = user_store.organization_users(session=session, organization_id=organization.id)[0]
        return str(master.uuid)


async def _staff_confirm_release(walk: Walk) -> None:
    await walk.goto(f"/staff/accounts/user/{_master_of(walk, '7777')}/unblock")


async def _master_reset_confirm(walk: Walk) -> None:
    await walk.goto(f"/staff/accounts/user/{_master_of(walk, '7777')}/reset-password")


async def _master_reset_notice(walk: Walk) -> None:
    await walk.page.click("#confirm-reset")
    await walk.page.wait_for_url(re.compile(r"/reset-notice$"))


async def _receiver_files(walk: Walk) -> None:
    """The receiver files a request from paper (書面受付済み); the inbox then holds it."""
    page = await walk.actor("receiver")
    await walk.goto("/staff/login")
    await page.fill("#login", "recv01")
    await page.fill("#password", RECEIVER_PASSWORD)
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/staff/$"))
    await walk.goto("/staff/requests/new")


async def _receiver_files_errors(walk: Walk) -> None:
    await walk.page.click("#file-request")
    await walk.page.locator(".field-error").first.wait_for()


async def _request(walk: Walk) -> None:
    page = walk.page
    await page.fill("#serial", walk.facts["serial"])
    await page.locator("input[name=reason]").first.check()
    await page.click("#file-request")
    await page.wait_for_url(re.compile(r"/staff/requests/R-\d{4}-\d{6}$"))


async def _inbox(walk: Walk) -> None:
    await walk.actor("administrator")
    await walk.goto("/staff/requests")


async def _emergency(walk: Walk) -> None:
    await walk.goto("/staff/emergency")


async def _sessions(walk: Walk) -> None:
    await walk.goto("/staff/sessions")


async def _end_staff_sessions(walk: Walk) -> None:
    await walk.goto(f"/staff/accounts/staff/{walk.facts['receiver_uuid']}/sessions")


async def _staff_account_new(walk: Walk) -> None:
    await walk.goto("/staff/staff-accounts/new")


async def _staff_account_created(walk: Walk) -> None:
    await walk.page.fill("#login", "staff777")
    await walk.page.click("#submit")
    await walk.page.wait_for_url(re.compile(r"/created$"))


async def _staff_forbidden(walk: Walk) -> None:
    """403: staff on an employer user's page."""
    await walk.goto("/account/")
    assert walk.last_status == 403


STAFF = (
    Step("職員ログイン", "staff/login.html", _staff_login),
    Step("職員ログイン（入力エラー）", "staff/login.html", _staff_login_errors),
    Step("職員パスワード変更", "staff/password.html", _staff_first_password),
    Step("職員トップ（ダッシュボード）", "staff/top.html", _staff_top),
    Step("団体登録", "staff/organization_new.html", _organization_new),
    Step("団体登録（入力エラー）", "staff/organization_new.html", _organization_new_errors),
    Step("ご利用開始のお知らせ", "staff/notice.html", _notice),
    Step("団体一覧", "staff/organizations.html", _organizations),
    Step("お取引店登録", "staff/assign_branch.html", _assign_branch),
    Step("ユーザー検索", "staff/accounts.html", _accounts),
    Step("閉塞解除の確認（職員）", "staff/confirm_release.html", _staff_confirm_release),
    Step("マスターユーザーのパスワード初期化の確認", "staff/master_reset_confirm.html", _master_reset_confirm),
    Step("ご利用開始（変更）のお知らせ", "staff/master_reset_notice.html", _master_reset_notice),
    Step("失効依頼の登録（書面）", "staff/request_file.html", _receiver_files),
    Step("失効依頼の登録（入力エラー）", "staff/request_file.html", _receiver_files_errors),
    Step("失効依頼（職員）", "staff/request.html", _request),
    Step("失効依頼一覧", "staff/request_inbox.html", _inbox),
    Step("緊急失効", "staff/emergency.html", _emergency),
    Step("ログイン中のセッション", "staff/sessions.html", _sessions),
    Step("職員のセッション終了の確認", "staff/end_staff_sessions.html", _end_staff_sessions),
    Step("職員登録", "staff/staff_account_new.html", _staff_account_new),
    Step("職員登録の結果", "staff/staff_account_created.html", _staff_account_created),
    Step("エラー403（職員）", "errors/error.html", _staff_forbidden),
)


def arrange_staff(walk: Walk, make_organization) -> None:  # noqa: ANN001
    """An administrator with the one-time password, a receiver with its own, and a master user holding a
    certificate (the serial the receiver files a request for)."""
    factory = walk.app.extensions["rokin"].session_factory
    _, holder_id, _ = make_organization()
    with factory.begin() as session:
        holder = user_store.get_by_user_id(session=session, user_id=holder_id)
        user_store.complete_initial_registration(session=session, user=holder, new_password=HOLDER_PASSWORD,
                                                 email="holder@example.jp", actor=audit.Actor.cli())
        _, initial = staff_store.create_staff(session=session, login="admin01", role=StaffRole.ADMINISTRATOR,
                                              actor=audit.Actor.cli())
        receiver, _ = staff_store.create_staff(session=session, login="recv01", role=StaffRole.RECEIVER,
                                               actor=audit.Actor.cli())
        staff_store.change_password(session=session, staff=receiver, new_password=RECEIVER_PASSWORD,
                                    actor=audit.Actor.cli())
        walk.facts.update(administrator="admin01", administrator_initial=initial, receiver_uuid=str(receiver.uuid))
    sign_certificate(walk.app, holder_id)
    [held] = certificates_of(factory, holder_id)
    walk.facts["serial"] = held.serial
