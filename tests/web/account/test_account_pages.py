"""The employer user's own パスワード変更 and メールアドレス変更 through the pages (issue 13), with the real
lockout workflow, worker and SMTP sink: wrong current passwords count, the other sessions end, the
new address is used only after the code mailed to it, and each change is mailed."""

from __future__ import annotations

import re
import time

from sqlalchemy import select

from domain.lockout import MAX_CONSECUTIVE_FAILURES, LockoutStatus
from store.models import AuditEntry
from tests.conftest import csrf_token, post_form
from tests.web.pages import Account, errors, login, text

from ..conftest import MASTER_PASSWORD
from ..lockout_support import locked_message, wait_for_lockout

NEW_PASSWORD = "Kawari2026x"
NEW_EMAIL = "new.master@example.jp"
CODE = re.compile(r"確認コード：(\d{6})")


def mails_titled(smtp_sink, title: str, count: int = 1) -> list:  # noqa: ANN001
    """The ``count`` messages whose subject ends with ``title`` (others, like 初期登録完了, are skipped)."""
    deadline = time.monotonic() + 15
    while len(found := [m for m in smtp_sink.messages() if m.subject.endswith(title)]) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} mails titled {title}"
        time.sleep(0.05)
    return found


def post_code(client, code: str):  # noqa: ANN001, ANN201
    """The code form is on /account/email; it posts to /account/email/code."""
    return client.post("/account/email/code", data={"csrf_token": csrf_token(client, "/account/email"), "code": code})


def second_client(app, account: Account):  # noqa: ANN001, ANN201
    """Another browser logged in as the same user (its session must end at a change)."""
    other = app.test_client()
    assert login(other, account.user_id, account.password).status_code == 302
    assert other.get("/employer/").status_code == 200
    return other


def test_anonymous_visitors_go_to_the_login_screen(client):  # noqa: ANN001
    for path in ("/account/", "/account/password", "/account/email"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/?next="), path


def test_six_wrong_current_passwords_lock_the_id_as_at_login(app, client, master):  # noqa: ANN001
    for attempt in range(MAX_CONSECUTIVE_FAILURES):
        response = post_form(client, "/account/password", {
            "current_password": "Wrong2024x", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
        if attempt < MAX_CONSECUTIVE_FAILURES - 1:
            assert errors(response) == ["現在のパスワードが正しくありません。"]
    view = wait_for_lockout(app, master.user_id, LockoutStatus.LOCKED)
    assert errors(response) == [locked_message(view.locked_until)]
    response = post_form(client, "/account/password", {  # the right one is refused while locked
        "current_password": MASTER_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert errors(response) == [locked_message(view.locked_until)]


def test_the_password_changes_with_the_current_one_and_other_sessions_end(app, client, master, find_user,
                                                                           smtp_sink):
    other = second_client(app, master)
    wrong = post_form(client, "/account/password", {"current_password": "Wrong2024x", "new_password": NEW_PASSWORD,
                                                    "new_password_confirm": NEW_PASSWORD})
    assert wrong.status_code == 200 and errors(wrong) == ["現在のパスワードが正しくありません。"]

    same = post_form(client, "/account/password", {"current_password": MASTER_PASSWORD,
                                                   "new_password": MASTER_PASSWORD,
                                                   "new_password_confirm": MASTER_PASSWORD})
    assert errors(same) == ["現在のパスワードと同じパスワードは使用できません。"]

    changed = post_form(client, "/account/password", {"current_password": MASTER_PASSWORD,
                                                       "new_password": NEW_PASSWORD,
                                                       "new_password_confirm": NEW_PASSWORD})
    assert changed.status_code == 302 and changed.headers["Location"] == "/employer/", errors(changed)
    assert client.get("/employer/").status_code == 200  # this session goes on
    assert other.get("/employer/").status_code == 302  # the other one ended
    [mail] = mails_titled(smtp_sink, "パスワード変更のお知らせ")
    assert mail.recipients == ["user@example.jp"]
    assert NEW_PASSWORD not in mail.body and MASTER_PASSWORD not in mail.body
    again = app.test_client()
    assert login(again, master.user_id, MASTER_PASSWORD).status_code == 200  # the old password is refused
    assert login(again, master.user_id, NEW_PASSWORD).status_code == 302


def test_the_address_changes_only_after_the_code_from_the_mail(app, client, master, find_user, smtp_sink,
                                                                 app_session):
    other = second_client(app, master)
    requested = post_form(client, "/account/email", {"email": NEW_EMAIL, "email_confirm": NEW_EMAIL})
    assert requested.status_code == 302, errors(requested)
    [code_mail] = mails_titled(smtp_sink, "メールアドレス変更の確認コード")
    assert code_mail.recipients == [NEW_EMAIL]
    code = CODE.search(code_mail.body).group(1)
    user = find_user(master.user_id)
    assert (user.email, user.pending_email) == ("user@example.jp", NEW_EMAIL)
    assert code not in (user.email_code_hash or "")
    page = text(client.get("/account/email"))
    assert NEW_EMAIL in page and 'id="confirm-code"' in page

    wrong = post_code(client, f"{(int(code) + 1) % 10 ** 6:06d}")
    assert errors(wrong) == ["確認コードが正しくありません。"]
    assert errors(post_code(client, "12ab")) == [
        "確認コードは半角数字6桁で入力してください。"]

    confirmed = post_code(client, code)
    assert confirmed.status_code == 302, errors(confirmed)
    user = find_user(master.user_id)
    assert (user.email, user.pending_email) == (NEW_EMAIL, None)
    assert other.get("/employer/").status_code == 302 and client.get("/employer/").status_code == 200
    mails = mails_titled(smtp_sink, "メールアドレス変更のお知らせ", 2)
    assert sorted(m.recipients[0] for m in mails) == sorted([NEW_EMAIL, "user@example.jp"])
    assert {"user.email_change_request", "user.email_code_wrong", "user.email_change"} <= {
        action for (action,) in app_session.execute(select(AuditEntry.action))}
