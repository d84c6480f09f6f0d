"""Client certificates: who may be issued one, and the plain data the workflows pass around.

Rules (SPEC.md §2 "Certificates", seed 001 ④, seed 003 Q4–Q5):
- one active certificate per user ID: issuance is refused while the user holds a valid
  certificate outside its renewal window (day 336 on). Inside the window a second one may be
  issued (renewal); the old one works until the new one is first used, then it is superseded;
- at most ``MAX_CERTIFICATES_PER_ORGANIZATION`` certificate holders per organization — a user
  renewing keeps their place;
- nothing while the ID is locked or blocked;
- issuance is a saga (SPEC.md §2): a signed certificate is PENDING_DELIVERY until the web confirms
  it built the .p12, and is revoked if that confirmation does not come within the delivery
  deadline. A pending certificate works nowhere, but it counts for the two rules above, so no
  race can give a user two; while it is pending the user is told to wait.

Nothing secret is in these dataclasses: a CSR and a certificate are public, serials and UUIDs
are opaque. The private key and the .p12 never leave the web process.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .lockout import LockoutStatus
from .quotas import MAX_CERTIFICATES_PER_ORGANIZATION
from .roles import CertificateStatus
from .validity import calendar_for

KEY_SIZE = 2048  # RSA, generated per issuance by the web
# How long a signed certificate waits for the web's confirmation that it built the .p12 before the
# issuance revokes it. Short: the web confirms within a second of signing, and until the deadline
# the user cannot issue again. The web may pass another value (``IssuanceRequest``).
DELIVERY_DEADLINE = timedelta(minutes=2)


class IssuanceRefusal(enum.StrEnum):
    USER_NOT_ACTIVE = "user_not_active"  # unknown, deleted, or 初期登録 not done
    ACCOUNT_LOCKED = "account_locked"
    ACCOUNT_BLOCKED = "account_blocked"
    HOLDS_VALID_CERTIFICATE = "holds_valid_certificate"  # and its renewal window is not open yet
    ORGANIZATION_QUOTA = "organization_quota"
    INVALID_CSR = "invalid_csr"  # not a self-signed RSA-2048 request: a bug in the caller
    ISSUANCE_PENDING = "issuance_pending"  # an earlier issuance awaits delivery: delivered or revoked soon
    BRANCH_REQUIRED = "branch_required"  # the organization has no お取引店 (domain.banks.branch_required)


class CrlReason(enum.StrEnum):
    """RFC 5280 CRLReason values we use; the value is the name cryptography's ``ReasonFlags`` uses."""

    UNSPECIFIED = "unspecified"  # 0
    KEY_COMPROMISE = "keyCompromise"  # 1
    AFFILIATION_CHANGED = "affiliationChanged"  # 3
    SUPERSEDED = "superseded"  # 4
    CESSATION_OF_OPERATION = "cessationOfOperation"  # 5


@dataclass(frozen=True)
class HeldCertificate:
    """One of the user's certificates, as the eligibility rule needs it."""

    serial: str
    status: CertificateStatus
    not_before: datetime
    delivered: bool = True  # False: signed, never confirmed delivered (pending, or revoked for it)

    def is_live(self, now: datetime) -> bool:
        """Active and not past its notAfter (the status of an expired one may not be mirrored yet)."""
        return self.status is CertificateStatus.ACTIVE and calendar_for(self.not_before).is_valid(now)

    @property
    def is_pending(self) -> bool:
        return self.status is CertificateStatus.PENDING_DELIVERY


def issuance_refusal(
    *,
    user_active: bool,
    lockout: LockoutStatus,
    held: Sequence[HeldCertificate],
    organization_holders: int,
    now: datetime,
) -> IssuanceRefusal | None:
    """Why the user may not be issued a certificate at ``now``, or None.

    ``organization_holders``: users of the organization, the requester included, who hold a
    live or a pending certificate.
    """
    if not user_active:
        return IssuanceRefusal.USER_NOT_ACTIVE
    if lockout is LockoutStatus.BLOCKED:
        return IssuanceRefusal.ACCOUNT_BLOCKED
    if lockout is LockoutStatus.LOCKED:
        return IssuanceRefusal.ACCOUNT_LOCKED
    if any(certificate.is_pending for certificate in held):
        return IssuanceRefusal.ISSUANCE_PENDING
    live = [certificate for certificate in held if certificate.is_live(now)]
    if any(not calendar_for(certificate.not_before).in_renewal_window(now) for certificate in live):
        return IssuanceRefusal.HOLDS_VALID_CERTIFICATE
    if not live and organization_holders >= MAX_CERTIFICATES_PER_ORGANIZATION:
        return IssuanceRefusal.ORGANIZATION_QUOTA
    return None


def previous_issuance_voided(held: Sequence[HeldCertificate]) -> bool:
    """Whether the user's newest certificate was revoked because it was never delivered: the
    issuance pages say that the previous issuance did not complete."""
    newest = max(held, key=lambda certificate: certificate.not_before, default=None)
    return newest is not None and newest.status is CertificateStatus.REVOKED and not newest.delivered


def friendly_name(user_id: str) -> str:
    """The name a certificate store shows for the imported .p12."""
    return f"ろうきん電子証明書 {user_id}"


# --- issuance workflow -------------------------------------------------------------------


@dataclass(frozen=True)
class IssuanceRequest:
    """What the web sends: the CSR (public) of a key it keeps in memory, and whose it is."""

    request_id: str  # a UUID the web makes per 発行 click; the workflow ID and the idempotency key
    user_uuid: str
    csr_pem: str
    delivery_deadline_seconds: int = int(DELIVERY_DEADLINE.total_seconds())  # after signing; then revoked
    # The organization's 労金, for the RokinBankCode search attribute set at the start ('' while it has
    # none). Only the starter reads it; recorded histories without it decode to ''.
    bank_code: str = ""


@dataclass(frozen=True)
class SigningRequest:
    request_id: str
    user_uuid: str
    csr_pem: str
    requested_at: datetime  # the workflow's clock: notBefore and the eligibility rules use it
    # Record it PENDING_DELIVERY (the issuance saga) rather than ACTIVE. False: issuances that
    # started before the saga existed, and callers that hold the key themselves (sample data).
    awaiting_delivery: bool = False


@dataclass(frozen=True)
class IssuedCertificate:
    serial: str  # lower-case hex
    certificate_pem: str
    user_uuid: str
    organization_code: str
    not_before: datetime
    not_after: datetime
    renews: list[str] = field(default_factory=list)  # serials of the certificates this one renews


class DeliveryState(enum.StrEnum):
    """Where a signed certificate stands in the issuance saga."""

    PENDING = "pending"  # signed; waiting for the web's confirmation that it built the .p12
    DELIVERED = "delivered"  # confirmed: ACTIVE, its lifecycle started
    VOIDED = "voided"  # no confirmation in time (or it could not be recorded): revoked


@dataclass(frozen=True)
class IssuanceOutcome:
    """Exactly one of ``certificate`` and ``refusal``."""

    certificate: IssuedCertificate | None = None
    refusal: IssuanceRefusal | None = None
    delivery: DeliveryState | None = None  # with a certificate; None from issuances before the saga


@dataclass(frozen=True)
class DeliveryConfirmation:
    """Update: the web built the .p12 of this certificate and is about to hand it over."""

    serial: str


@dataclass(frozen=True)
class DeliveryRecord:
    """Activity: mark the request's pending certificate delivered (ACTIVE) at ``at``."""

    request_id: str
    at: datetime


# --- certificate lifecycle workflow -------------------------------------------------------


class LifecycleState(enum.StrEnum):
    """The lifecycle's state, as the STATE search attribute shows it."""

    ACTIVE = "active"
    RENEWAL_WINDOW = "renewal_window"  # day 336 on, not renewed yet
    RENEWED = "renewed"  # a newer certificate exists; this one works until it is first used
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


def lifecycle_summary(serial: str) -> str:
    """The static summary operators read in the Temporal UI: no personal data."""
    return f"電子証明書（シリアル {serial}）のライフサイクル：発行・更新案内・有効期限"


class Milestone(enum.StrEnum):
    RENEWAL_OPENS = "renewal_opens"  # day 336
    REMINDER = "reminder"  # 7 days before expiry
    EXPIRY = "expiry"  # 00:00 JST after day 366


@dataclass(frozen=True)
class LifecycleInput:
    serial: str
    user_uuid: str
    organization_code: str
    issued_at: datetime  # the certificate's notBefore; every date follows from it
    resumed: bool = False  # restarted by the reconciliation: the 発行 e-mail went out long ago


@dataclass(frozen=True)
class MilestoneRequest:
    serial: str
    milestone: Milestone
    now: datetime


@dataclass(frozen=True)
class MilestoneReport:
    """The database's view at a milestone: revoked or superseded (a lost signal), or renewed."""

    status: CertificateStatus
    renewed: bool


@dataclass(frozen=True)
class Renewed:
    """Signal: a newer certificate was issued to the same user; reminders stop."""

    new_serial: str


@dataclass(frozen=True)
class Superseded:
    """Signal: the newer certificate was used to log in; this one no longer works."""

    by_serial: str
    at: datetime


@dataclass(frozen=True)
class Revoked:
    """Signal: revoked (database already updated by whoever revoked it)."""

    reason: CrlReason
    at: datetime


@dataclass(frozen=True)
class EndingRequest:
    """Mirror an early end to the database: SUPERSEDED or REVOKED, idempotently."""

    serial: str
    status: CertificateStatus
    reason: CrlReason
    at: datetime


@dataclass(frozen=True)
class CrlPublished:
    crl_number: int
    revoked_count: int
