"""Certificate rows: supersession on first use, idempotent endings, expiry, the CRL list, the quota count.

Rows are recorded with the real service function; their PEM is irrelevant here (the signing
activity's tests cover real certificates).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from domain.certificates import CrlReason
from domain.roles import CertificateStatus
from domain.validity import calendar_for
from store import certificates as certificate_store
from store.models import Certificate, User

T0 = datetime(2027, 3, 1, 1, 0, tzinfo=timezone.utc)
WINDOW = calendar_for(T0).renewal_opens_at


def record(session, owner: User, issued_at: datetime, *, request_id: str | None = None) -> Certificate:  # noqa: ANN001
    calendar = calendar_for(issued_at)
    return certificate_store.record_issued(session=session, user=owner, new=certificate_store.NewCertificate(
        request_id=request_id or str(uuid.uuid4()), serial=secrets.token_hex(19), certificate_pem="(pem)",
        fingerprint_sha256=secrets.token_hex(32), not_before=calendar.issued_at, not_after=calendar.not_after))


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
        assert certificate_store.utc(old_row.revoked_at) == used_at
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
