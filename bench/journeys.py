"""What a user does in the browser, as the benches time it (seed 001 ④–⑦, certificate login).

- ``authenticate_for_issuance``: ④ ユーザー認証 (ID + password); returns ⑤ 発行's page.
- ``press_issue``: ⑤ 発行 until ⑦ 発行結果 is in hand with the .p12 inside; returns the .p12 bytes.
- ``log_in``: a new mutual-TLS connection with the client certificate, the login page, the
  password, and the top screen showing the certificate.
- ``open_p12`` / ``login_identity``: a .p12 opened with the password; as the PEM files a TLS client presents.
"""

from __future__ import annotations

import base64
import re
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from .browser import Browser, Page, PageError
from .people import Person

TICKET = re.compile(r'id="ticket" name="ticket" type="hidden" value="([^"]+)"')
P12 = re.compile(r'id="p12-download"[^>]*href="data:application/x-pkcs12;base64,([^"]+)"')
TOP_SCREEN_SERIAL = re.compile(r'<dd id="my-certificate-serial" class="serial">([0-9a-f]+)</dd>')


@dataclass(frozen=True)
class Ready:
    """⑤ 発行's page for this person, and the cookies of the session it belongs to.

    One browser (one connection) can hold several people at ⑤: each has its own cookie jar, as
    if each had their own browser profile, and the ticket is good for five minutes.
    """

    person: Person
    page: Page
    cookies: dict[str, str]


def authenticate_for_issuance(browser: Browser, person: Person) -> Ready:
    browser.cookies = {}
    form = browser.get("/certificate/issue")
    confirm = browser.submit(form, "/certificate/issue", {"user_id": person.user_id, "password": person.password})
    confirm.field(TICKET, "issuance ticket (④ refused?)")
    return Ready(person, confirm, dict(browser.cookies))


def press_issue(browser: Browser, ready: Ready) -> bytes:
    """⑤ 発行 → ⑦ in ``ready``'s session: the .p12 as the page delivers it."""
    browser.cookies = dict(ready.cookies)
    done = browser.submit(ready.page, "/certificate/issue/run", {"ticket": ready.page.field(TICKET, "ticket")})
    if done.status != 200:
        raise PageError(f"発行 answered {done.status}: {done.gist()}")
    return base64.b64decode(done.field(P12, ".p12 download link"))


def open_p12(p12: bytes, password: str) -> tuple[PrivateKeyTypes, x509.Certificate]:
    """The key and certificate the user's password opens, as the user's browser would import them."""
    key, certificate, _ = pkcs12.load_key_and_certificates(p12, password.encode())
    if key is None or certificate is None:
        raise PageError("the .p12 holds no key or no certificate")
    return key, certificate


def login_identity(p12: bytes, password: str, directory: Path) -> tuple[Path, Path]:
    """The .p12's certificate and key as PEM files in ``directory`` (what a TLS client loads)."""
    key, certificate = open_p12(p12, password)
    directory.mkdir(parents=True, exist_ok=True)
    serial = format(certificate.serial_number, "x")
    certificate_path, key_path = directory / f"{serial}.pem", directory / f"{serial}.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return certificate_path, key_path


def log_in(base_url: str, context: ssl.SSLContext, password: str) -> str:
    """A certificate login from a fresh connection (full TLS handshake) to the top screen; its serial."""
    browser = Browser(base_url, context)
    try:
        form = browser.get("/login")
        top = browser.submit(form, "/login", {"password": password})
        return top.field(TOP_SCREEN_SERIAL, "certificate on the top screen (login refused?)")
    finally:
        browser.close()
