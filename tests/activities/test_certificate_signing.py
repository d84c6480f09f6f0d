"""The signing activity on its own: idempotent per request, eligibility and quota under concurrency.

Real SQLite and PostgreSQL (``database_url``), the real development CA, real threads racing.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from sqlalchemy import func, select
from temporalio.exceptions import ApplicationError

from activities.certificates import CertificateActivities
from domain.certificates import DeliveryRecord, IssuanceOutcome, IssuanceRefusal, SigningRequest
from domain.lockout import LockoutState, SubjectKind
from domain.quotas import MAX_CERTIFICATES_PER_ORGANIZATION
from domain.roles import CertificateStatus
from domain.validity import calendar_for
from pki.ca import CaLoader
from pki.csr import new_key_and_csr
from store import lockout as lockout_store
from store.db import make_engine, make_session_factory
from store.models import AuditEntry, Certificate
from tests.activities.conftest import CRL_URL, add_active_general_users
from tests.fixtures.users import pending_general_user
from tests.pki.conftest import openssl

CSR = new_key_and_csr("abc123").csr_pem  # the CA ignores the CSR's subject; one key is enough here


def request(user_uuid: str, *, request_id: str | None = None, at: datetime | None = None,
            pending: bool = False) -> SigningRequest:
    return SigningRequest(request_id or str(uuid.uuid4()), user_uuid, CSR, at or datetime.now(timezone.utc),
                          awaiting_delivery=pending)


def certificate_rows(session_factory, **where) -> int:  # noqa: ANN001
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Certificate).filter_by(**where))


def race(activities: CertificateActivities, requests: list[SigningRequest]) -> list[IssuanceOutcome]:
    """Every request in its own thread and event loop, released together."""
    start = threading.Barrier(len(requests))

    def sign(one: SigningRequest) -> IssuanceOutcome:
        start.wait()
        return asyncio.run(activities.sign_certificate(one))

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(sign, requests))


@pytest.fixture
def wide_activities(database_url, test_pki):  # noqa: ANN001, ANN201
    """Activities on a pool wide enough for every racing thread to hold a connection at once."""
    engine = make_engine(database_url, pool_size=25, max_overflow=0)
    yield CertificateActivities(make_session_factory(engine), CaLoader(test_pki.ca_certificate, test_pki.ca_key),
                                crl_dir=test_pki.directory, crl_url=CRL_URL)
    engine.dispose()


async def test_signing_again_for_the_same_request_returns_the_same_certificate(
    certificate_activities, session_factory, master, test_pki
):
    first_request = request(master.uuid)
    first = await certificate_activities.sign_certificate(first_request)
    again = await certificate_activities.sign_certificate(first_request)  # what a retried activity does
    assert first.refusal is None and first.certificate is not None
    assert again == first
    assert certificate_rows(session_factory, request_id=first_request.request_id) == 1
    assert certificate_rows(session_factory) == 1

    pem = first.certificate.certificate_pem
    certificate = x509.load_pem_x509_certificate(pem.encode())
    assert format(certificate.serial_number, "x") == first.certificate.serial
    assert first.certificate.not_after == calendar_for(first_request.requested_at).not_after
    assert first.certificate.organization_code == master.organization_code
    path = test_pki.directory / "issued.pem"
    path.write_text(pem)
    verified = openssl("verify", "-purpose", "sslclient", "-CAfile", str(test_pki.ca_certificate), str(path))
    assert verified.returncode == 0, verified.stderr


def test_racing_retries_of_one_request_make_one_certificate(wide_activities, session_factory, master):
    same = request(master.uuid)
    outcomes = race(wide_activities, [same] * 8)
    assert {outcome.certificate.serial for outcome in outcomes} == {outcomes[0].certificate.serial}
    assert certificate_rows(session_factory) == 1


# Issue 11: a certificate pending delivery counts like an active one, so a race cannot make two.
SAGA = pytest.mark.parametrize(("pending", "status", "held_refusal"), [
    (False, CertificateStatus.ACTIVE, IssuanceRefusal.HOLDS_VALID_CERTIFICATE),
    (True, CertificateStatus.PENDING_DELIVERY, IssuanceRefusal.ISSUANCE_PENDING),
], ids=["delivered at once", "pending delivery"])


@SAGA
def test_one_certificate_per_id_when_requests_race(wide_activities, session_factory, master, pending, status,
                                                   held_refusal):
    outcomes = race(wide_activities, [request(master.uuid, pending=pending) for _ in range(8)])
    counted = Counter(outcome.refusal or "issued" for outcome in outcomes)
    assert counted == {"issued": 1, held_refusal: 7}
    assert certificate_rows(session_factory, owner_uuid=uuid.UUID(master.uuid), status=status) == 1
    assert certificate_rows(session_factory) == 1


@SAGA
def test_organization_quota_of_20_holders_when_requests_race(wide_activities, session_factory, master, pending,
                                                             status, held_refusal):
    users = [master.uuid, *add_active_general_users(session_factory, master, MAX_CERTIFICATES_PER_ORGANIZATION)]
    outcomes = race(wide_activities, [request(user, pending=pending) for user in users])  # 21 users, 21 requests
    counted = Counter(outcome.refusal or "issued" for outcome in outcomes)
    assert counted == {"issued": MAX_CERTIFICATES_PER_ORGANIZATION, IssuanceRefusal.ORGANIZATION_QUOTA: 1}
    assert certificate_rows(session_factory, status=status) == MAX_CERTIFICATES_PER_ORGANIZATION


async def test_renewal_inside_the_window_then_no_third(certificate_activities, master):
    first = (await certificate_activities.sign_certificate(request(master.uuid))).certificate
    window = calendar_for(first.not_before).renewal_opens_at
    too_early = await certificate_activities.sign_certificate(request(master.uuid, at=window - timedelta(seconds=1)))
    assert too_early.refusal is IssuanceRefusal.HOLDS_VALID_CERTIFICATE
    renewal = (await certificate_activities.sign_certificate(request(master.uuid, at=window))).certificate
    assert renewal.renews == [first.serial]
    third = await certificate_activities.sign_certificate(request(master.uuid, at=window + timedelta(hours=1)))
    assert third.refusal is IssuanceRefusal.HOLDS_VALID_CERTIFICATE


async def test_refusals(certificate_activities, session_factory, master, database_url):
    pending = pending_general_user(database_url, master)
    assert (await certificate_activities.sign_certificate(request(pending.uuid))).refusal \
        is IssuanceRefusal.USER_NOT_ACTIVE
    assert (await certificate_activities.sign_certificate(request(str(uuid.uuid4())))).refusal \
        is IssuanceRefusal.USER_NOT_ACTIVE
    bad_csr = SigningRequest(str(uuid.uuid4()), master.uuid, CSR.replace("MII", "XII", 1), datetime.now(timezone.utc))
    assert (await certificate_activities.sign_certificate(bad_csr)).refusal is IssuanceRefusal.INVALID_CSR

    now = datetime.now(timezone.utc)
    for state, refusal in [(LockoutState(failures=6, locked_until=now + timedelta(minutes=60), lock_count=1),
                            IssuanceRefusal.ACCOUNT_LOCKED),
                           (LockoutState(failures=6, lock_count=3, blocked=True), IssuanceRefusal.ACCOUNT_BLOCKED)]:
        with session_factory.begin() as session:
            lockout_store.mirror_state(session=session, subject_kind=SubjectKind.MASTER, user_uuid=master.uuid,
                                       state=state, as_of=now)
        assert (await certificate_activities.sign_certificate(request(master.uuid))).refusal is refusal
        now += timedelta(seconds=1)
    assert certificate_rows(session_factory) == 0


async def test_a_request_id_belongs_to_one_user(certificate_activities, session_factory, master):
    other = add_active_general_users(session_factory, master, 1)[0]
    taken = request(master.uuid)
    await certificate_activities.sign_certificate(taken)
    with pytest.raises(ApplicationError) as raised:
        await certificate_activities.sign_certificate(request(other, request_id=taken.request_id))
    assert raised.value.non_retryable


async def test_void_revokes_what_was_recorded_and_the_crl_lists_it(certificate_activities, session_factory, master,
                                                                   test_pki):
    signed = await certificate_activities.sign_certificate(taken := request(master.uuid))
    assert await certificate_activities.void_issuance(taken.request_id) is True
    assert await certificate_activities.void_issuance(taken.request_id) is False  # idempotent
    assert await certificate_activities.void_issuance(str(uuid.uuid4())) is False  # nothing was recorded
    assert certificate_rows(session_factory, status=CertificateStatus.REVOKED) == 1
    text = openssl("crl", "-in", str(test_pki.directory / "crl.pem"), "-CAfile", str(test_pki.ca_certificate),
                   "-noout", "-text")
    assert text.returncode == 0 and "verify OK" in text.stdout + text.stderr
    assert format(int(signed.certificate.serial, 16), "X").zfill(40)[-30:] in text.stdout.replace("\n", "")
    assert "Cessation Of Operation" in text.stdout
    # The user may be issued a certificate again.
    assert (await certificate_activities.sign_certificate(request(master.uuid))).certificate is not None


async def test_a_pending_certificate_becomes_active_once_and_never_after_it_was_voided(
        certificate_activities, session_factory, master):
    taken = request(master.uuid, pending=True)
    serial = (await certificate_activities.sign_certificate(taken)).certificate.serial
    assert certificate_rows(session_factory, serial=serial, status=CertificateStatus.PENDING_DELIVERY) == 1
    delivered_at = datetime.now(timezone.utc)
    await certificate_activities.record_delivery(DeliveryRecord(taken.request_id, delivered_at))
    await certificate_activities.record_delivery(DeliveryRecord(taken.request_id, delivered_at))  # a retry
    assert certificate_rows(session_factory, serial=serial, status=CertificateStatus.ACTIVE) == 1

    voided = request(master.uuid, pending=True, at=datetime.now(timezone.utc) + timedelta(days=340))  # a renewal
    assert (await certificate_activities.sign_certificate(voided)).certificate is not None
    assert await certificate_activities.void_issuance(voided.request_id) is True
    with pytest.raises(ApplicationError) as raised:
        await certificate_activities.record_delivery(DeliveryRecord(voided.request_id, delivered_at))
    assert raised.value.type == "NotDeliverable" and raised.value.non_retryable
    with pytest.raises(ApplicationError) as raised:
        await certificate_activities.record_delivery(DeliveryRecord(str(uuid.uuid4()), delivered_at))
    assert raised.value.type == "CertificateNotFound"
    with session_factory() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_kind == "certificate")
                                  .order_by(AuditEntry.id)).all()
    assert actions == ["certificate.issue", "certificate.deliver", "certificate.issue", "certificate.void"]


async def test_voiding_a_pending_certificate_puts_it_on_the_crl_even_when_a_retry_finds_it_revoked(
        certificate_activities, session_factory, master, test_pki):
    taken = request(master.uuid, pending=True)
    serial = (await certificate_activities.sign_certificate(taken)).certificate.serial
    assert await certificate_activities.void_issuance(taken.request_id) is True
    (test_pki.directory / "crl.pem").unlink()  # as if that attempt died before publishing
    assert await certificate_activities.void_issuance(taken.request_id) is False  # revoked already...
    text = openssl("crl", "-in", str(test_pki.directory / "crl.pem"), "-noout", "-text")  # ...and published
    assert text.returncode == 0, text.stderr
    assert format(int(serial, 16), "X").zfill(40)[-30:] in text.stdout.replace("\n", "")
    assert "Cessation Of Operation" in text.stdout
    with session_factory() as session:
        row = session.scalars(select(Certificate).where(Certificate.serial == serial)).one()
    assert (row.status, row.delivered_at) == (CertificateStatus.REVOKED, None)
