"""Store fixtures: every test here runs on a fresh SQLite file and on PostgreSQL (``database_url``)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from store import audit
from store import organizations as org_store
from store import users as user_store

ACTOR = audit.Actor("cli", "cli", "192.0.2.1")


@dataclass(frozen=True)
class OrganizationFixture:
    code: str
    organization_id: int
    master_uuid: object
    master_user_id: str


@pytest.fixture
def make_active_organization(session_factory):  # noqa: ANN001, ANN201
    """An organization whose master user has finished 初期登録 (so it may manage general users)."""
    counter = iter(range(2000, 9000))

    def make() -> OrganizationFixture:
        with session_factory.begin() as session:
            created = org_store.create_organization(session=session, code=str(next(counter)), name="テスト労働組合",
                                                    email="master@example.jp", actor=ACTOR)
            user_store.complete_initial_registration(session=session, user=created.master,
                                                     new_password="Master2024x", email="master@example.jp",
                                                     actor=ACTOR)
            return OrganizationFixture(created.organization.code, created.organization.id,
                                       created.master.uuid, created.master.user_id)

    return make


@pytest.fixture
def organization(make_active_organization) -> OrganizationFixture:  # noqa: ANN001
    return make_active_organization()
