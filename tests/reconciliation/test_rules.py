"""The reconciliation's decision tables (``domain.reconciliation``), without Temporal."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.certificates import DELIVERY_DEADLINE, DeliveryState, LifecycleState
from domain.lockout import LockoutState, LockoutStatus
from domain.reconciliation import (
    ISSUANCE_GRACE,
    CertificateFacts,
    Fix,
    LockoutFacts,
    PageResult,
    Presence,
    ReconciliationReport,
    Repair,
    Scan,
    UndeliveredFacts,
    certificate_repair,
    lockout_repair,
    released_state,
    undelivered_repair,
)
from domain.roles import CertificateStatus as S

NOW = datetime(2025, 6, 1, 3, 0, tzinfo=timezone.utc)
DAY_AGO = NOW - timedelta(days=1)
LIVE = NOW + timedelta(days=200)
PAST = NOW - timedelta(days=1)
P = Presence


@pytest.mark.parametrize(("status", "not_after", "presence", "result", "repair"), [
    (S.ACTIVE, LIVE, P.RUNNING, None, None),
    (S.ACTIVE, LIVE, P.MISSING, None, Repair.START_LIFECYCLE),
    (S.ACTIVE, LIVE, P.ENDED_ABNORMALLY, None, Repair.START_LIFECYCLE),
    (S.ACTIVE, LIVE, P.COMPLETED, LifecycleState.REVOKED, Repair.RECORD_ENDING),
    (S.ACTIVE, LIVE, P.COMPLETED, LifecycleState.SUPERSEDED, Repair.RECORD_ENDING),
    (S.ACTIVE, LIVE, P.COMPLETED, LifecycleState.EXPIRED, Repair.REPORT_ONLY),
    (S.ACTIVE, PAST, P.RUNNING, None, None),  # its expiry timer is due
    (S.ACTIVE, PAST, P.MISSING, None, Repair.MARK_EXPIRED),
    (S.ACTIVE, PAST, P.COMPLETED, LifecycleState.REVOKED, Repair.MARK_EXPIRED),
    (S.REVOKED, LIVE, P.RUNNING, None, Repair.SIGNAL_ENDING),
    (S.SUPERSEDED, LIVE, P.RUNNING, None, Repair.SIGNAL_ENDING),
    (S.REVOKED, LIVE, P.COMPLETED, LifecycleState.REVOKED, None),
    (S.REVOKED, LIVE, P.MISSING, None, None),
    (S.SUPERSEDED, LIVE, P.ENDED_ABNORMALLY, None, None),
])
def test_certificate_table(status, not_after, presence, result, repair):
    assert certificate_repair(CertificateFacts(status, not_after, DAY_AGO, presence, result), NOW) is repair


@pytest.mark.parametrize(("issued_at", "presence", "delivery", "repair"), [
    (DAY_AGO, P.RUNNING, None, None),  # its issuance voids it at its own deadline
    (NOW - DELIVERY_DEADLINE, P.MISSING, None, None),  # not past the deadline yet
    (DAY_AGO, P.MISSING, None, Repair.VOID_UNDELIVERED),
    (DAY_AGO, P.ENDED_ABNORMALLY, None, Repair.VOID_UNDELIVERED),  # terminated: nobody can confirm it now
    (DAY_AGO, P.COMPLETED, DeliveryState.VOIDED, Repair.VOID_UNDELIVERED),  # the database lost the void
    (DAY_AGO, P.COMPLETED, DeliveryState.DELIVERED, Repair.REPORT_ONLY),  # ...or the delivery: never revoke that
])
def test_undelivered_table(issued_at, presence, delivery, repair):
    assert undelivered_repair(UndeliveredFacts(issued_at, presence, delivery), NOW) is repair


def test_a_just_signed_certificate_is_left_to_its_issuance():
    just_now = NOW - ISSUANCE_GRACE + timedelta(seconds=1)
    assert certificate_repair(CertificateFacts(S.ACTIVE, LIVE, just_now, P.MISSING), NOW) is None
    assert certificate_repair(CertificateFacts(S.ACTIVE, LIVE, NOW - ISSUANCE_GRACE, P.MISSING), NOW) \
        is Repair.START_LIFECYCLE


L = LockoutStatus


@pytest.mark.parametrize(("read_model", "presence", "workflow_status", "repair"), [
    (L.NORMAL, P.MISSING, None, None),
    (L.LOCKED, P.MISSING, None, Repair.START_LOCKOUT),
    (L.BLOCKED, P.MISSING, None, Repair.START_LOCKOUT),
    (L.BLOCKED, P.ENDED_ABNORMALLY, None, Repair.START_LOCKOUT),
    (L.BLOCKED, P.COMPLETED, None, Repair.START_LOCKOUT),
    (L.BLOCKED, P.RUNNING, L.BLOCKED, None),
    (L.LOCKED, P.RUNNING, L.LOCKED, None),
    (L.BLOCKED, P.RUNNING, L.NORMAL, Repair.MIRROR_LOCKOUT),
    (L.LOCKED, P.RUNNING, L.NORMAL, Repair.MIRROR_LOCKOUT),
    (L.LOCKED, P.RUNNING, L.BLOCKED, Repair.REPORT_ONLY),
])
def test_lockout_table(read_model, presence, workflow_status, repair):
    assert lockout_repair(LockoutFacts(read_model, presence, workflow_status)) is repair


def test_a_missed_release_keeps_the_lock_count_after_an_unlock_and_not_after_an_unblock():
    locked = LockoutState(failures=6, locked_until=NOW, lock_count=2)
    assert released_state(locked, L.LOCKED) == LockoutState(lock_count=2)
    assert released_state(LockoutState(failures=6, lock_count=3, blocked=True), L.BLOCKED) == LockoutState()


def test_the_report_adds_pages_counts_every_repair_and_lists_a_bounded_number():
    fix = Fix(Repair.START_LIFECYCLE, Scan.CERTIFICATES, "ab12", "missing/active")
    report = ReconciliationReport()
    for _ in range(3):
        report = report.add(Scan.CERTIFICATES, PageResult(checked=100, fixes=[fix] * 100))
    report = report.add(Scan.USERS, PageResult(checked=5))
    assert report.checked == {"certificates": 300, "users": 5}
    assert report.count(Repair.START_LIFECYCLE) == 300 and len(report.fixes) == 200
    assert report.summary() == "reconciliation checked certificates 300, users 5; repairs: start_lifecycle 300"
