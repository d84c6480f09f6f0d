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
    # Signed, but the web has not yet confirmed it built the .p12: it works nowhere (login, OCSP),
    # yet counts for the one-per-user rule and the quota. ACTIVE once delivered, REVOKED if not in time.
    PENDING_DELIVERY = "pending_delivery"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"
    EXPIRED = "expired"
