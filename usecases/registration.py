"""初期登録 (master and general): the user replaces the initial password with their own and sets
their e-mail address, after its first step (``authentication.authenticate_user`` with the initial
password, then ``store.users.check_pending_registration``)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy.orm import Session

from domain.certificates import IssuanceRefusal
from domain.notices import NoticeKind, NoticeRequest
from domain.roles import UserRole
from store import audit
from store import certificates as certificate_store
from store import users as user_store
from store.models import User

from .notices import notify
from .ports import TemporalPort
from .transaction import committed


def complete_registration(session: Session, temporal: TemporalPort, *, user: User, role: UserRole,
                          new_password: str, email: str, actor: audit.Actor) -> User:
    """Raises ``ServiceError`` (already registered, wrong page) or ``CredentialError`` (its field)."""
    with committed(session):
        user_store.check_pending_registration(user, role=role)
        user_store.complete_initial_registration(session=session, user=user, new_password=new_password,
                                                 email=email, actor=actor)
    notify(temporal, NoticeRequest(NoticeKind.REGISTRATION_COMPLETE, str(user.uuid)))
    return user


class NextStep(enum.Enum):
    ISSUE = "issue"  # ④ 電子証明書発行: the usual first 初期登録
    LOG_IN = "log_in"  # after a password reset the user still holds a valid certificate: log in with it


def next_step(session: Session, *, user: User, now: datetime) -> NextStep:
    """Where a user goes once 初期登録 is complete: ④ would refuse one who holds a valid certificate."""
    refusal = certificate_store.refusal_for(session=session, user=user, now=now)
    return NextStep.LOG_IN if refusal is IssuanceRefusal.HOLDS_VALID_CERTIFICATE else NextStep.ISSUE
