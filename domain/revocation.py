"""Revocation (SPEC.md §2 "Revocation", seed 003 Q10–11): reasons, written requests, their calendar.

- A general user's certificate: the master user of its organization revokes it directly.
- A master user's certificate: a written request (書面). It waits for the paper (AWAITING_PAPER),
  a Rokin receiver records its arrival (PAPER_RECEIVED), and an approver — neither the receiver
  nor whoever filed it — approves (the certificate is revoked) or rejects it with a comment.
- The paper must arrive within ``PAPER_DEADLINE_DAYS`` days, the filing date being day 1 (as the
  certificate's 366 days count the issue date): the request expires at 00:00 JST after day 30.
- Approvers are reminded of a received request still undecided after ``REMINDER_AFTER_BUSINESS_DAYS``
  whole business days (``domain.business_days``), at 09:00 JST, and again every as many business days.
- An open request whose certificate ends by another route (an administrator's emergency revocation,
  supersession by a renewal, expiry) closes by itself: CLOSED, 他の手続で失効済み.

Who may do what is in ``domain.revocation_rules``. Everything here is a pure function of its
arguments; the dataclasses are what the request workflow and its activities pass around —
UUIDs, codes and numbers only, never names, e-mail addresses or free text.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .business_days import add_business_days
from .certificates import CrlReason, LifecycleState
from .roles import StaffRole, UserRole
from .validity import TOKYO, start_of_day, tokyo_date

PAPER_DEADLINE_DAYS = 30
REMINDER_AFTER_BUSINESS_DAYS = 3
REMINDER_TIME = time(9, 0)  # JST: the start of the approvers' business day
NOTE_MAX_LENGTH = 500  # an approver's comment or an administrator's emergency note
REASON_DETAIL_MAX_LENGTH = 200  # その他: what the employer writes


class RevocationReason(enum.StrEnum):
    """The reasons offered (SPEC.md §2), each with its RFC 5280 CRLReason in ``CRL_REASONS``."""

    PC_CHANGE = "pc_change"  # パソコン変更
    DELETED = "deleted"  # 誤って削除
    NOT_IMPORTED = "not_imported"  # p12未インポート
    SUSPECTED_MISUSE = "suspected_misuse"  # 不正利用の疑い
    LEFT = "left"  # 退職・異動
    OTHER = "other"  # その他


REASON_LABELS: dict[RevocationReason, str] = {  # the request form, e-mails and the PDF say these
    RevocationReason.PC_CHANGE: "パソコン変更",
    RevocationReason.DELETED: "誤って削除",
    RevocationReason.NOT_IMPORTED: "p12未インポート",
    RevocationReason.SUSPECTED_MISUSE: "不正利用の疑い",
    RevocationReason.LEFT: "退職・異動",
    RevocationReason.OTHER: "その他",
}

CRL_REASONS: dict[RevocationReason, CrlReason] = {
    # A certificate for the new PC replaces it; nothing suggests the old key leaked.
    RevocationReason.PC_CHANGE: CrlReason.SUPERSEDED,
    # The key went with the deleted certificate; a reissue replaces it.
    RevocationReason.DELETED: CrlReason.SUPERSEDED,
    # Never put into use — the reason a voided issuance gets too (``activities.certificates``).
    RevocationReason.NOT_IMPORTED: CrlReason.CESSATION_OF_OPERATION,
    RevocationReason.SUSPECTED_MISUSE: CrlReason.KEY_COMPROMISE,
    RevocationReason.LEFT: CrlReason.AFFILIATION_CHANGED,
    # RFC 5280 §5.3.1: the CRL entry then carries no reason code at all.
    RevocationReason.OTHER: CrlReason.UNSPECIFIED,
}


class RequestState(enum.StrEnum):
    """A written request's state, as the database, the STATE search attribute and the inbox show it."""

    AWAITING_PAPER = "awaiting_paper"  # 書面到着待ち
    PAPER_RECEIVED = "paper_received"  # 書面受付済（承認待ち）
    APPROVED = "approved"  # 承認（電子証明書は失効済み）
    REJECTED = "rejected"  # 否認
    EXPIRED = "expired"  # 期限切れ（書面未着）
    WITHDRAWN = "withdrawn"  # 取下げ
    CLOSED = "closed"  # 他の手続で失効済み: the certificate ended otherwise (revoked, superseded, expired)


OPEN_STATES = frozenset({RequestState.AWAITING_PAPER, RequestState.PAPER_RECEIVED})

STATE_LABELS: dict[RequestState, str] = {
    RequestState.AWAITING_PAPER: "書面到着待ち",
    RequestState.PAPER_RECEIVED: "承認待ち",
    RequestState.APPROVED: "承認済み",
    RequestState.REJECTED: "否認",
    RequestState.EXPIRED: "期限切れ",
    RequestState.WITHDRAWN: "取下げ",
    RequestState.CLOSED: "他の手続で失効済み",
}

# How a certificate ended, as a CLOSED request's e-mail and pages say it (``CertificateStatus`` values).
CERTIFICATE_END_LABELS: dict[str, str] = {
    "revoked": "失効",
    "superseded": "更新による失効",
    "expired": "有効期限切れ",
}

# --- request numbers ------------------------------------------------------------------------

REQUEST_NUMBER = re.compile(r"R-(\d{4})-(\d{6,})")


def request_number(filed_at: datetime, sequence: int) -> str:
    """``R-<year of filing, JST>-<database sequence, 6 digits>``: readable over the phone, unique."""
    return f"R-{tokyo_date(filed_at).year}-{sequence:06d}"


def is_request_number(text: str) -> bool:
    return REQUEST_NUMBER.fullmatch(text) is not None


# --- the calendar ---------------------------------------------------------------------------


def paper_deadline(filed_at: datetime) -> datetime:
    """When a request whose paper has not arrived expires: 00:00 JST after day 30 (filing day = day 1)."""
    return start_of_day(tokyo_date(filed_at) + timedelta(days=PAPER_DEADLINE_DAYS))


def paper_last_day(deadline: datetime) -> date:
    """The last day the paper may arrive (必着), as the form, the pages and the e-mails say it: the
    deadline (``paper_deadline``) is 00:00 JST after it."""
    return tokyo_date(deadline) - timedelta(days=1)


def reminder_at(received_at: datetime, reminders_sent: int = 0) -> datetime:
    """When approvers get reminder number ``reminders_sent + 1`` about a request received at ``received_at``.

    The first once 3 whole business days after the receipt date have passed (received on a Friday:
    Monday, Tuesday and Wednesday), at 09:00 JST of the next business day; then every 3 business days.
    """
    day = add_business_days(tokyo_date(received_at), REMINDER_AFTER_BUSINESS_DAYS * (reminders_sent + 1) + 1)
    return datetime.combine(day, REMINDER_TIME, tzinfo=TOKYO)


def reminders_due(received_at: datetime, now: datetime) -> int:
    """How many reminders are due by ``now``: a run that woke up late sends only the latest one."""
    count = 0
    while reminder_at(received_at, count) <= now:
        count += 1
    return count


def jst_text(moment: datetime) -> str:
    """``2026年11月21日 18:16`` for e-mails and details."""
    local = moment.astimezone(TOKYO)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- who is acting --------------------------------------------------------------------------


class PartyKind(enum.StrEnum):
    MASTER_USER = "master_user"
    GENERAL_USER = "general_user"
    STAFF = "staff"


@dataclass(frozen=True)
class Party:
    """Who acts, as the web's authenticated principal says (``store.revocation.party_of``)."""

    kind: PartyKind
    uuid: str
    organization_code: str = ""  # employers' users
    staff_role: StaffRole | None = None  # staff

    @property
    def is_staff(self) -> bool:
        return self.kind is PartyKind.STAFF

    def has_role(self, role: StaffRole) -> bool:
        return self.is_staff and self.staff_role is role


# --- the request workflow's messages ----------------------------------------------------------


def request_summary(number: str) -> str:
    """The static summary operators read in the Temporal UI: no personal data."""
    return f"電子証明書の失効依頼（書面）{number}：書面到着待ち→受付→承認・否認、30日で期限切れ"


@dataclass(frozen=True)
class RequestInput:
    """What the request workflow starts with (``store.revocation.file_request`` makes it)."""

    number: str
    certificate_serial: str
    organization_code: str
    owner_uuid: str  # the master user whose certificate it is: the e-mails go to them
    requested_by: str  # UUID of whoever filed it: that master user, or a receiver on their behalf
    reason: RevocationReason
    filed_at: datetime
    received_by: str = ""  # filed by a receiver with the paper in hand: received at filing
    received_at: datetime | None = None


@dataclass(frozen=True)
class StaffAction:
    """Update argument of receive / approve / reject / withdraw."""

    actor: Party
    comment_id: int = 0  # approve / reject: the comment stored first (``store.revocation.add_decision_comment``)


class Transition(enum.StrEnum):
    RECEIVE = "receive"
    APPROVE = "approve"
    REJECT = "reject"
    EXPIRE = "expire"
    WITHDRAW = "withdraw"
    CLOSE = "close"  # the certificate ended by another route: the request has nothing left to do


TRANSITION_TARGETS: dict[Transition, RequestState] = {
    Transition.RECEIVE: RequestState.PAPER_RECEIVED,
    Transition.APPROVE: RequestState.APPROVED,
    Transition.REJECT: RequestState.REJECTED,
    Transition.EXPIRE: RequestState.EXPIRED,
    Transition.WITHDRAW: RequestState.WITHDRAWN,
    Transition.CLOSE: RequestState.CLOSED,
}


@dataclass(frozen=True)
class CertificateEnded:
    """A certificate's lifecycle ended (revoked, superseded or expired): an open written request
    for it closes (``RequestState.CLOSED``). Sent once per ending, whichever route ended it."""

    serial: str
    ending: LifecycleState  # REVOKED / SUPERSEDED / EXPIRED
    at: datetime


@dataclass(frozen=True)
class TransitionRecord:
    """Activity input: write one transition to the database (idempotently)."""

    number: str
    transition: Transition
    at: datetime
    actor_kind: PartyKind | None = None  # None: the workflow itself (expiry)
    actor_uuid: str = ""
    comment_id: int = 0


@dataclass(frozen=True)
class RevokedCertificate:
    serial: str
    reason: CrlReason
    at: datetime


@dataclass(frozen=True)
class TransitionResult:
    state: RequestState
    revoked: RevokedCertificate | None = None  # APPROVE: what the lifecycle is told


@dataclass(frozen=True)
class RequestStatus:
    """What the updates and the ``status`` query answer."""

    number: str
    state: RequestState
    received_by: str = ""
    decided_by: str = ""


@dataclass(frozen=True)
class ApproverReminder:
    """Activity input: remind the approvers' mailbox of one request."""

    number: str
    reminder: int  # 1 for the first
    at: datetime  # the workflow's clock: the e-mail counts the business days waited up to it


@dataclass(frozen=True)
class Revocation:
    """A certificate revoked without a written request (``store.revocation_direct``): what its
    lifecycle is told and whom the e-mails go to (``contract.revocation_client.announce_revoked``)."""

    serial: str
    owner_uuid: str
    owner_role: UserRole
    master_uuid: str  # the organization's master user ('' if none): told about a general user's revocation
    reason: CrlReason
    at: datetime
