"""SPEC.md §2 "Lockout" as tables: judge(), expiry, releases and who may release whom."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from contract.names import lockout_workflow_id
from domain.lockout import (
    LOCK_DURATION,
    LOCKS_BEFORE_BLOCK,
    MAX_CONSECUTIVE_FAILURES,
    LockoutState,
    LockoutStatus,
    Outcome,
    ReleaseKind,
    SubjectKind,
    expire_lock,
    judge,
    lockout_summary,
    release,
    status,
)
from domain.lockout_release import (
    ActorKind,
    Releaser,
    ReleaseRefusal,
    ReleaseRequest,
    may_release,
    release_refusal,
    who_releases,
)

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)
UNTIL = T0 + LOCK_DURATION


def test_thresholds_follow_seed_001():
    assert MAX_CONSECUTIVE_FAILURES == 6
    assert LOCK_DURATION == timedelta(minutes=60)
    assert LOCKS_BEFORE_BLOCK == 3


def run(attempts: list[tuple[bool, timedelta]], state: LockoutState | None = None):
    """Judge (password_ok, time after T0) in order; return the final state and every outcome."""
    state = state or LockoutState()
    outcomes = []
    for ok, offset in attempts:
        state, result = judge(state, ok, T0 + offset)
        outcomes.append(result.outcome)
    return state, outcomes


WRONG_5 = [(False, timedelta())] * 5
WRONG_6 = [(False, timedelta())] * 6
W, LN, L, A, BN, B = (Outcome.WRONG_PASSWORD, Outcome.LOCKED_NOW, Outcome.LOCKED, Outcome.ALLOWED,
                      Outcome.BLOCKED_NOW, Outcome.BLOCKED)


@pytest.mark.parametrize(
    ("name", "attempts", "outcomes", "final"),
    [
        ("five wrong: not yet", WRONG_5, [W] * 5, LockoutState(failures=5)),
        ("sixth wrong locks for 60 min from it", WRONG_6, [W] * 5 + [LN],
         LockoutState(failures=6, locked_until=UNTIL, lock_count=1)),
        ("right password resets the streak", WRONG_5 + [(True, MIN), (False, MIN)], [W] * 5 + [A, W],
         LockoutState(failures=1)),
        ("wrong while locked: refused, not counted", WRONG_6 + [(False, 30 * MIN)] * 10, [W] * 5 + [LN] + [L] * 10,
         LockoutState(failures=6, locked_until=UNTIL, lock_count=1)),
        ("right while locked: refused too", WRONG_6 + [(True, 59 * MIN)], [W] * 5 + [LN, L],
         LockoutState(failures=6, locked_until=UNTIL, lock_count=1)),
        ("at 60 min the lock is over", WRONG_6 + [(True, 60 * MIN)], [W] * 5 + [LN, A], LockoutState()),
        ("a fresh streak after the lock", WRONG_6 + [(False, 60 * MIN)], [W] * 5 + [LN, W],
         LockoutState(failures=1, lock_count=1)),
        ("success clears the lock count", WRONG_6 + [(True, 61 * MIN)] + [(False, 62 * MIN)] * 6,
         [W] * 5 + [LN, A] + [W] * 5 + [LN],
         LockoutState(failures=6, locked_until=T0 + 62 * MIN + LOCK_DURATION, lock_count=1)),
        ("third lock blocks, without a timer",
         WRONG_6 + [(False, 60 * MIN)] * 6 + [(False, 120 * MIN)] * 6,
         ([W] * 5 + [LN]) * 2 + [W] * 5 + [BN],
         LockoutState(failures=6, lock_count=3, blocked=True)),
        ("blocked refuses everything, for ever",
         WRONG_6 + [(False, 60 * MIN)] * 6 + [(False, 120 * MIN)] * 6 + [(True, timedelta(days=400))],
         ([W] * 5 + [LN]) * 2 + [W] * 5 + [BN, B],
         LockoutState(failures=6, lock_count=3, blocked=True)),
    ],
)
def test_judge(name, attempts, outcomes, final):
    state, seen = run(attempts)
    assert seen == outcomes, name
    assert state == final, name


def test_result_reports_the_state():
    state, result = judge(LockoutState(failures=4), False, T0)
    assert (result.allowed, result.failures, result.remaining_before_lock, result.counted) == (False, 5, 1, True)
    state, result = judge(state, False, T0)
    assert (result.outcome, result.locked_until, result.lock_count, result.remaining_before_lock) == (LN, UNTIL, 1, 0)
    _, result = judge(state, True, T0 + 59 * MIN)
    assert (result.allowed, result.counted, result.locked_until) == (False, False, UNTIL)
    _, result = judge(LockoutState(failures=2, lock_count=2), True, T0)
    assert (result.allowed, result.failures, result.lock_count, result.remaining_before_lock) == (True, 0, 0, 6)


def test_locked_until_is_one_minute_precise():
    state, _ = run(WRONG_6)
    assert judge(state, True, UNTIL - timedelta(microseconds=1))[1].outcome is L
    assert judge(state, True, UNTIL)[1].outcome is A


@pytest.mark.parametrize(
    ("state", "offset", "expected"),
    [
        (LockoutState(), timedelta(), LockoutStatus.NORMAL),
        (LockoutState(failures=5), timedelta(), LockoutStatus.NORMAL),
        (LockoutState(failures=6, locked_until=UNTIL, lock_count=1), 59 * MIN, LockoutStatus.LOCKED),
        (LockoutState(failures=6, locked_until=UNTIL, lock_count=1), 60 * MIN, LockoutStatus.NORMAL),
        (LockoutState(failures=6, lock_count=3, blocked=True), timedelta(days=9), LockoutStatus.BLOCKED),
    ],
)
def test_status(state, offset, expected):
    assert status(state, T0 + offset) is expected


def test_expire_lock_keeps_the_count_and_starts_a_fresh_streak():
    locked = LockoutState(failures=6, locked_until=UNTIL, lock_count=2)
    assert expire_lock(locked, UNTIL - MIN) is locked
    assert expire_lock(locked, UNTIL) == LockoutState(lock_count=2)


@pytest.mark.parametrize(
    ("kind", "before", "after"),
    [
        (ReleaseKind.UNLOCK, LockoutState(failures=6, locked_until=UNTIL, lock_count=2), LockoutState(lock_count=2)),
        (ReleaseKind.UNBLOCK, LockoutState(failures=6, lock_count=3, blocked=True), LockoutState()),
    ],
)
def test_release(kind, before, after):
    assert release(before, kind) == after


MASTER_A = ReleaseRequest(ReleaseKind.UNBLOCK, ActorKind.MASTER_USER, "m-a", "1001")
MASTER_B = replace(MASTER_A, actor_uuid="m-b", actor_organization_code="1002")
GENERAL_A = ReleaseRequest(ReleaseKind.UNBLOCK, ActorKind.GENERAL_USER, "g-a2", "1001")
ADMIN = ReleaseRequest(ReleaseKind.UNBLOCK, ActorKind.ROKIN_ADMINISTRATOR, "s-admin")
RECEIVER = ReleaseRequest(ReleaseKind.UNBLOCK, ActorKind.ROKIN_STAFF, "s-recv")
GENERAL, MASTER, STAFF = SubjectKind.GENERAL, SubjectKind.MASTER, SubjectKind.STAFF
R = ReleaseRefusal


@pytest.mark.parametrize(
    ("request_", "subject", "subject_uuid", "organization", "refusal"),
    [
        (MASTER_A, GENERAL, "g-a", "1001", None),
        (MASTER_B, GENERAL, "g-a", "1001", R.NEEDS_MASTER_OF_ORGANIZATION),  # another organization
        (GENERAL_A, GENERAL, "g-a", "1001", R.NEEDS_MASTER_OF_ORGANIZATION),  # a colleague
        (ADMIN, GENERAL, "g-a", "1001", R.NEEDS_MASTER_OF_ORGANIZATION),  # Rokin → master → general
        (RECEIVER, GENERAL, "g-a", "1001", R.NEEDS_MASTER_OF_ORGANIZATION),
        (ADMIN, MASTER, "m-a", "1001", None),
        (MASTER_A, MASTER, "m-a", "1001", R.SELF_RELEASE),
        (MASTER_B, MASTER, "m-a", "1001", R.NEEDS_ROKIN_ADMINISTRATOR),
        (RECEIVER, MASTER, "m-a", "1001", R.NEEDS_ROKIN_ADMINISTRATOR),
        (GENERAL_A, MASTER, "m-a", "1001", R.NEEDS_ROKIN_ADMINISTRATOR),
        (ADMIN, STAFF, "s-other", "", None),
        (ADMIN, STAFF, "s-admin", "", R.SELF_RELEASE),
        (RECEIVER, STAFF, "s-other", "", R.NEEDS_ROKIN_ADMINISTRATOR),
        (MASTER_A, STAFF, "s-other", "", R.NEEDS_ROKIN_ADMINISTRATOR),
        (replace(MASTER_A, actor_organization_code=""), GENERAL, "g-x", "", R.NEEDS_MASTER_OF_ORGANIZATION),
    ],
)
def test_may_release(request_, subject, subject_uuid, organization, refusal):
    assert may_release(request_, subject_kind=subject, subject_uuid=subject_uuid,
                       subject_organization_code=organization) is refusal


LOCKED = LockoutState(failures=6, locked_until=UNTIL, lock_count=1)
BLOCKED = LockoutState(failures=6, lock_count=3, blocked=True)


@pytest.mark.parametrize(
    ("kind", "state", "at", "refusal"),
    [
        (ReleaseKind.UNLOCK, LOCKED, T0, None),
        (ReleaseKind.UNLOCK, LOCKED, UNTIL, R.NOT_LOCKED),  # the timer got there first
        (ReleaseKind.UNLOCK, LockoutState(failures=3), T0, R.NOT_LOCKED),
        (ReleaseKind.UNLOCK, BLOCKED, T0, R.NOT_LOCKED),  # a block needs an unblock
        (ReleaseKind.UNBLOCK, BLOCKED, T0, None),
        (ReleaseKind.UNBLOCK, LOCKED, T0, R.NOT_BLOCKED),
        (ReleaseKind.UNBLOCK, LockoutState(), T0, R.NOT_BLOCKED),
    ],
)
def test_release_refusal_checks_the_state(kind, state, at, refusal):
    request = replace(MASTER_A, kind=kind)
    assert release_refusal(request, state, at, subject_kind=GENERAL, subject_uuid="g-a",
                           subject_organization_code="1001") is refusal


def test_release_refusal_checks_the_actor_before_the_state():
    request = replace(MASTER_B, kind=ReleaseKind.UNLOCK)  # another organization, and nothing to unlock
    assert release_refusal(request, LockoutState(), T0, subject_kind=GENERAL, subject_uuid="g-a",
                           subject_organization_code="1001") is R.NEEDS_MASTER_OF_ORGANIZATION


def test_who_releases():
    assert who_releases(GENERAL) is Releaser.MASTER_USER
    assert who_releases(MASTER) is Releaser.ROKIN
    assert who_releases(STAFF) is Releaser.ROKIN


def test_names_carry_no_personal_data():
    assert lockout_workflow_id("0b6e…") == "lockout/0b6e…"
    assert lockout_summary(GENERAL, "1001") == "パスワードロック管理（団体 1001 の一般ユーザー）"
    assert "1001" not in lockout_summary(STAFF, "")
