"""Revocation: directly (the master user, an administrator's emergency) and by written request
(filed by the master user or a receiver, received, decided, withdrawn).

Staff act only within their 労金 (``domain.staff_scope``): another 労金's request or certificate is
``ServiceError(NOT_FOUND)``, as if it did not exist, before anything is changed or asked of Temporal.

A direct revocation is in force once committed — login and OCSP read the database — and the
workflows hear of it afterwards (``announce``). A written request is filed and its workflow
started in one transaction; from then on its workflow is the arbiter, and its validators have
the last word on every update (``RevocationRefusedError`` passes through).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from contract.revocation_client import RevocationRefusedError
from domain.notices import NoticeKind, NoticeRequest
from domain.revocation import Party, RequestInput, Revocation, RevocationReason, paper_deadline
from domain.revocation_rules import (
    RequestFacts,
    RevocationRefusal,
    decision_refusal,
    receive_refusal,
    withdrawal_refusal,
)
from store import branches as branch_store
from store import organizations as organization_store
from store import revocation as revocation_store
from store import revocation_direct
from store import staff as staff_store
from store.models import Staff, User
from store.revocation import RevocationRefused
from store.revocation_models import RevocationRequest

from .ports import TemporalPort, TemporalUnavailable
from .transaction import committed

log = logging.getLogger(__name__)


def announce(temporal: TemporalPort, revoked: Sequence[Revocation]) -> None:
    """After a direct revocation was committed: end the lifecycles (and so regenerate the CRL) and
    e-mail the owners. Without Temporal the revocation stands; the daily reconciliation ends
    the lifecycles that missed it."""
    if not revoked:
        return
    try:
        temporal.announce_revoked(list(revoked))
    except TemporalUnavailable as error:
        log.warning("revocation of %d certificate(s) committed but not announced: %s", len(revoked), error)


def revoke_by_master(session: Session, temporal: TemporalPort, *, master: User, user_uuid: str,
                     reason: RevocationReason, now: datetime, client_address: str | None) -> list[Revocation]:
    """失効 on the user list: the general user's live certificates. Raises ``RevocationRefused``."""
    with committed(session):
        revoked = revocation_direct.revoke_by_master(session=session, master=master, user_uuid=user_uuid,
                                                     reason=reason, now=now, client_address=client_address)
    announce(temporal, revoked)
    return revoked


def revoke_in_emergency(session: Session, temporal: TemporalPort, *, staff: Staff, serial: str,
                        reason: RevocationReason, note: str, now: datetime, client_address: str | None) -> Revocation:
    """緊急失効 by an administrator. Raises ``RevocationRefused`` or ``ServiceError`` (unknown serial, or
    another 労金's certificate)."""
    with committed(session):
        revoked = revocation_direct.revoke_in_emergency(session=session, staff=staff, serial=serial, reason=reason,
                                                        note=note, now=now, client_address=client_address)
    announce(temporal, [revoked])
    return revoked


def file_request(session: Session, temporal: TemporalPort, *, serial: str, reason: RevocationReason, actor: Party,
                 now: datetime, reason_detail: str = "", client_address: str | None = None) -> RequestInput:
    """File a written request (a master online, or a receiver for paper that came by post) and start
    its workflow; without the workflow nothing is filed. Then e-mail the master user whose certificate
    it is: its number, and — filed online — the paper's deadline and where to send it. Raises
    ``RevocationRefused``, ``ServiceError`` (unknown serial; for a receiver, also another 労金's
    certificate) or ``TemporalUnavailable`` (before filing)."""
    with committed(session):
        filed = revocation_store.file_request(session=session, serial=serial, reason=reason, actor=actor, now=now,
                                              reason_detail=reason_detail, client_address=client_address)
        temporal.start_revocation_request(filed, bank_code=branch_store.bank_code_of(  # its RokinBankCode
            session=session, organization_code=filed.organization_code))
    _announce_filing(temporal, filed)
    return filed


def _announce_filing(temporal: TemporalPort, filed: RequestInput) -> None:
    """The filing e-mail, once the request is committed (the mail activity reads it). The request stands
    without it: the page shows the same number and deadline."""
    if filed.received_by:  # a receiver filed it with the paper in hand
        notice = NoticeRequest(NoticeKind.REVOCATION_FILED_WITH_PAPER, filed.owner_uuid, request_number=filed.number)
    else:
        notice = NoticeRequest(NoticeKind.REVOCATION_FILED, filed.owner_uuid, until=paper_deadline(filed.filed_at),
                               request_number=filed.number)
    try:
        temporal.send_notice(notice)
    except TemporalUnavailable as error:
        log.warning("written request %s filed but its e-mail not started: %s", filed.number, error)


def receive_paper(session: Session, temporal: TemporalPort, *, number: str, actor: Party) -> None:
    """受付. Raises ``ServiceError(NOT_FOUND)``, ``RevocationRefused`` (the rules, checked here first) or
    ``RevocationRefusedError``."""
    _check(receive_refusal(actor, _facts(session, number, actor)))
    session.commit()  # the workflow's activity writes the request
    temporal.receive_paper(number, actor)


def decide(session: Session, temporal: TemporalPort, *, number: str, actor: Party, approve: bool, comment: str,
           client_address: str | None = None) -> None:
    """承認 / 否認 with a comment (required to reject); the comment is stored first, as a draft, and the
    update names it by ID. All or nothing: only the recorded decision audits the comment, and a
    refused or losing decision deletes its draft (``store.revocation``). Raises ``ServiceError(NOT_FOUND)``,
    ``RevocationRefused`` or ``RevocationRefusedError``."""
    comment = comment.strip()
    _check(decision_refusal(actor, _facts(session, number, actor), approve=approve, has_comment=bool(comment)))
    with committed(session):
        comment_id = revocation_store.add_decision_comment(
            session=session, number=number, actor=actor, text=comment, approve=approve,
            client_address=client_address) if comment else 0
    try:
        temporal.decide(number, actor, approve=approve, comment_id=comment_id)
    except RevocationRefusedError:
        if comment_id:
            with committed(session):
                revocation_store.discard_decision_comment(session=session, number=number, comment_id=comment_id)
        raise
    # Without an answer (TemporalUnavailable) the draft stays, unseen: the update may still be
    # recorded, and whatever settles the request deletes it otherwise.


def withdraw(session: Session, temporal: TemporalPort, *, number: str, actor: Party) -> None:
    """取下げ by the master user or an administrator. Raises ``ServiceError(NOT_FOUND)``, ``RevocationRefused``
    or ``RevocationRefusedError``."""
    _check(withdrawal_refusal(actor, _facts(session, number, actor)))
    session.commit()
    temporal.withdraw(number, actor)


def request_for_staff(session: Session, *, staff: Staff, number: str) -> RevocationRequest:
    """The request ``number`` if ``staff`` may see it (its 労金's, or any for the 連合会). Raises
    ``ServiceError(NOT_FOUND)`` for an unknown number and for another 労金's request alike."""
    request = revocation_store.require_request(session=session, number=number)
    organization_store.require_in_scope(request.organization, staff_store.scope_of(staff))
    return request


def _facts(session: Session, number: str, actor: Party) -> RequestFacts:
    """The request's facts for ``actor``'s decision; a staff party outside its 労金 finds no request."""
    request = revocation_store.require_request(session=session, number=number)
    if actor.is_staff:
        organization_store.require_in_scope(request.organization,
                                            staff_store.scope_of_uuid(session=session, staff_uuid=actor.uuid))
    return revocation_store.facts(request)


def _check(refusal: RevocationRefusal | None) -> None:
    if refusal is not None:
        raise RevocationRefused(refusal)
