"""A staff decision is all or nothing (issue 12, point 3): two approvers decide the same request at
the same moment, through the real pages and the request's real workflow, on one database (SQLite
and PostgreSQL). One wins; the other gets 409 and leaves no note and no audit row."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from sqlalchemy import select

from core.config import Settings
from domain.revocation import RequestState
from domain.roles import StaffRole
from store import revocation as revocation_store
from store.models import AuditEntry
from store.revocation_models import RevocationNote
from tests.conftest import csrf_token
from usecases.gateway import TemporalGateway

from ..pages import text

COMMENTS = {"approve": "書面と届出印を確認しました", "reject": "押印がありません"}
OUTCOME = {"approve": RequestState.APPROVED, "reject": RequestState.REJECTED}


@pytest.fixture
def settings(settings: Settings, database_url: str) -> Settings:
    """The web tests' settings on each database (a fresh, migrated one)."""
    return replace(settings, database_url=database_url)


@pytest.fixture
def at_the_same_moment(monkeypatch) -> None:  # noqa: ANN001
    """Both decisions reach the workflow only once both have passed the checks and stored their
    comments: each waits for the other just before its update."""
    both_ready = threading.Barrier(2, timeout=60)
    update = TemporalGateway.decide

    def decide(self, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        both_ready.wait()
        update(self, *args, **kwargs)

    monkeypatch.setattr(TemporalGateway, "decide", decide)


def test_the_losing_approver_leaves_no_note_and_no_audit_row(app, filed, staff_as, at_the_same_moment):
    factory = app.extensions["rokin"].session_factory
    _, number = filed
    receiver = staff_as(StaffRole.RECEIVER, "recv01")
    assert receiver.post(f"/staff/requests/{number}/receive",
                         data={"csrf_token": csrf_token(receiver, "/staff/requests")}).status_code == 302
    approvers = {"approve": staff_as(StaffRole.APPROVER, "appr01"), "reject": staff_as(StaffRole.APPROVER, "appr02")}
    tokens = {decision: csrf_token(client, "/staff/requests") for decision, client in approvers.items()}

    def decide(decision: str) -> int:
        return approvers[decision].post(f"/staff/requests/{number}/decide", data={
            "csrf_token": tokens[decision], "decision": decision, "comment": COMMENTS[decision]}).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = dict(zip(COMMENTS, pool.map(decide, COMMENTS), strict=True))
    assert sorted(statuses.values()) == [302, 409]
    won = next(decision for decision, status in statuses.items() if status == 302)
    lost = next(decision for decision in COMMENTS if decision != won)

    with factory() as session:
        request = revocation_store.get_request(session=session, number=number)
        notes = list(session.scalars(select(RevocationNote.text).where(RevocationNote.request_id == request.id)))
        history = list(session.execute(select(AuditEntry.action, AuditEntry.actor_id).where(
            AuditEntry.target_id == number).order_by(AuditEntry.id)))
    assert request.state is OUTCOME[won] and request.decision_comment == COMMENTS[won]
    assert notes == [COMMENTS[won]]  # the loser's comment is gone
    decider = str(request.decided_by_staff_uuid)
    assert [(action, actor) for action, actor in history if actor == decider or action.endswith(".comment")] == [
        ("revocation_request.comment", decider), (f"revocation_request.{won}", decider)]
    page = text(approvers[won].get(f"/staff/requests/{number}"))
    assert COMMENTS[won] in page and COMMENTS[lost] not in page
