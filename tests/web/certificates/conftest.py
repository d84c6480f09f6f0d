"""Certificate pages: the product's worker (tests/web/conftest.py) signs with the run's development CA,
which tests/web/conftest.py copies into the test's data directory."""

from __future__ import annotations

import pytest

from pki.devca import DevPki


@pytest.fixture
def client_ca(settings) -> DevPki:  # noqa: ANN001
    """The CA files in the test's data directory, as ``rokin dev`` keeps them."""
    return DevPki(settings.pki_dir)

