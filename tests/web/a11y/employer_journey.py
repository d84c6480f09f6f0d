"""The employer's journey, step by step (see ``journeys``): 初期登録 → ④–⑧ → ログイン → トップ → users →
account → 失効依頼, by a master user and a general user in browsers of their own."""

from __future__ import annotations

import re

from store import users as user_store

from ..client_certificates import certificate_files
from .walk import Step, Walk

MASTER_PASSWORD = "Master2024x"
GENERAL_PASSWORD = "Ippan2024x"
GENERAL_ID = "ippan001"




async def _login_screen(walk: Walk) -> None:
    await walk.actor("newcomer")
    await walk.goto("/")


async def _guide(walk: Walk) -> None:
    await walk.page.click("#btn-browser-settings")
    await walk.page.wait_for_url(re.compile(r"/guide/"))


async def _preflight(walk: Walk) -> None:
    await walk.goto("/guide/check")
    await walk.page.locator("[data-js-on]").first.wait_for(state="attached")


async def _refused_without_certificate(walk: Walk) -> None:
    await walk.goto("/login")


async def _import_help(walk: Walk) -> None:
    await walk.goto("/certificate/import")


async def _master_registration_login(walk: Walk) -> None:
    await walk.goto("/")
    await walk.page.click("#btn-register-master")
    await walk.page.wait_for_url(re.compile(r"/register/master$"))


async def _registration_login_errors(walk: Walk) -> None:
    await walk.page.click("#submit")  # nothing typed: an error under each field
    await walk.page.locator(".field-error").first.wait_for()


async def _master_registration(walk: Walk) -> None:
    page = walk.page
    await page.fill("#user_id", walk.facts["master_id"])
    await page.fill("#password", walk.facts["master_initial"])
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/register/master/password$"))


async def _registration_with_keyboard_open(walk: Walk) -> None:
    await walk.page.click(".softkeyboard-row:has(#new_password) .softkeyboard-open")
    await walk.page.locator(".softkeyboard:not([hidden]) .keys button").first.wait_for()


async def _registration_errors(walk: Walk) -> None:
    page = walk.page
    await page.keyboard.press("Escape")
    await page.fill("#new_password", MASTER_PASSWORD)
    await page.fill("#new_password_confirm", "Different2024x")
    await page.fill("#email", "not an address")
    await page.click("#submit")
    await page.locator(".field-error").first.wait_for()


async def _authenticate(walk: Walk) -> None:
    """④ ユーザー認証, where 初期登録 leads."""
    page = walk.page
    for field in ("#new_password", "#new_password_confirm"):
        await page.fill(field, MASTER_PASSWORD)
    for field in ("#email", "#email_confirm"):
        await page.fill(field, "master@example.jp")
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/certificate/issue$"))


async def _issue(walk: Walk) -> None:
    """⑤ 発行."""
    page = walk.page
    await page.fill("#user_id", walk.facts["master_id"])
    await page.fill("#password", MASTER_PASSWORD)
    await page.click("#submit")
    await page.locator("#issue-form").wait_for()


async def _issuing(walk: Walk) -> None:
    """⑥ 発行中 (after ④ and ⑤ again), as issuance.js shows it on [発行]; a listener of the test's keeps
    the form from leaving."""
    page = walk.page
    await walk.goto("/certificate/issue")
    await _issue(walk)
    await page.evaluate("document.getElementById('issue-form')"
                        ".addEventListener('submit', event => event.preventDefault())")
    await page.click("#issue")
    await page.locator("#issuing").wait_for()


async def _result(walk: Walk) -> None:
    """⑦ 発行結果: the form goes (``submit()`` fires no listener); the .p12 downloads by itself and is the
    master's certificate from now on."""
    page = walk.page
    async with page.expect_download() as download_info:
        await page.evaluate("document.getElementById('issue-form').submit()")
    download = await download_info.value
    p12 = walk.tmp_path / download.suggested_filename
    await download.save_as(p12)
    walk.facts["master_p12"] = p12
    await page.locator("#p12-download").wait_for()


async def _stopped(walk: Walk) -> None:
    """⑧ 中止: ⑤'s form sent with a ticket that is no good (nothing is issued)."""
    page = walk.page
    await page.evaluate("document.querySelector('#issue-form [name=ticket]').value = 'lapsed'")
    await page.click("#issue")
    await page.locator("#issuance-stopped").wait_for()


async def _certificate_login(walk: Walk) -> None:
    await walk.actor("master", certificate={"pfxPath": str(walk.facts["master_p12"]),
                                            "passphrase": MASTER_PASSWORD})
    await walk.goto("/login")
    await walk.page.locator("#password").wait_for()


async def _top(walk: Walk) -> None:
    await walk.page.fill("#password", MASTER_PASSWORD)
    await walk.page.click("#submit")
    await walk.page.wait_for_url(re.compile(r"/employer/(\?.*)?$"))


async def _top_with_errors(walk: Walk) -> None:
    await walk.page.fill("#user_id", "x")
    await walk.page.click("#create-user-submit")
    await walk.page.locator("#create-user .field-error").first.wait_for()


async def _user_created(walk: Walk) -> None:
    page = walk.page
    await page.fill("#user_id", GENERAL_ID)
    await page.fill("#display_name", "一般 太郎")
    await page.click("#create-user-submit")
    walk.facts["general_initial"] = (await page.locator("#initial-password").inner_text()).strip()


async def _general_registration(walk: Walk) -> None:
    """一般ユーザーの初期登録, in the general user's own browser, up to ④ (its certificate is signed by the
    test: ``certificate_files``)."""
    page = await walk.actor("general-newcomer")
    await walk.goto("/register/general")
    await page.fill("#user_id", GENERAL_ID)
    await page.fill("#password", walk.facts["general_initial"])
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/register/general/password$"))


async def _general_registered(walk: Walk) -> None:
    page = walk.page
    for field in ("#new_password", "#new_password_confirm"):
        await page.fill(field, GENERAL_PASSWORD)
    for field in ("#email", "#email_confirm"):
        await page.fill(field, "ippan@example.jp")
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/certificate/issue$"))


def _general_uuid(walk: Walk) -> str:
    with walk.app.extensions["rokin"].session_factory() as session:
        return str(user_store.get_by_user_id(session=session, user_id=GENERAL_ID).uuid)


async def _confirm_delete(walk: Walk) -> None:
    await walk.actor("master")
    await walk.goto(f"/employer/users/{_general_uuid(walk)}/delete")


async def _confirm_release(walk: Walk) -> None:
    await walk.goto(f"/employer/users/{_general_uuid(walk)}/unlock")


async def _confirm_revoke(walk: Walk) -> None:
    certificate_files(walk.app, GENERAL_ID, walk.tmp_path / "general")  # a live certificate to revoke
    await walk.goto(f"/employer/users/{_general_uuid(walk)}/revoke")


async def _reset_confirm(walk: Walk) -> None:
    await walk.actor("master")
    await walk.goto(f"/employer/users/{_general_uuid(walk)}/reset-password")


async def _reset_done(walk: Walk) -> None:
    await walk.page.click("#confirm-reset")
    await walk.page.locator("#initial-password").wait_for()


async def _general_forbidden(walk: Walk) -> None:
    """403: a general user on a master user's page."""
    with walk.app.extensions["rokin"].session_factory() as session:
        master_uuid = str(user_store.get_by_user_id(session=session, user_id=walk.facts["master_id"]).uuid)
    await walk.goto(f"/employer/users/{master_uuid}/delete")
    assert walk.last_status == 403


async def _account(walk: Walk) -> None:
    await walk.goto("/account/")


async def _account_password(walk: Walk) -> None:
    await walk.page.click("#account-password")
    await walk.page.wait_for_url(re.compile(r"/account/password$"))


async def _account_password_errors(walk: Walk) -> None:
    await walk.page.click("#submit")
    await walk.page.locator(".field-error").first.wait_for()


async def _account_email(walk: Walk) -> None:
    await walk.goto("/account/email")


async def _account_email_code(walk: Walk) -> None:
    page = walk.page
    for field in ("#email", "#email_confirm"):
        await page.fill(field, "new-master@example.jp")
    await page.click("#send-code")
    await page.locator("#email-code").wait_for()


async def _revocation_authenticate(walk: Walk) -> None:
    await walk.goto("/")
    await walk.page.click("#btn-revocation-request")
    await walk.page.wait_for_url(re.compile(r"/revocation-request$"))


async def _revocation_choose(walk: Walk) -> None:
    page = walk.page
    await page.fill("#user_id", walk.facts["master_id"])
    await page.fill("#password", MASTER_PASSWORD)
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/revocation-request/file$"))


async def _revocation_choose_errors(walk: Walk) -> None:
    await walk.page.click("#file-request")
    await walk.page.locator(".field-error").first.wait_for()


async def _revocation_filed(walk: Walk) -> None:
    page = walk.page
    await page.locator("input[name=serial]").first.check()
    await page.locator("input[name=reason]").first.check()
    await page.click("#file-request")
    await page.wait_for_url(re.compile(r"/revocation-request/R-\d{4}-\d{6}$"))
    walk.facts["request_number"] = (await page.locator("#request-number").inner_text()).strip()


async def _revocation_form(walk: Walk) -> None:
    await walk.goto(f"/revocation-request/{walk.facts['request_number']}/form")


async def _revocation_status(walk: Walk) -> None:
    """Back at 失効依頼 with a request open: ユーザー認証 leads to its 処理状況."""
    await _revocation_authenticate(walk)
    page = walk.page
    await page.fill("#user_id", walk.facts["master_id"])
    await page.fill("#password", MASTER_PASSWORD)
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/revocation-request/status$"))


async def _revocation_withdraw(walk: Walk) -> None:
    await walk.page.click(f"#open-request-{walk.facts['request_number']} .withdraw-request")
    await walk.page.wait_for_url(re.compile(r"/withdraw$"))


async def _general_login(walk: Walk) -> None:
    files = certificate_files(walk.app, GENERAL_ID, walk.tmp_path / "general")
    page = await walk.actor("general", certificate={"certPath": str(files[0]), "keyPath": str(files[1])})
    await walk.goto("/login")
    await page.fill("#password", GENERAL_PASSWORD)
    await page.click("#submit")
    await page.wait_for_url(re.compile(r"/employer/(\?.*)?$"))


EMPLOYER = (
    Step("ログイン画面", "auth/login_screen.html", _login_screen),
    Step("ブラウザの設定", "guide/browser_settings.html", _guide),
    Step("ブラウザの動作確認", "guide/check.html", _preflight),
    Step("ログイン（電子証明書なし）", "certificates/login_refused.html", _refused_without_certificate),
    Step("電子証明書の取り込み方", "certificates/import_help.html", _import_help),
    Step("マスターユーザー初期登録ログイン", "auth/register_login.html", _master_registration_login),
    Step("初期登録ログイン（入力エラー）", "auth/register_login.html", _registration_login_errors),
    Step("マスターユーザー初期登録", "auth/register.html", _master_registration),
    Step("初期登録（ソフトウェアキーボード）", "auth/register.html", _registration_with_keyboard_open,
         loads=False),
    Step("初期登録（入力エラー）", "auth/register.html", _registration_errors),
    Step("④ユーザー認証", "certificates/authenticate.html", _authenticate),
    Step("⑤発行", "certificates/issue.html", _issue),
    Step("⑧発行中止", "certificates/stopped.html", _stopped),
    Step("⑥発行中", "certificates/issue.html", _issuing),
    Step("⑦発行結果", "certificates/result.html", _result),
    Step("ログイン（電子証明書）", "certificates/login.html", _certificate_login),
    Step("トップ画面（マスター）", "employer/top.html", _top),
    Step("トップ画面（入力エラー）", "employer/top.html", _top_with_errors),
    Step("一般ユーザーの作成結果", "employer/user_created.html", _user_created),
    Step("一般ユーザー初期登録ログイン", "auth/register_login.html", _general_registration),
    Step("一般ユーザー初期登録→④", "certificates/authenticate.html", _general_registered),
    Step("ユーザー削除の確認", "employer/confirm_delete.html", _confirm_delete),
    Step("ロック解除の確認", "employer/confirm_release.html", _confirm_release),
    Step("失効の確認", "employer/confirm_revoke.html", _confirm_revoke),
    Step("アカウント", "account/index.html", _account),
    Step("パスワード変更", "account/password.html", _account_password),
    Step("パスワード変更（入力エラー）", "account/password.html", _account_password_errors),
    Step("メールアドレス変更", "account/email.html", _account_email),
    Step("メールアドレス変更（確認コード）", "account/email.html", _account_email_code),
    Step("失効依頼：ユーザー認証", "revocation_request/authenticate.html", _revocation_authenticate),
    Step("失効依頼：選択", "revocation_request/choose.html", _revocation_choose),
    Step("失効依頼：選択（入力エラー）", "revocation_request/choose.html", _revocation_choose_errors),
    Step("失効依頼：受付番号", "revocation_request/filed.html", _revocation_filed),
    Step("失効依頼書", "revocation_request/form.html", _revocation_form),
    Step("失効依頼：処理状況", "revocation_request/my_requests.html", _revocation_status),
    Step("失効依頼：取下げの確認", "revocation_request/confirm_withdraw.html", _revocation_withdraw),
    Step("トップ画面（一般）", "employer/top.html", _general_login),
    Step("エラー403", "errors/error.html", _general_forbidden),
    Step("パスワード初期化の確認", "employer/reset_confirm.html", _reset_confirm),
    Step("パスワード初期化の結果", "employer/reset_done.html", _reset_done),
)


def arrange_employer(walk: Walk, make_organization) -> None:  # noqa: ANN001
    """An organization whose master user has not done 初期登録 yet."""
    _, walk.facts["master_id"], walk.facts["master_initial"] = make_organization()
