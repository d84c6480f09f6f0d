"""パスワード初期化 of a general user by the master user (issue 13), through the pages with the real
lockout workflow and worker: the new one-time password is shown once, the user's sessions end, the
certificate stays and works again after 一般ユーザーの初期登録; a block stays a block."""

from __future__ import annotations

from domain.lockout import LockoutState, LockoutStatus
from tests.conftest import csrf_token
from tests.web.account.test_account_pages import mails_titled
from tests.web.certificates.arrange import mirror_lockout
from tests.web.pages import initial_password, login, register_login, register_password, text

from ..conftest import GENERAL_PASSWORD
from ..lockout_support import lockout_of

AGAIN_PASSWORD = "Mata2026xy"


def reset(client, user_uuid: str):  # noqa: ANN001, ANN201
    path = f"/employer/users/{user_uuid}/reset-password"
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def test_the_master_resets_and_the_user_registers_again_with_the_same_certificate(
        app, client, master, general, find_user, smtp_sink):  # noqa: ANN001
    user = find_user(general.account.user_id)
    top = text(client.get("/employer/"))
    assert f'id="reset-{user.user_id}"' in top and f'id="reset-{master.user_id}"' not in top
    confirm = client.get(f"/employer/users/{user.uuid}/reset-password")
    assert confirm.status_code == 200 and user.user_id in text(confirm)

    done = reset(client, str(user.uuid))
    assert done.status_code == 200
    new_initial = initial_password(done)
    assert new_initial != GENERAL_PASSWORD
    assert general.client.get("/employer/").status_code == 302  # the user's session ended
    stored = find_user(user.user_id)
    assert stored.status.value == "pending" and stored.initial_password
    # The certificate lets nobody in before 初期登録 (ログイン refuses it before asking a password).
    refused = general.client.get("/login")
    assert refused.status_code == 403 and "パスワードは初期化されています" in text(refused)

    assert register_login(general.client, "general", user.user_id, new_initial).status_code == 302
    registered = register_password(general.client, "general", AGAIN_PASSWORD)
    assert registered.status_code == 302 and registered.headers["Location"] == "/", text(registered)  # not ④
    assert "お持ちの電子証明書でログインしてください" in text(general.client.get("/"))
    again = login(general.client, user.user_id, AGAIN_PASSWORD)  # the same certificate as before
    assert again.status_code == 302 and again.headers["Location"] == "/employer/"

    [to_user] = mails_titled(smtp_sink, "】パスワード初期化のお知らせ")
    [to_master] = mails_titled(smtp_sink, "一般ユーザーのパスワード初期化のお知らせ")
    assert new_initial not in to_user.body + to_master.body
    assert user.user_id in to_master.body


def test_only_the_master_of_the_organization_resets(app, client, master, general, other_organization,
                                                    find_user):  # noqa: ANN001
    user = find_user(general.account.user_id)
    assert general.client.get(f"/employer/users/{user.uuid}/reset-password").status_code == 403  # a general user
    _, stranger_id = other_organization
    stranger = find_user(stranger_id)
    assert client.get(f"/employer/users/{stranger.uuid}/reset-password").status_code == 403
    master_row = find_user(master.user_id)
    path = f"/employer/users/{master_row.uuid}/reset-password"
    assert client.get(path).status_code == 403  # the master's own password: Rokin resets it


def test_a_reset_leaves_a_block_and_says_so(app, client, master, add_general_users, find_user):  # noqa: ANN001
    add_general_users(master.user_id, "ippan009")
    mirror_lockout(app.extensions["rokin"].session_factory, "ippan009", LockoutState(lock_count=3, blocked=True))
    user = find_user("ippan009")
    confirm = text(client.get(f"/employer/users/{user.uuid}/reset-password"))
    assert 'id="reset-blocked-note"' in confirm
    done = reset(client, str(user.uuid))
    assert 'id="reset-blocked-note"' in text(done)
    assert lockout_of(app, "ippan009").status is LockoutStatus.BLOCKED
