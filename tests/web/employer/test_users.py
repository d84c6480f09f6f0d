"""The master user creates and deletes general users (ユーザー一覧)."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from domain.contact import DISPLAY_NAME_MAX_LENGTH, ContactProblem
from domain.credentials import check_credential
from domain.quotas import MAX_GENERAL_USERS
from domain.roles import UserStatus
from store.errors import Refusal
from store.models import AuditEntry
from store.passwords import verify_password
from tests.conftest import csrf_token
from web import messages

from ..cases import BAD_CREDENTIALS
from ..pages import create_general_user, delete_general_user, error_under, errors, initial_password, text

CREATED_NOTE = "初期パスワードはこの画面でのみ表示されます。再表示はできません。"


def test_create_shows_the_id_and_initial_password_once(client, master, find_user):
    response = create_general_user(client, "ippan001", "一般 太郎")
    assert response.status_code == 200
    page = text(response)
    assert '<dd id="new-user-id">ippan001</dd>' in page
    assert CREATED_NOTE in page and "安全な方法でお渡しください" in page
    assert response.headers["Cache-Control"] == "no-store"
    password = initial_password(response)
    assert check_credential(password) is None

    user = find_user("ippan001")
    assert user.status is UserStatus.PENDING and user.display_name == "一般 太郎"
    assert verify_password(user.password_hash, password)
    later = text(client.get("/employer/"))
    assert password not in later and CREATED_NOTE not in later


def test_create_is_audited_with_the_masters_identity(app, client, master, find_user):
    create_general_user(client, "ippan001")
    with app.extensions["rokin"].session_factory() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create",
                                                        AuditEntry.detail == "role=general"))
    assert entry.actor_kind == "user" and entry.actor_id == str(find_user(master.user_id).uuid)
    assert entry.target_id == str(find_user("ippan001").uuid)
    assert entry.client_address == "127.0.0.1"


@pytest.mark.parametrize(("bad", "problem"), BAD_CREDENTIALS)
def test_create_refuses_malformed_ids(client, master, find_user, bad, problem):
    response = create_general_user(client, bad)
    assert response.status_code == 200
    assert errors(response) == [messages.render(problem)]
    assert error_under(response, "user_id") == messages.render(problem)
    assert find_user(bad) is None


@pytest.mark.parametrize(("name", "problem"), [
    ("", ContactProblem.NAME_REQUIRED),
    ("　 ", ContactProblem.NAME_REQUIRED),
    ("長" * (DISPLAY_NAME_MAX_LENGTH + 1), ContactProblem.NAME_TOO_LONG),
])
def test_create_refuses_bad_names(client, master, find_user, name, problem):
    response = create_general_user(client, "ippan001", name)
    assert error_under(response, "display_name") == messages.render(problem)
    assert find_user("ippan001") is None


def test_create_refuses_a_taken_id(client, master, find_user):
    create_general_user(client, "ippan001")
    for taken in ("ippan001", master.user_id):
        response = create_general_user(client, taken)
        assert error_under(response, "user_id") == messages.render(Refusal.USER_ID_TAKEN)


def test_the_twentieth_general_user_is_refused(client, master, add_general_users, find_user):
    add_general_users(master.user_id, *[f"ippan{n:03d}" for n in range(1, MAX_GENERAL_USERS)])
    assert create_general_user(client, "ippan019").status_code == 200
    page = text(client.get("/employer/"))
    assert f"一般ユーザー {MAX_GENERAL_USERS} / {MAX_GENERAL_USERS}名" in page
    quota = messages.render(Refusal.GENERAL_USER_QUOTA)
    assert quota == f"一般ユーザーは1団体につき最大{MAX_GENERAL_USERS}名までです。これ以上登録できません。"
    assert quota in page and 'id="create-user-submit"' not in page

    response = create_general_user(client, "ippan020")
    assert errors(response) == [quota]
    assert find_user("ippan020") is None


def test_deleting_frees_a_slot(client, master, add_general_users, find_user):
    add_general_users(master.user_id, *[f"ippan{n:03d}" for n in range(1, MAX_GENERAL_USERS + 1)])
    delete_general_user(client, str(find_user("ippan001").uuid))
    assert create_general_user(client, "ippan020").status_code == 200
    assert find_user("ippan020") is not None


def test_delete_asks_for_confirmation_first(client, master, add_general_users, find_user):
    add_general_users(master.user_id, "ippan001")
    user = find_user("ippan001")
    confirm = client.get(f"/employer/users/{user.uuid}/delete")
    assert confirm.status_code == 200
    page = text(confirm)
    assert "ユーザー削除の確認" in page and '<dd id="delete-user-id">ippan001</dd>' in page
    assert re.search(rf'<form method="post" action="/employer/users/{user.uuid}/delete">', page)
    assert find_user("ippan001").status is UserStatus.PENDING, "showing the confirmation deletes nothing"


def test_delete_after_confirmation(app, client, master, add_general_users, find_user):
    add_general_users(master.user_id, "ippan001")
    user_uuid = str(find_user("ippan001").uuid)
    response = client.post(f"/employer/users/{user_uuid}/delete",
                           data={"csrf_token": csrf_token(client, f"/employer/users/{user_uuid}/delete")})
    assert response.status_code == 302 and response.location.endswith("/employer/")
    page = text(client.get("/employer/"))
    assert "ユーザーID ippan001 を削除しました。" in page
    assert 'id="user-ippan001"' not in page
    assert find_user("ippan001").status is UserStatus.DELETED
    with app.extensions["rokin"].session_factory() as session:
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "user.delete",
                                                       AuditEntry.target_id == user_uuid)) is not None


def test_a_deleted_user_loses_access_at_once(client, general, find_user):
    assert general.client.get("/employer/").status_code == 200
    delete_general_user(client, str(find_user(general.account.user_id).uuid))
    assert general.client.get("/employer/").status_code == 302


def test_delete_without_csrf_token_changes_nothing(client, master, add_general_users, find_user):
    add_general_users(master.user_id, "ippan001")
    response = client.post(f"/employer/users/{find_user('ippan001').uuid}/delete")
    assert response.status_code == 400
    assert find_user("ippan001").status is UserStatus.PENDING


def test_unknown_user_uuid_is_not_found(client, master):
    for target in (str(uuid.uuid4()), "not-a-uuid"):
        assert client.get(f"/employer/users/{target}/delete").status_code == 404
        assert delete_general_user(client, target).status_code == 404
