"""After a rejection (否認) the master's 電子証明書の失効依頼 page shows the last request's number, 否認, the
approver's comment and when, above the new form — until a new request is filed."""

from __future__ import annotations

import html
import re

from domain.revocation import RequestState
from domain.roles import StaffRole
from store import revocation as revocation_store
from tests.conftest import csrf_token, post_form

from ..pages import text
from .support import CHOOSE, START, authenticate, request_state

COMMENT = "届出印が確認できません。<再提出>をお願いします。"


def section(page: str) -> str | None:
    found = re.search(r'<section class="notice rejected-request" id="last-rejection"[^>]*>(.*?)</section>', page, re.S)
    return found.group(1) if found else None


def reject(app, number: str, staff_as) -> None:  # noqa: ANN001
    receiver, approver = staff_as(StaffRole.RECEIVER, "recv01"), staff_as(StaffRole.APPROVER, "appr01")
    for client, action, data in ((receiver, "receive", {}), (approver, "decide", {"decision": "reject",
                                                                                  "comment": COMMENT})):
        response = client.post(f"/staff/requests/{number}/{action}",
                               data={"csrf_token": csrf_token(client, "/staff/requests"), **data})
        assert response.status_code == 302
    assert request_state(app.extensions["rokin"].session_factory, number) is RequestState.REJECTED


def test_the_rejection_and_its_comment_are_shown_until_a_new_request_is_filed(app, master, filed, staff_as):
    factory = app.extensions["rokin"].session_factory
    serial, number = filed
    client = app.test_client()
    authenticate(client, master.user_id, master.password)
    assert section(text(client.get(CHOOSE))) is None  # nothing rejected yet (its request is open: the status page)

    reject(app, number, staff_as)
    client = app.test_client()
    assert authenticate(client, master.user_id, master.password).location.endswith(CHOOSE)
    page = text(client.get(CHOOSE))
    shown = section(page)
    assert shown is not None, page
    assert f'<dd id="rejected-number">{number}</dd>' in shown
    assert '<dd id="rejected-state">否認</dd>' in shown
    assert html.unescape(re.search(r'<dd id="rejection-comment">([^<]*)</dd>', shown).group(1)) == COMMENT
    with factory() as session:
        decided = revocation_store.get_request(session=session, number=number).decided_at
    assert re.search(r'<dd id="rejected-on">([^<]*)</dd>', shown).group(1) == \
        app.jinja_env.filters["jst_datetime"](decided)
    assert page.index('id="last-rejection"') < page.index('name="reason"')  # above the new form

    response = post_form(client, CHOOSE, {"serial": serial, "reason": "pc_change"})
    assert response.status_code == 302
    again = response.location.rsplit("/", 1)[1]
    withdrawn = app.test_client()  # the new request is withdrawn: the rejection is no longer the last word
    authenticate(withdrawn, master.user_id, master.password)
    assert post_form(withdrawn, f"{START}/{again}/withdraw", {}).status_code == 302
    assert request_state(factory, again) is RequestState.WITHDRAWN
    later = app.test_client()
    assert authenticate(later, master.user_id, master.password).location.endswith(CHOOSE)
    assert section(text(later.get(CHOOSE))) is None
