"""Reading written revocation requests: the staff inbox, a request's history, the values e-mails need,
what the printed request form (失効依頼書) says, and a master's last rejected request."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.banks import bank_name
from domain.business_days import whole_business_days_waited
from domain.revocation import CERTIFICATE_END_LABELS, REASON_LABELS, RequestState, RevocationReason, date_text, jst_text
from domain.staff_scope import EVERY_BANK, BankScope
from domain.validity import tokyo_date

from . import branches as branch_store
from .models import AuditEntry, Organization, Staff, User
from .organizations import MASTER_DISPLAY_NAME, in_scope
from .revocation import TARGET_KIND, ended_status, require_request
from .revocation_models import RevocationNote, RevocationRequest


@dataclass(frozen=True)
class InboxRow:
    number: str
    state: RequestState
    organization_code: str
    organization_name: str
    owner_user_id: str
    certificate_serial: str
    reason: RevocationReason
    filed_at: datetime
    paper_deadline_at: datetime
    received_at: datetime | None
    closed_at: datetime | None
    waiting_business_days: int  # whole ones since filing (paper awaited) or receipt (decision awaited); 0 once closed
    reminders_sent: int


def inbox(
    *, session: Session, now: datetime, states: Collection[RequestState] = (), organization_code: str = "",
    number_or_serial: str = "", limit: int = 200, scope: BankScope = EVERY_BANK,
) -> list[InboxRow]:
    """Requests, oldest filing first, filtered by state, organization and number/serial (exact), of the
    organizations ``scope`` reaches (a staff member's 労金)."""
    query = select(RevocationRequest).join(RevocationRequest.organization).where(in_scope(scope))
    if states:
        query = query.where(RevocationRequest.state.in_(list(states)))
    if organization_code:
        query = query.where(Organization.code == organization_code)
    if number_or_serial:
        query = query.where(or_(RevocationRequest.number == number_or_serial,
                                RevocationRequest.certificate.has(serial=number_or_serial.lower())))
    rows = session.scalars(query.order_by(RevocationRequest.filed_at, RevocationRequest.id).limit(limit))
    return [_row(request, now) for request in rows]


def _row(request: RevocationRequest, now: datetime) -> InboxRow:
    since = request.received_at if request.state is RequestState.PAPER_RECEIVED else request.filed_at
    waiting = 0 if request.closed_at is not None or since is None else whole_business_days_waited(
        tokyo_date(since), tokyo_date(now))
    owner = request.certificate.owner
    return InboxRow(
        number=request.number, state=request.state, organization_code=request.organization.code,
        organization_name=request.organization.name, owner_user_id=owner.user_id,
        certificate_serial=request.certificate.serial, reason=request.reason, filed_at=request.filed_at,
        paper_deadline_at=request.paper_deadline_at,
        received_at=request.received_at if request.received_at else None,
        closed_at=request.closed_at if request.closed_at else None,
        waiting_business_days=waiting, reminders_sent=request.reminders_sent)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str  # file / receive / comment / approve / reject / expire / withdraw / remind
    actor_kind: str  # user / staff / system
    actor_uuid: str
    actor_label: str  # the staff login or the user ID, for the staff page; '' for the system
    detail: str  # as audited (codes and IDs only)
    note: str = ""  # comment: its text

    @property
    def certificate_end(self) -> str:
        """close: how the certificate ended (a ``CertificateStatus`` value), else ''."""
        return _field(self.detail, "status")


def history(*, session: Session, number: str) -> list[HistoryEntry]:
    """Who did what when, oldest first: the request's audit entries, comments with their text."""
    request = require_request(session=session, number=number)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.target_kind == TARGET_KIND,
                                                       AuditEntry.target_id == request.number)
                              .order_by(AuditEntry.at, AuditEntry.id))
    notes = {note.id: note.text for note in session.scalars(
        select(RevocationNote).where(RevocationNote.request_id == request.id))}
    return [HistoryEntry(at=entry.at, action=entry.action.removeprefix(f"{TARGET_KIND}."),
                         actor_kind=entry.actor_kind, actor_uuid=entry.actor_id,
                         actor_label=_label(session, entry.actor_kind, entry.actor_id), detail=entry.detail,
                         note=notes.get(_note_id(entry.detail), "") if entry.action.endswith(".comment") else "")
            for entry in entries]


def _field(detail: str, key: str) -> str:
    """The value of ``key=value`` in an audited detail, '' if absent."""
    for part in detail.split():
        if part.startswith(f"{key}="):
            return part.removeprefix(f"{key}=")
    return ""


def _note_id(detail: str) -> int:
    return int(_field(detail, "note") or 0)


def _label(session: Session, kind: str, actor_id: str) -> str:
    if kind == "staff":
        return session.scalar(select(Staff.login).where(Staff.uuid == _uuid(actor_id))) or ""
    if kind == "user":
        return session.scalar(select(User.user_id).where(User.uuid == _uuid(actor_id))) or ""
    return ""


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def notice_values(*, session: Session, number: str) -> dict[str, str]:
    """What the REVOCATION_* e-mails say about the request (read by the mail activity), where the paper
    goes included (``paper_destination``, as the printed form says it)."""
    request = require_request(session=session, number=number)
    return {"request_number": request.number, "reason": REASON_LABELS[request.reason],
            "filed_on": date_text(tokyo_date(request.filed_at)), "comment": request.decision_comment,
            "certificate_end": CERTIFICATE_END_LABELS.get(ended_status(request.certificate).value, ""),
            "paper_destination": paper_destination(session, request.organization).text(OWN_BRANCH)}


def reminder_values(*, session: Session, number: str, now: datetime, reminder: int) -> dict[str, str]:
    """What the approvers' reminder says: the request's facts, no customer's name or address."""
    request = require_request(session=session, number=number)
    received_at = request.received_at if request.received_at else request.filed_at
    return {"request_number": request.number, "organization_code": request.organization.code,
            "reason": REASON_LABELS[request.reason], "received_at": jst_text(received_at),
            "business_days": str(whole_business_days_waited(tokyo_date(received_at), tokyo_date(now))),
            "reminder": str(reminder)}


# --- where the paper goes, and what it says ----------------------------------------------------

OWN_BRANCH = "お取引店（労働金庫）"  # 提出先 while the organization's 労金 branch is not in the data


@dataclass(frozen=True)
class PaperDestination:
    """提出先: where the employer sends the sealed request form. Empty until organizations have
    their 労金 branch (issue 16): then the sheet and the e-mails say ``OWN_BRANCH`` (translated on
    the pages), which sends the employer to the branch it deals with."""

    branch_name: str = ""  # e.g. 「中央労働金庫 新宿支店」
    postal_address: str = ""  # 〒, address, as the branch's record gives them

    def text(self, unknown: str) -> str:
        """One line for e-mails: the branch and its address, or ``unknown``."""
        return " ".join(part for part in (self.branch_name, self.postal_address) if part) or unknown


def paper_destination(session: Session, organization: Organization) -> PaperDestination:
    """THE place that says where an organization's written requests go (the PDF, the printable page,
    the e-mails): its お取引店 (issue 16), or nothing while it has none (then ``OWN_BRANCH``)."""
    branch = branch_store.branch_of(session=session, organization=organization)
    if branch is None or organization.bank_code is None:
        return PaperDestination()
    return PaperDestination(branch_name=f"{bank_name(organization.bank_code)} {branch.name}",
                            postal_address=branch.as_branch().postal_address)


@dataclass(frozen=True)
class SheetFacts:
    """What the printed request form says, read from the database when it is printed. Personal data
    (the requester's name, the organization's name): for the sheet only, never for a log line."""

    number: str
    filed_at: datetime
    paper_deadline_at: datetime
    organization_name: str
    organization_code: str
    user_id: str
    requester_name: str  # '' when the database has no person's name: the sheet leaves it to be written
    serial: str
    reason: RevocationReason
    reason_detail: str
    destination: PaperDestination


def sheet_facts(*, session: Session, number: str) -> SheetFacts:
    request = require_request(session=session, number=number)
    owner = request.certificate.owner
    return SheetFacts(
        number=request.number, filed_at=request.filed_at, paper_deadline_at=request.paper_deadline_at,
        organization_name=request.organization.name, organization_code=request.organization.code,
        user_id=owner.user_id, requester_name=_person_name(owner), serial=request.certificate.serial,
        reason=request.reason, reason_detail=request.reason_detail,
        destination=paper_destination(session, request.organization))


def _person_name(user: User) -> str:
    """A master user's display name is the placeholder マスターユーザー unless a person's name was given."""
    name = user.display_name.strip()
    return "" if name == MASTER_DISPLAY_NAME else name


@dataclass(frozen=True)
class Rejection:
    """A master's last written request, rejected (否認): what the 失効依頼 page shows above a new form."""

    number: str
    serial: str
    filed_at: datetime
    decided_at: datetime
    comment: str  # the approver's, for the customer (the rejection e-mail says it too)


def last_rejection(*, session: Session, owner_uuid: uuid.UUID | str) -> Rejection | None:
    """The master user's most recently filed request if it was rejected, else None: shown until a
    new request is filed (which then is the most recent one)."""
    request = session.scalar(select(RevocationRequest)
                             .where(RevocationRequest.owner_uuid == uuid.UUID(str(owner_uuid)))
                             .order_by(RevocationRequest.filed_at.desc(), RevocationRequest.id.desc()).limit(1))
    if request is None or request.state is not RequestState.REJECTED:
        return None
    return Rejection(number=request.number, serial=request.certificate.serial, filed_at=request.filed_at,
                     decided_at=request.decided_at or request.closed_at or request.filed_at,
                     comment=request.decision_comment)
