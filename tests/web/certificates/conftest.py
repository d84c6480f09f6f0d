"""Certificate pages: the product's worker (tests/web/conftest.py) signs with the run's development CA."""

from __future__ import annotations

import shutil

import pytest

from pki.devca import DevPki


@pytest.fixture(autouse=True)
def client_ca(settings, session_dev_pki: DevPki) -> DevPki:  # noqa: ANN001
    """The CA in the test's data directory, as ``rokin dev`` keeps it (copied: key generation is slow)."""
    if not settings.pki_dir.exists():
        shutil.copytree(session_dev_pki.directory, settings.pki_dir)
    return DevPki(settings.pki_dir)
