"""Driving 電子証明書発行 (④ → ⑤ → ⑦) with the Flask test client, as a browser would."""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass

from tests.conftest import post_form

from ..pages import text

AUTHENTICATE = "/certificate/issue"
ISSUE = "/certificate/issue/run"
TICKET = re.compile(r'<input id="ticket" name="ticket" type="hidden" value="([^"]+)">')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
DOWNLOAD = re.compile(r'<a class="button" id="p12-download" data-auto-download\s+'
                      r'href="data:application/x-pkcs12;base64,([A-Za-z0-9+/=]+)" download="([^"]+)">')
SERIAL = re.compile(r'<dd id="issued-serial" class="serial">([0-9a-f]+)</dd>')
STOPPED = re.compile(r'<p class="error" role="alert" id="issuance-stopped">([^<]*)</p>')


@dataclass(frozen=True)
class IssueForm:
    """⑤ as the browser holds it: the CSRF token and the sealed ticket."""

    csrf_token: str
    ticket: str


@dataclass(frozen=True)
class Result:
    """⑦: what the page offers for download."""

    serial: str
    file_name: str
    p12: bytes


def authenticate(client, user_id: str, password: str):  # noqa: ANN001, ANN201
    """④ ユーザー認証: GET the form, POST the ID and password."""
    return post_form(client, AUTHENTICATE, {"user_id": user_id, "password": password})


def issue_form(response) -> IssueForm:  # noqa: ANN001
    page = text(response)
    ticket, csrf = TICKET.search(page), CSRF.search(page)
    assert response.status_code == 200 and ticket and csrf, page
    return IssueForm(csrf.group(1), ticket.group(1))


def press_issue(client, form: IssueForm):  # noqa: ANN001, ANN201
    """⑤ [発行]."""
    return client.post(ISSUE, data={"csrf_token": form.csrf_token, "ticket": form.ticket})


def result(response) -> Result:  # noqa: ANN001
    page = text(response)
    download, serial = DOWNLOAD.search(page), SERIAL.search(page)
    assert response.status_code == 200 and download and serial, page
    return Result(serial.group(1), html.unescape(download.group(2)), base64.b64decode(download.group(1)))


def issue_certificate(client, user_id: str, password: str) -> Result:  # noqa: ANN001
    """④ → ⑤ → ⑦ for a user who may have a certificate."""
    return result(press_issue(client, issue_form(authenticate(client, user_id, password))))


def stopped_message(response) -> str:  # noqa: ANN001
    match = STOPPED.search(text(response))
    assert match, text(response)
    return html.unescape(match.group(1))
