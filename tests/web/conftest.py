"""The lockout arbiter behind every page test, and employer accounts arranged through the
real pages or the store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from core.config import Settings
from store import audit
from store import users as user_store
from store.models import User

from .arbiter import WorkerThread
from .pages import Account, register

MASTER_PASSWORD = "Master2024x"
GENERAL_PASSWORD = "Ippan2024x"


# --- every login asks a real lockout workflow --------------------------------------------
# One dev server for the run (``dev_server_env``), one worker thread for the run, and per
# test a fresh task queue, SMTP sink and worker bound to the test's own database.


@pytest.fixture(scope="session")
def worker_thread(dev_server_env) -> Iterator[WorkerThread]:  # noqa: ANN001
    host = WorkerThread(dev_server_env.client.service_client.config.target_host, dev_server_env.client.namespace)
    yield host
    host.close()


@pytest.fixture
def settings(settings: Settings, dev_server_env, task_queue: str, smtp_sink, session_dev_pki) -> Settings:  # noqa: ANN001
    """The root ``settings`` pointed at the dev server, a fresh task queue and the test's SMTP sink,
    with the run's development CA in the data directory (it signs the certificates users log in with)."""
    shutil.copytree(session_dev_pki.directory, settings.pki_dir, dirs_exist_ok=True)
    return replace(settings, temporal_address=dev_server_env.client.service_client.config.target_host,
                   temporal_namespace=dev_server_env.client.namespace, task_queue=task_queue,
                   smtp_host=smtp_sink.host, smtp_port=smtp_sink.port)


@pytest.fixture
def app(app, settings: Settings, worker_thread: WorkerThread):  # noqa: ANN001, ANN201
    """The root ``app``, with the product's worker polling its task queue for the whole test."""
    with worker_thread.worker(settings):
        yield app


@dataclass
class LoggedIn:
    account: Account
    client: FlaskClient


@pytest.fixture
def master(client, make_organization) -> Account:  # noqa: ANN001
    """A master user who has done 初期登録 through the pages; ``client`` is logged in as them
    (certificate login: ``pages.login``)."""
    code, user_id, initial_password = make_organization()
    register(client, "master", user_id, initial_password, MASTER_PASSWORD)
    return Account(code, user_id, MASTER_PASSWORD)


@pytest.fixture
def registered(app, make_organization) -> Account:  # noqa: ANN001
    """A master user past 初期登録 (arranged through the store) who has no certificate yet."""
    code, user_id, _ = make_organization()
    with app.extensions["rokin"].session_factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        user_store.complete_initial_registration(session=session, user=user, new_password=MASTER_PASSWORD,
                                                 email="master@example.jp", actor=audit.Actor.cli())
    return Account(code, user_id, MASTER_PASSWORD)


@pytest.fixture
def add_general_users(app):  # noqa: ANN001, ANN201
    """Create general users for a master straight through the store (fast arrangement)."""
    factory = app.extensions["rokin"].session_factory

    def add(master_user_id: str, *user_ids: str) -> dict[str, str]:
        created = {}
        with factory.begin() as session:
            master_user = user_store.get_by_user_id(session=session, user_id=master_user_id)
            for user_id in user_ids:
                _, password = user_store.create_general_user(
                    session=session, master=master_user, user_id=user_id, display_name="一般 花子",
                    actor=audit.Actor.cli())
                created[user_id] = password
        return created

    return add


@pytest.fixture
def find_user(app):  # noqa: ANN001, ANN201
    """The stored row of a login ID (deleted ones included), read in a fresh session."""
    factory = app.extensions["rokin"].session_factory

    def find(user_id: str) -> User | None:
        with factory() as session:
            return session.scalar(select(User).where(User.user_id == user_id))

    return find


@pytest.fixture
def general(app, master, add_general_users) -> LoggedIn:  # noqa: ANN001
    """A registered general user of ``master``'s organization, logged in on a client of its own."""
    initial = add_general_users(master.user_id, "ippan001")["ippan001"]
    client = app.test_client()
    register(client, "general", "ippan001", initial, GENERAL_PASSWORD)
    return LoggedIn(Account(master.organization_code, "ippan001", GENERAL_PASSWORD), client)


@pytest.fixture
def other_organization(app, make_organization, add_general_users):  # noqa: ANN001, ANN201
    """Another organization with an active master and one general user; returns their IDs."""
    _, other_master, _ = make_organization()
    with app.extensions["rokin"].session_factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=other_master)
        user_store.complete_initial_registration(session=session, user=user, new_password="Other2024x",
                                                 email="o@example.jp", actor=audit.Actor.cli())
    add_general_users(other_master, "yoso0001")
    return other_master, "yoso0001"
