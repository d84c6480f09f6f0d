"""Typed SQLAlchemy 2.0 models. Alembic migrations under ``store/migrations`` create these tables."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Uuid,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from domain.banks import FEDERATION
from domain.lockout import LockoutStatus
from domain.roles import CertificateStatus, StaffRole, UserRole, UserStatus

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and always read back aware in UTC.

    PostgreSQL's timestamptz keeps the offset; SQLite keeps none and hands back naive values, which
    we always stored as UTC. One type for both, so no caller converts by hand. A naive value to store
    is refused: its time zone would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a time zone")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _enum(cls: type) -> Enum:
    # Stored as the value string with no database enum type, so new members need no migration.
    return Enum(cls, native_enum=False, create_constraint=False, length=20,
                values_callable=lambda members: [m.value for m in members])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Its 労金 and お取引店 (issue 16, ``store.branches``); None only for organizations registered before,
    # until assigned (``domain.banks.BRANCH_REQUIRED_FROM``).
    bank_code: Mapped[str | None] = mapped_column(String(4), index=True)
    branch_code: Mapped[str | None] = mapped_column(String(3))

    users: Mapped[list[User]] = relationship(back_populates="organization")


class LockoutReadModel:
    """The lockout workflow's state as last mirrored by its activity (``store.lockout``).

    Pages list 正常 / ロック中 / 閉塞 from these columns without asking each workflow; the
    workflow stays the only arbiter. ``lockout_as_of`` orders the writes, so a late retry of
    an older mirror never overwrites a newer one.
    """

    lockout_status: Mapped[LockoutStatus] = mapped_column(_enum(LockoutStatus), default=LockoutStatus.NORMAL)
    locked_until: Mapped[datetime | None]
    lock_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    lockout_as_of: Mapped[datetime | None]


class User(LockoutReadModel, Base):
    """An employer's user: the organization's one master user or one of its general users."""

    __tablename__ = "users"

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[str] = mapped_column(String(12), unique=True)  # the login ID, case-sensitive
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[UserRole] = mapped_column(_enum(UserRole))
    status: Mapped[UserStatus] = mapped_column(_enum(UserStatus), default=UserStatus.PENDING)
    email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(50), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    initial_password: Mapped[bool] = mapped_column(Boolean, default=True)
    previous_password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    registered_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    # Issue 13 (migration 0008): メールアドレス変更 waits for the one-time code sent to the new address
    # (only its argon2 hash is kept, with an expiry and a count of wrong entries); the address it
    # replaced is kept to tell it of the change.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    email_code_hash: Mapped[str | None] = mapped_column(String(200))
    email_code_expires_at: Mapped[datetime | None]
    email_code_failures: Mapped[int] = mapped_column(Integer, default=0)
    previous_email: Mapped[str | None] = mapped_column(String(254))

    organization: Mapped[Organization] = relationship(back_populates="users")
    certificates: Mapped[list[Certificate]] = relationship(back_populates="owner")

    @property
    def is_master(self) -> bool:
        return self.role is UserRole.MASTER


class Staff(LockoutReadModel, Base):
    """A Rokin staff account (administrator, 受付 receiver or 承認者 approver)."""

    __tablename__ = "staff"

    uuid: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    login: Mapped[str] = mapped_column(String(12), unique=True)
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole))
    password_hash: Mapped[str] = mapped_column(String(200))
    initial_password: Mapped[bool] = mapped_column(Boolean, default=True)
    previous_password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The 労金 this member works for, or the 連合会 (domain.banks.FEDERATION: sees every 労金); staff created
    # before issue 16 became the 連合会's, so nobody lost access.
    bank_code: Mapped[str] = mapped_column(String(4), default=FEDERATION.code)


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)  # lower-case hex
    owner_uuid: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.uuid"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[CertificateStatus] = mapped_column(_enum(CertificateStatus))
    not_before: Mapped[datetime]
    not_after: Mapped[datetime]
    fingerprint_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(String(30))  # domain.certificates.CrlReason
    # Issue 4 (migration 0003): the issuance that made it (idempotency key), the certificate
    # itself (public), and its first login, which supersedes the certificate it renewed.
    request_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    certificate_pem: Mapped[str] = mapped_column(Text, default="")
    first_used_at: Mapped[datetime | None]
    # Issue 11 (migration 0005): when the web confirmed it built the .p12 (the issuance saga). NULL
    # while PENDING_DELIVERY, and on a certificate revoked because it never was delivered.
    delivered_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship(back_populates="certificates")


class AuditEntry(Base):
    """Append-only: the ORM refuses updates and deletes, and database triggers do too."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(10))  # user / staff / cli / system
    actor_id: Mapped[str] = mapped_column(String(64))  # UUID or "cli"; never a name
    action: Mapped[str] = mapped_column(String(50))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str] = mapped_column(Text, default="")  # no personal data


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(mapper, connection, target) -> None:  # noqa: ANN001
    raise PermissionError("the audit log is append-only")
