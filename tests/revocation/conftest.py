"""Revocation fixtures: an organization with certificates signed by the real signing activity, and staff."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from activities.certificates import CertificateActivities
from domain.certificates import SigningRequest
from domain.revocation import Party
from domain.roles import StaffRole
from pki.ca import CaLoader
from pki.csr import new_key_and_csr
from pki.devca import DevPki, ensure_dev_pki
from store import revocation as revocation_store
from store.models import Staff
from tests.fixtures.users import MadeUser, registered_master
from tests.workflows.lockout_support import registered_general, staff_account

CRL_URL = "http://localhost:8080/crl"
OCSP_URL = "http://localhost:8080/ocsp"
CSR = new_key_and_csr("abc123").csr_pem


@dataclass
class World:
    master: MadeUser
    general: MadeUser
    receiver: Party
    approver: Party
    second_approver: Party
    administrator: Party
    master_serial: str
    general_serial: str


async def sign(activities: CertificateActivities, user_uuid: str, at: datetime | None = None) -> str:
    """A certificate for the user through the real signing activity; its serial."""
    outcome = await activities.sign_certificate(
        SigningRequest(str(uuid.uuid4()), user_uuid, CSR, at or datetime.now(timezone.utc)))
    assert outcome.certificate is not None, outcome.refusal
    return outcome.certificate.serial


def staff_party(session_factory, staff_uuid: str) -> Party:  # noqa: ANN001
    with session_factory() as session:
        return revocation_store.party_of_staff(session.get(Staff, uuid.UUID(staff_uuid)))


@pytest.fixture
def revocation_pki(tmp_path: Path) -> DevPki:
    return ensure_dev_pki(tmp_path / "pki")


@pytest.fixture
def signing(session_factory, revocation_pki: DevPki) -> CertificateActivities:  # noqa: ANN001
    return CertificateActivities(session_factory, CaLoader(revocation_pki.ca_certificate, revocation_pki.ca_key),
                                 crl_dir=revocation_pki.directory, crl_url=CRL_URL, ocsp_url=OCSP_URL)


@pytest.fixture
async def world(database_url, session_factory, signing) -> World:  # noqa: ANN001
    master = registered_master(database_url)
    general = registered_general(database_url, master, user_id=f"ip{uuid.uuid4().hex[:6]}1")
    staff = {role: staff_party(session_factory, staff_account(database_url, role, login))
             for role, login in [(StaffRole.RECEIVER, "recv01"), (StaffRole.ADMINISTRATOR, "admin01")]}
    approvers = [staff_party(session_factory, staff_account(database_url, StaffRole.APPROVER, login))
                 for login in ("appr01", "appr02")]
    return World(master, general, staff[StaffRole.RECEIVER], approvers[0], approvers[1],
                 staff[StaffRole.ADMINISTRATOR], await sign(signing, master.uuid), await sign(signing, general.uuid))
