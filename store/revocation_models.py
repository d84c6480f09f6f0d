"""Written revocation requests and the staff's notes about revocations (migration 0004).

The request's history (who did what when) is the audit log: ``target_kind="revocation_request"``,
``target_id=<number>``, append-only already. Free text — the employer's その他 detail, an
approver's comment, an administrator's emergency note — lives in these tables only, never in a
workflow history or the audit log.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.revocation import OPEN_STATES, RequestState, RevocationReason

from .models import Base, Certificate, Organization, _enum, utcnow

# At most one open request per certificate, whatever races the service's own check loses.
OPEN_PREDICATE = text("state IN ({})".format(", ".join(f"'{state.value}'" for state in sorted(OPEN_STATES))))


class RevocationRequest(Base):
    __tablename__ = "revocation_requests"
    __table_args__ = (
        Index("uq_revocation_requests_open_certificate", "certificate_id", unique=True,
              sqlite_where=OPEN_PREDICATE, postgresql_where=OPEN_PREDICATE),
        Index("ix_revocation_requests_state_filed", "state", "filed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # domain.revocation.request_number
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    owner_uuid: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.uuid"))  # the master user
    # Exactly one of the two: the master user filed it, or a receiver did on the customer's behalf.
    requested_by_user_uuid: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.uuid"))
    requested_by_staff_uuid: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.uuid"))
    reason: Mapped[RevocationReason] = mapped_column(_enum(RevocationReason))
    reason_detail: Mapped[str] = mapped_column(String(200), default="")  # その他: the employer's words
    state: Mapped[RequestState] = mapped_column(_enum(RequestState))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    paper_deadline_at: Mapped[datetime]
    received_at: Mapped[datetime | None]
    received_by_staff_uuid: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.uuid"))
    decided_at: Mapped[datetime | None]
    decided_by_staff_uuid: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.uuid"))
    decision_comment: Mapped[str] = mapped_column(Text, default="")  # copied from the note the decision named
    closed_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)

    certificate: Mapped[Certificate] = relationship()
    organization: Mapped[Organization] = relationship()

    @property
    def requested_by(self) -> str:
        return str(self.requested_by_user_uuid or self.requested_by_staff_uuid)


class RevocationNote(Base):
    """A staff member's text about a revocation: a decision's comment or an emergency's reason."""

    __tablename__ = "revocation_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("revocation_requests.id"), index=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    author_staff_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("staff.uuid"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
