"""Certificate pages: the product's worker (tests/web/conftest.py) signs with the run's development CA,
which tests/web/conftest.py copies into the test's data directory."""

from __future__ import annotations

import pytest

from pki.devca import DevPki
from store import audit
from store import users as user_store

from ..conftest import MASTER_PASSWORD
from ..pages import Account


@pytest.fixture
def client_ca(settings) -> DevPki:  # noqa: ANN001
    """The CA files in the test's data directory, as ``rokin dev`` keeps them."""
    return DevPki(settings.pki_dir)


@pytest.fixture
def registered(app, make_organization) -> Account:  # noqa: ANN001
    """A master user past 初期登録 (arranged through the store) who has no certificate yet."""
    code, user_id, _ = make_organization()
    with app.extensions["rokin"].session_factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        user_store.complete_initial_registration(session=session, user=user, new_password=MASTER_PASSWORD,
                                                 email="master@example.jp", actor=audit.Actor.cli())
    return Account(code, user_id, MASTER_PASSWORD)
