"""Certificate rows: supersession on first use, idempotent endings, expiry, the CRL list, the quota count.

Rows are recorded with the real service function; their PEM is irrelevant here (the signing
activity's tests cover real certificates).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from domain.certificate_login import CertificateLoginProblem, certificate_login_problem
from domain.certificates import CrlReason, IssuanceRefusal
from domain.roles import CertificateStatus, UserStatus
from domain.validity import calendar_for
from pki.ocsp import database_lookup
from store import certificates as certificate_store
from store.db import make_engine, make_session_factory
from store.migrate import alembic_config
from store.models import AuditEntry, Certificate, User
from store.schema import metadata
from tests.fixtures.users import registered_master

T0 = datetime(2027, 3, 1, 1, 0, tzinfo=timezone.utc)
WINDOW = calendar_for(T0).renewal_opens_at


def record(session, owner: User, issued_at: datetime, *, request_id: str | None = None,  # noqa: ANN001
           pending: bool = False) -> Certificate:
    calendar = calendar_for(issued_at)
    return certificate_store.record_issued(session=session, user=owner, new=certificate_store.NewCertificate(
        request_id=request_id or str(uuid.uuid4()), serial=secrets.token_hex(19), certificate_pem="(pem)",
        fingerprint_sha256=secrets.token_hex(32), not_before=calendar.issued_at, not_after=calendar.not_after),
        pending=pending)


@pytest.fixture
def owner(session_factory, organization) -> uuid.UUID:  # noqa: ANN001
    return organization.master_uuid


def test_first_use_of_the_renewal_supersedes_the_old_one_once(session_factory, owner):
    with session_factory.begin() as session:
        user = session.get(User, owner)
        old, new = record(session, user, T0), record(session, user, WINDOW + timedelta(hours=1))
        assert certificate_store.renewed_by_others(session=session, certificate=new, now=WINDOW + timedelta(hours=2)) \
            == [old.serial]
        assert certificate_store.has_newer_live(session=session, certificate=old, now=WINDOW + timedelta(hours=2))
        assert not certificate_store.has_newer_live(session=session, certificate=new, now=WINDOW + timedelta(hours=2))
    used_at = WINDOW + timedelta(days=2)
    with session_factory.begin() as session:
        new_row = certificate_store.get_by_serial(session=session, serial=new.serial)
        assert certificate_store.record_first_use(session=session, certificate=new_row, now=used_at) == [old.serial]
    with session_factory.begin() as session:
        new_row = certificate_store.get_by_serial(session=session, serial=new.serial)
        assert certificate_store.record_first_use(session=session, certificate=new_row, now=used_at) == []
        old_row = certificate_store.get_by_serial(session=session, serial=old.serial)
        assert old_row.status is CertificateStatus.SUPERSEDED
        assert old_row.revocation_reason == CrlReason.SUPERSEDED.value
        assert old_row.revoked_at == used_at
        assert [row.serial for row in certificate_store.live_certificates(session=session, user_uuid=owner,
                                                                          now=used_at)] == [new.serial]


def test_first_use_of_the_old_one_supersedes_nothing(session_factory, owner):
    with session_factory.begin() as session:
        user = session.get(User, owner)
        old, _new = record(session, user, T0), record(session, user, WINDOW)
        assert certificate_store.record_first_use(session=session, certificate=old, now=WINDOW) == []


def test_endings_are_idempotent_and_never_overwrite(session_factory, owner):
    with session_factory.begin() as session:
        row = record(session, session.get(User, owner), T0)
        at = T0 + timedelta(days=3)
        assert certificate_store.end_certificate(session=session, certificate=row, status=CertificateStatus.REVOKED,
                                                 reason=CrlReason.KEY_COMPROMISE, at=at)
        assert not certificate_store.end_certificate(session=session, certificate=row,
                                                     status=CertificateStatus.SUPERSEDED,
                                                     reason=CrlReason.SUPERSEDED, at=at + timedelta(days=1))
        assert not certificate_store.mark_expired(session=session, certificate=row)
        assert row.status is CertificateStatus.REVOKED and row.revocation_reason == "keyCompromise"
        with pytest.raises(ValueError):
            certificate_store.end_certificate(session=session, certificate=row, status=CertificateStatus.EXPIRED,
                                              reason=CrlReason.UNSPECIFIED, at=at)
        fresh = record(session, session.get(User, owner), T0 + timedelta(days=400))
        assert certificate_store.mark_expired(session=session, certificate=fresh)
        assert not certificate_store.mark_expired(session=session, certificate=fresh)


def test_crl_rows_list_revoked_and_superseded_until_their_expiry(session_factory, owner):
    with session_factory.begin() as session:
        user = session.get(User, owner)
        revoked, superseded, active = record(session, user, T0), record(session, user, T0), record(session, user, T0)
        certificate_store.end_certificate(session=session, certificate=revoked, status=CertificateStatus.REVOKED,
                                          reason=CrlReason.CESSATION_OF_OPERATION, at=T0 + timedelta(days=1))
        certificate_store.end_certificate(session=session, certificate=superseded,
                                          status=CertificateStatus.SUPERSEDED, reason=CrlReason.SUPERSEDED,
                                          at=T0 + timedelta(days=2))
    with session_factory() as session:
        rows = certificate_store.crl_rows(session=session, now=T0 + timedelta(days=3))
        assert [(row.serial, row.reason) for row in rows] == [
            (revoked.serial, CrlReason.CESSATION_OF_OPERATION), (superseded.serial, CrlReason.SUPERSEDED)]
        assert rows[0].revoked_at == T0 + timedelta(days=1)
        assert active.serial not in {row.serial for row in rows}
        assert certificate_store.crl_rows(session=session, now=calendar_for(T0).expires_at) == []


def test_quota_counts_holders_of_live_certificates(session_factory, owner, organization):
    with session_factory.begin() as session:
        user = session.get(User, owner)
        record(session, user, T0)
        record(session, user, WINDOW)  # the renewal overlap is still one holder
        count = certificate_store.organization_holders(session=session, organization_id=organization.organization_id,
                                                       now=WINDOW + timedelta(hours=1))
        assert count == 1
        assert certificate_store.organization_holders(
            session=session, organization_id=organization.organization_id,
            now=calendar_for(WINDOW).expires_at) == 0  # both past notAfter, statuses not mirrored yet


def test_one_certificate_per_request_id(session_factory, owner):
    request_id = str(uuid.uuid4())
    with session_factory.begin() as session:
        record(session, session.get(User, owner), T0, request_id=request_id)
    with pytest.raises(IntegrityError):
        with session_factory.begin() as session:
            record(session, session.get(User, owner), T0, request_id=request_id)


# --- the issuance saga (issue 11): pending delivery, delivered, voided ------------------------


def test_a_pending_certificate_works_nowhere_but_counts_for_the_rules(session_factory, owner, organization):
    now = T0 + timedelta(minutes=1)
    with session_factory.begin() as session:
        user = session.get(User, owner)
        pending = record(session, user, T0, pending=True)
        assert (pending.status, pending.delivered_at) == (CertificateStatus.PENDING_DELIVERY, None)
        assert certificate_store.live_certificates(session=session, user_uuid=owner, now=now) == []
        assert certificate_store.organization_holders(session=session, organization_id=organization.organization_id,
                                                      now=now) == 1
        assert certificate_store.refusal_for(session=session, user=user, now=now) is IssuanceRefusal.ISSUANCE_PENDING
        # The revocation paths of live certificates leave it alone: only the issuance voids it.
        assert not certificate_store.end_certificate(session=session, certificate=pending,
                                                     status=CertificateStatus.REVOKED,
                                                     reason=CrlReason.KEY_COMPROMISE, at=now)
        assert not certificate_store.mark_expired(session=session, certificate=pending)
        assert certificate_store.crl_rows(session=session, now=now) == []
        assert pending.status is CertificateStatus.PENDING_DELIVERY
        assert certificate_login_problem(status=pending.status, not_before=T0, owner_status=UserStatus.ACTIVE,
                                         now=now) is CertificateLoginProblem.UNKNOWN
        assert database_lookup(session)(int(pending.serial, 16)) is None  # OCSP: unknown, never "good"


def test_delivery_makes_it_active_once(session_factory, owner):
    delivered_at = T0 + timedelta(seconds=2)
    with session_factory.begin() as session:
        row = record(session, session.get(User, owner), T0, pending=True)
        assert certificate_store.record_delivery(session=session, certificate=row, at=delivered_at)
        assert not certificate_store.record_delivery(session=session, certificate=row, at=delivered_at)
        assert row.status is CertificateStatus.ACTIVE and row.delivered_at == delivered_at
        assert not certificate_store.void_undelivered(session=session, certificate=row, at=delivered_at)
        assert [held.serial for held in certificate_store.live_certificates(
            session=session, user_uuid=owner, now=delivered_at)] == [row.serial]
        assert not certificate_store.latest_issuance_voided(session=session, user_uuid=owner)


def test_a_certificate_whose_owner_was_deleted_meanwhile_is_not_delivered(session_factory, owner):
    with session_factory.begin() as session:
        user = session.get(User, owner)
        row = record(session, user, T0, pending=True)
        user.status = UserStatus.DELETED
        with pytest.raises(certificate_store.NotDeliverable):
            certificate_store.record_delivery(session=session, certificate=row, at=T0)
        assert row.status is CertificateStatus.PENDING_DELIVERY  # the issuance voids it next


def test_an_undelivered_certificate_is_voided_once_listed_on_the_crl_and_never_delivered_after(
        session_factory, owner, organization):
    voided_at = T0 + timedelta(minutes=2)
    with session_factory.begin() as session:
        user = session.get(User, owner)
        row = record(session, user, T0, pending=True)
        assert certificate_store.void_undelivered(session=session, certificate=row, at=voided_at)
        assert not certificate_store.void_undelivered(session=session, certificate=row, at=voided_at)
        with pytest.raises(certificate_store.NotDeliverable):
            certificate_store.record_delivery(session=session, certificate=row, at=voided_at)
        assert (row.status, row.revocation_reason, row.delivered_at) == (
            CertificateStatus.REVOKED, CrlReason.CESSATION_OF_OPERATION.value, None)
        assert [(entry.serial, entry.reason) for entry in certificate_store.crl_rows(session=session, now=voided_at)] \
            == [(row.serial, CrlReason.CESSATION_OF_OPERATION)]
        # The user may issue again at once, and the issuance pages say the last one did not complete.
        assert certificate_store.refusal_for(session=session, user=user, now=voided_at) is None
        assert certificate_store.organization_holders(session=session, organization_id=organization.organization_id,
                                                      now=voided_at) == 0
        assert certificate_store.latest_issuance_voided(session=session, user_uuid=owner)
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == row.serial)
                                  .order_by(AuditEntry.id)).all()
        assert actions == ["certificate.issue", "certificate.void"]


def test_migration_0005_marks_existing_certificates_delivered(tmp_path):
    """Rows from before the saga were delivered at their issue; the model and the migration agree."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "head")
    master = registered_master(url)  # through today's models, then back to revision 0004's columns
    command.downgrade(alembic_config(url), "0004")
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            users = User.__table__  # one column that revision 0004 has: today's model has more
            owner = uuid.UUID(master.uuid)
            organization_id = session.scalar(select(users.c.organization_id).where(users.c.uuid == owner))
            session.execute(insert(Certificate.__table__).values(  # the columns of revision 0004 only
                serial="ab12", owner_uuid=owner, organization_id=organization_id, status="active",
                not_before=T0, not_after=T0 + timedelta(days=366), fingerprint_sha256="f" * 64, issued_at=T0))
        command.upgrade(alembic_config(url), "head")
        with make_session_factory(engine)() as session:
            row = certificate_store.get_by_serial(session=session, serial="ab12")
            assert row.delivered_at == T0
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
        assert differences == []  # back at head after a downgrade: the schema is the models' again
    finally:
        engine.dispose()
