"""Written revocation requests (issue 5): filing, decision comments, and the transitions the request
workflow records.

The web files a request (``file_request``) and starts its workflow in the same transaction, so a
request whose workflow could not start is rolled back and never blocks the certificate. From then
on the workflow is the arbiter: its update validators apply ``domain.revocation_rules``, and its
activity records each transition here (``record_transition``) — idempotently, since activities are
retried, and an approval revokes the certificate in the same transaction as it approves the request.

Every step goes into the audit log under ``revocation_request/<number>``, which is the request's
history. Service functions take ``session=`` and never commit.

A decision is all or nothing. An approver's comment is stored first (the workflow history carries
only its ID) but as a draft: no audit row, shown nowhere. Only the transaction that records the
decision naming it audits it, and that same transaction deletes every other draft on the request
(a losing approver's, or one whose update never arrived). The use-case also discards its own draft
at once when the workflow refuses the decision. The request row is locked for both (on SQLite by
the writing transaction itself), so no draft can be stored after the decision was recorded.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from domain.certificates import CrlReason
from domain.revocation import (
    CRL_REASONS,
    OPEN_STATES,
    TRANSITION_TARGETS,
    Party,
    PartyKind,
    RequestInput,
    RequestState,
    RevocationReason,
    RevokedCertificate,
    Transition,
    TransitionRecord,
    TransitionResult,
    paper_deadline,
    request_number,
)
from domain.revocation_rules import (
    CertificateOwner,
    RequestFacts,
    RevocationRefusal,
    decision_refusal,
    filing_refusal,
    note_problem,
    reason_detail_refusal,
)
from domain.roles import CertificateStatus, UserRole

from . import audit
from . import certificates as certificate_store
from .errors import Refusal, ServiceError
from .models import AuditEntry, Certificate, Staff, User
from .organizations import lock_organization, require_in_scope
from .revocation_models import RevocationNote, RevocationRequest
from .staff import scope_of_uuid

TARGET_KIND = "revocation_request"
WORKFLOW_ACTOR = audit.Actor("system", "revocation-request")
FROM_STATES: dict[Transition, frozenset[RequestState]] = {
    Transition.RECEIVE: frozenset({RequestState.AWAITING_PAPER}),
    Transition.APPROVE: frozenset({RequestState.PAPER_RECEIVED}),
    Transition.REJECT: frozenset({RequestState.PAPER_RECEIVED}),
    Transition.EXPIRE: frozenset({RequestState.AWAITING_PAPER}),
    Transition.WITHDRAW: OPEN_STATES,
    Transition.CLOSE: OPEN_STATES,
}


class RevocationRefused(Exception):
    """A rule of ``domain.revocation_rules`` refused; ``details`` may name the open request (``number``)."""

    def __init__(self, refusal: RevocationRefusal, **details: object) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.details = details


def party_of_user(user: User) -> Party:
    kind = PartyKind.MASTER_USER if user.role is UserRole.MASTER else PartyKind.GENERAL_USER
    return Party(kind, str(user.uuid), organization_code=user.organization.code)


def party_of_staff(staff: Staff) -> Party:
    return Party(PartyKind.STAFF, str(staff.uuid), staff_role=staff.role)


def audit_actor(party: Party, client_address: str | None = None) -> audit.Actor:
    return audit.Actor("staff" if party.is_staff else "user", party.uuid, client_address)


def owner_of(certificate: Certificate) -> CertificateOwner:
    return CertificateOwner(str(certificate.owner_uuid), certificate.owner.role, certificate.owner.organization.code)


def facts(request: RevocationRequest) -> RequestFacts:
    return RequestFacts(state=request.state, organization_code=request.organization.code,
                        requested_by=request.requested_by,
                        received_by=str(request.received_by_staff_uuid or ""))


def get_request(*, session: Session, number: str) -> RevocationRequest | None:
    return session.scalar(select(RevocationRequest).where(RevocationRequest.number == number))


def require_request(*, session: Session, number: str) -> RevocationRequest:
    request = get_request(session=session, number=number)
    if request is None:
        raise ServiceError(Refusal.NOT_FOUND)
    return request


def lock_request(*, session: Session, number: str) -> RevocationRequest:
    """The request as it is now, its row locked until the transaction ends (PostgreSQL; a writing
    SQLite transaction holds the whole database already): storing a draft and recording the
    decision take turns."""
    request = session.scalar(select(RevocationRequest).where(RevocationRequest.number == number)
                             .with_for_update().execution_options(populate_existing=True))
    if request is None:
        raise ServiceError(Refusal.NOT_FOUND)
    return request


def open_request_for(*, session: Session, certificate_id: int) -> RevocationRequest | None:
    return session.scalar(select(RevocationRequest).where(RevocationRequest.certificate_id == certificate_id,
                                                          RevocationRequest.state.in_(OPEN_STATES)))


def open_requests_of(*, session: Session, owner_uuid: uuid.UUID | str) -> list[RevocationRequest]:
    """The open requests for a master user's certificates (two at most, during a renewal), oldest first."""
    return list(session.scalars(select(RevocationRequest).where(
        RevocationRequest.owner_uuid == uuid.UUID(str(owner_uuid)), RevocationRequest.state.in_(OPEN_STATES))
        .order_by(RevocationRequest.filed_at, RevocationRequest.id)))


def open_request_number(*, session: Session, serial: str) -> str:
    """The number of the certificate's open request, '' if none (one at most: the unique index)."""
    return session.scalar(select(RevocationRequest.number).join(RevocationRequest.certificate).where(
        Certificate.serial == serial, RevocationRequest.state.in_(OPEN_STATES))) or ""


def workflow_input(request: RevocationRequest) -> RequestInput:
    """What ``contract.revocation_client.start_request`` starts the request's workflow with."""
    return RequestInput(
        number=request.number, certificate_serial=request.certificate.serial,
        organization_code=request.organization.code, owner_uuid=str(request.owner_uuid),
        requested_by=request.requested_by, reason=request.reason,
        filed_at=request.filed_at,
        received_by=str(request.received_by_staff_uuid or ""),
        received_at=request.received_at if request.received_at else None)


def file_request(
    *, session: Session, serial: str, reason: RevocationReason, actor: Party, now: datetime,
    reason_detail: str = "", client_address: str | None = None,
) -> RequestInput:
    """File a written request for a master user's certificate; returns the workflow's input.

    A receiver files on the customer's behalf with the paper in hand, so such a request starts
    received (by that receiver, who therefore cannot approve it) — and only for a certificate of
    their own 労金's organizations: another's is ``ServiceError(NOT_FOUND)``, like an unknown serial.
    Refused (``RevocationRefused``) when the actor may not, the certificate no longer works, or a request for it is open
    already — ``details["number"]`` names that one.
    """
    certificate = certificate_store.get_by_serial(session=session, serial=serial)
    if certificate is None:
        raise ServiceError(Refusal.NOT_FOUND)
    if actor.is_staff:  # a receiver files only for their own 労金's organizations (another's: "no such")
        require_in_scope(certificate.owner.organization, scope_of_uuid(session=session, staff_uuid=actor.uuid))
    if (refusal := filing_refusal(actor, owner_of(certificate))) is not None:
        raise RevocationRefused(refusal)
    if (refusal := reason_detail_refusal(reason, reason_detail)) is not None:  # その他 needs its words
        raise RevocationRefused(refusal)
    detail = reason_detail.strip()
    lock_organization(session=session, organization_id=certificate.organization_id)  # one open request, even racing
    if not certificate_store.held(certificate).is_live(now):
        raise RevocationRefused(RevocationRefusal.NOT_REVOCABLE)
    if (open_one := open_request_for(session=session, certificate_id=certificate.id)) is not None:
        raise RevocationRefused(RevocationRefusal.REQUEST_OPEN, number=open_one.number)
    request = RevocationRequest(
        number=f"pending-{uuid.uuid4().hex[:12]}", certificate_id=certificate.id,
        organization_id=certificate.organization_id, owner_uuid=certificate.owner_uuid,
        requested_by_user_uuid=None if actor.is_staff else uuid.UUID(actor.uuid),
        requested_by_staff_uuid=uuid.UUID(actor.uuid) if actor.is_staff else None,
        reason=reason, reason_detail=detail, state=RequestState.AWAITING_PAPER,
        filed_at=now, paper_deadline_at=paper_deadline(now), decision_comment="",
        reminders_sent=0)
    session.add(request)
    session.flush()
    request.number = request_number(now, request.id)
    who = audit_actor(actor, client_address)
    _audit(session, who, request, "file", f"certificate={serial} reason={reason.value}")
    if actor.is_staff:
        _receive(session, request, who, now)
    session.flush()
    return workflow_input(request)


def add_decision_comment(
    *, session: Session, number: str, actor: Party, text: str, approve: bool, client_address: str | None = None,
) -> int:
    """Store an approver's comment, as a draft, before the approve/reject update names it (by this ID).

    The text stays in the database: the workflow history only ever sees the ID. The draft is audited
    (and so shown) only with the decision that names it (``record_transition``); a refused or losing
    decision leaves nothing (``discard_decision_comment``). Refused unless the actor could make this
    decision now (maker-checker included) and the text is 1–500 characters. ``client_address`` is
    not kept: the decision's audit rows are written by the workflow's activity, which has none.
    """
    del client_address
    request = lock_request(session=session, number=number)
    refusal = decision_refusal(actor, facts(request), approve=approve, has_comment=True) or note_problem(text)
    if refusal is not None:
        raise RevocationRefused(refusal)
    note = RevocationNote(request_id=request.id, certificate_id=request.certificate_id,
                          author_staff_uuid=uuid.UUID(actor.uuid), text=text.strip())
    session.add(note)
    session.flush()
    return note.id


def discard_decision_comment(*, session: Session, number: str, comment_id: int) -> None:
    """The decision that was to name this draft was refused: delete it, unless a decision did name it
    after all (an update answered ambiguously, then found the request closed by itself)."""
    request = lock_request(session=session, number=number)
    if not _published(session, request, comment_id):
        session.execute(delete(RevocationNote).where(RevocationNote.id == comment_id,
                                                     RevocationNote.request_id == request.id))


def record_transition(*, session: Session, record: TransitionRecord) -> TransitionResult:
    """Write what the workflow decided. A retry of a transition already written returns its result."""
    request = lock_request(session=session, number=record.number)
    target = TRANSITION_TARGETS[record.transition]
    if request.state is target:
        return TransitionResult(target, _revoked(request) if target is RequestState.APPROVED else None)
    if request.state not in FROM_STATES[record.transition]:
        raise RevocationRefused(RevocationRefusal.WRONG_STATE, state=request.state.value)
    who = WORKFLOW_ACTOR if record.actor_kind is None else audit.Actor(
        "user" if record.actor_kind is not PartyKind.STAFF else "staff", record.actor_uuid)
    if record.transition is Transition.RECEIVE:
        _receive(session, request, who, record.at)
        return TransitionResult(request.state)
    if record.transition in (Transition.APPROVE, Transition.REJECT):
        return _decide(session, request, who, record)
    detail = ""
    if record.transition is Transition.CLOSE:
        if certificate_store.held(request.certificate).is_live(record.at):  # it still works: keep the request
            raise RevocationRefused(RevocationRefusal.WRONG_STATE, state=request.state.value)
        detail = f"certificate={request.certificate.serial} status={ended_status(request.certificate).value}"
    _delete_drafts(session, request)  # closed undecided: no decision will name them
    request.state = target
    request.closed_at = record.at
    _audit(session, who, request, record.transition.value, detail)
    return TransitionResult(request.state)


def record_reminder(*, session: Session, number: str, reminder: int) -> RevocationRequest:
    """The approvers were reminded (the ``reminder``-th time): the inbox and the history show it."""
    request = require_request(session=session, number=number)
    if request.reminders_sent < reminder:
        request.reminders_sent = reminder
        _audit(session, WORKFLOW_ACTOR, request, "remind", f"reminder={reminder}")
    return request


def ended_status(certificate: Certificate) -> CertificateStatus:
    """How a certificate that no longer works ended (past its notAfter but not yet mirrored: expired)."""
    return CertificateStatus.EXPIRED if certificate.status is CertificateStatus.ACTIVE else certificate.status


def _receive(session: Session, request: RevocationRequest, who: audit.Actor, at: datetime) -> None:
    request.state = RequestState.PAPER_RECEIVED
    request.received_at = at
    request.received_by_staff_uuid = uuid.UUID(who.id)
    _audit(session, who, request, "receive")


def _decide(session: Session, request: RevocationRequest, who: audit.Actor,
            record: TransitionRecord) -> TransitionResult:
    if record.comment_id:
        note = session.get(RevocationNote, record.comment_id)
        if note is None or note.request_id != request.id or str(note.author_staff_uuid) != who.id:
            raise ServiceError(Refusal.NOT_FOUND)  # a comment is the deciding approver's own, on this request
        request.decision_comment = note.text
        _audit(session, who, request, "comment", f"note={note.id}")  # the draft is the decision's now
    _delete_drafts(session, request, keep=record.comment_id)  # the other approvers' lost
    request.state = TRANSITION_TARGETS[record.transition]
    request.decided_at = request.closed_at = record.at
    request.decided_by_staff_uuid = uuid.UUID(who.id)
    _audit(session, who, request, record.transition.value, f"note={record.comment_id}" if record.comment_id else "")
    if record.transition is Transition.REJECT:
        return TransitionResult(request.state)
    # Revoked now, in this transaction: it takes effect at the certificate's next request.
    certificate_store.end_certificate(session=session, certificate=request.certificate,
                                      status=CertificateStatus.REVOKED, reason=CRL_REASONS[request.reason],
                                      at=record.at, actor=who)
    return TransitionResult(request.state, _revoked(request))


def _delete_drafts(session: Session, request: RevocationRequest, keep: int = 0) -> None:
    """Every comment on the request but the deciding one (``keep``) is a draft of a decision that lost
    or never came: deleted with the transition that settles the request."""
    session.execute(delete(RevocationNote).where(RevocationNote.request_id == request.id,
                                                 RevocationNote.id != keep))


def _published(session: Session, request: RevocationRequest, note_id: int) -> bool:
    """Whether a recorded decision named the note (its comment row is in the request's history)."""
    return bool(session.scalar(select(exists().where(
        AuditEntry.target_kind == TARGET_KIND, AuditEntry.target_id == request.number,
        AuditEntry.action == f"{TARGET_KIND}.comment", AuditEntry.detail == f"note={note_id}"))))


def _revoked(request: RevocationRequest) -> RevokedCertificate | None:
    """The certificate as this approval left it (None if it had ended otherwise before)."""
    certificate = request.certificate
    if certificate.status is not CertificateStatus.REVOKED or certificate.revoked_at is None:
        return None
    return RevokedCertificate(certificate.serial, CrlReason(certificate.revocation_reason),
                              certificate.revoked_at)


def _audit(session: Session, who: audit.Actor, request: RevocationRequest, action: str, detail: str = "") -> None:
    audit.record(session=session, actor=who, action=f"{TARGET_KIND}.{action}", target_kind=TARGET_KIND,
                 target_id=request.number, detail=detail)
