"""The master user's user list: create and delete general users (deleting revokes their certificates)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from store import audit, revocation_direct
from store import sessions as session_store
from store import users as user_store
from store.models import User
from store.sessions import EndReason, Principal

from .ports import TemporalPort
from .revocation import announce
from .transaction import committed

log = logging.getLogger(__name__)


def create_general_user(session: Session, *, master: User, user_id: str, display_name: str,
                        actor: audit.Actor) -> tuple[User, str]:
    """The new user and its one-time initial password (shown once, never stored).

    Raises ``ServiceError`` (ID taken, quota, not a master) or ``CredentialError``.
    """
    with committed(session):
        created = user_store.create_general_user(session=session, master=master, user_id=user_id,
                                                 display_name=display_name, actor=actor)
    return created


def delete_general_user(session: Session, temporal: TemporalPort, *, master: User, user_uuid: str,
                        now: datetime, client_address: str | None) -> User:
    """Delete one of the master's general users; their live certificates are revoked (SPEC §2) and
    their sessions end (those opened with a revoked certificate already have, by the revocation).

    Raises ``ServiceError`` (NOT_FOUND, FORBIDDEN)."""
    with committed(session):
        user, revoked = revocation_direct.delete_general_user(session=session, master=master, user_uuid=user_uuid,
                                                              now=now, client_address=client_address)
        session_store.end_all(session=session, principal=Principal.user(user.uuid), reason=EndReason.DELETED, at=now)
    announce(temporal, revoked)
    return user
