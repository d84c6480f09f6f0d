"""A ``usecases.ports.TemporalPort`` without a Temporal server, for page tests where Temporal is
incidental (forms, authorization, listings). It keeps the product's rules: the lockout arbiter is
``domain.lockout``'s judge and release with ``domain.lockout_release``'s checks, mirrored into the
read model as the workflow's activity does; it remembers the notices, supersessions and
revocations the use-cases announce. What it cannot stand in for — the written request's workflow,
the issuance saga, e-mail delivery — raises, so a test that needs them uses the real server
(tests/web/conftest.py's ``app``), which proves the wiring.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy.orm import Session, sessionmaker

from contract.lockout_client import ReleaseRefused
from domain.certificates import IssuanceOutcome, IssuanceRequest
from domain.lockout import AttemptResult, LockoutInput, LockoutState, judge, release, status
from domain.lockout_release import ReleaseRequest, ReleaseResult, release_refusal
from domain.notices import NoticeRequest
from domain.revocation import Party, RequestInput, Revocation
from store import lockout as lockout_store


class NeedsTemporal(Exception):
    """The fake has no stand-in for this workflow: use the real server for this test."""


@dataclass
class FakeTemporal:
    session_factory: sessionmaker[Session]
    states: dict[str, LockoutState] = field(default_factory=dict)
    notices: list[NoticeRequest] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    revoked: list[Revocation] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # one arbiter per ID: one judge at a time

    def judge_attempt(self, subject: LockoutInput, *, password_ok: bool) -> AttemptResult:
        with self._lock:
            now = datetime.now(timezone.utc)
            state, result = judge(self.states.get(subject.user_uuid, LockoutState()), password_ok, now)
            self._store(subject, state, now)
        return result

    def release(self, subject: LockoutInput, request: ReleaseRequest) -> ReleaseResult:
        with self._lock:
            now = datetime.now(timezone.utc)
            state = self.states.get(subject.user_uuid, LockoutState())
            refusal = release_refusal(request, state, now, subject_kind=subject.subject_kind,
                                      subject_uuid=subject.user_uuid,
                                      subject_organization_code=subject.organization_code)
            if refusal is not None:
                raise ReleaseRefused(refusal)
            state = release(state, request.kind)
            self._store(subject, state, now)
        return ReleaseResult(status=status(state, now), lock_count=state.lock_count)

    def send_notice(self, notice: NoticeRequest) -> str:
        self.notices.append(notice)
        return f"notice/fake/{uuid.uuid4()}"

    def tell_superseded(self, serials: Sequence[str], *, by_serial: str, at: datetime) -> None:
        self.superseded.extend(serials)

    def announce_revoked(self, revocations: Sequence[Revocation]) -> None:
        self.revoked.extend(revocations)

    def begin_issuance(self, request: IssuanceRequest) -> IssuanceOutcome:
        raise NeedsTemporal("the issuance saga")

    def tell_delivered(self, *, request_id: str, serial: str) -> None:
        raise NeedsTemporal("the issuance saga")

    def start_revocation_request(self, request: RequestInput, *, bank_code: str = "") -> None:
        raise NeedsTemporal("the written request's workflow")

    def receive_paper(self, number: str, actor: Party) -> None:
        raise NeedsTemporal("the written request's workflow")

    def decide(self, number: str, actor: Party, *, approve: bool, comment_id: int) -> None:
        raise NeedsTemporal("the written request's workflow")

    def withdraw(self, number: str, actor: Party) -> None:
        raise NeedsTemporal("the written request's workflow")

    def _store(self, subject: LockoutInput, state: LockoutState, now: datetime) -> None:
        """Keep the state and mirror it, as the workflow's ``mirror_lockout_state`` activity does."""
        self.states[subject.user_uuid] = state
        with self.session_factory.begin() as session:
            lockout_store.mirror_state(session=session, subject_kind=subject.subject_kind,
                                       user_uuid=subject.user_uuid, state=state, as_of=now)
