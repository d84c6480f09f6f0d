"""The staff dashboard's numbers (``store.dashboard_queries``), on SQLite and PostgreSQL, against facts
made through the use-cases (``tests.store.dashboard_world``): each chart is one query, counts the
right rows in the right JST bucket, and honours the organization filter."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from activities.certificates import CertificateActivities
from domain.business_days import whole_business_days_waited
from domain.revocation import PAPER_DEADLINE_DAYS, RequestState
from domain.validity import calendar_for, tokyo_date
from pki.ca import CaLoader
from pki.devca import ensure_dev_pki
from store import dashboard_queries as dq

from .dashboard_world import World, build


@pytest.fixture
def signing(session_factory, tmp_path: Path) -> CertificateActivities:  # noqa: ANN001
    pki = ensure_dev_pki(tmp_path / "pki")
    return CertificateActivities(session_factory, CaLoader(pki.ca_certificate, pki.ca_key), crl_dir=pki.directory,
                                 crl_url="http://localhost:8080/crl", ocsp_url="http://localhost:8080/ocsp")


@pytest.fixture
def world(database_url: str, session_factory, signing: CertificateActivities) -> World:  # noqa: ANN001
    return build(database_url, session_factory, signing)


class Statements:
    """Counts the SELECTs a block of code sends."""

    def __init__(self, engine) -> None:  # noqa: ANN001
        self.engine, self.count = engine, 0

    def _seen(self, _connection, _cursor, statement: str, *_rest) -> None:  # noqa: ANN001, ANN002
        self.count += statement.lstrip().upper().startswith("SELECT")  # not the BEGIN store.db sends on SQLite

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc) -> None:  # noqa: ANN002
        event.remove(self.engine, "before_cursor_execute", self._seen)


def month_of(issued_at: datetime) -> date:
    return dq.first_of_month(calendar_for(issued_at).expiry_date)


def test_each_chart_counts_what_the_use_cases_did(world: World, session_factory) -> None:  # noqa: ANN001
    now = world.now
    with session_factory() as session:
        statements = Statements(session.get_bind())
        with statements:
            months = dq.expiring_by_month(session=session, now=now)
        assert statements.count == 1, "one query per chart"
        with statements:
            states = dq.requests_by_state(session=session)
            ages = dq.open_requests_by_age(session=session, now=now)
            days = dq.locks_and_blocks_by_day(session=session, now=now)
            issued = dq.issuances_by_day(session=session, now=now)
        assert statements.count == 5

    # Certificates: 13 months from this one; A's master in its window, g1's first renewed in the same
    # month, g2 and every new certificate not yet; the approved request's certificate is revoked.
    assert [row.month for row in months] == [dq.first_of_month(tokyo_date(now), n) for n in range(13)]
    expected: dict[date, list[int]] = {}
    for name, issued_at in world.issued_at.items():
        if name == "master-approved":
            continue
        kind = 0 if name in world.renewed else 1 if calendar_for(issued_at).in_renewal_window(now) else 2
        expected.setdefault(month_of(issued_at), [0, 0, 0])[kind] += 1
    window_month = month_of(world.issued_at["master"])
    assert expected[window_month] == [1, 1, 0]
    assert {row.month: [row.renewed, row.in_window, row.not_yet] for row in months if row.total} == expected
    assert sum(row.total for row in months) == 6

    assert {row.state: row.count for row in states} == {
        **dict.fromkeys(RequestState, 0), RequestState.AWAITING_PAPER: 1, RequestState.PAPER_RECEIVED: 1,
        RequestState.APPROVED: 1}

    today = tokyo_date(now)
    awaiting_age = whole_business_days_waited(tokyo_date(world.filed_at["awaiting_paper"]), today)
    received_age = whole_business_days_waited(tokyo_date(world.received_at), today)  # since the paper came
    assert ages.total == 2
    assert {(row.business_days, row.awaiting_paper, row.paper_received) for row in ages.ages if row.total} == (
        {(awaiting_age, 1, 0), (received_age, 0, 1)} if awaiting_age != received_age else {(awaiting_age, 1, 1)})
    assert ages.deadline_age == whole_business_days_waited(today - timedelta(days=PAPER_DEADLINE_DAYS - 1), today)
    assert 18 <= ages.deadline_age <= 22  # 29 calendar days back, weekends and holidays left out
    assert [row.business_days for row in ages.ages] == list(range(len(ages.ages)))

    # Today: g4 locked once, g5 locked twice then blocked, the staff account locked once.
    assert [row.day for row in days] == [today - timedelta(days=n) for n in range(29, -1, -1)]
    assert (days[-1].locks, days[-1].blocks) == (4, 1)
    assert sum(row.locks + row.blocks for row in days[:-1]) == 0

    by_day = {row.day: (row.delivered, row.voided) for row in issued if row.delivered or row.voided}
    assert by_day == {today: (1, 1), tokyo_date(now - timedelta(days=25)): (3, 0)}, (
        "g1's renewal delivered and g3's voided today; the three requesting masters 25 days ago; "
        "100 and 340 days ago are outside the 30 days")


def test_the_organization_filter_and_tomorrow(world: World, session_factory) -> None:  # noqa: ANN001
    now, code = world.now, world.code_a
    with session_factory() as session:
        months = dq.expiring_by_month(session=session, now=now, organization_code=code)
        assert sum(row.total for row in months) == 4  # master, g1 (old and new), g2
        assert sum(row.count for row in dq.requests_by_state(session=session, organization_code=code)) == 0
        awaiting, received, approved = world.codes_requests
        assert [row.count for row in dq.requests_by_state(session=session, organization_code=received)
                if row.count] == [1]
        assert dq.open_requests_by_age(session=session, now=now, organization_code=approved).total == 0
        assert dq.open_requests_by_age(session=session, now=now, organization_code=awaiting).total == 1
        days = dq.locks_and_blocks_by_day(session=session, now=now, organization_code=code)
        assert (days[-1].locks, days[-1].blocks) == (3, 1), "the staff account's lock belongs to no organization"
        assert dq.locks_and_blocks_by_day(session=session, now=now, organization_code=awaiting)[-1].locks == 0
        issued = dq.issuances_by_day(session=session, now=now, organization_code=code)
        assert (issued[-1].delivered, issued[-1].voided) == (1, 1)
        assert sum(row.delivered for row in issued) == 1
        assert dq.organization_exists(session=session, code=code)
        assert not dq.organization_exists(session=session, code="NOSUCH")

        tomorrow = now + timedelta(days=1)  # today's counts move one day back
        days = dq.locks_and_blocks_by_day(session=session, now=tomorrow)
        assert (days[-2].locks, days[-2].blocks, days[-1].locks) == (4, 1, 0)
        assert dq.issuances_by_day(session=session, now=tomorrow)[-2].voided == 1
