"""The reconciliation's pages (``store.reconciliation``) on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from domain.certificates import CrlReason
from domain.lockout import LockoutState, LockoutStatus, SubjectKind
from domain.roles import CertificateStatus
from store import certificates as certificate_store
from store import lockout as lockout_store
from store import reconciliation as queries
from store import users as user_store
from tests.fixtures.users import registered_master
from tests.workflows.lockout_support import registered_general, staff_account

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def issued(session, user_uuid: str, not_before: datetime, *, pending: bool = False) -> str:  # noqa: ANN001
    serial = uuid.uuid4().hex[:16]
    user = user_store.get_by_uuid(session=session, user_uuid=user_uuid)
    certificate_store.record_issued(session=session, user=user, new=certificate_store.NewCertificate(
        request_id=str(uuid.uuid4()), serial=serial, certificate_pem="", fingerprint_sha256=uuid.uuid4().hex * 2,
        not_before=not_before, not_after=not_before + timedelta(days=366)), pending=pending)
    return serial


def test_certificate_pages_hold_pending_ones_with_their_issuance(database_url, session_factory):
    master = registered_master(database_url)
    with session_factory.begin() as session:
        pending = issued(session, master.uuid, NOW - timedelta(hours=1), pending=True)
        request_id = certificate_store.get_by_serial(session=session, serial=pending).request_id
    with session_factory() as session:
        [row] = queries.certificates_to_check(session=session, after_id=0, limit=10, now=NOW)
    assert (row.serial, row.status, row.request_id) == (pending, CertificateStatus.PENDING_DELIVERY, request_id)


def test_certificate_pages_hold_active_and_unexpired_ended_ones_in_id_order(database_url, session_factory):
    master = registered_master(database_url)
    with session_factory.begin() as session:
        active = issued(session, master.uuid, NOW - timedelta(days=10))
        old_active = issued(session, master.uuid, NOW - timedelta(days=400))
        revoked = issued(session, master.uuid, NOW - timedelta(days=20))
        old_revoked = issued(session, master.uuid, NOW - timedelta(days=500))
        expired = issued(session, master.uuid, NOW - timedelta(days=30))
        for serial, status in [(revoked, CertificateStatus.REVOKED), (old_revoked, CertificateStatus.REVOKED)]:
            certificate_store.end_certificate(session=session, status=status, reason=CrlReason.KEY_COMPROMISE,
                                              at=NOW, certificate=certificate_store.get_by_serial(
                                                  session=session, serial=serial))
        certificate_store.mark_expired(session=session,
                                       certificate=certificate_store.get_by_serial(session=session, serial=expired))

    with session_factory() as session:
        first = queries.certificates_to_check(session=session, after_id=0, limit=2, now=NOW)
        rest = queries.certificates_to_check(session=session, after_id=first[-1].id, limit=2, now=NOW)
    assert [row.serial for row in first + rest] == [active, old_active, revoked]
    assert rest[0].reason is CrlReason.KEY_COMPROMISE and rest[0].revoked_at == NOW
    assert first[0].organization_code == master.organization_code and first[0].owner_uuid == master.uuid
    assert first[0].not_before.tzinfo is not None


def test_account_pages_hold_locked_and_blocked_users_and_staff(database_url, session_factory):
    master = registered_master(database_url)
    generals = [registered_general(database_url, master, user_id=f"ippan0{n}") for n in range(1, 4)]
    staff = staff_account(database_url)
    lifted = LockoutState(failures=6, locked_until=NOW - timedelta(minutes=1), lock_count=1)
    blocked = LockoutState(failures=6, lock_count=3, blocked=True)
    locked = LockoutState(failures=6, locked_until=NOW + timedelta(minutes=30), lock_count=2)
    with session_factory.begin() as session:
        for kind, who, state in [(SubjectKind.GENERAL, generals[0].uuid, blocked),
                                 (SubjectKind.GENERAL, generals[1].uuid, locked),
                                 (SubjectKind.MASTER, master.uuid, lifted),
                                 (SubjectKind.STAFF, staff, blocked)]:
            assert lockout_store.mirror_state(session=session, subject_kind=kind, user_uuid=who, state=state,
                                              as_of=NOW - timedelta(hours=2))

    with session_factory() as session:
        pages, after = [], ""
        while True:
            page = queries.locked_accounts(session=session, staff=False, after=after, limit=1, now=NOW)
            if not page:
                break
            pages.append(page)
            after = page[-1].uuid
        staff_page = queries.locked_accounts(session=session, staff=True, after="", limit=10, now=NOW)
    users = {row.uuid: row for page in pages for row in page}
    assert len(pages) == 3 and sorted(users) == [row.uuid for page in pages for row in page]
    assert users[generals[0].uuid].status is LockoutStatus.BLOCKED and users[generals[0].uuid].state == blocked
    assert users[generals[1].uuid].state == locked and users[generals[1].uuid].subject_kind is SubjectKind.GENERAL
    assert users[master.uuid].status is LockoutStatus.NORMAL  # its hour is over
    assert users[master.uuid].state == LockoutState(lock_count=1)
    assert [(row.uuid, row.subject_kind, row.organization_code) for row in staff_page] \
        == [(staff, SubjectKind.STAFF, "")]
