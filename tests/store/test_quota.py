"""The 19-general-user quota holds when many requests race, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from domain.quotas import MAX_GENERAL_USERS
from domain.roles import UserRole
from store import audit
from store import users as user_store
from store.db import make_engine, make_session_factory
from store.errors import Refusal, ServiceError
from store.models import User

ATTEMPTS = 50


@pytest.fixture
def wide_session_factory(database_url: str):  # noqa: ANN201
    """A pool wide enough for every racing thread to hold its own connection at once."""
    engine = make_engine(database_url, pool_size=ATTEMPTS, max_overflow=0)
    yield make_session_factory(engine)
    engine.dispose()


def _race(session_factory, master_uuid, user_ids: list[str]) -> Counter:  # noqa: ANN001
    """Create ``user_ids`` concurrently, one thread and one transaction each; count the outcomes."""
    start = threading.Barrier(len(user_ids))

    def attempt(user_id: str) -> str:
        start.wait()
        try:
            with session_factory.begin() as session:
                master = session.get(User, master_uuid)
                user_store.create_general_user(session=session, master=master, user_id=user_id,
                                               display_name="一般 太郎", actor=audit.Actor.cli())
        except ServiceError as refusal:
            return refusal.refusal.value
        return "created"

    with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
        return Counter(pool.map(attempt, user_ids))


def _general_users(session_factory, organization_id: int) -> int:  # noqa: ANN001
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(User).where(
            User.organization_id == organization_id, User.role == UserRole.GENERAL))


def test_fifty_concurrent_creations_never_exceed_the_quota(wide_session_factory, organization):
    outcomes = _race(wide_session_factory, organization.master_uuid, [f"race{n:04d}" for n in range(ATTEMPTS)])
    assert outcomes == {"created": MAX_GENERAL_USERS, Refusal.GENERAL_USER_QUOTA.value: ATTEMPTS - MAX_GENERAL_USERS}
    assert _general_users(wide_session_factory, organization.organization_id) == MAX_GENERAL_USERS


def test_concurrent_creations_with_reused_ids(wide_session_factory, organization):
    """Ten IDs, five attempts each: every ID exists once, the rest are duplicate-ID refusals."""
    user_ids = [f"dupe{n % 10:04d}" for n in range(ATTEMPTS)]
    outcomes = _race(wide_session_factory, organization.master_uuid, user_ids)
    assert outcomes == {"created": 10, Refusal.USER_ID_TAKEN.value: ATTEMPTS - 10}
    assert _general_users(wide_session_factory, organization.organization_id) == 10


def test_the_quota_is_per_organization(wide_session_factory, make_active_organization):
    first, second = make_active_organization(), make_active_organization()
    _race(wide_session_factory, first.master_uuid, [f"one{n:04d}" for n in range(MAX_GENERAL_USERS)])
    outcomes = _race(wide_session_factory, second.master_uuid, [f"two{n:04d}" for n in range(5)])
    assert outcomes == {"created": 5}
