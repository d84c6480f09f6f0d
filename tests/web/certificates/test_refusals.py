"""Every way 電子証明書発行 can be refused or stopped, and what the page says (seed 001 ④ notes)."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from domain.certificates import IssuanceRefusal
from domain.lockout import (
    LOCK_DURATION,
    MAX_CONSECUTIVE_FAILURES,
    LockoutState,
    Outcome,
)
from domain.quotas import MAX_GENERAL_USERS
from domain.roles import UserStatus
from domain.validity import calendar_for
from store import audit
from store import users as user_store
from store.errors import Refusal
from store.passwords import hash_password
from usecases.bridge import TemporalBridge
from usecases.gateway import TemporalGateway
from web import messages, sealing
from web.certificates import tickets

from ..pages import errors, text
from .arrange import certificates_of, mirror_lockout, record_certificate
from .issuing import (
    authenticate,
    issue_certificate,
    issue_form,
    press_issue,
    result,
    stopped_message,
)

EXPIRED_TICKET = "認証の有効期限が切れました。もう一度ユーザー認証からやり直してください。"


@pytest.fixture
def factory(app):  # noqa: ANN001, ANN201
    return app.extensions["rokin"].session_factory


def test_a_valid_certificate_outside_its_renewal_window_refuses_authentication(client, registered, factory):
    issued = issue_certificate(client, registered.user_id, registered.password)
    [row] = certificates_of(factory, registered.user_id)
    opens = calendar_for(row.not_before.replace(tzinfo=timezone.utc)).renewal_opens_at
    [message] = errors(authenticate(client, registered.user_id, registered.password))
    assert message == (messages.render(IssuanceRefusal.HOLDS_VALID_CERTIFICATE)
                       + f" 更新のための発行は {opens:%Y-%m-%d} から可能です。")
    assert "30日前" in message and issued.serial


def test_inside_the_renewal_window_a_new_certificate_is_issued_and_the_old_one_still_works(
        client, registered, factory):
    day_336 = datetime.now(timezone.utc) - timedelta(days=335, hours=1)
    old = record_certificate(factory, registered.user_id, day_336)
    renewed = issue_certificate(client, registered.user_id, registered.password)
    rows = {row.serial: row.status.value for row in certificates_of(factory, registered.user_id)}
    assert rows == {renewed.serial: "active", old: "active"}  # superseded only by the new one's first use


def test_a_user_before_initial_registration_is_sent_to_it(client, make_organization):
    _, user_id, initial_password = make_organization()
    assert errors(authenticate(client, user_id, initial_password)) == [messages.render(Refusal.NOT_REGISTERED)]


def test_wrong_passwords_at_authentication_lock_the_id(client, registered):
    for attempt in range(1, MAX_CONSECUTIVE_FAILURES + 1):
        [message] = errors(authenticate(client, registered.user_id, "Wrong2024x"))
        if attempt < MAX_CONSECUTIVE_FAILURES:
            assert message == messages.render(Refusal.INVALID_CREDENTIALS)  # no tries-left count (issue 12)
    locked = messages.msgid(Outcome.LOCKED).split("%")[0]
    assert message.startswith(locked)
    [message] = errors(authenticate(client, registered.user_id, registered.password))  # right password, still locked
    assert message.startswith(locked)


def test_unknown_id_gets_the_generic_refusal(client):
    assert errors(authenticate(client, "nobody123", "Wrong2024x")) == [messages.render(Refusal.INVALID_CREDENTIALS)]


@pytest.mark.parametrize(("state", "refusal"), [
    (LockoutState(failures=6, locked_until=datetime.now(timezone.utc) + LOCK_DURATION, lock_count=1),
     IssuanceRefusal.ACCOUNT_LOCKED),
    (LockoutState(failures=6, lock_count=3, blocked=True), IssuanceRefusal.ACCOUNT_BLOCKED),
], ids=["locked", "blocked"])
def test_locked_or_blocked_between_authentication_and_issue_is_refused_by_the_workflow(
        client, registered, factory, state, refusal):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    time.sleep(0.05)  # the arbiter's own mirror of this login is older than ours
    mirror_lockout(factory, registered.user_id, state)
    response = press_issue(client, form)
    assert response.status_code == 409
    assert stopped_message(response).startswith(messages.render(refusal))  # + the お取引店 where it says ask the 労金
    assert certificates_of(factory, registered.user_id) == []


def test_the_organization_quota_of_20_certificates(client, registered, factory, add_general_users):
    now = datetime.now(timezone.utc)
    generals = [f"ippan{number:03d}" for number in range(1, MAX_GENERAL_USERS + 1)]
    add_general_users(registered.user_id, *generals)
    for user_id in (registered.user_id, *generals):
        record_certificate(factory, user_id, now - timedelta(days=1))
    with factory.begin() as session:  # a deleted user whose certificate was not revoked (a lost revocation)
        user_store.get_by_user_id(session=session, user_id=generals[0]).status = UserStatus.DELETED
    newcomer = add_general_users(registered.user_id, "shinki01")
    with factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id="shinki01")
        user_store.complete_initial_registration(session=session, user=user, new_password="Shinki2024",
                                                 email="s@example.jp", actor=audit.Actor.cli())
    assert newcomer
    [message] = errors(authenticate(client, "shinki01", "Shinki2024"))
    assert message == messages.render(IssuanceRefusal.ORGANIZATION_QUOTA)
    assert "20枚" in message


# --- the ticket from ④ to ⑤ ---------------------------------------------------------------


def test_the_ticket_works_once(client, registered, factory):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    result(press_issue(client, form))
    again = press_issue(client, form)
    assert again.status_code == 409 and stopped_message(again) == EXPIRED_TICKET
    assert len(certificates_of(factory, registered.user_id)) == 1


def test_a_replayed_session_gets_no_second_file_and_no_second_certificate(client, registered, factory):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    cookie = client.get_cookie("rokin_session").value
    first = result(press_issue(client, form))
    client.set_cookie("rokin_session", cookie)  # the session as it was before 発行
    again = press_issue(client, form)
    assert again.status_code == 409
    assert "既に処理されました" in stopped_message(again)
    assert [row.serial for row in certificates_of(factory, registered.user_id)] == [first.serial]


def test_a_ticket_from_another_browser_session_is_refused(app, client, registered):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    other = app.test_client()
    other_form = issue_form(authenticate(other, registered.user_id, registered.password))
    response = other.post("/certificate/issue/run", data={"csrf_token": other_form.csrf_token, "ticket": form.ticket})
    assert response.status_code == 409 and stopped_message(response) == EXPIRED_TICKET


def test_an_altered_ticket_is_refused(client, registered):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    altered = form.ticket[:-8] + ("A" * 8 if not form.ticket.endswith("A" * 8) else "B" * 8)
    response = client.post("/certificate/issue/run", data={"csrf_token": form.csrf_token, "ticket": altered})
    assert response.status_code == 409 and stopped_message(response) == EXPIRED_TICKET


def test_a_ticket_older_than_five_minutes_is_refused(app, client, registered, factory):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    with app.test_request_context():
        ticket = sealing.unseal(tickets.PURPOSE, form.ticket, max_age_seconds=tickets.LIFETIME_SECONDS)
        stale = sealing._fernet(tickets.PURPOSE).encrypt_at_time(
            json.dumps(ticket).encode(), int(time.time()) - tickets.LIFETIME_SECONDS - 1).decode()
    response = client.post("/certificate/issue/run", data={"csrf_token": form.csrf_token, "ticket": stale})
    assert response.status_code == 409 and stopped_message(response) == EXPIRED_TICKET
    assert certificates_of(factory, registered.user_id) == []


def test_a_password_changed_since_authentication_cannot_protect_the_file(client, registered, factory):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    with factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=registered.user_id)
        user.password_hash = hash_password("Newer2024x")
    response = press_issue(client, form)
    assert response.status_code == 409 and stopped_message(response) == EXPIRED_TICKET
    assert certificates_of(factory, registered.user_id) == []


def test_the_password_is_never_in_clear_in_the_page_or_the_session(app, client, registered):
    response = authenticate(client, registered.user_id, registered.password)
    assert registered.password not in text(response)
    session = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("rokin_session").value)
    assert tickets.SESSION_KEY in session and registered.password not in json.dumps(session)


def test_without_temporal_the_issue_says_try_again_later(app, client, registered, factory):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    app.extensions["rokin"].temporal = TemporalGateway(TemporalBridge.for_settings(
        replace(app.extensions["rokin"].settings, temporal_address="127.0.0.1:1")))
    response = press_issue(client, form)
    assert response.status_code == 503
    assert stopped_message(response) == "ただいま電子証明書を発行できません。しばらくしてから再度お試しください。"
    assert certificates_of(factory, registered.user_id) == []


def test_issue_needs_the_csrf_token(client, registered):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    assert client.post("/certificate/issue/run", data={"ticket": form.ticket}).status_code == 400
