"""The spraying throttle (issue 12, point 6) in the use-case, on SQLite and PostgreSQL, with
``FakeTemporal`` as the lockout arbiter: one guess each against many IDs is refused once an address
(or an organization) reaches its limit — before the password is checked and before the arbiter, so
no user's lockout counts it — while another address goes on; unknown IDs count on the address only.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from domain.lockout import Outcome
from domain.roles import StaffRole
from store import audit
from store import login_throttle as throttle
from store.login_throttle import Limit, LoginThrottle, Scope, ThrottleLimits
from tests.fakes.temporal_port import FakeTemporal
from tests.fixtures.users import DEFAULT_PASSWORD, pending_general_user, registered_master
from usecases import authentication, organizations
from usecases.authentication import AttemptOrigin, AttemptRefused, AttemptThrottled, UnknownCredentials

LIMITS = ThrottleLimits(address=Limit(3, timedelta(minutes=15)), organization=Limit(5, timedelta(minutes=15)))
NOW = datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)
SPRAYER = "198.51.100.7"
WRONG = "Guess2026x"


@pytest.fixture
def temporal(session_factory) -> FakeTemporal:  # noqa: ANN001
    return FakeTemporal(session_factory)


def attempt(session_factory, temporal, user_id: str, password: str = WRONG, *,  # noqa: ANN001
            address: str | None = SPRAYER, now: datetime = NOW) -> str:
    """One password attempt at any entry; how it ended, as the metric names it."""
    with session_factory() as session:
        try:
            authentication.authenticate_user(session, temporal, user_id=user_id, password=password,
                                             origin=AttemptOrigin(address, LIMITS), now=now)
        except AttemptThrottled as throttled:
            assert throttled.until > now
            return "throttled"
        except AttemptRefused as refused:
            return refused.result.outcome.value
        except UnknownCredentials:
            return "unknown_id"
    return "success"


def counts(session_factory) -> dict[tuple[str, str], int]:  # noqa: ANN001
    with session_factory() as session:
        return {(row.scope, row.key): row.failures for row in session.scalars(select(LoginThrottle))}


def test_spraying_ids_from_one_address_is_throttled_before_any_lockout_counts(database_url, session_factory,
                                                                             temporal):
    master = registered_master(database_url)
    ids = [pending_general_user(database_url, master, user_id=f"ippan{n:02d}") for n in range(6)]

    outcomes = [attempt(session_factory, temporal, user.user_id) for user in ids]

    assert outcomes == ["wrong_password"] * 3 + ["throttled"] * 3
    judged = {user.uuid for user in ids[:3]}
    assert set(temporal.states) == judged  # the arbiter never saw the throttled three
    for user in ids[3:]:  # nor does the right password pass, or count, while the address is throttled
        assert attempt(session_factory, temporal, user.user_id, user.passwords[0]) == "throttled"
    assert set(temporal.states) == judged
    assert counts(session_factory)[(Scope.ADDRESS, SPRAYER)] == 3

    # Another address is not throttled: its wrong password reaches the arbiter, its right one gets in.
    assert attempt(session_factory, temporal, ids[3].user_id, address="203.0.113.9") == Outcome.WRONG_PASSWORD
    assert attempt(session_factory, temporal, ids[4].user_id, ids[4].passwords[0], address="203.0.113.9") == "success"


def test_unknown_ids_count_on_the_address_only(database_url, session_factory, temporal):
    master = registered_master(database_url)
    outcomes = [attempt(session_factory, temporal, f"nobody{n:03d}") for n in range(4)]
    assert outcomes == ["unknown_id"] * 3 + ["throttled"]
    # Throttled alike for an existing ID, which a spray could not otherwise tell from an unknown one.
    assert attempt(session_factory, temporal, master.user_id, DEFAULT_PASSWORD) == "throttled"
    assert counts(session_factory) == {(Scope.ADDRESS, SPRAYER): 3}  # no organization was named
    assert temporal.states == {}


def test_an_organization_is_throttled_across_addresses(database_url, session_factory, temporal):
    master = registered_master(database_url)
    other = registered_master(database_url)
    ids = [pending_general_user(database_url, master, user_id=f"ippan{n:02d}") for n in range(6)]
    for number, user in enumerate(ids[:5]):  # five addresses, one guess each: below any address limit
        assert attempt(session_factory, temporal, user.user_id, address=f"192.0.2.{number}") == "wrong_password"

    fresh = "192.0.2.200"
    assert attempt(session_factory, temporal, ids[5].user_id, ids[5].passwords[0], address=fresh) == "throttled"
    assert ids[5].uuid not in temporal.states
    # The refusal said the ID exists, so it counted on the address as a guess would.
    assert counts(session_factory)[(Scope.ADDRESS, fresh)] == 1
    # Another organization's user, from the same address, is not held by this one.
    assert attempt(session_factory, temporal, other.user_id, DEFAULT_PASSWORD, address=fresh) == "success"


def test_success_resets_no_count(database_url, session_factory, temporal):
    master = registered_master(database_url)
    for _ in range(2):
        assert attempt(session_factory, temporal, "nobody001") == "unknown_id"
    assert attempt(session_factory, temporal, master.user_id, DEFAULT_PASSWORD, address="203.0.113.9") == "success"
    assert attempt(session_factory, temporal, master.user_id, DEFAULT_PASSWORD) == "success"
    assert counts(session_factory)[(Scope.ADDRESS, SPRAYER)] == 2
    assert attempt(session_factory, temporal, "nobody002") == "unknown_id"
    assert attempt(session_factory, temporal, master.user_id, DEFAULT_PASSWORD) == "throttled"


def test_the_throttle_lifts_when_its_window_ends(database_url, session_factory, temporal):
    master = registered_master(database_url)
    for _ in range(3):
        attempt(session_factory, temporal, "nobody001")
    ends = NOW + LIMITS.address.window
    assert attempt(session_factory, temporal, master.user_id, DEFAULT_PASSWORD, now=ends - timedelta(seconds=1)) == (
        "throttled")
    assert attempt(session_factory, temporal, master.user_id, DEFAULT_PASSWORD, now=ends) == "success"
    # The next failure opens a new window, counted from one.
    assert attempt(session_factory, temporal, "nobody001", now=ends) == "unknown_id"
    assert counts(session_factory)[(Scope.ADDRESS, SPRAYER)] == 1


def test_staff_logins_are_throttled_per_address(session_factory, temporal):
    with session_factory() as session:
        staff, initial = organizations.create_staff(session, login="shokuin01", role=StaffRole.RECEIVER,
                                                    actor=audit.Actor.cli())

    def staff_attempt(login: str, password: str, address: str = SPRAYER) -> str:
        with session_factory() as session:
            try:
                authentication.authenticate_staff(session, temporal, login=login, password=password,
                                                  origin=AttemptOrigin(address, LIMITS), now=NOW)
            except AttemptThrottled:
                return "throttled"
            except (AttemptRefused, UnknownCredentials):
                return "refused"
        return "success"

    assert [staff_attempt(f"nobody{n:03d}", WRONG) for n in range(3)] == ["refused"] * 3
    assert staff_attempt("shokuin01", initial) == "throttled"
    assert str(staff.uuid) not in temporal.states
    assert staff_attempt("shokuin01", initial, address="203.0.113.9") == "success"


def test_concurrent_failures_are_all_counted(session_factory):
    """Many workers failing at once on one key: the upsert loses none (the limit holds across processes)."""
    threads, barrier = 12, threading.Barrier(12)
    key = throttle.address_key(SPRAYER)

    def fail() -> None:
        barrier.wait()
        with session_factory.begin() as session:
            throttle.count_failure(session=session, keys=[key], limits=LIMITS, now=NOW)

    workers = [threading.Thread(target=fail) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert counts(session_factory) == {(Scope.ADDRESS, SPRAYER): threads}


@pytest.mark.parametrize(("address", "counted_as"), [
    ("198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # a whole /64 is one customer's
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.7", "198.51.100.7"),
])
def test_addresses_are_counted_per_customer(address: str, counted_as: str):
    assert throttle.address_key(address) == (Scope.ADDRESS, counted_as)
