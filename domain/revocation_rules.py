"""Who may do what with a certificate's revocation (SPEC.md §2 "Revocation", §5 "Authorization").

| action                          | who                                                              |
|---------------------------------|------------------------------------------------------------------|
| revoke a certificate directly   | the master user, for a general user of its own organization      |
| file a written request          | a master user for its own certificate; a 受付 receiver on the    |
|                                 | customer's behalf (paper in hand) — master users' certificates only |
| record the paper (受付)         | a receiver                                                       |
| approve / reject (承認 / 否認)  | an approver who is neither the receiver nor whoever filed it     |
| withdraw (取下げ)               | the master user of the organization, or an administrator         |
| see the request                 | any staff member; the master user of the organization            |
| emergency revocation            | an administrator, any certificate, with a reason and a note      |

Each function returns the refusal or None; the actor is checked before the request's state, so a
refused actor learns nothing about it. The web (forms, 403s), the store and the request workflow's
validators all call these, so each rule is written once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .revocation import (
    NOTE_MAX_LENGTH,
    OPEN_STATES,
    REASON_DETAIL_MAX_LENGTH,
    Party,
    PartyKind,
    RequestState,
    RevocationReason,
)
from .roles import StaffRole, UserRole


class RevocationRefusal(enum.StrEnum):
    """Why an action was refused; the workflow raises it as the ApplicationError type."""

    NOT_ALLOWED = "NotAllowed"  # this kind of party never does this
    OTHER_ORGANIZATION = "OtherOrganization"
    NEEDS_RECEIVER = "NeedsReceiver"
    NEEDS_APPROVER = "NeedsApprover"
    NEEDS_ADMINISTRATOR = "NeedsAdministrator"
    RECEIVER_CANNOT_DECIDE = "ReceiverCannotDecide"  # maker-checker
    REQUESTER_CANNOT_DECIDE = "RequesterCannotDecide"  # maker-checker
    GENERAL_USER_CERTIFICATE = "GeneralUserCertificate"  # no written request: the master revokes it directly
    NEEDS_WRITTEN_REQUEST = "NeedsWrittenRequest"  # a master user's certificate
    NOT_REVOCABLE = "NotRevocable"  # expired, revoked or superseded already
    REQUEST_OPEN = "RequestOpen"  # another request for the certificate is open (its number is given)
    WRONG_STATE = "WrongState"  # received, decided or closed already
    COMMENT_REQUIRED = "CommentRequired"  # a rejection says why
    NOTE_REQUIRED = "NoteRequired"  # an emergency note, or the words of the reason その他
    NOTE_TOO_LONG = "NoteTooLong"
    DETAIL_TOO_LONG = "DetailTooLong"  # the employer's その他 detail


REFUSAL_TEXT = {  # for histories and logs; the web shows its own Japanese text per code (web/messages.py)
    RevocationRefusal.NOT_ALLOWED: "this kind of account cannot do that",
    RevocationRefusal.OTHER_ORGANIZATION: "the certificate belongs to another organization",
    RevocationRefusal.NEEDS_RECEIVER: "only a Rokin receiver records the paper",
    RevocationRefusal.NEEDS_APPROVER: "only a Rokin approver approves or rejects",
    RevocationRefusal.NEEDS_ADMINISTRATOR: "only a Rokin administrator does that",
    RevocationRefusal.RECEIVER_CANNOT_DECIDE: "the receiver of a request cannot approve or reject it",
    RevocationRefusal.REQUESTER_CANNOT_DECIDE: "whoever filed a request cannot approve or reject it",
    RevocationRefusal.GENERAL_USER_CERTIFICATE: "a general user's certificate is revoked by its master user",
    RevocationRefusal.NEEDS_WRITTEN_REQUEST: "a master user's certificate needs a written request",
    RevocationRefusal.NOT_REVOCABLE: "the certificate is no longer active",
    RevocationRefusal.REQUEST_OPEN: "a request for this certificate is open already",
    RevocationRefusal.WRONG_STATE: "the request is not in a state that allows this",
    RevocationRefusal.COMMENT_REQUIRED: "a rejection needs a comment",
    RevocationRefusal.NOTE_REQUIRED: "a reason is required",
    RevocationRefusal.NOTE_TOO_LONG: "the text is too long",
    RevocationRefusal.DETAIL_TOO_LONG: "the reason's detail is too long",
}

FILING_STAFF_ROLE = StaffRole.RECEIVER  # the paper arrived by post: the receiver files and receives it


@dataclass(frozen=True)
class CertificateOwner:
    """The facts about a certificate's owner the rules need."""

    uuid: str
    role: UserRole
    organization_code: str


@dataclass(frozen=True)
class RequestFacts:
    """The facts about a written request the rules need."""

    state: RequestState
    organization_code: str
    requested_by: str
    received_by: str = ""


def _own_organization(actor: Party, organization_code: str) -> bool:
    return actor.kind is PartyKind.MASTER_USER and organization_code != "" \
        and actor.organization_code == organization_code


def direct_revocation_refusal(actor: Party, owner: CertificateOwner) -> RevocationRefusal | None:
    """The master user revokes a general user's certificate of its own organization (seed 003 Q10–11)."""
    if actor.kind is not PartyKind.MASTER_USER:
        return RevocationRefusal.NOT_ALLOWED
    if not _own_organization(actor, owner.organization_code):
        return RevocationRefusal.OTHER_ORGANIZATION
    if owner.role is UserRole.MASTER:
        return RevocationRefusal.NEEDS_WRITTEN_REQUEST
    return None


def filing_refusal(actor: Party, owner: CertificateOwner) -> RevocationRefusal | None:
    """A written request: for a master user's own certificate, by that user or a receiver."""
    if actor.is_staff:
        if not actor.has_role(FILING_STAFF_ROLE):
            return RevocationRefusal.NEEDS_RECEIVER
    elif actor.kind is not PartyKind.MASTER_USER:
        return RevocationRefusal.NOT_ALLOWED
    elif not _own_organization(actor, owner.organization_code):
        return RevocationRefusal.OTHER_ORGANIZATION
    if owner.role is not UserRole.MASTER:
        return RevocationRefusal.GENERAL_USER_CERTIFICATE
    if not actor.is_staff and actor.uuid != owner.uuid:
        return RevocationRefusal.OTHER_ORGANIZATION
    return None


def reason_detail_refusal(reason: RevocationReason, detail: str) -> RevocationRefusal | None:
    """The employer's own words for the reason (what the request form and the paper say after it):
    required with その他 — the other reasons say it all — and at most ``REASON_DETAIL_MAX_LENGTH``
    characters, blanks around it not counted. Every filing (the master's page, a receiver's filing
    from paper, the store) asks this one function."""
    text = detail.strip()
    if reason is RevocationReason.OTHER and not text:
        return RevocationRefusal.NOTE_REQUIRED
    if len(text) > REASON_DETAIL_MAX_LENGTH:
        return RevocationRefusal.DETAIL_TOO_LONG
    return None


def receive_refusal(actor: Party, request: RequestFacts) -> RevocationRefusal | None:
    if not actor.has_role(StaffRole.RECEIVER):
        return RevocationRefusal.NEEDS_RECEIVER
    if request.state is not RequestState.AWAITING_PAPER:
        return RevocationRefusal.WRONG_STATE
    return None


def decision_refusal(actor: Party, request: RequestFacts, *, approve: bool,
                     has_comment: bool) -> RevocationRefusal | None:
    """Maker-checker: the approver is neither the receiver nor whoever filed the request."""
    if not actor.has_role(StaffRole.APPROVER):
        return RevocationRefusal.NEEDS_APPROVER
    if actor.uuid == request.received_by:
        return RevocationRefusal.RECEIVER_CANNOT_DECIDE
    if actor.uuid == request.requested_by:
        return RevocationRefusal.REQUESTER_CANNOT_DECIDE
    if request.state is not RequestState.PAPER_RECEIVED:
        return RevocationRefusal.WRONG_STATE
    if not approve and not has_comment:
        return RevocationRefusal.COMMENT_REQUIRED
    return None


def withdrawal_refusal(actor: Party, request: RequestFacts) -> RevocationRefusal | None:
    if actor.is_staff:
        if not actor.has_role(StaffRole.ADMINISTRATOR):
            return RevocationRefusal.NEEDS_ADMINISTRATOR
    elif actor.kind is not PartyKind.MASTER_USER:
        return RevocationRefusal.NOT_ALLOWED
    elif not _own_organization(actor, request.organization_code):
        return RevocationRefusal.OTHER_ORGANIZATION
    if request.state not in OPEN_STATES:
        return RevocationRefusal.WRONG_STATE
    return None


def viewing_refusal(actor: Party, request: RequestFacts) -> RevocationRefusal | None:
    if actor.is_staff:
        return None
    if actor.kind is not PartyKind.MASTER_USER:
        return RevocationRefusal.NOT_ALLOWED
    return None if _own_organization(actor, request.organization_code) else RevocationRefusal.OTHER_ORGANIZATION


def note_problem(note: str) -> RevocationRefusal | None:
    """An approver's comment or an emergency note: required, at most ``NOTE_MAX_LENGTH`` characters."""
    if not note.strip():
        return RevocationRefusal.NOTE_REQUIRED
    if len(note.strip()) > NOTE_MAX_LENGTH:
        return RevocationRefusal.NOTE_TOO_LONG
    return None


def emergency_refusal(actor: Party, note: str) -> RevocationRefusal | None:
    """An administrator revokes any certificate at once (suspected misuse), saying why."""
    if not actor.has_role(StaffRole.ADMINISTRATOR):
        return RevocationRefusal.NEEDS_ADMINISTRATOR
    return note_problem(note)
