"""電子証明書の失効依頼 from the login screen: ID + password, certificate and reason, the request
number and the printable request form; its workflow runs on the test's worker."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from contract import revocation_client
from domain.revocation import RequestState
from domain.revocation_rules import RevocationRefusal
from domain.roles import StaffRole
from store import certificates as certificate_store
from store import revocation as revocation_store
from store.errors import Refusal
from tests.conftest import post_form
from tests.fixtures.users import without_branch
from web import messages

from ..pages import errors, text
from .support import CHOOSE, START, authenticate, file_request, live_serial, registered_master_without_certificate


def test_an_organization_without_a_branch_yet_is_sent_to_its_own_branch(app, master):
    """Registered before issue 16 and not assigned: the form says お取引店（労働金庫）, as the seed's form."""
    factory = app.extensions["rokin"].session_factory
    without_branch(factory, master.organization_code)
    serial = live_serial(factory, master.user_id)
    client = app.test_client()
    assert authenticate(client, master.user_id, master.password).status_code == 302
    response = post_form(client, CHOOSE, {"serial": serial, "reason": "other", "reason_detail": "担当者交代"})
    number = response.location.rsplit("/", 1)[1]
    sheet = text(client.get(f"{START}/{number}/form"))
    assert "お取引店（労働金庫）" in sheet and "中央労働金庫" not in sheet

def test_the_master_files_a_request_and_prints_its_form(app, master):
    factory = app.extensions["rokin"].session_factory
    serial = live_serial(factory, master.user_id)
    client = app.test_client()
    assert 'href="/revocation-request"' in text(client.get("/"))
    assert authenticate(client, master.user_id, master.password).status_code == 302
    choose = text(client.get(CHOOSE))
    assert serial in choose and "退職・異動" in choose

    response = post_form(client, CHOOSE, {"serial": serial, "reason": "other", "reason_detail": "担当者交代"})
    assert response.status_code == 302
    number = response.location.rsplit("/", 1)[1]
    assert re.fullmatch(r"R-\d{4}-\d{6}", number)
    page = text(client.get(response.location))
    assert f'<dd id="request-number">{number}</dd>' in page

    sheet = text(client.get(f"{START}/{number}/form"))
    for shown in (number, master.user_id, master.organization_code, serial, "その他（担当者交代）", "届出印",
                  "中央労働金庫 本店営業部", "労働金庫使用欄", "届出印照合"):  # 提出先: its お取引店 (TEST_BRANCH)
        assert shown in sheet, shown
    with factory() as session:
        row = revocation_store.get_request(session=session, number=number)
        assert row.state is RequestState.AWAITING_PAPER and row.reason_detail == "担当者交代"
    bridge = app.extensions["rokin"].bridge
    assert bridge.call(lambda c: revocation_client.status(c, number)).state is RequestState.AWAITING_PAPER

    assert client.get(CHOOSE).status_code == 302  # one filing per authentication
    assert app.test_client().get(f"{START}/{number}/form").status_code == 404  # only the filing browser


def test_a_second_request_for_the_certificate_names_the_open_one(app, master, staff_as):
    serial = live_serial(app.extensions["rokin"].session_factory, master.user_id)
    _, first = file_request(app, master.user_id, master.password, serial)
    number = first.location.rsplit("/", 1)[1]
    client = app.test_client()  # the master again: its open request, not a second form
    assert authenticate(client, master.user_id, master.password).location.endswith(f"{START}/status")
    assert f'<dd class="request-number">{number}</dd>' in text(client.get(f"{START}/status"))
    assert client.get(CHOOSE).location.endswith(f"{START}/status")
    receiver = staff_as(StaffRole.RECEIVER, "recv01")  # paper by post for the same certificate
    second = post_form(receiver, "/staff/requests/new", {"serial": serial, "reason": "left"})
    assert second.status_code == 409
    assert messages.render(RevocationRefusal.REQUEST_OPEN, number=number) in text(second)


def test_who_cannot_file(app, master, general, make_organization):
    factory = app.extensions["rokin"].session_factory
    live_serial(factory, general.account.user_id)
    client = app.test_client()
    response = authenticate(client, general.account.user_id, general.account.password)
    assert errors(response) == [messages.render(RevocationRefusal.GENERAL_USER_CERTIFICATE)]
    assert client.get(CHOOSE).status_code == 302

    response = authenticate(client, master.user_id, "Wrong2024x")
    assert response.status_code == 200 and errors(response)
    assert client.get(CHOOSE).status_code == 302
    response = authenticate(client, "nobody001", "Wrong2024x")
    assert errors(response) == [messages.render(Refusal.INVALID_CREDENTIALS)]

    response = authenticate(client, *registered_master_without_certificate(factory, make_organization))
    assert errors(response) == ["失効できる電子証明書がありません。"]


def test_a_serial_not_offered_is_refused(app, master, general):
    factory = app.extensions["rokin"].session_factory
    live_serial(factory, master.user_id)
    theirs = live_serial(factory, general.account.user_id)
    _, response = file_request(app, master.user_id, master.password, theirs)
    assert response.status_code == 200 and "失効する電子証明書" in text(response)
    with factory() as session:
        assert revocation_store.open_request_for(
            session=session, certificate_id=certificate_store.get_by_serial(session=session, serial=theirs).id) is None


def test_the_request_form_downloads_as_a_pdf_with_japanese_text(app, master):
    serial = live_serial(app.extensions["rokin"].session_factory, master.user_id)
    client, response = file_request(app, master.user_id, master.password, serial, reason="left")
    number = response.location.rsplit("/", 1)[1]
    assert f'href="{START}/{number}/form.pdf"' in text(client.get(response.location))
    pdf = client.get(f"{START}/{number}/form.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="revocation-request-{number}.pdf"'
    extracted = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    for shown in ("電子証明書失効依頼書", number, master.user_id, master.organization_code, serial, "退職・異動",
                  "届出印"):
        assert shown in extracted, (shown, extracted)
    assert app.test_client().get(f"{START}/{number}/form.pdf").status_code == 404


def test_the_pages_speak_english_on_request(app):
    client = app.test_client()
    page = text(client.get(f"{START}?lang=en"))
    assert "Certificate revocation request: user authentication" in page and "失効" not in page
