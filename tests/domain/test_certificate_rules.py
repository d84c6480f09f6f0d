"""Who may be issued a certificate: one per ID outside the renewal window, 20 holders per organization."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.certificates import HeldCertificate, IssuanceRefusal, issuance_refusal
from domain.lockout import LockoutStatus
from domain.quotas import MAX_CERTIFICATES_PER_ORGANIZATION
from domain.roles import CertificateStatus
from domain.validity import TOKYO, calendar_for

ISSUED = datetime(2027, 3, 1, 10, 0, tzinfo=TOKYO)
CAL = calendar_for(ISSUED)
DAY_100 = ISSUED + timedelta(days=99)
SECOND = timedelta(seconds=1)


def cert(status: CertificateStatus = CertificateStatus.ACTIVE, issued: datetime = ISSUED, serial: str = "a1"):
    return HeldCertificate(serial=serial, status=status, not_before=issued)


def refusal(held=(), *, now=DAY_100, holders=0, active=True, lockout=LockoutStatus.NORMAL):
    return issuance_refusal(user_active=active, lockout=lockout, held=list(held), organization_holders=holders,
                            now=now)


@pytest.mark.parametrize(
    ("held", "now", "expected"),
    [
        ([], DAY_100, None),
        ([cert()], DAY_100, IssuanceRefusal.HOLDS_VALID_CERTIFICATE),
        ([cert()], CAL.renewal_opens_at - SECOND, IssuanceRefusal.HOLDS_VALID_CERTIFICATE),
        ([cert()], CAL.renewal_opens_at, None),  # day 336: renewal
        ([cert()], CAL.not_after, None),
        ([cert()], CAL.expires_at, None),  # expired by the calendar, status not mirrored yet
        ([cert(CertificateStatus.REVOKED)], DAY_100, None),  # reissue after revocation
        ([cert(CertificateStatus.SUPERSEDED)], DAY_100, None),
        ([cert(CertificateStatus.EXPIRED)], DAY_100, None),
        # renewed already: the new one is outside its window, so a third is refused
        ([cert(), cert(issued=CAL.renewal_opens_at, serial="b2")], CAL.renewal_opens_at + timedelta(hours=1),
         IssuanceRefusal.HOLDS_VALID_CERTIFICATE),
    ],
)
def test_one_active_certificate_per_id(held, now, expected):
    assert refusal(held, now=now) is expected


@pytest.mark.parametrize(
    ("active", "lockout", "expected"),
    [
        (False, LockoutStatus.NORMAL, IssuanceRefusal.USER_NOT_ACTIVE),
        (True, LockoutStatus.LOCKED, IssuanceRefusal.ACCOUNT_LOCKED),
        (True, LockoutStatus.BLOCKED, IssuanceRefusal.ACCOUNT_BLOCKED),
        (True, LockoutStatus.NORMAL, None),
    ],
)
def test_account_state(active, lockout, expected):
    assert refusal(active=active, lockout=lockout) is expected


def test_quota_counts_holders_and_a_renewing_user_keeps_its_place():
    full = MAX_CERTIFICATES_PER_ORGANIZATION
    assert refusal(holders=full - 1) is None
    assert refusal(holders=full) is IssuanceRefusal.ORGANIZATION_QUOTA
    assert refusal([cert()], now=CAL.renewal_opens_at, holders=full) is None
    assert refusal([cert(CertificateStatus.REVOKED)], holders=full) is IssuanceRefusal.ORGANIZATION_QUOTA

