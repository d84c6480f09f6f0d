"""Which certificate may log in (``domain.certificate_login``): status first, then the JST calendar, then the owner."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.certificate_login import CertificateLoginProblem as P
from domain.certificate_login import certificate_login_problem
from domain.roles import CertificateStatus as S
from domain.validity import calendar_for

ISSUED = datetime(2027, 3, 1, 1, 0, tzinfo=timezone.utc)  # 10:00 JST
CALENDAR = calendar_for(ISSUED)


@pytest.mark.parametrize(("status", "now", "owner_active", "problem"), [
    (S.ACTIVE, ISSUED, True, None),
    (S.ACTIVE, CALENDAR.not_after, True, None),  # 23:59:59 JST of day 366
    (S.ACTIVE, CALENDAR.expires_at, True, P.EXPIRED),  # 00:00 JST after day 366, not mirrored yet
    (S.ACTIVE, ISSUED - timedelta(seconds=1), True, P.NOT_YET_VALID),
    (S.ACTIVE, ISSUED, False, P.USER_INACTIVE),
    (S.EXPIRED, ISSUED, True, P.EXPIRED),
    (S.REVOKED, ISSUED, True, P.REVOKED),
    (S.SUPERSEDED, ISSUED, True, P.SUPERSEDED),
    (S.REVOKED, ISSUED, False, P.REVOKED),  # the certificate's own state is said first
], ids=["day-1", "last-second", "first-second-after", "before-issue", "owner-deleted", "expired", "revoked",
        "superseded", "revoked-and-owner-deleted"])
def test_certificate_login_problem(status, now, owner_active, problem):
    assert certificate_login_problem(status=status, not_before=ISSUED, owner_active=owner_active, now=now) is problem
