"""Shared fixtures: databases (SQLite file and PostgreSQL), the Flask app and its client.

Temporal, SMTP-sink and browser fixtures live in ``tests/fixtures`` and are loaded below.
"""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text

from core.config import Settings
from store import audit
from store import organizations as org_store
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from store.passwords import use_fast_hashing
from tests.fixtures.payload_keys import TEST_PAYLOAD_KEYS
from tests.fixtures.users import TEST_BRANCH, with_shipped_branches

pytest_plugins = ["tests.fixtures.temporal", "tests.fixtures.mail", "tests.fixtures.browser"]

POSTGRES_ADMIN_URL = os.environ.get("ROKIN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

use_fast_hashing()  # the argon2id hashes stay real, with a cheap cost profile
os.environ["ROKIN_PAYLOAD_KEYS"] = TEST_PAYLOAD_KEYS  # `rokin web`/`rokin worker` children share the fixtures' key


def postgres_reachable() -> bool:
    try:
        engine = make_engine(POSTGRES_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    return postgres_reachable()


def _fresh_database_url(kind: str, tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("db") / "rokin.db"
        yield f"sqlite:///{path}"
        return
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    name = f"rokin_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", POSTGRES_ADMIN_URL)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    """A migrated, empty database: once as a SQLite file, once on PostgreSQL."""
    for url in _fresh_database_url(request.param, tmp_path_factory):
        upgrade(url)
        yield url


@pytest.fixture
def sqlite_url(tmp_path_factory) -> Iterator[str]:  # noqa: ANN001
    for url in _fresh_database_url("sqlite", tmp_path_factory):
        upgrade(url)
        yield url


@pytest.fixture
def session_factory(database_url: str):  # noqa: ANN201
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def settings(tmp_path, sqlite_url: str) -> Settings:
    """Settings for one test: its own data directory and a SQLite database (web tests)."""
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    return replace(Settings.from_env({}), data_dir=data_dir, database_url=sqlite_url,
                   temporal_address="127.0.0.1:1",  # no Temporal unless a test provides one
                   payload_keys=TEST_PAYLOAD_KEYS)  # the key of the fixtures' Temporal clients


@pytest.fixture
def app(settings: Settings):  # noqa: ANN201
    from web import create_app

    app = create_app({"TESTING": True}, settings=settings)
    yield app


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()


@pytest.fixture
def app_session(app):  # noqa: ANN001, ANN201
    """A database session on the app's database, for arranging and checking state."""
    factory = app.extensions["rokin"].session_factory
    with factory() as session:
        yield session


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, path: str) -> str:  # noqa: ANN001
    """The CSRF token of the form at ``path``, as a browser would read it."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    match = CSRF_FIELD.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict, *, follow_redirects: bool = False):  # noqa: ANN001, ANN201
    """GET the form at ``path`` for its CSRF token, then POST ``data`` like the browser does."""
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data},
                       follow_redirects=follow_redirects)


@pytest.fixture
def make_organization(app):  # noqa: ANN001, ANN201
    """Register an organization like ``rokin admin create-org``; returns (code, master ID, initial password).
    At ``TEST_BRANCH`` of the shipped branch list unless ``branch`` is None (an organization registered
    before issue 16): from ``domain.banks.BRANCH_REQUIRED_FROM`` one without cannot issue."""
    factory = app.extensions["rokin"].session_factory
    counter = iter(range(1000, 10000))

    def make(code: str | None = None, email: str = "master@example.jp",
             branch: tuple[str, str] | None = TEST_BRANCH):  # noqa: ANN202
        bank_code, branch_code = with_shipped_branches(factory, branch)
        with factory.begin() as session:
            created = org_store.create_organization(
                session=session, code=code or str(next(counter)), name="テスト労働組合",
                email=email, actor=audit.Actor.cli(), bank_code=bank_code, branch_code=branch_code)
            return created.organization.code, created.master.user_id, created.initial_password

    return make


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001
    session.config._rokin_exitstatus = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config) -> None:  # noqa: ANN001
    """Leave with pytest's own status before interpreter shutdown.

    The Temporal SDK's native threads can abort a finished interpreter (sdk-python#300:
    "Fatal Python error: PyGILState_Release", exit 134), which would turn a green run red.
    """
    status = getattr(config, "_rokin_exitstatus", None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
