"""The daily reconciliation (issue 6 §2): lifecycles that went missing or disagree with the database.

The database is what login checks; the workflows carry the timers, the e-mails and the lockout
arbitration. They can drift apart: an operator terminates a lifecycle by mistake, a signal is
lost, a database is restored from a backup, a lockout workflow is reset. Once a day the
reconciliation looks at every certificate that still matters and every account the read model
shows as locked or blocked, asks Temporal about its workflow, and repairs what the tables below
say. Everything here is pure: the activity gathers the facts, these functions decide.

Histories and the report hold serials and UUIDs only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .certificates import DELIVERY_DEADLINE, DeliveryState, LifecycleState
from .lockout import LockoutState, LockoutStatus, ReleaseKind, release
from .roles import CertificateStatus

PAGE_SIZE = 100  # subjects per activity call: one call stays well under a minute
# A certificate signed in the last minutes may not have its lifecycle yet: the issuance starts it
# right after signing, and a lifecycle started here would skip the 発行 e-mail (``resumed``).
ISSUANCE_GRACE = timedelta(minutes=10)
LISTED_FIXES = 200  # the report lists this many repairs and counts all of them


class Scan(enum.StrEnum):
    """What one page covers, in the order the workflow walks them."""

    CERTIFICATES = "certificates"
    USERS = "users"
    STAFF = "staff"


class Presence(enum.StrEnum):
    """What Temporal knows about a subject's workflow (its latest run)."""

    MISSING = "missing"  # never started, or removed after the namespace's retention
    RUNNING = "running"
    COMPLETED = "completed"  # ended by its own logic: its result is the state it reached
    ENDED_ABNORMALLY = "ended_abnormally"  # terminated, failed, timed out or cancelled


class Repair(enum.StrEnum):
    START_LIFECYCLE = "start_lifecycle"  # a live certificate without a running lifecycle
    SIGNAL_ENDING = "signal_ending"  # revoked/superseded in the database, lifecycle still running
    RECORD_ENDING = "record_ending"  # the lifecycle ended it, the database lost that: mirror again
    MARK_EXPIRED = "mark_expired"  # past notAfter, still ACTIVE, nothing left to mark it
    START_LOCKOUT = "start_lockout"  # locked/blocked in the read model, no arbiter: start one with that state
    MIRROR_LOCKOUT = "mirror_lockout"  # the arbiter released it, the read model still says locked/blocked
    VOID_UNDELIVERED = "void_undelivered"  # pending delivery past the deadline, its issuance over: revoke
    REPORT_ONLY = "report_only"  # a disagreement with no safe automatic repair: for an operator


@dataclass(frozen=True)
class CertificateFacts:
    status: CertificateStatus
    not_after: datetime
    issued_at: datetime
    presence: Presence
    lifecycle_result: LifecycleState | None = None  # COMPLETED only


def certificate_repair(facts: CertificateFacts, now: datetime) -> Repair | None:
    """What to do about one certificate whose row is ACTIVE, or REVOKED/SUPERSEDED and unexpired."""
    running = facts.presence is Presence.RUNNING
    if facts.status is not CertificateStatus.ACTIVE:
        return Repair.SIGNAL_ENDING if running else None
    if now > facts.not_after:
        return None if running else Repair.MARK_EXPIRED  # a running lifecycle's expiry timer is due
    if running or now - facts.issued_at < ISSUANCE_GRACE:
        return None
    if facts.presence is Presence.COMPLETED:
        if facts.lifecycle_result in (LifecycleState.REVOKED, LifecycleState.SUPERSEDED):
            return Repair.RECORD_ENDING  # fail safe: an ended certificate stays ended
        return Repair.REPORT_ONLY  # "expired" before its notAfter: clocks disagree, look at it
    return Repair.START_LIFECYCLE


@dataclass(frozen=True)
class UndeliveredFacts:
    """A PENDING_DELIVERY certificate and what Temporal knows of its issuance workflow."""

    issued_at: datetime
    presence: Presence  # of the issuance workflow (``issuance/<request ID>``)
    delivery: DeliveryState | None = None  # a COMPLETED issuance's result


def undelivered_repair(facts: UndeliveredFacts, now: datetime) -> Repair | None:
    """What to do about a certificate still pending delivery (belt and braces: its issuance voids it
    at its own deadline unless that workflow was terminated, failed, or lost)."""
    if facts.presence is Presence.RUNNING or now - facts.issued_at <= DELIVERY_DEADLINE:
        return None  # the issuance decides (a shorter deadline of its own is past by now anyway)
    if facts.presence is Presence.COMPLETED and facts.delivery is not DeliveryState.VOIDED:
        return Repair.REPORT_ONLY  # delivered by the workflow's account: the database lost it, look at it
    return Repair.VOID_UNDELIVERED  # nobody can confirm it any more


def ending_status(result: LifecycleState) -> CertificateStatus:
    """The row status a completed lifecycle's result stands for (``Repair.RECORD_ENDING``)."""
    return CertificateStatus(result.value)


@dataclass(frozen=True)
class LockoutFacts:
    read_model: LockoutStatus  # as of now (a lock whose hour is over reads NORMAL)
    presence: Presence
    workflow_status: LockoutStatus | None = None  # RUNNING only


def lockout_repair(facts: LockoutFacts) -> Repair | None:
    """What to do about one account whose read model says LOCKED or BLOCKED."""
    if facts.read_model is LockoutStatus.NORMAL:
        return None
    if facts.presence is not Presence.RUNNING:
        return Repair.START_LOCKOUT  # else the next attempt would start a fresh, unlocked arbiter
    if facts.workflow_status is facts.read_model:
        return None
    if facts.workflow_status is LockoutStatus.NORMAL:
        return Repair.MIRROR_LOCKOUT
    return Repair.REPORT_ONLY  # locked in one, blocked in the other: the arbiter decides at the next attempt


def released_state(read_model: LockoutState, was: LockoutStatus) -> LockoutState:
    """The read model after the release it missed: an unlock (or the hour passing) keeps the lock
    count, an unblock starts over (``domain.lockout.release``)."""
    return release(read_model, ReleaseKind.UNBLOCK if was is LockoutStatus.BLOCKED else ReleaseKind.UNLOCK)


# --- Plain data passed to and from the reconciliation workflow -------------------------------


@dataclass(frozen=True)
class Fix:
    """One repair made (or, for REPORT_ONLY, one disagreement found), by opaque identifier."""

    repair: Repair
    scan: Scan
    subject: str  # a certificate serial or an account UUID
    found: str  # what was wrong, e.g. "missing", "ended_abnormally", "completed:revoked"


@dataclass(frozen=True)
class PageRequest:
    scan: Scan
    after: str  # the last subject key of the previous page ('' = from the start)
    now: datetime
    limit: int = PAGE_SIZE


@dataclass(frozen=True)
class PageResult:
    checked: int
    fixes: list[Fix] = field(default_factory=list)
    next_after: str | None = None  # None: this scan is complete


@dataclass(frozen=True)
class ReconciliationReport:
    checked: dict[str, int] = field(default_factory=dict)  # per Scan value
    repairs: dict[str, int] = field(default_factory=dict)  # per Repair value
    fixes: list[Fix] = field(default_factory=list)  # the first LISTED_FIXES

    def add(self, scan: Scan, page: PageResult) -> ReconciliationReport:
        checked = dict(self.checked)
        checked[scan.value] = checked.get(scan.value, 0) + page.checked
        repairs = dict(self.repairs)
        for fix in page.fixes:
            repairs[fix.repair.value] = repairs.get(fix.repair.value, 0) + 1
        return replace(self, checked=checked, repairs=repairs, fixes=(self.fixes + page.fixes)[:LISTED_FIXES])

    def count(self, repair: Repair) -> int:
        return self.repairs.get(repair.value, 0)

    def summary(self) -> str:
        """One log line: counts only."""
        checked = ", ".join(f"{name} {count}" for name, count in sorted(self.checked.items())) or "nothing"
        repairs = ", ".join(f"{name} {count}" for name, count in sorted(self.repairs.items())) or "none"
        return f"reconciliation checked {checked}; repairs: {repairs}"


@dataclass(frozen=True)
class ReconciliationInput:
    """Start argument, and the position carried through continue-as-new."""

    reason: str = "schedule"  # "schedule" or "on-demand": shown in the history only
    scan: Scan = Scan.CERTIFICATES
    after: str = ""
    report: ReconciliationReport = field(default_factory=ReconciliationReport)
    page_size: int = PAGE_SIZE


def reconciliation_summary() -> str:
    return "日次の整合性チェック：証明書とロックのワークフローをデータベースと照合して修復"
