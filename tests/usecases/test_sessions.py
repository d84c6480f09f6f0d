"""Server-side login sessions on both databases (issue 12, point 1): what makes one live, what ends it,
and that every path which must log a principal out does so in its own transaction."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from domain.certificates import CrlReason
from domain.lockout import LockoutState, SubjectKind
from domain.roles import CertificateStatus, StaffRole
from store import audit
from store import certificates as certificate_store
from store import lockout as lockout_store
from store import sessions as session_store
from store import staff as staff_store
from store.errors import ServiceError
from store.models import AuditEntry, Staff
from store.sessions import EndReason, Lifetimes, LoginSession, Principal
from tests.fixtures.users import registered_master
from tests.web.certificates.arrange import record_certificate
from usecases import organizations, sessions

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)
LIFETIMES = Lifetimes(idle=timedelta(minutes=15), absolute=timedelta(hours=8))
ACTOR = audit.Actor("staff", "00000000-0000-0000-0000-000000000001", "192.0.2.1")


@pytest.fixture
def staff(session_factory) -> Staff:  # noqa: ANN001
    with session_factory.begin() as session:
        member, _ = staff_store.create_staff(session=session, login="staff100", role=StaffRole.ADMINISTRATOR,
                                             actor=audit.Actor.cli())
    return member


def open_for(session_factory, principal: Principal, at: datetime = T0, **kwargs) -> sessions.Opened:  # noqa: ANN001, ANN003
    with session_factory() as session:
        return sessions.open_session(session, principal=principal, now=at, replacing=None, **kwargs)


def resumed(session_factory, token: str, at: datetime) -> LoginSession | None:  # noqa: ANN001
    with session_factory() as session:
        return sessions.resume(session, token=token, now=at, lifetimes=LIFETIMES)


def row_of(session_factory, opened: sessions.Opened) -> LoginSession:  # noqa: ANN001
    with session_factory() as session:
        return session.get(LoginSession, opened.row.id)


def test_only_the_hash_of_the_id_is_stored(session_factory, staff):
    opened = open_for(session_factory, Principal.staff(staff.uuid), user_agent="Mozilla/5.0 " + "x" * 300,
                      client_address="192.0.2.7")
    row = row_of(session_factory, opened)
    assert len(opened.token) >= 43 and opened.token not in row.token_sha256
    assert row.token_sha256 == hashlib.sha256(opened.token.encode()).hexdigest()
    assert len(row.user_agent) == session_store.USER_AGENT_LENGTH and row.client_address == "192.0.2.7"
    assert resumed(session_factory, row.token_sha256, T0) is None  # the stored hash is no ID


def test_a_session_is_live_until_idle_or_absolute_lifetime_runs_out(session_factory, staff):
    opened = open_for(session_factory, Principal.staff(staff.uuid))
    assert resumed(session_factory, opened.token, T0 + timedelta(minutes=14)).id == opened.row.id
    # Used every 14 minutes it stays live (last_seen moved on), but not past 8 hours from login.
    at = T0 + timedelta(minutes=14)
    while at + timedelta(minutes=14) <= T0 + LIFETIMES.absolute:
        at += timedelta(minutes=14)
        assert resumed(session_factory, opened.token, at) is not None, at
    assert resumed(session_factory, opened.token, T0 + LIFETIMES.absolute + timedelta(seconds=1)) is None
    row = row_of(session_factory, opened)
    assert row.end_reason is EndReason.EXPIRED and row.ended_at == T0 + LIFETIMES.absolute + timedelta(seconds=1)

    idle = open_for(session_factory, Principal.staff(staff.uuid))
    assert resumed(session_factory, idle.token, T0 + timedelta(minutes=15, seconds=1)) is None
    assert resumed(session_factory, idle.token, T0) is None  # ended for good, not only too old


def test_last_seen_moves_on_at_most_once_a_minute(session_factory, staff):
    opened = open_for(session_factory, Principal.staff(staff.uuid))
    resumed(session_factory, opened.token, T0 + timedelta(seconds=30))
    assert row_of(session_factory, opened).last_seen_at == T0  # no write for a request within the minute
    resumed(session_factory, opened.token, T0 + timedelta(seconds=90))
    assert row_of(session_factory, opened).last_seen_at == T0 + timedelta(seconds=90)


def test_login_in_the_same_browser_ends_its_previous_session(session_factory, staff):
    first = open_for(session_factory, Principal.staff(staff.uuid))
    with session_factory() as session:
        second = sessions.open_session(session, principal=Principal.staff(staff.uuid), now=T0, replacing=first.token)
    assert second.token != first.token
    assert resumed(session_factory, first.token, T0) is None
    assert row_of(session_factory, first).end_reason is EndReason.REPLACED
    assert resumed(session_factory, second.token, T0) is not None


def test_end_all_ends_every_session_of_one_principal_but_the_kept_one(session_factory, staff):
    with session_factory.begin() as session:
        other, _ = staff_store.create_staff(session=session, login="staff200", role=StaffRole.RECEIVER,
                                            actor=audit.Actor.cli())
    mine = [open_for(session_factory, Principal.staff(staff.uuid)) for _ in range(3)]
    theirs = open_for(session_factory, Principal.staff(other.uuid))
    with session_factory.begin() as session:
        ended = session_store.end_all(session=session, principal=Principal.staff(staff.uuid),
                                      reason=EndReason.PASSWORD_CHANGED, at=T0, keep_id=mine[0].row.id)
    assert ended == 2
    assert [resumed(session_factory, o.token, T0) is not None for o in mine] == [True, False, False]
    assert resumed(session_factory, theirs.token, T0) is not None
    with session_factory.begin() as session:  # again: nothing more to end, the first reason stays
        assert session_store.end_all(session=session, principal=Principal.staff(staff.uuid),
                                     reason=EndReason.BLOCKED, at=T0) == 1
    assert row_of(session_factory, mine[1]).end_reason is EndReason.PASSWORD_CHANGED


def test_a_staff_password_change_ends_the_other_sessions_only(session_factory, staff):
    current, other = (open_for(session_factory, Principal.staff(staff.uuid)) for _ in range(2))
    with session_factory() as session:
        member = session.get(Staff, staff.uuid)
        organizations.replace_initial_staff_password(session, staff=member, new_password="Chosen2024", actor=ACTOR,
                                                     keep_session=current.row)
    assert resumed(session_factory, current.token, T0) is not None
    assert resumed(session_factory, other.token, T0) is None
    assert row_of(session_factory, other).end_reason is EndReason.PASSWORD_CHANGED


@pytest.mark.parametrize("blocked", [True, False])
def test_a_block_mirrored_by_the_lockout_workflow_ends_the_sessions(session_factory, staff, blocked):
    opened = open_for(session_factory, Principal.staff(staff.uuid))
    with session_factory.begin() as session:
        assert lockout_store.mirror_state(session=session, subject_kind=SubjectKind.STAFF, user_uuid=str(staff.uuid),
                                          state=LockoutState(failures=6, lock_count=3, blocked=blocked), as_of=T0)
    assert (resumed(session_factory, opened.token, T0) is None) is blocked  # a mere lock ends nothing


def test_a_revoked_certificate_ends_the_sessions_opened_with_it(session_factory, database_url):
    master = registered_master(database_url)
    serial = record_certificate(session_factory, master.user_id, T0 - timedelta(days=1))
    other_serial = record_certificate(session_factory, master.user_id, T0 - timedelta(days=2))
    with_it = open_for(session_factory, Principal.user(master.uuid), certificate_serial=serial)
    with_other = open_for(session_factory, Principal.user(master.uuid), certificate_serial=other_serial)
    with session_factory.begin() as session:  # what every revocation path calls
        row = certificate_store.get_by_serial(session=session, serial=serial)
        assert certificate_store.end_certificate(session=session, certificate=row, status=CertificateStatus.REVOKED,
                                                 reason=CrlReason.KEY_COMPROMISE, at=T0)
    assert resumed(session_factory, with_it.token, T0) is None
    assert row_of(session_factory, with_it).end_reason is EndReason.CERTIFICATE_ENDED
    assert resumed(session_factory, with_other.token, T0) is not None


def test_a_staff_member_ends_their_own_other_session_and_it_is_audited(session_factory, staff):
    current, other = (open_for(session_factory, Principal.staff(staff.uuid)) for _ in range(2))
    with session_factory() as session:
        member = session.get(Staff, staff.uuid)
        with pytest.raises(ServiceError):  # the current one ends by ログアウト, not here
            sessions.end_own_session(session, staff=member, session_id=current.row.id, current=current.row, now=T0,
                                     actor=ACTOR)
        sessions.end_own_session(session, staff=member, session_id=other.row.id, current=current.row, now=T0,
                                 actor=ACTOR)
        live = sessions.staff_sessions(session, staff=member, now=T0, lifetimes=LIFETIMES)
        entries = list(session.scalars(select(AuditEntry.action)
                                       .where(AuditEntry.target_id == str(staff.uuid))))
    assert [row.id for row in live] == [current.row.id]
    assert row_of(session_factory, other).end_reason is EndReason.ENDED_BY_SELF
    assert "session.end" in entries
