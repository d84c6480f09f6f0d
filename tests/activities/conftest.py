"""Certificate activity fixtures: the development CA in the test's data directory, active users."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from activities.certificates import CertificateActivities
from domain.roles import UserRole, UserStatus
from pki.ca import CaLoader
from pki.devca import DevPki, ensure_dev_pki
from store.models import Organization, User
from tests.fixtures.users import MadeUser, registered_master

CRL_URL = "https://rokin.example.jp/crl"


@pytest.fixture
def test_pki(tmp_path: Path) -> DevPki:
    return ensure_dev_pki(tmp_path / "pki")


@pytest.fixture
def certificate_activities(session_factory, test_pki: DevPki) -> CertificateActivities:  # noqa: ANN001
    return CertificateActivities(session_factory, CaLoader(test_pki.ca_certificate, test_pki.ca_key),
                                 crl_dir=test_pki.directory, crl_url=CRL_URL)


def add_active_general_users(session_factory, master: MadeUser, count: int) -> list[str]:  # noqa: ANN001
    """``count`` registered general users in the master's organization, written straight to the table:
    arranging more users than the 19-user quota allows is how the certificate quota gets tested."""
    made: list[str] = []
    with session_factory.begin() as session:
        organization_id = session.query(Organization.id).filter_by(code=master.organization_code).scalar()
        for index in range(count):
            user = User(user_id=f"g{uuid.uuid4().hex[:8]}{index}", organization_id=organization_id,
                        role=UserRole.GENERAL, status=UserStatus.ACTIVE, password_hash="unused")
            session.add(user)
            session.flush()
            made.append(str(user.uuid))
    return made


@pytest.fixture
def master(database_url: str) -> MadeUser:
    return registered_master(database_url)
