"""A decision's comment is a draft until the decision that names it is recorded (issue 12, point 3),
in the database (SQLite and PostgreSQL): the recorded decision audits its own comment and deletes
the other drafts, so a losing approver whose page never got to discard its draft leaves nothing
either; and a draft a decision did name is never discarded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.revocation import RequestState, Transition
from store import revocation as revocation_store
from store import revocation_queries
from store.models import AuditEntry
from store.revocation_models import RevocationNote

from .conftest import World
from .test_store import file, record


def draft(session_factory, number: str, actor, text: str, *, approve: bool) -> int:  # noqa: ANN001
    with session_factory.begin() as session:
        return revocation_store.add_decision_comment(session=session, number=number, actor=actor, text=text,
                                                     approve=approve)


def notes_and_comment_rows(session_factory, number: str) -> tuple[list[str], list[str]]:  # noqa: ANN001
    with session_factory() as session:
        request = revocation_store.require_request(session=session, number=number)
        notes = list(session.scalars(select(RevocationNote.text).where(RevocationNote.request_id == request.id)
                                     .order_by(RevocationNote.id)))
        comments = list(session.scalars(select(AuditEntry.actor_id).where(
            AuditEntry.target_id == number, AuditEntry.action == "revocation_request.comment")))
    return notes, comments


async def test_a_draft_is_audited_only_with_its_decision_and_the_losers_draft_goes(session_factory, world: World):
    filed = file(session_factory, world)
    record(session_factory, filed.number, Transition.RECEIVE, world.receiver)
    winner = draft(session_factory, filed.number, world.approver, "届出印を確認", approve=True)
    draft(session_factory, filed.number, world.second_approver, "押印がありません", approve=False)
    assert notes_and_comment_rows(session_factory, filed.number) == (["届出印を確認", "押印がありません"], [])
    with session_factory() as session:  # drafts are shown nowhere
        assert [step.action for step in revocation_queries.history(session=session, number=filed.number)] == [
            "file", "receive"]

    assert record(session_factory, filed.number, Transition.APPROVE, world.approver, winner).state \
        is RequestState.APPROVED
    assert notes_and_comment_rows(session_factory, filed.number) == (["届出印を確認"], [world.approver.uuid])
    with pytest.raises(revocation_store.RevocationRefused):  # decided: nobody stores a draft any more
        draft(session_factory, filed.number, world.second_approver, "遅れた否認", approve=False)
    assert notes_and_comment_rows(session_factory, filed.number)[0] == ["届出印を確認"]


async def test_a_refused_decision_discards_its_draft_but_never_the_decisions_comment(session_factory, world: World):
    filed = file(session_factory, world)
    record(session_factory, filed.number, Transition.RECEIVE, world.receiver)
    refused_one = draft(session_factory, filed.number, world.second_approver, "押印がありません", approve=False)
    with session_factory.begin() as session:
        revocation_store.discard_decision_comment(session=session, number=filed.number, comment_id=refused_one)
    assert notes_and_comment_rows(session_factory, filed.number) == ([], [])

    decided = draft(session_factory, filed.number, world.approver, "届出印を確認", approve=True)
    record(session_factory, filed.number, Transition.APPROVE, world.approver, decided)
    with session_factory.begin() as session:  # an update answered ambiguously, then found the request closed
        revocation_store.discard_decision_comment(session=session, number=filed.number, comment_id=decided)
    assert notes_and_comment_rows(session_factory, filed.number) == (["届出印を確認"], [world.approver.uuid])
