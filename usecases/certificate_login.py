"""ログイン with a client certificate (the TLS handshake names the user), then the password.

The first login with a renewed certificate supersedes the older one: in the database at once (it
stops working at its next request), in its lifecycle as soon as Temporal hears it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from store import certificates as certificate_store
from store.models import Certificate, User

from .authentication import AttemptOrigin, authenticate_user
from .ports import TemporalPort, TemporalUnavailable
from .transaction import committed

log = logging.getLogger(__name__)


def log_in_with_certificate(session: Session, temporal: TemporalPort, *, owner: User, certificate: Certificate,
                            password: str, origin: AttemptOrigin, now: datetime) -> list[str]:
    """Authenticate the certificate's owner and record the certificate's first use; returns the
    serials it superseded. Raises as ``authentication.authenticate_user``."""
    user = authenticate_user(session, temporal, user_id=owner.user_id, password=password, origin=origin, now=now)
    if user.uuid != owner.uuid:  # the ID changed hands between the handshake and now: never
        raise RuntimeError("the certificate's owner changed during the login")
    return record_first_use(session, temporal, certificate=certificate, now=now)


def record_first_use(session: Session, temporal: TemporalPort, *, certificate: Certificate,
                     now: datetime) -> list[str]:
    with committed(session):
        superseded = certificate_store.record_first_use(session=session, certificate=certificate, now=now)
    if superseded:
        try:
            temporal.tell_superseded(superseded, by_serial=certificate.serial, at=now)
        except TemporalUnavailable as error:  # the lifecycle's own milestone check catches up later
            log.warning("supersession of %d certificate(s) not signalled: %s", len(superseded), error)
    return superseded
