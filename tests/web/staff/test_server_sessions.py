"""Staff sessions live on the server (issue 12, point 1): a copied cookie is worth nothing after
ログアウト, a password change, a block or an administrator's セッション終了; staff see and end their own
other sessions; the cookie holds only an opaque ID."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from temporalio.testing import ActivityEnvironment

from activities.lockout import LockoutActivities
from domain.lockout import LockoutState, MirrorRequest, SubjectKind
from domain.roles import StaffRole
from store.sessions import EndReason, LoginSession
from tests.conftest import csrf_token

from ..session_support import HARMLESS_KEYS, OPAQUE_ID, cookie_contents, copy_cookie, session_row
from .conftest import NEW_PASSWORD, audit_entries, log_in, set_own_password


def text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def is_anonymous(client) -> bool:  # noqa: ANN001
    response = client.get("/staff/")
    return response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


def test_a_copied_cookie_is_worthless_after_logout(app, staff_client):
    client, _ = staff_client()
    copy = copy_cookie(app, client)
    assert copy.get("/staff/organizations").status_code == 200  # the copy works while the session lives
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert is_anonymous(copy)
    assert copy.get("/staff/organizations").status_code == 302
    assert session_row(app, copy).end_reason is EndReason.LOGOUT


def test_the_cookie_holds_only_an_opaque_session_id(app, staff_client):
    client, account = staff_client()
    client.get("/staff/?lang=en")
    contents = cookie_contents(app, client)
    assert OPAQUE_ID.fullmatch(contents["_user_id"])
    assert set(contents) - {"_user_id"} <= HARMLESS_KEYS, contents
    assert account.uuid not in str(contents) and account.login not in str(contents)


def test_each_login_gets_a_new_id_and_ends_the_browsers_previous_session(app, staff_client):
    client, account = staff_client()
    copy = copy_cookie(app, client)
    before = cookie_contents(app, client)["_user_id"]
    log_in(client, account)
    assert cookie_contents(app, client)["_user_id"] != before
    assert is_anonymous(copy) and not is_anonymous(client)
    assert session_row(app, copy).end_reason is EndReason.REPLACED


def test_a_password_change_ends_the_other_sessions_and_keeps_the_changers(app, make_staff):
    account = make_staff(StaffRole.RECEIVER)
    changer, elsewhere = app.test_client(), app.test_client()
    for client in (changer, elsewhere):
        assert log_in(client, account).headers["Location"] == "/staff/password"
    copy = copy_cookie(app, changer)
    set_own_password(changer, account)
    assert changer.get("/staff/").status_code == 200 and copy.get("/staff/").status_code == 200  # same session
    assert elsewhere.get("/staff/password").headers["Location"].startswith("/staff/login")
    assert session_row(app, elsewhere).end_reason is EndReason.PASSWORD_CHANGED
    assert account.password == NEW_PASSWORD


def test_a_block_ends_the_sessions(app, staff_client):
    """The lockout workflow's activity mirrors the block (as the third lock does) and the sessions end."""
    client, account = staff_client(StaffRole.APPROVER)
    copy = copy_cookie(app, client)
    mirror = LockoutActivities(app.extensions["rokin"].session_factory).mirror_lockout_state
    blocked = MirrorRequest(account.uuid, SubjectKind.STAFF, LockoutState(failures=6, lock_count=3, blocked=True),
                            datetime.now(timezone.utc))
    assert asyncio.run(ActivityEnvironment().run(mirror, blocked))
    assert is_anonymous(client) and is_anonymous(copy)
    assert session_row(app, client).end_reason is EndReason.BLOCKED


def test_an_idle_session_is_anonymous(app, staff_client):
    client, _ = staff_client()
    row = session_row(app, client)
    idle = app.extensions["rokin"].settings.session_idle_seconds
    with app.extensions["rokin"].session_factory.begin() as session:  # as if nobody used it since
        session.execute(update(LoginSession).where(LoginSession.id == row.id)
                        .values(last_seen_at=datetime.now(timezone.utc) - timedelta(seconds=idle + 60)))
    assert is_anonymous(client)
    assert session_row(app, client).end_reason is EndReason.EXPIRED


def test_staff_see_their_sessions_and_end_the_others(app, staff_client):
    here, account = staff_client(StaffRole.RECEIVER)
    there, third = app.test_client(), app.test_client()
    for client in (there, third):
        log_in(client, account)
    page = text(here.get("/staff/sessions"))
    assert "ログイン中のセッション" in page and page.count('id="current-session"') == 1
    assert page.count('<tr id="session-') == 3 and "127.0.0.1" in page
    assert 'href="/staff/sessions"' in text(here.get("/staff/"))  # on the staff menu

    there_id = session_row(app, there).id
    done = here.post(f"/staff/sessions/{there_id}/end", data={"csrf_token": csrf_token(here, "/staff/sessions")})
    assert done.headers["Location"] == "/staff/sessions"
    assert is_anonymous(there) and not is_anonymous(here) and not is_anonymous(third)
    assert here.post(f"/staff/sessions/{there_id}/end").status_code == 400  # no CSRF token, no change

    here.post("/staff/sessions/end-others", data={"csrf_token": csrf_token(here, "/staff/sessions")})
    assert is_anonymous(third) and not is_anonymous(here)
    actions = [entry.target_id for entry in audit_entries_of(app, "session.end")]
    assert actions == [account.uuid]


def test_nobody_ends_another_staff_members_session_from_their_own_list(app, staff_client):
    mine, _ = staff_client(StaffRole.RECEIVER)
    theirs, _ = staff_client(StaffRole.RECEIVER)
    their_id = session_row(app, theirs).id
    response = mine.post(f"/staff/sessions/{their_id}/end", data={"csrf_token": csrf_token(mine, "/staff/sessions")},
                         follow_redirects=True)
    assert "対象が見つかりません。" in text(response)
    assert not is_anonymous(theirs)


def test_an_administrator_ends_every_session_of_a_staff_member(app, app_session, staff_client):
    admin, admin_account = staff_client(StaffRole.ADMINISTRATOR)
    member, member_account = staff_client(StaffRole.RECEIVER)
    copy = copy_cookie(app, member)
    search = text(admin.get(f"/staff/accounts?q={member_account.login}"))
    url = f"/staff/accounts/staff/{member_account.uuid}/sessions"
    assert f'href="{url}"' in search
    confirm = text(admin.get(url))
    assert "セッション終了の確認" in confirm and '<dd id="live-sessions">1件</dd>' in confirm

    assert member.get(url).status_code == 403  # administrators only
    assert member.post(url, data={"csrf_token": csrf_token(member, "/staff/sessions")}).status_code == 403
    assert admin.post(url).status_code == 400  # no CSRF token
    assert not is_anonymous(member)

    done = admin.post(url, data={"csrf_token": csrf_token(admin, url)}, follow_redirects=True)
    assert f"{member_account.login}のセッションを1件終了しました。" in text(done)
    assert is_anonymous(member) and is_anonymous(copy) and not is_anonymous(admin)
    assert session_row(app, member).end_reason is EndReason.ENDED_BY_ADMINISTRATOR
    [entry] = audit_entries(app_session, "session.end_all")
    assert (entry.actor_kind, entry.actor_id, entry.target_kind, entry.target_id) == (
        "staff", admin_account.uuid, "staff", member_account.uuid)
    assert admin.get("/staff/accounts/staff/not-a-uuid/sessions").status_code == 404


def audit_entries_of(app, action: str) -> list:  # noqa: ANN001
    with app.extensions["rokin"].session_factory() as session:
        return audit_entries(session, action)
