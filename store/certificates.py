"""Client certificates in the database: eligibility facts, recording, state changes, the CRL list.

The database is what login checks (phase 2): a revoked or superseded row stops a certificate at
the next request, whatever the lifecycle workflow or the CRL are doing. Every change here is
idempotent — activities are retried — and audited. Times are aware UTC both ways (``store.models.UtcDateTime``).

Issuance saga (issue 11): a certificate is recorded PENDING_DELIVERY, becomes ACTIVE when the web
confirms the delivery (``record_delivery``), or is revoked when it never does (``void_undelivered``).
Only ACTIVE rows work; pending ones count for the eligibility rules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from domain.certificates import (
    CrlReason,
    HeldCertificate,
    IssuanceRefusal,
    issuance_refusal,
    previous_issuance_voided,
)
from domain.roles import CertificateStatus, UserStatus

from . import audit
from . import sessions as login_sessions
from .lockout import lockout_view
from .models import Certificate, User

SYSTEM = audit.Actor("system", "certificate-lifecycle")
ENDING_STATUSES = frozenset({CertificateStatus.SUPERSEDED, CertificateStatus.REVOKED})
HOLDING_STATUSES = (CertificateStatus.ACTIVE, CertificateStatus.PENDING_DELIVERY)
UNDELIVERED_REASON = CrlReason.CESSATION_OF_OPERATION  # signed, never delivered: nobody holds its key


def get_by_serial(*, session: Session, serial: str) -> Certificate | None:
    return session.scalar(select(Certificate).where(Certificate.serial == serial))


def get_by_request(*, session: Session, request_id: str, lock: bool = False) -> Certificate | None:
    """``lock``: for deciding its delivery (the web's record against the deadline's void, issue 14): the
    row is locked until the transaction ends (PostgreSQL; SQLite's writing transaction holds the lock)."""
    query = select(Certificate).where(Certificate.request_id == request_id)
    return session.scalar(query.with_for_update() if lock else query)


def held(certificate: Certificate) -> HeldCertificate:
    return HeldCertificate(serial=certificate.serial, status=certificate.status,
                           not_before=certificate.not_before, delivered=certificate.delivered_at is not None)


def user_certificates(*, session: Session, user_uuid: uuid.UUID | str) -> list[Certificate]:
    """Every certificate of the user, newest first."""
    owner = uuid.UUID(str(user_uuid))
    return list(session.scalars(
        select(Certificate).where(Certificate.owner_uuid == owner).order_by(Certificate.not_before.desc())))


def live_certificates(*, session: Session, user_uuid: uuid.UUID | str, now: datetime) -> list[Certificate]:
    """The user's certificates that work at ``now`` (two during a renewal's overlap), newest first."""
    return [row for row in user_certificates(session=session, user_uuid=user_uuid) if held(row).is_live(now)]


def shown_on_user_list(*, session: Session, organization_id: int, now: datetime) -> dict[uuid.UUID, Certificate]:
    """The certificate each user of the master's user list shows, in one query for the organization:
    the newest live one, else the newest delivered one (expired, revoked or superseded). One never
    delivered (pending, or revoked by the issuance saga) was never the user's to hold: left out."""
    rows = session.scalars(
        select(Certificate)
        .options(load_only(Certificate.serial, Certificate.owner_uuid, Certificate.status, Certificate.not_before,
                           Certificate.not_after, Certificate.revoked_at, Certificate.delivered_at))
        .where(Certificate.organization_id == organization_id, Certificate.delivered_at.is_not(None))
        .order_by(Certificate.not_before.desc(), Certificate.id.desc()))
    shown: dict[uuid.UUID, Certificate] = {}
    for row in rows:
        chosen = shown.get(row.owner_uuid)
        if chosen is None or (not held(chosen).is_live(now) and held(row).is_live(now)):
            shown[row.owner_uuid] = row
    return shown


def organization_holders(*, session: Session, organization_id: int, now: datetime) -> int:
    """How many users of the organization hold a live or a pending certificate (the quota counts
    these: a pending one may be delivered any moment)."""
    rows = session.execute(select(Certificate.owner_uuid, Certificate.serial, Certificate.status,
                                  Certificate.not_before)
                           .where(Certificate.organization_id == organization_id,
                                  Certificate.status.in_(HOLDING_STATUSES))).all()
    return len({row.owner_uuid for row in rows
                if (certificate := HeldCertificate(row.serial, row.status, row.not_before)).is_pending
                or certificate.is_live(now)})


def latest_issuance_voided(*, session: Session, user_uuid: uuid.UUID | str) -> bool:
    """Whether the user's latest issuance did not complete: its certificate was revoked undelivered."""
    return previous_issuance_voided([held(row) for row in user_certificates(session=session, user_uuid=user_uuid)])


def refusal_for(*, session: Session, user: User | None, now: datetime) -> IssuanceRefusal | None:
    """``domain.certificates.issuance_refusal`` with the facts from the database.

    Race-free only with the organization locked (``store.organizations.lock_organization``).
    """
    if user is None:
        return IssuanceRefusal.USER_NOT_ACTIVE
    return issuance_refusal(
        user_active=user.status is UserStatus.ACTIVE,
        lockout=lockout_view(user, now).status,
        held=[held(row) for row in user_certificates(session=session, user_uuid=user.uuid)],
        organization_holders=organization_holders(session=session, organization_id=user.organization_id, now=now),
        now=now,
    )


@dataclass(frozen=True)
class NewCertificate:
    request_id: str
    serial: str
    certificate_pem: str
    fingerprint_sha256: str
    not_before: datetime
    not_after: datetime


def record_issued(*, session: Session, user: User, new: NewCertificate, pending: bool = False) -> Certificate:
    """The signed certificate: PENDING_DELIVERY (the issuance saga) or, without ``pending``, ACTIVE
    and delivered at once (issuances from before the saga, certificates restored by hand)."""
    row = Certificate(
        serial=new.serial, owner_uuid=user.uuid, organization_id=user.organization_id,
        status=CertificateStatus.PENDING_DELIVERY if pending else CertificateStatus.ACTIVE,
        not_before=new.not_before, not_after=new.not_after,
        fingerprint_sha256=new.fingerprint_sha256, issued_at=new.not_before, request_id=new.request_id,
        certificate_pem=new.certificate_pem, delivered_at=None if pending else new.not_before,
    )
    session.add(row)
    session.flush()
    detail = f"request={new.request_id}" + (" pending_delivery" if pending else "")
    audit.record(session=session, actor=audit.Actor("user", str(user.uuid)), action="certificate.issue",
                 target_kind="certificate", target_id=new.serial, detail=detail)
    return row


def record_delivery(*, session: Session, certificate: Certificate, at: datetime) -> bool:
    """PENDING_DELIVERY → ACTIVE: the web built the .p12. False if it was delivered already; raises
    ``NotDeliverable`` if it was revoked meanwhile (it must stay so), or if its owner was deleted
    since it was signed (deleting a user revokes their live certificates; this one was not yet)."""
    if certificate.status is CertificateStatus.PENDING_DELIVERY:
        if certificate.owner.status is not UserStatus.ACTIVE:
            raise NotDeliverable(certificate.status)
        certificate.status = CertificateStatus.ACTIVE
        certificate.delivered_at = at
        audit.record(session=session, actor=SYSTEM, action="certificate.deliver", target_kind="certificate",
                     target_id=certificate.serial, detail=f"request={certificate.request_id}")
        return True
    if certificate.status is CertificateStatus.ACTIVE and certificate.delivered_at is not None:
        return False
    raise NotDeliverable(certificate.status)


class NotDeliverable(Exception):
    """The certificate is no longer pending: it was revoked as undelivered, or it ended otherwise."""


def void_undelivered(*, session: Session, certificate: Certificate, at: datetime,
                     actor: audit.Actor = SYSTEM) -> bool:
    """PENDING_DELIVERY → REVOKED (cessationOfOperation), audited as ``certificate.void``, so the
    CRL lists it and the user may issue again. False if it was not pending (idempotent)."""
    if certificate.status is not CertificateStatus.PENDING_DELIVERY:
        return False
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = at
    certificate.revocation_reason = UNDELIVERED_REASON.value
    audit.record(session=session, actor=actor, action="certificate.void", target_kind="certificate",
                 target_id=certificate.serial, detail=f"reason={UNDELIVERED_REASON.value} not_delivered")
    return True


def renewed_by_others(*, session: Session, certificate: Certificate, now: datetime) -> list[str]:
    """Serials of the owner's other live certificates issued before this one: what it renews."""
    return [row.serial for row in live_certificates(session=session, user_uuid=certificate.owner_uuid, now=now)
            if row.id != certificate.id and row.not_before <= certificate.not_before]


def has_newer_live(*, session: Session, certificate: Certificate, now: datetime) -> bool:
    """Whether the owner holds a newer live certificate: this one has been renewed."""
    return any(row.id != certificate.id and row.not_before >= certificate.not_before
               for row in live_certificates(session=session, user_uuid=certificate.owner_uuid, now=now))


def mark_expired(*, session: Session, certificate: Certificate) -> bool:
    """ACTIVE → EXPIRED at the end of day 366; a revoked or superseded one keeps its status."""
    if certificate.status is not CertificateStatus.ACTIVE:
        return False
    certificate.status = CertificateStatus.EXPIRED
    audit.record(session=session, actor=SYSTEM, action="certificate.expire", target_kind="certificate",
                 target_id=certificate.serial)
    return True


def end_certificate(
    *, session: Session, certificate: Certificate, status: CertificateStatus, reason: CrlReason, at: datetime,
    actor: audit.Actor = SYSTEM,
) -> bool:
    """ACTIVE → SUPERSEDED or REVOKED with the CRL's date and reason; False if it had ended already."""
    if status not in ENDING_STATUSES:
        raise ValueError(f"not an ending status: {status}")
    if certificate.status is not CertificateStatus.ACTIVE:
        return False
    certificate.status = status
    certificate.revoked_at = at
    certificate.revocation_reason = reason.value
    action = "certificate.supersede" if status is CertificateStatus.SUPERSEDED else "certificate.revoke"
    audit.record(session=session, actor=actor, action=action, target_kind="certificate",
                 target_id=certificate.serial, detail=f"reason={reason.value}")
    # Every revocation path comes here: the sessions opened with this certificate end with it (issue 12).
    login_sessions.end_for_certificate(session=session, serial=certificate.serial,
                                       reason=login_sessions.EndReason.CERTIFICATE_ENDED, at=at)
    return True


def record_first_use(*, session: Session, certificate: Certificate, now: datetime) -> list[str]:
    """The certificate logged in: on its first use the owner's older live ones are superseded.

    Returns the serials superseded now (signal their lifecycles: ``contract.certificate_client``).
    """
    if certificate.first_used_at is not None:
        return []
    certificate.first_used_at = now
    older = [row for row in live_certificates(session=session, user_uuid=certificate.owner_uuid, now=now)
             if row.id != certificate.id and row.not_before <= certificate.not_before]
    return [row.serial for row in older
            if end_certificate(session=session, certificate=row, status=CertificateStatus.SUPERSEDED,
                               reason=CrlReason.SUPERSEDED, at=now)]


@dataclass(frozen=True)
class RevocationRow:
    serial: str
    revoked_at: datetime
    reason: CrlReason


def crl_rows(*, session: Session, now: datetime) -> list[RevocationRow]:
    """Revoked and superseded certificates not yet past their notAfter (RFC 5280 lets expired ones go)."""
    rows = session.scalars(select(Certificate)
                           .where(Certificate.status.in_(ENDING_STATUSES))
                           .order_by(Certificate.revoked_at, Certificate.id))
    return [RevocationRow(row.serial, row.revoked_at or row.issued_at,
                          CrlReason(row.revocation_reason or CrlReason.UNSPECIFIED.value))
            for row in rows if row.not_after >= now]
