"""Revocations without a written request (issue 5 §1, §4): the master user revokes a general user's
certificate, deleting a general user revokes theirs, and an administrator revokes any certificate
in an emergency.

Each function changes the database only (the revocation takes effect at the certificate's next
request) and returns what was revoked. After the commit the caller ends the lifecycles, which
regenerate the CRL, and sends the e-mails: ``contract.revocation_client.announce_revoked``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from domain.certificates import CrlReason
from domain.revocation import CRL_REASONS, Party, Revocation, RevocationReason
from domain.revocation_rules import (
    CertificateOwner,
    RevocationRefusal,
    direct_revocation_refusal,
    emergency_refusal,
)
from domain.roles import CertificateStatus, UserRole, UserStatus

from . import audit
from . import certificates as certificate_store
from . import users as user_store
from .errors import Refusal, ServiceError
from .models import Certificate, Staff, User
from .organizations import require_in_scope
from .revocation import RevocationRefused, audit_actor, owner_of, party_of_staff, party_of_user
from .revocation_models import RevocationNote
from .staff import scope_of

# A deleted user's certificate is simply no longer needed (RFC 5280 cessationOfOperation).
USER_DELETED_REASON = CrlReason.CESSATION_OF_OPERATION


def revoke_by_master(
    *, session: Session, master: User, user_uuid: str, reason: RevocationReason, now: datetime,
    client_address: str | None = None,
) -> list[Revocation]:
    """The master user revokes a general user's live certificate(s) (two during a renewal's overlap)."""
    user = user_store.get_by_uuid(session=session, user_uuid=user_uuid)
    if user is None or user.status is UserStatus.DELETED:
        raise ServiceError(Refusal.NOT_FOUND)
    actor = party_of_user(master)
    owner = CertificateOwner(str(user.uuid), user.role, user.organization.code)
    if (refusal := direct_revocation_refusal(actor, owner)) is not None:
        raise RevocationRefused(refusal)
    revoked = _revoke_live(session, user, reason=CRL_REASONS[reason], now=now, actor=actor,
                           client_address=client_address, master=master)
    if not revoked:
        raise RevocationRefused(RevocationRefusal.NOT_REVOCABLE)
    return revoked


def delete_general_user(
    *, session: Session, master: User, user_uuid: str, now: datetime, client_address: str | None = None,
) -> tuple[User, list[Revocation]]:
    """Delete a general user of the master's organization and revoke their live certificates.

    Use it instead of ``store.users.delete_general_user`` wherever a user is deleted (SPEC.md §2).
    """
    user = user_store.managed_general_user(session=session, master=master, user_uuid=user_uuid)
    revoked = _revoke_live(session, user, reason=USER_DELETED_REASON, now=now, actor=party_of_user(master),
                           client_address=client_address, master=master)
    actor = audit_actor(party_of_user(master), client_address)
    return user_store.delete_general_user(session=session, master=master, user_uuid=user_uuid, actor=actor), revoked


def revoke_in_emergency(
    *, session: Session, staff: Staff, serial: str, reason: RevocationReason, note: str, now: datetime,
    client_address: str | None = None,
) -> Revocation:
    """An administrator revokes any certificate of their 労金 (the 連合会's: of any) at once; the note (why)
    is kept with it, the audit log records who, when, the reason code and the note's ID."""
    actor = party_of_staff(staff)
    if (refusal := emergency_refusal(actor, note)) is not None:
        raise RevocationRefused(refusal)
    certificate = certificate_store.get_by_serial(session=session, serial=serial)
    if certificate is None:
        raise ServiceError(Refusal.NOT_FOUND)
    require_in_scope(certificate.owner.organization, scope_of(staff))  # another 労金's: as if unknown
    if not certificate_store.held(certificate).is_live(now):
        raise RevocationRefused(RevocationRefusal.NOT_REVOCABLE)
    saved = RevocationNote(certificate_id=certificate.id, author_staff_uuid=uuid.UUID(actor.uuid), text=note.strip())
    session.add(saved)
    session.flush()
    revocation = _revoke(session, certificate, reason=CRL_REASONS[reason], now=now,
                         who=audit_actor(actor, client_address), master_uuid=_master_uuid(session, certificate))
    assert revocation is not None  # live, checked above
    audit.record(
        session=session, actor=audit_actor(actor, client_address), action="certificate.emergency_revoke",
        target_kind="certificate", target_id=serial, detail=f"reason={reason.value} note={saved.id}")
    return revocation


def _revoke_live(session: Session, user: User, *, reason: CrlReason, now: datetime, actor: Party,
                 client_address: str | None, master: User) -> list[Revocation]:
    who = audit_actor(actor, client_address)
    revoked = [_revoke(session, row, reason=reason, now=now, who=who, master_uuid=str(master.uuid))
               for row in certificate_store.live_certificates(session=session, user_uuid=user.uuid, now=now)]
    return [revocation for revocation in revoked if revocation is not None]


def _revoke(session: Session, certificate: Certificate, *, reason: CrlReason, now: datetime, who: audit.Actor,
            master_uuid: str) -> Revocation | None:
    if not certificate_store.end_certificate(session=session, certificate=certificate,
                                             status=CertificateStatus.REVOKED, reason=reason, at=now, actor=who):
        return None
    owner = owner_of(certificate)
    return Revocation(certificate.serial, owner.uuid, owner.role, master_uuid, reason, now.astimezone(timezone.utc))


def _master_uuid(session: Session, certificate: Certificate) -> str:
    masters = [user for user in user_store.organization_users(session=session,
                                                                organization_id=certificate.organization_id)
               if user.role is UserRole.MASTER]
    return str(masters[0].uuid) if masters else ""
