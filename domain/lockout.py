"""Password lockout (SPEC.md §2 "Lockout", seed 001 ④): the thresholds and the pure judgement.

The lockout workflow is the only caller of ``judge`` in production: it holds one user's
``LockoutState`` and judges every password attempt of that user in turn, so the count stays
exact however many attempts arrive at once. Everything here is a pure function of its
arguments — ``now`` included — so the rules are table-tested without Temporal.

Who may lift a lock or a block is in ``domain.lockout_release``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .validity import TOKYO

MAX_CONSECUTIVE_FAILURES = 6  # the 6th wrong password in a row locks the ID
LOCK_DURATION = timedelta(minutes=60)  # counted from the 6th failure; lifts by itself
LOCKS_BEFORE_BLOCK = 3  # the 3rd lock is a block (閉塞): no timer, someone must release it


class SubjectKind(enum.StrEnum):
    """Whose password: decides who may release a block and who is told about it."""

    MASTER = "master"  # マスターユーザー
    GENERAL = "general"  # 一般ユーザー
    STAFF = "staff"  # a Rokin staff account


class LockoutStatus(enum.StrEnum):
    """What the pages and the read model show: 正常 / ロック中 / 閉塞."""

    NORMAL = "normal"
    LOCKED = "locked"
    BLOCKED = "blocked"


class Outcome(enum.StrEnum):
    ALLOWED = "allowed"  # right password, ID usable: the streak and the lock count start again
    WRONG_PASSWORD = "wrong_password"  # counted; ``remaining_before_lock`` more and the ID locks
    LOCKED_NOW = "locked_now"  # this failure was the 6th: locked until ``locked_until``
    LOCKED = "locked"  # refused without looking at the password, not counted
    BLOCKED_NOW = "blocked_now"  # this failure made the 3rd lock: blocked
    BLOCKED = "blocked"  # refused without looking at the password, not counted


COUNTED = frozenset({Outcome.WRONG_PASSWORD, Outcome.LOCKED_NOW, Outcome.BLOCKED_NOW})


@dataclass(frozen=True)
class LockoutState:
    """One user's lockout state. ``failures`` stays at 6 while locked so the pages can say so."""

    failures: int = 0  # consecutive wrong passwords in the current streak
    locked_until: datetime | None = None  # aware; set only while a lock is pending
    lock_count: int = 0  # locks since the last successful login
    blocked: bool = False


@dataclass(frozen=True)
class AttemptResult:
    """The arbiter's answer to one password attempt, with the state after it."""

    allowed: bool
    outcome: Outcome
    failures: int
    remaining_before_lock: int
    locked_until: datetime | None
    lock_count: int
    blocked: bool

    @property
    def counted(self) -> bool:
        return self.outcome in COUNTED


def status(state: LockoutState, now: datetime) -> LockoutStatus:
    if state.blocked:
        return LockoutStatus.BLOCKED
    if state.locked_until is not None and now < state.locked_until:
        return LockoutStatus.LOCKED
    return LockoutStatus.NORMAL


def expire_lock(state: LockoutState, now: datetime) -> LockoutState:
    """A lock whose hour is over is gone, and the next streak starts from zero."""
    if state.locked_until is not None and now >= state.locked_until:
        return replace(state, failures=0, locked_until=None)
    return state


def judge(state: LockoutState, password_ok: bool, now: datetime) -> tuple[LockoutState, AttemptResult]:
    """Judge one attempt whose password the caller has already checked against the hash.

    While locked or blocked the answer is the same for a right or wrong password and nothing
    is counted, so the refusal tells an attacker nothing about the password.
    """
    state = expire_lock(state, now)
    current = status(state, now)
    if current is LockoutStatus.BLOCKED:
        return state, _result(state, Outcome.BLOCKED)
    if current is LockoutStatus.LOCKED:
        return state, _result(state, Outcome.LOCKED)
    if password_ok:
        state = LockoutState()
        return state, _result(state, Outcome.ALLOWED)
    failures = state.failures + 1
    if failures < MAX_CONSECUTIVE_FAILURES:
        state = replace(state, failures=failures)
        return state, _result(state, Outcome.WRONG_PASSWORD)
    lock_count = state.lock_count + 1
    if lock_count >= LOCKS_BEFORE_BLOCK:
        state = LockoutState(failures=failures, lock_count=lock_count, blocked=True)
        return state, _result(state, Outcome.BLOCKED_NOW)
    state = LockoutState(failures=failures, locked_until=now + LOCK_DURATION, lock_count=lock_count)
    return state, _result(state, Outcome.LOCKED_NOW)


def _result(state: LockoutState, outcome: Outcome) -> AttemptResult:
    return AttemptResult(
        allowed=outcome is Outcome.ALLOWED,
        outcome=outcome,
        failures=state.failures,
        remaining_before_lock=max(MAX_CONSECUTIVE_FAILURES - state.failures, 0),
        locked_until=state.locked_until,
        lock_count=state.lock_count,
        blocked=state.blocked,
    )


class ReleaseKind(enum.StrEnum):
    UNLOCK = "unlock"  # ロック解除: lifts a pending lock early
    UNBLOCK = "unblock"  # 閉塞解除


def release(state: LockoutState, kind: ReleaseKind) -> LockoutState:
    """The state after an authorized release.

    An unlock ends the lock as its timer would: a fresh streak, the lock count kept (only a
    successful login clears it). An unblock starts over completely — keeping the count would
    block the ID again at its very next lock.
    """
    if kind is ReleaseKind.UNLOCK:
        return replace(state, failures=0, locked_until=None)
    return LockoutState()


# --- Plain data passed to and from the lockout workflow (one dataclass per message) ---


@dataclass(frozen=True)
class LockoutInput:
    """Start (and continue-as-new) argument: whose lockout this is, and the state carried over."""

    user_uuid: str  # users.uuid or staff.uuid
    organization_code: str  # '' for a staff account
    subject_kind: SubjectKind
    state: LockoutState = field(default_factory=LockoutState)


@dataclass(frozen=True)
class AttemptOutcome:
    """What the web learned by checking the password hash — never the password itself."""

    password_ok: bool


@dataclass(frozen=True)
class MirrorRequest:
    """Activity input: write this state to the read model, as of the workflow's ``as_of``."""

    user_uuid: str
    subject_kind: SubjectKind
    state: LockoutState
    as_of: datetime


@dataclass(frozen=True)
class MasterLookup:
    """Activity input: whose master user hears about a blocked general user."""

    organization_code: str


def lockout_summary(subject_kind: SubjectKind, organization_code: str) -> str:
    """The workflow's static summary: whose lockout, in words, without personal data."""
    who = {
        SubjectKind.MASTER: f"団体 {organization_code} のマスターユーザー",
        SubjectKind.GENERAL: f"団体 {organization_code} の一般ユーザー",
        SubjectKind.STAFF: "労金職員アカウント",
    }[subject_kind]
    return f"パスワードロック管理（{who}）"


# --- how the lift time reads (one rule for the lock e-mail and the pages) --------------------------


def lift_minute(locked_until: datetime) -> datetime:
    """The minute a lock is shown to lift, in Japan time: ``locked_until`` rounded UP to the minute, so
    "until 03:18" is never read as a minute too early (a lock from 02:17:38 lifts at 03:17:38 → 03:18;
    one that lifts at 03:17:00.000 exactly → 03:17)."""
    local = locked_until.astimezone(TOKYO)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local


def lift_time_text(locked_until: datetime) -> str:
    """``03:18``: the lift time as the pages and the lock e-mail show it."""
    return f"{lift_minute(locked_until):%H:%M}"


def lift_date_time_text(locked_until: datetime) -> str:
    """``2026年4月1日 03:18``: the same minute with its date, for the e-mail (read later, maybe the next day)."""
    minute = lift_minute(locked_until)
    return f"{minute.year}年{minute.month}月{minute.day}日 {lift_time_text(locked_until)}"
