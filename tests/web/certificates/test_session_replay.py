"""Employer sessions live on the server (issue 12, point 1): a copied cookie, even with the user's
certificate, is worth nothing after ログアウト, the revocation of that certificate or the user's
deletion; the cookie holds only an opaque ID, not the certificate's serial."""

from __future__ import annotations

from store.sessions import EndReason
from tests.conftest import csrf_token, post_form

from ..pages import delete_general_user
from ..session_support import (
    HARMLESS_KEYS,
    OPAQUE_ID,
    cookie_contents,
    copied_with_certificate,
    is_anonymous_employer,
    session_row,
)


def test_a_copied_cookie_with_the_certificate_is_worthless_after_logout(app, client, master):
    thief = copied_with_certificate(app, client, master.user_id)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/employer/")})
    assert is_anonymous_employer(thief)
    assert session_row(app, thief).end_reason is EndReason.LOGOUT


def test_the_cookie_holds_only_an_opaque_session_id(app, client, master):
    contents = cookie_contents(app, client)
    assert OPAQUE_ID.fullmatch(contents["_user_id"])
    assert set(contents) - {"_user_id"} <= HARMLESS_KEYS, contents
    row = session_row(app, client)
    assert row.certificate_serial and row.certificate_serial not in str(contents)  # kept on the server
    assert str(row.user_uuid) not in str(contents) and master.user_id not in str(contents)


def test_revoking_the_certificate_ends_the_sessions_opened_with_it(app, client, master, general, find_user):
    thief = copied_with_certificate(app, general.client, general.account.user_id)
    url = f"/employer/users/{find_user(general.account.user_id).uuid}/revoke"
    assert post_form(client, url, {"reason": "suspected_misuse"}).status_code == 302
    row = session_row(app, general.client)  # ended by the revocation itself, not at the next request
    assert (row.end_reason, row.ended_at is not None) == (EndReason.CERTIFICATE_ENDED, True)
    assert is_anonymous_employer(thief) and is_anonymous_employer(general.client)
    assert not is_anonymous_employer(client)  # the master's own session goes on


def test_deleting_a_user_ends_their_sessions(app, client, master, general, find_user):
    thief = copied_with_certificate(app, general.client, general.account.user_id)
    assert delete_general_user(client, str(find_user(general.account.user_id).uuid)).status_code == 302
    assert session_row(app, general.client).ended_at is not None
    assert is_anonymous_employer(thief) and is_anonymous_employer(general.client)
