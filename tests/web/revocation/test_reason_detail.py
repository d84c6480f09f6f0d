"""「その他」 needs its words at every place a written request is filed — the master's 電子証明書の失効依頼
and a receiver's filing from paper — with one message tied to the field (aria-describedby), and nothing
filed until it is given."""

from __future__ import annotations

import html
import re

from domain.revocation import RevocationReason
from domain.roles import StaffRole
from store import revocation as revocation_store
from store import users as user_store
from tests.conftest import post_form
from web.revocation_request.forms import DETAIL_REQUIRED_TEXT

from ..pages import text
from .support import CHOOSE, authenticate, live_serial

INPUT = re.compile(r'<input[^>]*\bname="reason_detail"[^>]*>')


def described_errors(page: str) -> list[str]:
    """The texts the reason_detail input is described by that are errors (role="alert")."""
    field = INPUT.search(page)
    assert field, "no reason_detail input"
    described = re.search(r'aria-describedby="([^"]+)"', field.group(0))
    assert described, field.group(0)
    found = []
    for element_id in described.group(1).split():
        element = re.search(rf'<p class="error" role="alert" id="{element_id}">([^<]*)</p>', page)
        if element:
            found.append(html.unescape(element.group(1)))
    return found


def open_requests(app, user_id: str) -> list:  # noqa: ANN001
    with app.extensions["rokin"].session_factory() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        return revocation_store.open_requests_of(session=session, owner_uuid=user.uuid)


def test_the_master_cannot_file_other_without_a_reason(app, master):
    serial = live_serial(app.extensions["rokin"].session_factory, master.user_id)
    client = app.test_client()
    authenticate(client, master.user_id, master.password)
    form = text(client.get(CHOOSE))
    assert described_errors(form) == [] and 'aria-invalid' not in INPUT.search(form).group(0)

    for blank in ("", "　 "):  # nothing, or blanks only (a full-width space too)
        response = post_form(client, CHOOSE, {"serial": serial, "reason": RevocationReason.OTHER.value,
                                              "reason_detail": blank})
        assert response.status_code == 200
        page = text(response)
        assert described_errors(page) == [DETAIL_REQUIRED_TEXT]
        assert 'aria-invalid="true"' in INPUT.search(page).group(0)
        assert open_requests(app, master.user_id) == []

    other_reason = post_form(client, CHOOSE, {"serial": serial, "reason": "pc_change", "reason_detail": ""})
    assert other_reason.status_code == 302  # the other reasons need no words


def test_a_receiver_cannot_file_other_without_a_reason(app, master, staff_as):
    serial = live_serial(app.extensions["rokin"].session_factory, master.user_id)
    receiver = staff_as(StaffRole.RECEIVER, "recv01")
    response = post_form(receiver, "/staff/requests/new", {"serial": serial, "reason": "other", "reason_detail": " "})
    assert response.status_code == 200
    assert described_errors(text(response)) == [DETAIL_REQUIRED_TEXT]
    assert open_requests(app, master.user_id) == []

    filed = post_form(receiver, "/staff/requests/new", {"serial": serial, "reason": "other",
                                                        "reason_detail": "事務所移転のため"})
    assert filed.status_code == 302
    [row] = open_requests(app, master.user_id)
    assert row.reason_detail == "事務所移転のため"


def test_the_message_speaks_english_on_an_english_page(app, master):
    serial = live_serial(app.extensions["rokin"].session_factory, master.user_id)
    client = app.test_client()
    client.get("/?lang=en")
    authenticate(client, master.user_id, master.password)
    response = post_form(client, CHOOSE, {"serial": serial, "reason": "other", "reason_detail": ""})
    [message] = described_errors(text(response))
    assert message != DETAIL_REQUIRED_TEXT and "「" not in message
