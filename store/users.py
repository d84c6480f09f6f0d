"""Employer users: general-user management by the master user, initial registration, passwords."""

from __future__ import annotations

import enum
import hmac
import secrets
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.contact import check_display_name, check_email
from domain.credentials import CredentialProblem, check_new_password, check_user_id, generate_credential
from domain.quotas import MAX_GENERAL_USERS
from domain.roles import UserRole, UserStatus

from . import audit
from .errors import CredentialError, Refusal, ServiceError
from .models import AuditEntry, User
from .organizations import lock_organization
from .passwords import burn_verification_time, hash_fingerprint, hash_password, verify_password


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


def password_fingerprint(user: User, *, key: bytes) -> str:
    """The keyed fingerprint of the user's stored hash (``passwords.hash_fingerprint``)."""
    return hash_fingerprint(user.password_hash, key)


def password_unchanged(user: User | None, fingerprint: str, *, key: bytes) -> bool:
    """Whether ``user`` is live and its stored hash is still the one ``fingerprint`` was taken of
    (changed, reset or deleted since: False). No argon2: the password was checked when it was taken."""
    if user is None or user.status is UserStatus.DELETED or not fingerprint:
        return False
    return hmac.compare_digest(hash_fingerprint(user.password_hash, key), fingerprint)


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
    holder = session.execute(select(User.organization_id, User.status).where(User.user_id == user_id)).first()
    if holder is not None:
        # A deleted ID stays reserved. Only one deleted in the master's own organization is said to be
        # so (``reserved``): of another organization's IDs the master learns no more than "taken".
        raise ServiceError(Refusal.USER_ID_TAKEN, reserved=holder.organization_id == master.organization_id
                           and holder.status is UserStatus.DELETED)
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


# --- after 初期登録: パスワード変更, パスワード初期化, メールアドレス変更 (issue 13) -------------------------

EMAIL_CODE_DIGITS = 6
EMAIL_CODE_LIFETIME = timedelta(minutes=30)
EMAIL_CODE_MAX_FAILURES = 5  # wrong entries before the code stops working: a new one must be sent
RESET_NOTICE_SHOWN = "user.password_reset_notice_shown"


class EmailChangeProblem(enum.Enum):
    SAME_AS_CURRENT = "same_as_current"
    NO_PENDING_CHANGE = "no_pending_change"  # nothing to confirm (never asked, confirmed or cancelled)
    CODE_NOT_SENT = "code_not_sent"  # the mail with the code has not been sent (yet)
    CODE_EXPIRED = "code_expired"
    CODE_WRONG = "code_wrong"
    CODE_EXHAUSTED = "code_exhausted"  # too many wrong entries: the code no longer works


class EmailChangeRefused(ServiceError):
    def __init__(self, problem: EmailChangeProblem) -> None:
        super().__init__(Refusal.INVALID_CREDENTIALS, problem=problem.value)
        self.problem = problem


def store_changed_password(*, session: Session, user: User, password_hash: str, actor: audit.Actor) -> None:
    """The new hash replaces the current one, which is kept as the previous one."""
    if user.status is not UserStatus.ACTIVE:
        raise ServiceError(Refusal.NOT_REGISTERED)
    user.previous_password_hash = user.password_hash
    user.password_hash = password_hash
    audit.record(session=session, actor=actor, action="user.password_change", target_kind="user",
                 target_id=user.uuid)


def reset_password(*, session: Session, user: User, actor: audit.Actor) -> tuple[str, int]:
    """パスワード初期化: a new one-time initial password (returned, never stored) and 初期登録 again.

    The certificate stays, but neither it nor the old password works until the user has done 初期登録
    (certificate login and issuance need an ACTIVE user). The lockout state is left alone: a locked or
    blocked ID stays so until it is released as usual. An unconfirmed メールアドレス変更 is dropped.
    Returns the password and the ID of the audit entry (the notice that shows it once refers to it)."""
    if user.status is UserStatus.DELETED:
        raise ServiceError(Refusal.NOT_FOUND)
    initial_password = generate_credential()
    user.previous_password_hash = user.password_hash
    user.password_hash = hash_password(initial_password)
    user.initial_password = True
    user.status = UserStatus.PENDING
    _drop_email_change(user)
    entry = audit.record(session=session, actor=actor, action="user.password_reset", target_kind="user",
                         target_id=user.uuid, detail=f"role={user.role.value}")
    session.flush()
    return initial_password, entry.id


def record_reset_notice_shown(*, session: Session, user: User, reset_entry_id: int, actor: audit.Actor) -> bool:
    """Record that the notice of one reset shows its initial password now; False if it was shown before."""
    detail = f"reset={reset_entry_id}"
    already = session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == RESET_NOTICE_SHOWN, AuditEntry.target_kind == "user",
        AuditEntry.target_id == str(user.uuid), AuditEntry.detail == detail).limit(1))
    if already is not None:
        return False
    audit.record(session=session, actor=actor, action=RESET_NOTICE_SHOWN, target_kind="user", target_id=user.uuid,
                 detail=detail)
    return True


def request_email_change(*, session: Session, user: User, new_email: str, actor: audit.Actor) -> None:
    """The new address waits for its code; the current one stays in use until then."""
    if user.status is not UserStatus.ACTIVE:
        raise ServiceError(Refusal.NOT_REGISTERED)
    if (problem := check_email(new_email)) is not None:
        raise CredentialError("email", problem)
    if new_email == user.email:
        raise EmailChangeRefused(EmailChangeProblem.SAME_AS_CURRENT)
    _drop_email_change(user)
    user.pending_email = new_email
    audit.record(session=session, actor=actor, action="user.email_change_request", target_kind="user",
                 target_id=user.uuid)


def issue_email_code(*, session: Session, user_uuid: str, now: datetime) -> tuple[str, str, datetime] | None:
    """A fresh code for the pending address (the mail activity sends it): the address, the code and
    when it expires; None when no change is pending. Any earlier code stops working."""
    user = get_by_uuid(session=session, user_uuid=user_uuid)
    if user is None or user.status is not UserStatus.ACTIVE or not user.pending_email:
        return None
    code = f"{secrets.randbelow(10 ** EMAIL_CODE_DIGITS):0{EMAIL_CODE_DIGITS}d}"
    expires_at = now + EMAIL_CODE_LIFETIME
    user.email_code_hash = hash_password(code)
    user.email_code_expires_at = expires_at
    user.email_code_failures = 0
    return user.pending_email, code, expires_at


def email_code_to_check(user: User, *, now: datetime) -> str:
    """The hash a typed code is checked against; raises ``EmailChangeRefused`` when none may be."""
    if not user.pending_email:
        raise EmailChangeRefused(EmailChangeProblem.NO_PENDING_CHANGE)
    if user.email_code_failures >= EMAIL_CODE_MAX_FAILURES:
        raise EmailChangeRefused(EmailChangeProblem.CODE_EXHAUSTED)
    if not user.email_code_hash or user.email_code_expires_at is None:
        raise EmailChangeRefused(EmailChangeProblem.CODE_NOT_SENT)
    if now >= user.email_code_expires_at:
        raise EmailChangeRefused(EmailChangeProblem.CODE_EXPIRED)
    return user.email_code_hash


def record_wrong_email_code(*, session: Session, user: User, code_hash: str,
                            actor: audit.Actor) -> EmailChangeProblem:
    """One more wrong entry of the code ``code_hash`` (unless a new code replaced it meanwhile)."""
    if user.email_code_hash == code_hash:
        user.email_code_failures += 1
        audit.record(session=session, actor=actor, action="user.email_code_wrong",
                     target_kind="user", target_id=user.uuid, detail=f"failures={user.email_code_failures}")
    exhausted = user.email_code_failures >= EMAIL_CODE_MAX_FAILURES
    return EmailChangeProblem.CODE_EXHAUSTED if exhausted else EmailChangeProblem.CODE_WRONG


def confirm_email_change(*, session: Session, user: User, code_hash: str, actor: audit.Actor) -> None:
    """The code matched: the pending address becomes the address; the old one is kept to be told."""
    if user.email_code_hash != code_hash or not user.pending_email:  # replaced or confirmed meanwhile
        raise EmailChangeRefused(EmailChangeProblem.CODE_WRONG)
    user.previous_email = user.email
    user.email = user.pending_email
    _drop_email_change(user)
    audit.record(session=session, actor=actor, action="user.email_change", target_kind="user", target_id=user.uuid)


def cancel_email_change(*, session: Session, user: User, actor: audit.Actor) -> None:
    if user.pending_email:
        _drop_email_change(user)
        audit.record(session=session, actor=actor, action="user.email_change_cancel", target_kind="user",
                     target_id=user.uuid)


def code_matches(code_hash: str, code: str) -> bool:
    return verify_password(code_hash, code.strip())


def _drop_email_change(user: User) -> None:
    user.pending_email = None
    user.email_code_hash = None
    user.email_code_expires_at = None
    user.email_code_failures = 0
