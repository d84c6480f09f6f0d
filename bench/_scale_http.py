"""A browser stand-in for the benches: one keep-alive HTTPS connection to ``rokin web`` with a
cookie jar, CSRF tokens read from the forms, and optionally a client certificate.

The server's certificate is verified against the bench's development CA, as a browser that
trusts it would.
"""

from __future__ import annotations

import http.client
import re
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TICKET = re.compile(r'id="ticket" name="ticket" type="hidden" value="([^"]+)"')
P12_MARK = 'id="p12-download"'
ALERT = re.compile(r'role="alert">([^<]*)<')
TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    milliseconds: float


class Browser:
    def __init__(self, port: int, ca_file: Path, *, certificate: tuple[Path, Path] | None = None) -> None:
        context = ssl.create_default_context(cafile=str(ca_file))
        if certificate is not None:
            context.load_cert_chain(str(certificate[0]), str(certificate[1]))
        self._connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=TIMEOUT_SECONDS)
        self._origin = f"https://127.0.0.1:{port}"
        self._cookies: dict[str, str] = {}

    def _request(self, method: str, path: str, body: str | None = None) -> Response:
        headers = {"Accept-Language": "ja"}
        if self._cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self._cookies.items())
        if body is not None:  # a form posted from its own page: Flask-WTF checks the Referer over HTTPS
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"{self._origin}{path}"
        started = time.perf_counter()
        self._connection.request(method, path, body=body, headers=headers)
        response = self._connection.getresponse()
        content = response.read().decode("utf-8", errors="replace")
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self._cookies[name] = morsel.value
        return Response(response.status, content, elapsed)

    def get(self, path: str) -> Response:
        return self._request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self._request("POST", path, urllib.parse.urlencode(form))

    def form_token(self, path: str) -> str:
        """GET a form page and return its CSRF token (the session cookie comes with it)."""
        page = self.get(path)
        match = CSRF.search(page.body)
        if page.status != 200 or match is None:
            raise RuntimeError(f"GET {path}: status {page.status}, no form")
        return match.group(1)

    def close(self) -> None:
        self._connection.close()


def alerts(body: str) -> list[str]:
    """The messages a page shows in its alerts (form errors, refusals)."""
    return [text.strip() for text in ALERT.findall(body)]


ISSUE_PATH = "/certificate/issue"


def issue_certificate(browser: Browser, user_id: str, password: str) -> tuple[float, float]:
    """④ ユーザー認証 then ⑤ 発行 through the web; the milliseconds of each POST (⑦'s .p12 in hand)."""
    token = browser.form_token(ISSUE_PATH)
    authenticated = browser.post(ISSUE_PATH, {"csrf_token": token, "user_id": user_id, "password": password})
    ticket, csrf = TICKET.search(authenticated.body), CSRF.search(authenticated.body)
    if authenticated.status != 200 or ticket is None or csrf is None:
        raise RuntimeError(f"④ was refused (status {authenticated.status}): {alerts(authenticated.body)}")
    issued = browser.post(f"{ISSUE_PATH}/run", {"csrf_token": csrf.group(1), "ticket": ticket.group(1)})
    if issued.status != 200 or P12_MARK not in issued.body:
        raise RuntimeError(f"発行 failed (status {issued.status}): {alerts(issued.body)}")
    return authenticated.milliseconds, issued.milliseconds
