"""The organization list query on both databases (SQLite file and PostgreSQL)."""

from __future__ import annotations

from domain.roles import UserStatus
from domain.staff_scope import EVERY_BANK
from store import audit
from store import organizations as org_store
from store import users as user_store
from store.organization_queries import organization_row, organization_rows


def test_rows_count_live_general_users_and_show_the_master(session_factory):
    cli = audit.Actor.cli()
    with session_factory.begin() as session:
        busy = org_store.create_organization(session=session, code="B200", name="二番労組", email="b@example.jp",
                                             actor=cli)
        org_store.create_organization(session=session, code="A100", name="一番労組", email="a@example.jp", actor=cli)
        master = busy.master
        user_store.complete_initial_registration(session=session, user=master, new_password="Master2024",
                                                 email="b@example.jp", actor=cli)
        for user_id in ("general01", "general02", "general03"):
            user_store.create_general_user(session=session, master=master, user_id=user_id,
                                           display_name="一般", actor=cli)
        gone = user_store.get_by_user_id(session=session, user_id="general03")
        user_store.delete_general_user(session=session, master=master, user_uuid=str(gone.uuid), actor=cli)
        assert gone.status is UserStatus.DELETED
        busy_master_id = master.user_id

    with session_factory() as session:
        rows = organization_rows(session=session, scope=EVERY_BANK)
        assert [row.code for row in rows] == ["A100", "B200"]
        first, second = rows
        assert (first.name, first.master_registered, first.general_users) == ("一番労組", False, 0)
        assert (second.master_user_id, second.master_registered, second.general_users) == (busy_master_id, True, 2)
        assert organization_row(session=session, scope=EVERY_BANK, code="B200") == second
        assert organization_row(session=session, scope=EVERY_BANK, code="C300") is None
