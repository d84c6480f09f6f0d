"""Which certificate may log in (``domain.certificate_login``): status first, then the JST calendar, then the owner."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.certificate_login import CertificateLoginProblem as P
from domain.certificate_login import certificate_login_problem
from domain.roles import CertificateStatus as S
from domain.roles import UserStatus as U
from domain.validity import calendar_for

ISSUED = datetime(2027, 3, 1, 1, 0, tzinfo=timezone.utc)  # 10:00 JST
CALENDAR = calendar_for(ISSUED)


@pytest.mark.parametrize(("status", "now", "owner", "problem"), [
    (S.ACTIVE, ISSUED, U.ACTIVE, None),
    (S.ACTIVE, CALENDAR.not_after, U.ACTIVE, None),  # 23:59:59 JST of day 366
    (S.ACTIVE, CALENDAR.expires_at, U.ACTIVE, P.EXPIRED),  # 00:00 JST after day 366, not mirrored yet
    (S.ACTIVE, ISSUED - timedelta(seconds=1), U.ACTIVE, P.NOT_YET_VALID),
    (S.ACTIVE, ISSUED, U.DELETED, P.USER_INACTIVE),
    (S.ACTIVE, ISSUED, U.PENDING, P.REGISTRATION_PENDING),  # password reset: 初期登録 again, certificate kept
    (S.EXPIRED, ISSUED, U.ACTIVE, P.EXPIRED),
    (S.REVOKED, ISSUED, U.ACTIVE, P.REVOKED),
    (S.SUPERSEDED, ISSUED, U.ACTIVE, P.SUPERSEDED),
    (S.REVOKED, ISSUED, U.DELETED, P.REVOKED),  # the certificate's own state is said first
], ids=["day-1", "last-second", "first-second-after", "before-issue", "owner-deleted", "owner-reset", "expired",
        "revoked", "superseded", "revoked-and-owner-deleted"])
def test_certificate_login_problem(status, now, owner, problem):
    assert certificate_login_problem(status=status, not_before=ISSUED, owner_status=owner, now=now) is problem
