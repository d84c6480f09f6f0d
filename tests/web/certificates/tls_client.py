"""A Python TLS client that logs in like a browser: its own client certificate and key, cookies,
the Referer Flask-WTF wants on HTTPS posts."""

from __future__ import annotations

import http.cookiejar
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Page:
    status: int
    url: str
    text: str


class TlsBrowser:
    def __init__(self, base_url: str, ca_certificate: Path, directory: Path,
                 certificate_pem: str | None = None, key: PrivateKeyTypes | None = None,
                 timeout: float = 30) -> None:
        self.base_url = base_url
        self.timeout = timeout
        context = ssl.create_default_context(cafile=str(ca_certificate))
        if certificate_pem is not None and key is not None:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "client.pem").write_text(certificate_pem)
            (directory / "client.key").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            context.load_cert_chain(directory / "client.pem", directory / "client.key")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict[str, str]) -> Page:
        token = CSRF.search(self.get(path).text)
        assert token, f"no form on {path}"
        body = urllib.parse.urlencode({"csrf_token": token.group(1), **data}).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body,
                                                 headers={"Referer": self.base_url + path}))

    def send(self, path: str, data: dict[str, str], *, referer: str) -> Page:
        """POST a form this browser holds already (its CSRF token included), from page ``referer``."""
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body,
                                                 headers={"Referer": self.base_url + referer}))

    def log_in(self, password: str) -> Page:
        return self.post("/login", {"password": password})

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.url, error.read().decode())
