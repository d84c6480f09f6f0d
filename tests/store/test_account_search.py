"""ユーザー検索's queries and the notice's "initial password shown" entry, on both databases."""

from __future__ import annotations

from functools import partial

from domain.roles import StaffRole
from domain.staff_scope import EVERY_BANK
from store import account_search, organization_notices
from store import organizations as org_store
from store import staff as staff_store
from store import users as user_store
from store.models import Staff

from .conftest import ACTOR

# The 連合会's view: every account (the per-bank filter has its own test below).
find_accounts = partial(account_search.find_accounts, scope=EVERY_BANK)
find_account = partial(account_search.find_account, scope=EVERY_BANK)


def test_find_accounts_by_user_id_organization_code_or_staff_login(session_factory, organization):
    with session_factory.begin() as session:
        master = user_store.get_by_uuid(session=session, user_uuid=organization.master_uuid)
        for user_id in ("ippan0001", "ippan0002"):
            user_store.create_general_user(session=session, master=master, user_id=user_id, display_name="一般",
                                           actor=ACTOR)
        user_store.delete_general_user(session=session, master=master, actor=ACTOR, user_uuid=str(
            user_store.get_by_user_id(session=session, user_id="ippan0002").uuid))
        org_store.create_organization(session=session, code="OTHER1", name="他団体", email="o@example.jp", actor=ACTOR)
        staff, _ = staff_store.create_staff(session=session, login="uketsuke1", role=StaffRole.RECEIVER, actor=ACTOR)
        gone, _ = staff_store.create_staff(session=session, login="taishoku1", role=StaffRole.RECEIVER, actor=ACTOR)
        gone.active = False
        staff_uuid, gone_uuid = str(staff.uuid), str(gone.uuid)

    with session_factory() as session:
        by_code = find_accounts(session=session, query=organization.code)
        assert [row.user_id for row in by_code] == [organization.master_user_id, "ippan0001"]  # master first
        assert by_code[0].organization.code == organization.code
        assert [row.user_id for row in find_accounts(session=session, query="ippan0001")] \
            == ["ippan0001"]
        assert find_accounts(session=session, query="ippan0002") == []  # deleted
        assert find_accounts(session=session, query="IPPAN0001") == []  # exact, case-sensitive
        [found] = find_accounts(session=session, query="uketsuke1")
        assert isinstance(found, Staff) and str(found.uuid) == staff_uuid
        assert find_accounts(session=session, query="taishoku1") == []  # inactive

        assert find_account(session=session, account="staff", account_uuid=staff_uuid).login \
            == "uketsuke1"
        assert find_account(session=session, account="staff", account_uuid=gone_uuid) is None
        master_uuid = str(organization.master_uuid)
        assert find_account(session=session, account="user", account_uuid=master_uuid).user_id \
            == organization.master_user_id
        assert find_account(session=session, account="staff", account_uuid=master_uuid) is None
        assert find_account(session=session, account="user", account_uuid="not-a-uuid") is None


def test_the_initial_password_is_recorded_as_shown_once(session_factory):
    with session_factory.begin() as session:
        assert organization_notices.record_initial_password_shown(session=session, organization_code="A100",
                                                                  actor=ACTOR)
    with session_factory.begin() as session:
        assert not organization_notices.record_initial_password_shown(session=session, organization_code="A100",
                                                                      actor=ACTOR)
        assert organization_notices.record_initial_password_shown(session=session, organization_code="B200",
                                                                  actor=ACTOR)
