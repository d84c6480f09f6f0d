"""A minimal browser for benchmarks: a keep-alive HTTPS connection, cookies, forms, redirects.

Standard library only (``http.client`` + ``ssl``), so every simulated user has its own real TLS
connection, optionally with a client certificate, and concurrency is real threads. As a browser
does, form posts carry the CSRF token of the page they came from and a same-origin Referer
(Flask-WTF refuses HTTPS posts without one); 302/303 answers are followed with a GET.
"""

from __future__ import annotations

import http.client
import re
import ssl
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TITLE = re.compile(r"<title>([^<]*)</title>")
ALERT = re.compile(r'role="alert"[^>]*>([^<]*)<')
TIMEOUT_SECONDS = 120.0
MAX_REDIRECTS = 5


class PageError(AssertionError):
    """The page is not the one the bench expected (the message says which and what came)."""


@dataclass
class Page:
    status: int
    path: str
    text: str

    def field(self, pattern: re.Pattern[str], what: str) -> str:
        found = pattern.search(self.text)
        if found is None:
            raise PageError(f"{self.path} answered {self.status} without {what}: {self.gist()}")
        return found.group(1)

    def gist(self) -> str:
        """The page's title and its first alert: what a user would read first."""
        title, alert = TITLE.search(self.text), ALERT.search(self.text)
        return " / ".join(match.group(1).strip() for match in (title, alert) if match) or self.text[:200]


def tls_context(ca_certificate: Path, client_certificate: tuple[Path, Path] | None = None) -> ssl.SSLContext:
    """Trusts ``ca_certificate`` for the server; presents (certificate, key) when given."""
    context = ssl.create_default_context(cafile=str(ca_certificate))
    if client_certificate is not None:
        context.load_cert_chain(*map(str, client_certificate))
    return context


@dataclass
class Browser:
    """One user's browser: one connection (reopened when the server closes it) and one cookie jar."""

    base_url: str
    context: ssl.SSLContext
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        url = urllib.parse.urlsplit(self.base_url)
        self._connection = http.client.HTTPSConnection(url.hostname, url.port, context=self.context,
                                                       timeout=TIMEOUT_SECONDS)

    def get(self, path: str) -> Page:
        return self._request("GET", path)

    def submit(self, page: Page, path: str, data: dict[str, str]) -> Page:
        """Post ``data`` and the CSRF token of ``page`` (the form's page) to ``path``."""
        form = {"csrf_token": page.field(CSRF, "CSRF token"), **data}
        return self._request("POST", path, urllib.parse.urlencode(form).encode(),
                             {"Content-Type": "application/x-www-form-urlencoded",
                              "Referer": self.base_url + page.path})

    def close(self) -> None:
        self._connection.close()

    def _request(self, method: str, path: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None) -> Page:
        for _ in range(MAX_REDIRECTS):
            sent = {**(headers or {})}
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            try:
                self._connection.request(method, path, body=body, headers=sent)
                response = self._connection.getresponse()
                text = response.read().decode("utf-8", errors="replace")
            except (OSError, http.client.HTTPException):
                self._connection.close()  # the next request starts on a new connection
                raise
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            if response.status not in (302, 303):
                return Page(response.status, path, text)
            location = urllib.parse.urlsplit(response.headers["Location"])
            path = location.path + (f"?{location.query}" if location.query else "")
            method, body, headers = "GET", None, None
        raise PageError(f"more than {MAX_REDIRECTS} redirects from {path}")

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
