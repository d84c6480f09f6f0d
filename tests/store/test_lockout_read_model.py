"""store.lockout on SQLite and PostgreSQL: the mirrored state, its ordering, the view a page
shows, the audit of releases, and the migration that adds the columns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from domain.lockout import LockoutState, LockoutStatus, ReleaseKind, SubjectKind
from domain.lockout_release import ActorKind
from domain.roles import StaffRole
from store import lockout as lockout_store
from store import staff as staff_store
from store.models import AuditEntry, Staff, User

from .conftest import ACTOR

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=timezone.utc)
LOCKED = LockoutState(failures=6, locked_until=T0 + timedelta(minutes=60), lock_count=1)
BLOCKED = LockoutState(failures=6, lock_count=3, blocked=True)


def mirror(session_factory, kind: SubjectKind, user_uuid, state: LockoutState, as_of: datetime) -> bool:
    with session_factory.begin() as session:
        return lockout_store.mirror_state(session=session, subject_kind=kind, user_uuid=str(user_uuid),
                                          state=state, as_of=as_of)


def view(session_factory, kind: SubjectKind, user_uuid, now: datetime):
    with session_factory() as session:
        return lockout_store.get_view(session=session, subject_kind=kind, user_uuid=str(user_uuid), now=now)


def test_a_new_user_reads_normal(session_factory, organization):
    assert view(session_factory, SubjectKind.MASTER, organization.master_uuid, T0) == lockout_store.LockoutView(
        LockoutStatus.NORMAL, None, 0, 0)


def test_mirror_writes_the_state_and_the_view_follows_the_clock(session_factory, organization):
    assert mirror(session_factory, SubjectKind.MASTER, organization.master_uuid, LOCKED, T0)
    with session_factory() as session:
        row = session.get(User, organization.master_uuid)
        assert (row.lockout_status, row.lock_count, row.failed_attempts) == (LockoutStatus.LOCKED, 1, 6)
    locked = view(session_factory, SubjectKind.MASTER, organization.master_uuid, T0 + timedelta(minutes=59))
    assert (locked.status, locked.locked_until, locked.failures) == (LockoutStatus.LOCKED, LOCKED.locked_until, 6)
    assert locked.locked_until.tzinfo is not None  # aware on SQLite too
    # The hour is over: 正常 at once, even before the workflow's timer has mirrored it.
    lifted = view(session_factory, SubjectKind.MASTER, organization.master_uuid, T0 + timedelta(minutes=60))
    assert lifted == lockout_store.LockoutView(LockoutStatus.NORMAL, None, 1, 0)


def test_an_older_snapshot_never_replaces_a_newer_one(session_factory, organization):
    user = organization.master_uuid
    assert mirror(session_factory, SubjectKind.MASTER, user, BLOCKED, T0 + timedelta(hours=2))
    assert not mirror(session_factory, SubjectKind.MASTER, user, LOCKED, T0)  # a late retry of an old write
    assert view(session_factory, SubjectKind.MASTER, user, T0 + timedelta(days=1)).status is LockoutStatus.BLOCKED
    assert mirror(session_factory, SubjectKind.MASTER, user, BLOCKED, T0 + timedelta(hours=2))  # the same again: fine
    assert mirror(session_factory, SubjectKind.MASTER, user, LockoutState(), T0 + timedelta(hours=3))
    assert view(session_factory, SubjectKind.MASTER, user, T0 + timedelta(days=1)).status is LockoutStatus.NORMAL


def test_staff_rows_and_unknown_accounts(session_factory):
    with session_factory.begin() as session:
        staff, _ = staff_store.create_staff(session=session, login="staff01", role=StaffRole.APPROVER, actor=ACTOR)
    assert mirror(session_factory, SubjectKind.STAFF, staff.uuid, BLOCKED, T0)
    with session_factory() as session:
        assert session.get(Staff, staff.uuid).lockout_status is LockoutStatus.BLOCKED
    unknown = "00000000-0000-4000-8000-000000000000"
    assert not mirror(session_factory, SubjectKind.GENERAL, unknown, BLOCKED, T0)
    assert view(session_factory, SubjectKind.GENERAL, unknown, T0) is None


def test_a_release_is_audited_once_with_its_actor(session_factory, organization):
    def record(release_id: str) -> None:
        with session_factory.begin() as session:
            lockout_store.record_release(session=session, subject_kind=SubjectKind.MASTER,
                                         user_uuid=str(organization.master_uuid), kind=ReleaseKind.UNBLOCK,
                                         actor_kind=ActorKind.ROKIN_ADMINISTRATOR, actor_uuid="staff-uuid",
                                         release_id=release_id)

    record("update-1")
    record("update-1")  # the activity retried
    record("update-2")  # a later, separate release
    with session_factory() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "lockout.unblock")))
    assert [(e.actor_kind, e.actor_id, e.target_kind, e.target_id) for e in entries] == [
        ("staff", "staff-uuid", "user", str(organization.master_uuid))] * 2
    assert [e.detail for e in entries] == ["release=update-1 actor=rokin_administrator",
                                          "release=update-2 actor=rokin_administrator"]


def test_master_of_organization(session_factory, organization):
    with session_factory() as session:
        assert lockout_store.master_uuid_of(session=session, organization_code=organization.code) == str(
            organization.master_uuid)
        assert lockout_store.master_uuid_of(session=session, organization_code="NOPE") is None
