"""Login and 初期登録 judged by the real lockout workflow (issue 3): the countdown, the lock
with its time, refusals while locked, the reset on success, and no way in without an answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from domain.lockout import LOCK_DURATION, LockoutStatus
from store.errors import Refusal
from tests.conftest import csrf_token, post_form
from web import create_app, messages

from ..lockout_support import WRONG, countdown, fail_to_lock, locked_message, wait_for_lockout
from ..pages import errors, login, register_login

LOCKED_SUBJECT = "【ろうきん賃金控除事務支援システム】ユーザーIDロックのお知らせ"


def _log_out(client) -> None:  # noqa: ANN001
    client.post("/logout", data={"csrf_token": csrf_token(client, "/login")})


def test_six_wrong_passwords_lock_the_id_and_say_until_when(app, client, master, smtp_sink):
    _log_out(client)
    before = datetime.now(timezone.utc)
    sixth = fail_to_lock(client, master.user_id)

    view = wait_for_lockout(app, master.user_id, LockoutStatus.LOCKED)
    assert before + LOCK_DURATION <= view.locked_until <= datetime.now(timezone.utc) + LOCK_DURATION
    assert errors(sixth) == [locked_message(view.locked_until)]

    # While locked the right password is refused the same way, and nothing more is counted.
    right = login(client, master.user_id, master.password)
    assert errors(right) == [locked_message(view.locked_until)]
    assert client.get("/employer/").status_code == 302
    assert wait_for_lockout(app, master.user_id, LockoutStatus.LOCKED).failures == 6

    mails = smtp_sink.wait_for(2)  # the 初期登録 notice, then the lock notice
    [locked] = [mail for mail in mails if mail.subject == LOCKED_SUBJECT]
    assert locked.recipients == ["user@example.jp"] and master.password not in locked.body


def test_the_lock_message_names_the_tokyo_minute_rounded_up():
    from web.lockout import jst_time

    assert jst_time(datetime(2026, 1, 5, 1, 15, 0, tzinfo=timezone.utc)) == "10:15"
    assert jst_time(datetime(2026, 1, 5, 1, 15, 1, tzinfo=timezone.utc)) == "10:16"
    assert jst_time(datetime(2026, 1, 5, 14, 59, 30, tzinfo=timezone.utc)) == "00:00"


def test_a_successful_login_starts_the_countdown_again(client, master):
    _log_out(client)
    for remaining in (5, 4, 3):
        assert errors(login(client, master.user_id, WRONG)) == [countdown(remaining)]
    assert login(client, master.user_id, master.password).location.endswith("/employer/")
    _log_out(client)
    assert errors(login(client, master.user_id, WRONG)) == [countdown(5)]


def test_initial_registration_counts_and_locks_too(app, client, make_organization):
    _, user_id, initial = make_organization()
    sixth = fail_to_lock(client, user_id, path="/register/master")
    view = wait_for_lockout(app, user_id, LockoutStatus.LOCKED)
    assert errors(sixth) == [locked_message(view.locked_until)]
    assert errors(register_login(client, "master", user_id, initial)) == [locked_message(view.locked_until)]
    assert client.get("/register/master/password").status_code == 302  # step one not passed
    # 電子証明書発行 ④ asks the same arbiter: the same lock.
    assert errors(post_form(client, "/certificate/issue", {"user_id": user_id, "password": initial})) == [
        locked_message(view.locked_until)]


def test_unknown_ids_are_never_counted(client):
    for _ in range(7):  # one more than the lock threshold, on 電子証明書発行 ④ (a typed ID)
        assert errors(post_form(client, "/certificate/issue", {"user_id": "nobody123", "password": WRONG})) == [
            messages.render(Refusal.INVALID_CREDENTIALS)]


def test_nobody_gets_in_when_temporal_is_down(app, master, settings):
    down = create_app({"TESTING": True}, settings=replace(settings, temporal_address="127.0.0.1:1"))
    client = down.test_client()
    response = login(client, master.user_id, master.password)
    assert response.status_code == 200
    assert errors(response) == [messages.LOCKOUT_UNAVAILABLE]
    assert client.get("/employer/").status_code == 302


def test_nobody_gets_in_when_no_worker_answers(app, make_organization, settings):
    """The server is up but nothing polls the task queue of this ID's (new) lockout workflow:
    the deadline passes and the right initial password is refused all the same."""
    _, user_id, initial = make_organization()
    silent = create_app({"TESTING": True, "LOCKOUT_DEADLINE_SECONDS": 0.5},
                        settings=replace(settings, task_queue=settings.task_queue + "-nobody"))
    client = silent.test_client()
    started = datetime.now(timezone.utc)
    response = register_login(client, "master", user_id, initial)
    assert errors(response) == [messages.LOCKOUT_UNAVAILABLE]
    assert client.get("/register/master/password").status_code == 302
    assert datetime.now(timezone.utc) - started < timedelta(seconds=5)
