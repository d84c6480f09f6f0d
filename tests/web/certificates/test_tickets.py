"""The issuance ticket binds ⑤ 発行 to the stored hash ④ checked (issue 14, item 3): the 発行 POST
proves the password is still the user's with a keyed fingerprint, never a second argon2id, and a
password changed or reset in between is refused; the ticket never holds the hash."""

from __future__ import annotations

import json

import pytest

from store import audit, passwords
from store import users as user_store
from web import sealing
from web.certificates import tickets

from .arrange import certificates_of
from .issuing import authenticate, issue_form, press_issue, result, stopped_message

EXPIRED_TICKET = "認証の有効期限が切れました。もう一度ユーザー認証からやり直してください。"


@pytest.fixture
def factory(app):  # noqa: ANN001, ANN201
    return app.extensions["rokin"].session_factory


class CountingHasher:
    """The process's argon2 hasher, counting the checks made through it."""

    def __init__(self, hasher) -> None:  # noqa: ANN001
        self.hasher = hasher
        self.verifications = 0

    def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        return self.hasher.verify(password_hash, password)

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)


def opened(app, form) -> dict:  # noqa: ANN001
    with app.test_request_context():
        ticket = sealing.unseal(tickets.PURPOSE, form.ticket, max_age_seconds=tickets.LIFETIME_SECONDS)
    assert ticket is not None
    return ticket


def stored_hash(factory, user_id: str) -> str:  # noqa: ANN001
    with factory() as session:
        return user_store.get_by_user_id(session=session, user_id=user_id).password_hash


def test_issue_checks_no_password_hash_a_second_time(client, registered, monkeypatch):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    counting = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)

    issued = result(press_issue(client, form))

    assert issued.serial and issued.p12
    assert counting.verifications == 0  # ④ checked it; 発行 compared an HMAC


def test_the_ticket_holds_a_keyed_fingerprint_of_the_hash_never_the_hash(app, client, registered, factory):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    ticket, password_hash = opened(app, form), stored_hash(factory, registered.user_id)

    assert password_hash not in json.dumps(ticket) and "$argon2" not in json.dumps(ticket)
    with app.test_request_context():
        key = tickets.fingerprint_key()
    assert ticket["h"] == passwords.hash_fingerprint(password_hash, key)
    assert ticket["h"] != passwords.hash_fingerprint(password_hash, b"another key")  # keyed: not the hash's digest


def test_a_password_reset_since_authentication_is_refused(client, registered, factory):
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    with factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=registered.user_id)
        user_store.reset_password(session=session, user=user, actor=audit.Actor.cli())

    response = press_issue(client, form)

    assert response.status_code == 409 and stopped_message(response) == EXPIRED_TICKET
    assert certificates_of(factory, registered.user_id) == []


def test_a_password_changed_and_changed_back_since_authentication_is_refused(client, registered, factory):
    """The same password under a new hash is a change all the same: the ticket was bound to the old hash."""
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    with factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=registered.user_id)
        user.password_hash = passwords.hash_password(registered.password)

    response = press_issue(client, form)

    assert response.status_code == 409 and stopped_message(response) == EXPIRED_TICKET
    assert certificates_of(factory, registered.user_id) == []


def test_a_ticket_sealed_before_fingerprints_checks_the_password_instead(app, client, registered, monkeypatch):
    """A ticket from the release before (no fingerprint, five minutes at most) still issues, the old way."""
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    ticket = opened(app, form)
    del ticket["h"]
    with app.test_request_context():
        old_style = sealing.seal(tickets.PURPOSE, ticket)
    counting = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)

    issued = result(client.post("/certificate/issue/run", data={"csrf_token": form.csrf_token, "ticket": old_style}))

    assert issued.serial and counting.verifications == 1
