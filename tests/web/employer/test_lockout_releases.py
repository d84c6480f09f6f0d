"""The master's user list shows each user's lockout state (正常 / ロック中（hh:mmまで） / 閉塞) and
releases its general users' locks and blocks through the lockout workflow (issue 3)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from domain.lockout import LockoutStatus, ReleaseKind
from domain.lockout_release import Releaser, ReleaseRefusal
from tests.conftest import csrf_token, post_form
from web import create_app, messages

from ..conftest import GENERAL_PASSWORD
from ..lockout_support import blocked_message, fail_to_lock, hh_mm, uuid_of, wait_for_audit, wait_for_lockout
from ..pages import errors, login, text

UNLOCK, UNBLOCK = ReleaseKind.UNLOCK.value, ReleaseKind.UNBLOCK.value


def _row(page: str, user_id: str) -> str:
    match = re.search(rf'<tr id="user-{user_id}">.*?</tr>', page, re.S)
    assert match, f"no row for {user_id}"
    return match.group(0)


def _status_cell(page: str, user_id: str) -> str:
    return re.search(r'<td class="lockout-status">([^<]*)</td>', _row(page, user_id)).group(1)


def _release(client, user_uuid: str, kind: str):  # noqa: ANN001, ANN201
    """Through the confirmation page, as the button does."""
    return post_form(client, f"/employer/users/{user_uuid}/{kind}", {}, follow_redirects=True)


def test_list_shows_normal_locked_until_and_the_unlock_button(app, client, master, general):
    page = text(client.get("/employer/"))
    assert _status_cell(page, master.user_id) == "正常" == _status_cell(page, general.account.user_id)
    assert "ロック解除" not in page and "閉塞解除" not in page

    fail_to_lock(app.test_client(), general.account.user_id)
    view = wait_for_lockout(app, general.account.user_id, LockoutStatus.LOCKED)
    page = text(client.get("/employer/"))
    assert _status_cell(page, general.account.user_id) == f"ロック中（{hh_mm(view.locked_until)}まで）"
    row = _row(page, general.account.user_id)
    assert f'href="/employer/users/{uuid_of(app, general.account.user_id)}/unlock">ロック解除</a>' in row
    assert "閉塞解除" not in row
    assert "ロック解除" not in _row(page, master.user_id)


def test_master_unlocks_and_the_general_user_gets_in(app, client, master, general):
    user_id, user_uuid = general.account.user_id, uuid_of(app, general.account.user_id)
    outsider = app.test_client()
    fail_to_lock(outsider, user_id)
    wait_for_lockout(app, user_id, LockoutStatus.LOCKED)

    confirm = client.get(f"/employer/users/{user_uuid}/unlock")
    assert confirm.status_code == 200
    assert "ロック解除の確認" in text(confirm) and f'<dd id="release-user-id">{user_id}</dd>' in text(confirm)

    done = _release(client, user_uuid, UNLOCK)
    assert f"{user_id} のロックを解除しました。" in text(done)
    assert _status_cell(text(done), user_id) == "正常"  # the redirect waited for the read model
    assert login(outsider, user_id, GENERAL_PASSWORD).location.endswith("/employer/")

    [entry] = wait_for_audit(app, "lockout.unlock", user_uuid)
    assert (entry.actor_kind, entry.actor_id) == ("user", uuid_of(app, master.user_id))


def test_third_lock_blocks_until_the_master_unblocks(app, client, master, general):
    """Unlocks keep the lock count (only a successful login clears it): the 3rd lock blocks."""
    user_id, user_uuid = general.account.user_id, uuid_of(app, general.account.user_id)
    user = app.test_client()
    for _ in range(2):
        fail_to_lock(user, user_id)
        wait_for_lockout(app, user_id, LockoutStatus.LOCKED)
        _release(client, user_uuid, UNLOCK)
    third = fail_to_lock(user, user_id)
    assert errors(third) == [blocked_message(Releaser.MASTER_USER)]
    assert errors(login(user, user_id, GENERAL_PASSWORD)) == [blocked_message(Releaser.MASTER_USER)]

    wait_for_lockout(app, user_id, LockoutStatus.BLOCKED)
    page = text(client.get("/employer/"))
    assert _status_cell(page, user_id) == "閉塞"
    assert f'href="/employer/users/{user_uuid}/unblock">閉塞解除</a>' in _row(page, user_id)

    refused = _release(client, user_uuid, UNLOCK)  # an unlock does not lift a block
    assert messages.render(ReleaseRefusal.NOT_LOCKED) in text(refused)
    done = _release(client, user_uuid, UNBLOCK)
    assert f"{user_id} の閉塞を解除しました。" in text(done) and _status_cell(text(done), user_id) == "正常"
    assert login(user, user_id, GENERAL_PASSWORD).location.endswith("/employer/")
    [entry] = wait_for_audit(app, "lockout.unblock", user_uuid)
    assert entry.actor_id == uuid_of(app, master.user_id)
    assert len(wait_for_audit(app, "lockout.unlock", user_uuid, count=2)) == 2


def test_releasing_a_user_who_is_not_locked_is_refused_with_a_message(app, client, general):
    done = _release(client, uuid_of(app, general.account.user_id), UNLOCK)
    assert messages.render(ReleaseRefusal.NOT_LOCKED) in text(done)


@pytest.mark.parametrize("kind", [UNLOCK, UNBLOCK])
def test_only_the_master_of_the_organization_releases(app, client, master, general, other_organization, kind):
    others = [uuid_of(app, user_id) for user_id in other_organization]
    token = csrf_token(client, "/employer/")
    for target in [*others, uuid_of(app, master.user_id)]:  # another organization's users, and itself
        assert client.get(f"/employer/users/{target}/{kind}").status_code == 403
        assert client.post(f"/employer/users/{target}/{kind}", data={"csrf_token": token}).status_code == 403
    general_uuid = uuid_of(app, general.account.user_id)
    assert general.client.get(f"/employer/users/{general_uuid}/{kind}").status_code == 403
    token = csrf_token(general.client, "/employer/")
    assert general.client.post(f"/employer/users/{general_uuid}/{kind}",
                               data={"csrf_token": token}).status_code == 403
    assert client.get(f"/employer/users/00000000-0000-0000-0000-000000000000/{kind}").status_code == 404


def test_release_needs_the_csrf_token(app, client, general):
    response = client.post(f"/employer/users/{uuid_of(app, general.account.user_id)}/unlock")
    assert response.status_code == 400


def test_release_without_an_answer_says_try_later(app, client, master, general, settings):
    user_uuid = uuid_of(app, general.account.user_id)
    down = create_app({"TESTING": True}, settings=replace(settings, temporal_address="127.0.0.1:1"))
    master_client = down.test_client()
    # Log in on the working app, then carry the session cookie to the app without Temporal.
    cookie = client.get_cookie("rokin_session")
    master_client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    master_client.environ_base.update(client.environ_base)  # the same browser: the same certificate
    response = _release(master_client, user_uuid, UNLOCK)
    assert messages.LOCKOUT_UNAVAILABLE in text(response)
