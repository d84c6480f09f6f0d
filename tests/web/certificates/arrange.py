"""Arranging certificate and lockout facts straight through the store (fast, and dated at will)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timezone

from domain.lockout import LockoutState, SubjectKind
from domain.validity import calendar_for
from store import certificates as certificate_store
from store import lockout as lockout_store
from store import users as user_store
from store.models import Certificate


def record_certificate(factory, user_id: str, issued_at: datetime, *, pending: bool = False) -> str:  # noqa: ANN001
    """A certificate row issued at ``issued_at`` (its PEM is irrelevant to the eligibility rules);
    with ``pending``, signed and awaiting the web's confirmation of its delivery."""
    calendar = calendar_for(issued_at)
    with factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        row = certificate_store.record_issued(session=session, user=user, new=certificate_store.NewCertificate(
            request_id=str(uuid.uuid4()), serial=secrets.token_hex(19), certificate_pem="(pem)",
            fingerprint_sha256=secrets.token_hex(32), not_before=calendar.issued_at, not_after=calendar.not_after),
            pending=pending)
        return row.serial


def void_certificate(factory, serial: str) -> None:  # noqa: ANN001
    """What the issuance does to a certificate whose delivery was never confirmed."""
    with factory.begin() as session:
        row = certificate_store.get_by_serial(session=session, serial=serial)
        assert certificate_store.void_undelivered(session=session, certificate=row, at=datetime.now(timezone.utc))


def mirror_lockout(factory, user_id: str, state: LockoutState) -> None:  # noqa: ANN001
    """The lockout read model as the workflow's activity would write it now."""
    with factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        kind = SubjectKind.MASTER if user.is_master else SubjectKind.GENERAL
        assert lockout_store.mirror_state(session=session, subject_kind=kind, user_uuid=str(user.uuid), state=state,
                                          as_of=datetime.now(timezone.utc))


def certificates_of(factory, user_id: str) -> list[Certificate]:  # noqa: ANN001
    with factory() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        return certificate_store.user_certificates(session=session, user_uuid=user.uuid)
