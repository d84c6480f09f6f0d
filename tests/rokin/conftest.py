"""Helpers for the ``rokin`` command tests: run the real command, talk HTTPS to what it serves."""

from __future__ import annotations

import http.client
import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from pki.devca import DevPki, ensure_dev_pki

ROKIN = Path(sys.executable).parent / "rokin"  # the installed console script, as users run it
REPO = Path(__file__).resolve().parents[2]
# Variables that would point a child at somebody else's database, Temporal or mailbox.
_OURS = ("ROKIN_DATA_DIR", "DATABASE_URL", "ROKIN_DEV_MAILBOX", "TEMPORAL_ADDRESS", "SMTP_HOST", "SMTP_PORT",
         "ROKIN_PUBLIC_URL", "ROKIN_SECRET_KEY", "ROKIN_PKI_URL")


def rokin_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _OURS}
    return {**env, "ROKIN_DATA_DIR": str(data_dir), **extra}


def run_rokin(*arguments: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROKIN), *arguments], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, check=False)


def client_context(pki: DevPki, certificate: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
    """What a browser does: trust the dev CA for the server, optionally present a client certificate."""
    context = ssl.create_default_context(cafile=pki.ca_certificate)
    if certificate is not None:
        context.load_cert_chain(certificate, key)
    return context


def https_get(port: int, path: str, context: ssl.SSLContext, headers: dict | None = None,
              host: str = "localhost") -> tuple[int, str]:
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.fixture
def dev_pki(settings) -> DevPki:  # noqa: ANN001
    """The development PKI in the test's data directory (as the first ``rokin dev`` makes it)."""
    return ensure_dev_pki(settings.pki_dir)
