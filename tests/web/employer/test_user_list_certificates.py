"""The master's user list shows each user's certificate (issue 13): serial (short), expiry date, days
left and its state — renewal window, expired, revoked, none — sortable by expiry on the server, read
in one query whatever the number of users; the master's placeholder name is translated; a deleted ID
is refused with the reason."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import event

from domain.certificates import CrlReason
from domain.roles import CertificateStatus
from domain.validity import calendar_for
from store import certificates as certificate_store
from store.errors import Refusal
from web import messages
from web.employer.user_list import SHORT_SERIAL

from ..certificates.arrange import record_certificate
from ..pages import create_general_user, delete_general_user, error_under, login, text


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _cells(page: str, user_id: str) -> dict[str, str]:
    row = re.search(rf'<tr id="user-{user_id}">.*?</tr>', page, re.S)
    assert row, f"no row for {user_id}"
    cells = dict(re.findall(r'<td class="certificate-(serial|expiry|days-left|state)[^"]*"[^>]*>([^<]*)</td>',
                            row.group(0)))
    return {name: html.unescape(value).strip() for name, value in cells.items()}


def _revoke(app, serial: str) -> None:  # noqa: ANN001
    with app.extensions["rokin"].session_factory.begin() as session:
        row = certificate_store.get_by_serial(session=session, serial=serial)
        assert certificate_store.end_certificate(session=session, certificate=row, status=CertificateStatus.REVOKED,
                                                 reason=CrlReason.KEY_COMPROMISE, at=_now())


def _arrange(app, master, add_general_users) -> dict[str, str]:  # noqa: ANN001
    """Four general users: in the renewal window, expired, revoked, none. Returns their serials."""
    add_general_users(master.user_id, "renew001", "expir001", "revok001", "nocer001")
    factory = app.extensions["rokin"].session_factory
    serials = {
        "renew001": record_certificate(factory, "renew001", _now() - timedelta(days=340)),
        "expir001": record_certificate(factory, "expir001", _now() - timedelta(days=400)),
        "revok001": record_certificate(factory, "revok001", _now() - timedelta(days=10)),
    }
    _revoke(app, serials["revok001"])
    return serials


def test_each_row_shows_the_users_certificate(app, client, master, add_general_users):
    serials = _arrange(app, master, add_general_users)
    page = text(client.get("/employer/"))

    mine = _cells(page, master.user_id)  # the certificate the master logged in with, issued today
    assert mine["state"] == "有効" and mine["days-left"] == "366日"
    assert re.fullmatch(rf"[0-9a-f]{{{SHORT_SERIAL}}}…", mine["serial"]), mine

    renewing = _cells(page, "renew001")
    calendar = calendar_for(_now() - timedelta(days=340))
    assert renewing == {"serial": serials["renew001"][:SHORT_SERIAL] + "…",
                        "expiry": calendar.expiry_date.isoformat(),
                        "days-left": f"{calendar.days_left(_now())}日", "state": "更新期間中"}
    assert f'title="{serials["renew001"]}"' in page, "the full serial is the cell's title"

    expired = _cells(page, "expir001")
    assert expired["state"] == "有効期限切れ" and expired["days-left"] == "—"
    assert expired["expiry"] == calendar_for(_now() - timedelta(days=400)).expiry_date.isoformat()
    revoked = _cells(page, "revok001")
    assert revoked["state"] == "失効" and revoked["days-left"] == "—"
    assert revoked["serial"] == serials["revok001"][:SHORT_SERIAL] + "…"
    assert _cells(page, "nocer001") == {"serial": "—", "expiry": "—", "days-left": "—", "state": "電子証明書なし"}

    # 失効 is offered for the live certificates only
    assert 'id="revoke-renew001"' in page
    assert 'id="revoke-expir001"' not in page and 'id="revoke-revok001"' not in page
    assert 'id="revoke-nocer001"' not in page


def test_the_list_sorts_by_expiry_with_plain_links(app, client, master, add_general_users):
    _arrange(app, master, add_general_users)
    default = text(client.get("/employer/"))
    assert _order(default) == [master.user_id, "expir001", "nocer001", "renew001", "revok001"]
    link = re.search(r'<a id="sort-expiry" href="([^"]+)">', default).group(1)
    assert html.unescape(link) == "/employer/?sort=expiry#user-list"

    ascending = text(client.get("/employer/?sort=expiry"))
    # expired first, then the renewal window, the revoked one (day 10), the master (today); none last
    assert _order(ascending) == ["expir001", "renew001", "revok001", master.user_id, "nocer001"]
    assert 'aria-sort="ascending"' in ascending
    assert html.unescape(re.search(r'<a id="sort-expiry" href="([^"]+)">', ascending).group(1)) \
        == "/employer/?sort=expiry_desc#user-list"

    descending = text(client.get("/employer/?sort=expiry_desc"))
    assert _order(descending) == [master.user_id, "revok001", "renew001", "expir001", "nocer001"]
    assert _order(text(client.get("/employer/?sort=nonsense"))) == _order(default)


def test_the_certificates_are_read_in_one_query_whatever_the_number_of_users(app, client, master,
                                                                            add_general_users):
    engine = app.extensions["rokin"].session_factory.kw["bind"]
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001, ANN002
        if "FROM certificates" in statement:
            statements.append(statement)

    def certificate_queries() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/employer/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    add_general_users(master.user_id, "ippan001")
    factory = app.extensions["rokin"].session_factory
    record_certificate(factory, "ippan001", _now() - timedelta(days=3))
    with_one = certificate_queries()
    users = [f"ippan{n:03d}" for n in range(2, 12)]
    add_general_users(master.user_id, *users)
    for user_id in users:
        record_certificate(factory, user_id, _now() - timedelta(days=3))
    assert certificate_queries() == with_one, "no query per row"


def test_the_masters_placeholder_name_is_translated(client, master):
    japanese = _row(text(client.get("/employer/")), master.user_id)
    assert re.search(r"<td>マスターユーザー</td>\s*<td>マスターユーザー</td>", japanese), japanese
    english = _row(text(client.get("/employer/?lang=en")), master.user_id)
    assert "マスターユーザー" not in english
    assert re.search(r"<td>Master user</td>\s*<td>Master user</td>", english), english


def test_a_deleted_id_of_ones_own_organization_is_refused_with_the_reason(app, client, master, find_user,
                                                                         other_organization):
    create_general_user(client, "ippan001")
    delete_general_user(client, str(find_user("ippan001").uuid))
    again = create_general_user(client, "ippan001")
    assert again.status_code == 200
    assert error_under(again, "user_id") == messages.USER_ID_RESERVED
    assert "以前に削除されたユーザー" in messages.USER_ID_RESERVED and "再利用できません" in messages.USER_ID_RESERVED

    # Another organization's ID, live or deleted, is only "taken": nothing more about it.
    other_master, other_general = other_organization
    assert error_under(create_general_user(client, other_general), "user_id") \
        == messages.render(Refusal.USER_ID_TAKEN)
    other = app.test_client()
    # the other organization's master deletes its general user
    assert login(other, other_master, "Other2024x").status_code == 302
    delete_general_user(other, str(find_user(other_general).uuid))
    assert find_user(other_general).status.value == "deleted"
    assert error_under(create_general_user(client, other_general), "user_id") \
        == messages.render(Refusal.USER_ID_TAKEN)


def _row(page: str, user_id: str) -> str:
    match = re.search(rf'<tr id="user-{user_id}">.*?</tr>', page, re.S)
    assert match, f"no row for {user_id}"
    return match.group(0)


def _order(page: str) -> list[str]:
    return re.findall(r'<tr id="user-([^"]+)">', page)
