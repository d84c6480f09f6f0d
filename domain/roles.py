"""Who is who, as plain enums stored by name in the database."""

import enum


class UserRole(enum.StrEnum):
    MASTER = "master"
    GENERAL = "general"


class UserStatus(enum.StrEnum):
    PENDING = "pending"  # created with an initial password, 初期登録 not done yet
    ACTIVE = "active"
    DELETED = "deleted"


class StaffRole(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    RECEIVER = "receiver"  # 受付
    APPROVER = "approver"  # 承認者


class CertificateStatus(enum.StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"
    EXPIRED = "expired"
