"""Written requests and direct revocations in the database (SQLite and PostgreSQL): filing, the
transitions the workflow records, maker-checker on comments, history, and what each revocation writes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.certificates import CrlReason
from domain.revocation import (
    Party,
    PartyKind,
    RequestState,
    RevocationReason,
    Transition,
    TransitionRecord,
    is_request_number,
)
from domain.revocation_rules import RevocationRefusal
from domain.roles import CertificateStatus, UserRole, UserStatus
from domain.validity import tokyo_date
from store import certificates as certificate_store
from store import revocation as revocation_store
from store import revocation_direct, revocation_queries
from store import users as user_store
from store.errors import ServiceError
from store.models import AuditEntry, Certificate, Staff
from store.revocation_models import RevocationNote, RevocationRequest

from .conftest import World


def now() -> datetime:
    return datetime.now(timezone.utc)


def master_party(world: World) -> Party:
    return Party(PartyKind.MASTER_USER, world.master.uuid, organization_code=world.master.organization_code)


def file(session_factory, world: World, actor: Party | None = None, **kwargs):  # noqa: ANN001, ANN201
    with session_factory.begin() as session:
        return revocation_store.file_request(session=session, serial=world.master_serial,
                                             reason=kwargs.pop("reason", RevocationReason.PC_CHANGE),
                                             actor=actor or master_party(world),
                                             now=kwargs.pop("now", None) or now(), **kwargs)


def record(session_factory, number: str, transition: Transition, actor: Party | None = None, comment_id: int = 0,
           at: datetime | None = None):  # noqa: ANN001, ANN201
    at = at or now()
    with session_factory.begin() as session:
        return revocation_store.record_transition(session=session, record=TransitionRecord(
            number, transition, at, actor_kind=actor.kind if actor else None, actor_uuid=actor.uuid if actor else "",
            comment_id=comment_id))


def certificate(session_factory, serial: str) -> Certificate:  # noqa: ANN001
    with session_factory() as session:
        return certificate_store.get_by_serial(session=session, serial=serial)


def refused(call, *args, **kwargs) -> revocation_store.RevocationRefused:  # noqa: ANN001
    with pytest.raises(revocation_store.RevocationRefused) as caught:
        call(*args, **kwargs)
    return caught.value


async def test_a_master_files_and_a_second_request_is_refused_naming_the_open_one(session_factory, world):
    filed_at = now()
    filed = file(session_factory, world, now=filed_at, reason_detail="  新しいパソコンに替えました  ")
    assert is_request_number(filed.number) and filed.number.startswith(f"R-{tokyo_date(filed_at).year}-")
    assert (filed.certificate_serial, filed.owner_uuid, filed.requested_by) == (
        world.master_serial, world.master.uuid, world.master.uuid)
    assert filed.received_by == "" and filed.received_at is None
    second = refused(file, session_factory, world, reason=RevocationReason.DELETED)
    assert second.refusal is RevocationRefusal.REQUEST_OPEN and second.details == {"number": filed.number}
    on_behalf = refused(file, session_factory, world, actor=world.receiver)
    assert on_behalf.refusal is RevocationRefusal.REQUEST_OPEN  # staff are told the same
    with session_factory() as session:
        row = revocation_store.get_request(session=session, number=filed.number)
        assert row.state is RequestState.AWAITING_PAPER and row.reason_detail == "新しいパソコンに替えました"
        assert revocation_store.open_request_for(session=session, certificate_id=row.certificate_id).number \
            == filed.number
        count = session.scalars(select(RevocationRequest)).all()
        assert len(count) == 1

    record(session_factory, filed.number, Transition.EXPIRE)
    assert file(session_factory, world).number != filed.number  # closed: a new one may be filed


async def test_only_a_master_users_live_certificate_gets_a_written_request(session_factory, world, signing):
    general = Party(PartyKind.GENERAL_USER, world.general.uuid, organization_code=world.general.organization_code)
    with session_factory.begin() as session:
        for serial, actor, expected in [
            (world.general_serial, master_party(world), RevocationRefusal.GENERAL_USER_CERTIFICATE),
            (world.master_serial, general, RevocationRefusal.NOT_ALLOWED),
            (world.master_serial, world.approver, RevocationRefusal.NEEDS_RECEIVER),
            (world.master_serial, Party(PartyKind.MASTER_USER, str(uuid.uuid4()), organization_code="ZZZZ"),
             RevocationRefusal.OTHER_ORGANIZATION),
        ]:
            error = refused(revocation_store.file_request, session=session, serial=serial,
                            reason=RevocationReason.OTHER, actor=actor, now=now())
            assert error.refusal is expected, (serial, actor)
        with pytest.raises(ServiceError):
            revocation_store.file_request(session=session, serial="abcdef", reason=RevocationReason.OTHER,
                                          actor=master_party(world), now=now())
    assert refused(file, session_factory, world, reason_detail="長" * 201).refusal is RevocationRefusal.DETAIL_TOO_LONG
    after_expiry = now() + timedelta(days=400)
    assert refused(file, session_factory, world, now=after_expiry).refusal is RevocationRefusal.NOT_REVOCABLE


async def test_a_receiver_files_with_the_paper_in_hand_and_cannot_approve_it(session_factory, world):
    filed = file(session_factory, world, actor=world.receiver)
    assert filed.requested_by == filed.received_by == world.receiver.uuid and filed.received_at is not None
    with session_factory.begin() as session:
        row = revocation_store.get_request(session=session, number=filed.number)
        assert row.state is RequestState.PAPER_RECEIVED
        assert row.requested_by_staff_uuid == row.received_by_staff_uuid and row.requested_by_user_uuid is None
        for actor, expected in [(world.receiver, RevocationRefusal.NEEDS_APPROVER),
                                (master_party(world), RevocationRefusal.NEEDS_APPROVER)]:
            error = refused(revocation_store.add_decision_comment, session=session, number=filed.number,
                            actor=actor, text="確認しました", approve=True)
            assert error.refusal is expected
        assert refused(revocation_store.add_decision_comment, session=session, number=filed.number,
                       actor=world.approver, text=" ", approve=False).refusal is RevocationRefusal.NOTE_REQUIRED
        assert revocation_store.add_decision_comment(session=session, number=filed.number, actor=world.approver,
                                                     text="書面確認済み", approve=True) > 0


async def test_approval_revokes_the_certificate_in_the_same_step_and_a_retry_changes_nothing(session_factory, world):
    filed = file(session_factory, world, reason=RevocationReason.SUSPECTED_MISUSE)
    assert record(session_factory, filed.number, Transition.RECEIVE, world.receiver).state \
        is RequestState.PAPER_RECEIVED
    with session_factory.begin() as session:  # maker-checker: the receiver may not even leave the comment
        assert refused(revocation_store.add_decision_comment, session=session, number=filed.number,
                       actor=Party(PartyKind.STAFF, world.receiver.uuid, staff_role=world.approver.staff_role),
                       text="承認", approve=True).refusal is RevocationRefusal.RECEIVER_CANNOT_DECIDE
        comment_id = revocation_store.add_decision_comment(session=session, number=filed.number,
                                                           actor=world.approver, text="届出印を確認", approve=True)
    decided_at = now() + timedelta(minutes=5)
    first = record(session_factory, filed.number, Transition.APPROVE, world.approver, comment_id, at=decided_at)
    again = record(session_factory, filed.number, Transition.APPROVE, world.approver, comment_id, at=decided_at)
    assert first == again and first.state is RequestState.APPROVED
    assert first.revoked.serial == world.master_serial and first.revoked.reason is CrlReason.KEY_COMPROMISE
    row = certificate(session_factory, world.master_serial)
    assert row.status is CertificateStatus.REVOKED and row.revocation_reason == "keyCompromise"
    assert row.revoked_at == decided_at
    with pytest.raises(revocation_store.RevocationRefused):  # closed: no other transition
        record(session_factory, filed.number, Transition.REJECT, world.approver, comment_id)

    with session_factory() as session:
        steps = revocation_queries.history(session=session, number=filed.number)
        request = revocation_store.get_request(session=session, number=filed.number)
        assert request.decision_comment == "届出印を確認" and request.closed_at is not None
        revoke_audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "certificate.revoke",
                                                                AuditEntry.target_id == world.master_serial)).one()
    assert [(step.action, step.actor_kind, step.actor_label) for step in steps] == [
        ("file", "user", world.master.user_id), ("receive", "staff", "recv01"), ("comment", "staff", "appr01"),
        ("approve", "staff", "appr01")]
    assert steps[2].note == "届出印を確認" and steps[-1].detail == f"note={comment_id}"
    assert (revoke_audit.actor_kind, revoke_audit.actor_id) == ("staff", world.approver.uuid)
    assert all("届出印" not in step.detail for step in steps)  # free text only in the notes table


async def test_rejection_keeps_the_certificate_and_its_comment_reaches_the_email_values(session_factory, world):
    filed = file(session_factory, world)
    record(session_factory, filed.number, Transition.RECEIVE, world.receiver)
    with session_factory.begin() as session:
        comment_id = revocation_store.add_decision_comment(
            session=session, number=filed.number, actor=world.approver, text="印影が不鮮明です。", approve=False)
    with pytest.raises(ServiceError):  # another approver cannot decide with someone else's comment
        record(session_factory, filed.number, Transition.REJECT, world.second_approver, comment_id)
    assert record(session_factory, filed.number, Transition.REJECT, world.approver, comment_id).revoked is None
    assert certificate(session_factory, world.master_serial).status is CertificateStatus.ACTIVE
    with session_factory() as session:
        values = revocation_queries.notice_values(session=session, number=filed.number)
    assert values["comment"] == "印影が不鮮明です。" and values["reason"] == "パソコン変更"
    assert values["request_number"] == filed.number and values["filed_on"].endswith("日")


async def test_expiry_and_withdrawal_close_without_revoking(session_factory, world, signing):
    expired = file(session_factory, world)
    assert record(session_factory, expired.number, Transition.EXPIRE).state is RequestState.EXPIRED
    with pytest.raises(revocation_store.RevocationRefused):
        record(session_factory, expired.number, Transition.RECEIVE, world.receiver)
    withdrawn = file(session_factory, world)
    assert record(session_factory, withdrawn.number, Transition.WITHDRAW, master_party(world)).state \
        is RequestState.WITHDRAWN
    assert certificate(session_factory, world.master_serial).status is CertificateStatus.ACTIVE
    with session_factory() as session:
        assert [step.action for step in revocation_queries.history(session=session, number=expired.number)] \
            == ["file", "expire"]
        assert revocation_queries.history(session=session, number=expired.number)[-1].actor_kind == "system"


async def test_a_request_closes_only_once_its_certificate_has_ended_otherwise(session_factory, world):
    filed = file(session_factory, world)
    with session_factory() as session:
        assert revocation_store.open_request_number(session=session, serial=world.master_serial) == filed.number
        assert [row.number for row in revocation_store.open_requests_of(session=session,
                                                                        owner_uuid=world.master.uuid)] == [filed.number]
    assert refused(record, session_factory, filed.number, Transition.CLOSE).refusal is RevocationRefusal.WRONG_STATE
    with session_factory.begin() as session:  # an administrator's emergency revocation, say
        certificate_store.end_certificate(session=session, certificate=certificate_store.get_by_serial(
            session=session, serial=world.master_serial), status=CertificateStatus.REVOKED,
            reason=CrlReason.KEY_COMPROMISE, at=now())
    assert record(session_factory, filed.number, Transition.CLOSE).state is RequestState.CLOSED
    assert record(session_factory, filed.number, Transition.CLOSE).state is RequestState.CLOSED  # a retry
    with session_factory() as session:
        closing = revocation_queries.history(session=session, number=filed.number)[-1]
        assert (closing.action, closing.actor_kind, closing.certificate_end) == ("close", "system", "revoked")
        assert [step.action for step in revocation_queries.history(session=session, number=filed.number)] \
            == ["file", "close"]
        assert revocation_store.open_request_number(session=session, serial=world.master_serial) == ""
        assert revocation_store.open_requests_of(session=session, owner_uuid=world.master.uuid) == []
        assert revocation_queries.notice_values(session=session, number=filed.number)["certificate_end"] == "失効"


async def test_the_database_itself_allows_one_open_request_per_certificate(session_factory, world):
    filed = file(session_factory, world)
    with pytest.raises(IntegrityError), session_factory.begin() as session:
        first = revocation_store.get_request(session=session, number=filed.number)
        session.add(RevocationRequest(
            number="R-TEST-1", certificate_id=first.certificate_id, organization_id=first.organization_id,
            owner_uuid=first.owner_uuid, requested_by_user_uuid=first.owner_uuid, reason=RevocationReason.OTHER,
            state=RequestState.PAPER_RECEIVED, paper_deadline_at=now(), decision_comment="", reminders_sent=0))
        session.flush()


async def test_inbox_filters_and_counts_business_days_waiting(session_factory, world):
    filed_at = now()
    filed = file(session_factory, world, now=filed_at)
    with session_factory() as session:
        later = filed_at + timedelta(days=14)  # two weeks on: business days have passed whatever the holidays
        rows = revocation_queries.inbox(session=session, now=later, states=[RequestState.AWAITING_PAPER],
                                        organization_code=world.master.organization_code)
        assert [row.number for row in rows] == [filed.number]
        assert rows[0].owner_user_id == world.master.user_id and rows[0].certificate_serial == world.master_serial
        assert rows[0].waiting_business_days > 0
        assert revocation_queries.inbox(session=session, now=later, states=[RequestState.APPROVED]) == []
        assert [row.number for row in revocation_queries.inbox(session=session, now=later,
                                                               number_or_serial=world.master_serial.upper())] \
            == [filed.number]


# --- direct revocations --------------------------------------------------------------------


def master_row(session, world: World):  # noqa: ANN001, ANN201
    return user_store.get_by_uuid(session=session, user_uuid=world.master.uuid)


async def test_the_master_revokes_a_general_users_certificate_directly(session_factory, world):
    with session_factory.begin() as session:
        revoked = revocation_direct.revoke_by_master(session=session, master=master_row(session, world),
                                                     user_uuid=world.general.uuid, reason=RevocationReason.LEFT,
                                                     now=now(), client_address="192.0.2.7")
    assert [(item.serial, item.owner_role, item.master_uuid, item.reason) for item in revoked] == [
        (world.general_serial, UserRole.GENERAL, world.master.uuid, CrlReason.AFFILIATION_CHANGED)]
    assert certificate(session_factory, world.general_serial).status is CertificateStatus.REVOKED
    with session_factory.begin() as session:
        again = refused(revocation_direct.revoke_by_master, session=session, master=master_row(session, world),
                        user_uuid=world.general.uuid, reason=RevocationReason.LEFT, now=now())
        assert again.refusal is RevocationRefusal.NOT_REVOCABLE
        own = refused(revocation_direct.revoke_by_master, session=session, master=master_row(session, world),
                      user_uuid=world.master.uuid, reason=RevocationReason.DELETED, now=now())
        assert own.refusal is RevocationRefusal.NEEDS_WRITTEN_REQUEST
        audit = session.scalars(select(AuditEntry).where(AuditEntry.target_id == world.general_serial,
                                                         AuditEntry.action == "certificate.revoke")).one()
        assert (audit.actor_kind, audit.actor_id, audit.client_address) == ("user", world.master.uuid, "192.0.2.7")


async def test_another_organizations_master_cannot(session_factory, world, database_url):
    from tests.fixtures.users import registered_master

    other = registered_master(database_url, email="other@example.jp")
    with session_factory.begin() as session:
        error = refused(revocation_direct.revoke_by_master, session=session,
                        master=user_store.get_by_uuid(session=session, user_uuid=other.uuid),
                        user_uuid=world.general.uuid, reason=RevocationReason.OTHER, now=now())
        assert error.refusal is RevocationRefusal.OTHER_ORGANIZATION
    assert certificate(session_factory, world.general_serial).status is CertificateStatus.ACTIVE


async def test_deleting_a_general_user_revokes_their_certificate(session_factory, world):
    with session_factory.begin() as session:
        user, revoked = revocation_direct.delete_general_user(session=session, master=master_row(session, world),
                                                              user_uuid=world.general.uuid, now=now())
        assert user.status is UserStatus.DELETED
    assert [item.serial for item in revoked] == [world.general_serial]
    assert revoked[0].reason is CrlReason.CESSATION_OF_OPERATION
    assert certificate(session_factory, world.general_serial).status is CertificateStatus.REVOKED


async def test_an_administrator_revokes_any_certificate_in_an_emergency_with_a_note(session_factory, world):
    with session_factory.begin() as session:
        staff = {party.uuid: session.get(Staff, uuid.UUID(party.uuid)) for party in (world.administrator,
                                                                                     world.approver)}
        assert refused(revocation_direct.revoke_in_emergency, session=session, staff=staff[world.approver.uuid],
                       serial=world.master_serial, reason=RevocationReason.SUSPECTED_MISUSE, note="通報",
                       now=now()).refusal is RevocationRefusal.NEEDS_ADMINISTRATOR
        assert refused(revocation_direct.revoke_in_emergency, session=session,
                       staff=staff[world.administrator.uuid], serial=world.master_serial,
                       reason=RevocationReason.SUSPECTED_MISUSE, note="  ", now=now()).refusal \
            is RevocationRefusal.NOTE_REQUIRED
        revoked = revocation_direct.revoke_in_emergency(
            session=session, staff=staff[world.administrator.uuid], serial=world.master_serial,
            reason=RevocationReason.SUSPECTED_MISUSE, note="不正ログインの通報", now=now())
    assert (revoked.serial, revoked.owner_role, revoked.reason) == (world.master_serial, UserRole.MASTER,
                                                                    CrlReason.KEY_COMPROMISE)
    with session_factory() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "certificate.emergency_revoke")).one()
        note = session.scalars(select(RevocationNote)).one()
    assert (audit.actor_id, audit.target_id) == (world.administrator.uuid, world.master_serial)
    assert audit.detail == f"reason=suspected_misuse note={note.id}" and note.text == "不正ログインの通報"
