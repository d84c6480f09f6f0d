"""Employer users: general-user management by the master user, initial registration, passwords."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.contact import check_display_name, check_email
from domain.credentials import CredentialProblem, check_new_password, check_user_id, generate_credential
from domain.quotas import MAX_GENERAL_USERS
from domain.roles import UserRole, UserStatus

from . import audit
from .errors import CredentialError, Refusal, ServiceError
from .models import User
from .organizations import lock_organization
from .passwords import burn_verification_time, hash_password, verify_password


def get_by_user_id(*, session: Session, user_id: str) -> User | None:
    """The live (not deleted) user with this login ID; IDs are case-sensitive."""
    return session.scalar(
        select(User).where(User.user_id == user_id, User.status != UserStatus.DELETED)
    )


def get_by_uuid(*, session: Session, user_uuid: uuid.UUID | str) -> User | None:
    if isinstance(user_uuid, str):
        try:
            user_uuid = uuid.UUID(user_uuid)
        except ValueError:
            return None
    return session.get(User, user_uuid)


def password_matches(user: User | None, password: str) -> bool:
    """Check a password, spending the same time whether or not the ID exists."""
    if user is None or user.status is UserStatus.DELETED:
        burn_verification_time(password)
        return False
    return verify_password(user.password_hash, password)


def organization_users(*, session: Session, organization_id: int) -> list[User]:
    """The organization's live users, master first, then general users by ID."""
    return list(session.scalars(
        select(User)
        .where(User.organization_id == organization_id, User.status != UserStatus.DELETED)
        .order_by(User.role != UserRole.MASTER, User.user_id)
    ))


def count_general_users(*, session: Session, organization_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(
            User.organization_id == organization_id,
            User.role == UserRole.GENERAL,
            User.status != UserStatus.DELETED,
        )
    )


def create_general_user(
    *, session: Session, master: User, user_id: str, display_name: str, actor: audit.Actor
) -> tuple[User, str]:
    """The master user adds a general user; returns it with its one-time initial password.

    At most ``MAX_GENERAL_USERS`` live general users per organization, even when many
    requests race: the organization is locked before counting.
    """
    _require_master(master)
    if (problem := check_user_id(user_id)) is not None:
        raise CredentialError("user_id", problem)
    if (problem := check_display_name(display_name)) is not None:
        raise CredentialError("display_name", problem)
    initial_password = generate_credential()
    password_hash = hash_password(initial_password)  # slow: before the lock is taken

    lock_organization(session=session, organization_id=master.organization_id)
    if count_general_users(session=session, organization_id=master.organization_id) >= MAX_GENERAL_USERS:
        raise ServiceError(Refusal.GENERAL_USER_QUOTA, limit=MAX_GENERAL_USERS)
    if session.scalar(select(User.uuid).where(User.user_id == user_id)) is not None:
        raise ServiceError(Refusal.USER_ID_TAKEN)
    user = User(
        user_id=user_id,
        organization_id=master.organization_id,
        role=UserRole.GENERAL,
        status=UserStatus.PENDING,
        display_name=display_name.strip(),
        password_hash=password_hash,
        initial_password=True,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as error:  # the same ID created concurrently in another organization
        raise ServiceError(Refusal.USER_ID_TAKEN) from error
    audit.record(session=session, actor=actor, action="user.create",
                 target_kind="user", target_id=user.uuid, detail="role=general")
    return user, initial_password


def managed_general_user(*, session: Session, master: User, user_uuid: uuid.UUID | str) -> User:
    """A live general user of the master's own organization: the only users a master acts on."""
    _require_master(master)
    user = get_by_uuid(session=session, user_uuid=user_uuid)
    if user is None or user.status is UserStatus.DELETED:
        raise ServiceError(Refusal.NOT_FOUND)
    if user.organization_id != master.organization_id or user.role is not UserRole.GENERAL:
        raise ServiceError(Refusal.FORBIDDEN)
    return user


def delete_general_user(*, session: Session, master: User, user_uuid: str, actor: audit.Actor) -> User:
    """Mark a general user of the master's own organization deleted; its ID stays reserved."""
    user = managed_general_user(session=session, master=master, user_uuid=user_uuid)
    user.status = UserStatus.DELETED
    user.deleted_at = datetime.now(timezone.utc)
    audit.record(session=session, actor=actor, action="user.delete", target_kind="user", target_id=user.uuid)
    return user


def check_pending_registration(user: User | None, *, role: UserRole) -> None:
    """Whether ``user`` may use the 初期登録 page of ``role`` (after its password has matched)."""
    if user is None:
        raise ServiceError(Refusal.INVALID_CREDENTIALS)
    if user.role is not role:
        raise ServiceError(Refusal.WRONG_REGISTRATION_KIND)
    if user.status is not UserStatus.PENDING:
        raise ServiceError(Refusal.ALREADY_REGISTERED)


def complete_initial_registration(
    *, session: Session, user: User, new_password: str, email: str, actor: audit.Actor
) -> User:
    """初期登録: the user replaces the initial password with their own and sets their e-mail.

    The initial password stops working at once; it is kept only as the previous hash so the
    next change cannot reuse it.
    """
    if user.status is not UserStatus.PENDING:
        raise ServiceError(Refusal.ALREADY_REGISTERED)
    if (problem := check_new_password(new_password, user_id=user.user_id)) is not None:
        raise CredentialError("new_password", problem)
    if verify_password(user.password_hash, new_password):
        raise CredentialError("new_password", CredentialProblem.SAME_AS_PREVIOUS)
    if (problem := check_email(email)) is not None:
        raise CredentialError("email", problem)
    user.previous_password_hash = user.password_hash
    user.password_hash = hash_password(new_password)
    user.initial_password = False
    user.status = UserStatus.ACTIVE
    user.email = email
    user.registered_at = datetime.now(timezone.utc)
    audit.record(session=session, actor=actor, action="user.initial_registration",
                 target_kind="user", target_id=user.uuid)
    return user


def _require_master(user: User) -> None:
    if user.role is not UserRole.MASTER or user.status is not UserStatus.ACTIVE:
        raise ServiceError(Refusal.FORBIDDEN)
