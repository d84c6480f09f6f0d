"""Who may do what on the employer pages: a master only on its own organization's general users."""

from __future__ import annotations

import pytest

from domain.roles import UserStatus
from tests.conftest import csrf_token

from ..pages import create_general_user, delete_general_user


def test_general_user_cannot_create_users(general, find_user):
    token = csrf_token(general.client, "/employer/")
    response = general.client.post("/employer/users", data={"csrf_token": token, "user_id": "ippan999",
                                                            "display_name": "x"})
    assert response.status_code == 403
    assert find_user("ippan999") is None


def test_general_user_cannot_delete_anyone(general, master, add_general_users, find_user):
    add_general_users(master.user_id, "ippan002")
    for target in ("ippan002", general.account.user_id, master.user_id):
        user_uuid = find_user(target).uuid
        assert general.client.get(f"/employer/users/{user_uuid}/delete").status_code == 403
        assert delete_general_user(general.client, str(user_uuid)).status_code == 403
    assert find_user("ippan002").status is UserStatus.PENDING
    assert find_user(general.account.user_id).status is UserStatus.ACTIVE


def test_master_cannot_delete_itself(client, master, find_user):
    me = find_user(master.user_id)
    assert client.get(f"/employer/users/{me.uuid}/delete").status_code == 403
    assert delete_general_user(client, str(me.uuid)).status_code == 403
    assert find_user(master.user_id).status is UserStatus.ACTIVE


def test_master_cannot_touch_another_organization(client, master, other_organization, find_user):
    for target in other_organization:
        user_uuid = find_user(target).uuid
        assert client.get(f"/employer/users/{user_uuid}/delete").status_code == 403
        assert delete_general_user(client, str(user_uuid)).status_code == 403
    assert find_user("yoso0001").status is UserStatus.PENDING
    assert find_user(other_organization[0]).status is UserStatus.ACTIVE


def test_ids_are_unique_across_organizations(client, master, other_organization):
    response = create_general_user(client, "yoso0001")
    assert "このユーザーIDは既に使用されています。" in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/employer/"),
    ("post", "/employer/users"),
    ("get", "/employer/users/00000000-0000-0000-0000-000000000000/delete"),
    ("post", "/employer/users/00000000-0000-0000-0000-000000000000/delete"),
    ("get", "/employer/users/00000000-0000-0000-0000-000000000000/revoke"),
    ("post", "/employer/users/00000000-0000-0000-0000-000000000000/revoke"),
])
def test_anonymous_requests_never_reach_the_views(client, method, path):
    token = csrf_token(client, "/register/master")  # a page with a form for anybody
    response = getattr(client, method)(path, data={"csrf_token": token} if method == "post" else None)
    assert response.status_code == 302 and response.location.startswith("/?next=")
