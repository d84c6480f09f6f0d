"""The use-cases' view of Temporal: a small protocol with the calls they make, and the one way a
call fails for want of an answer.

``usecases.gateway.TemporalGateway`` implements it on a real server (through a
``usecases.bridge.TemporalBridge``); tests may pass a fake. Refusals by a workflow (a release
the rules forbid, a maker-checker violation) are raised as their own types and pass through.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.certificates import IssuanceOutcome, IssuanceRequest
from domain.lockout import AttemptResult, LockoutInput
from domain.lockout_release import ReleaseRequest, ReleaseResult
from domain.notices import NoticeRequest
from domain.revocation import Party, RequestInput, Revocation


class TemporalUnavailable(Exception):
    """Temporal, or the worker behind it, gave no answer in time (a transport failure or a time-out).

    Whatever was asked may or may not have happened; the caller says "try again later" and, for a
    password attempt, refuses (nobody gets in without the arbiter's answer). ``timed_out``: an
    answer did not come in time (rather than the call failing to get through)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class TemporalPort(Protocol):
    # --- the lockout arbiter (workflows.lockout) ------------------------------------------
    def judge_attempt(self, subject: LockoutInput, *, password_ok: bool) -> AttemptResult:
        """The arbiter's answer to one password attempt whose hash the caller checked."""

    def release(self, subject: LockoutInput, request: ReleaseRequest) -> ReleaseResult:
        """Unlock or unblock; raises ``contract.lockout_client.ReleaseRefused``."""

    # --- e-mail -----------------------------------------------------------------------------
    def send_notice(self, notice: NoticeRequest) -> str:
        """Start the notice's workflow (the activity looks the address up); returns its workflow ID."""

    # --- certificates -----------------------------------------------------------------------
    def begin_issuance(self, request: IssuanceRequest) -> IssuanceOutcome:
        """Start (or join) the issuance; its certificate as soon as it is signed (pending delivery), or
        the refusal. Raises ``contract.certificate_client.IssuanceFailed`` when signing failed."""

    def tell_delivered(self, *, request_id: str, serial: str) -> None:
        """The web recorded the delivery itself: the issuance starts the certificate's lifecycle now."""

    def tell_superseded(self, serials: Sequence[str], *, by_serial: str, at: datetime) -> None:
        """End the lifecycles of certificates superseded in the database."""

    def announce_revoked(self, revocations: Sequence[Revocation]) -> None:
        """End the lifecycles of directly revoked certificates and e-mail their owners."""

    # --- written revocation requests (workflows.revocation_request) ---------------------
    def start_revocation_request(self, request: RequestInput, *, bank_code: str = "") -> None:
        """Start the request's workflow; ``bank_code``: the organization's 労金 (RokinBankCode), '' for none."""

    def receive_paper(self, number: str, actor: Party) -> None:
        """受付; raises ``contract.revocation_client.RevocationRefusedError``."""

    def decide(self, number: str, actor: Party, *, approve: bool, comment_id: int) -> None:
        """承認 / 否認; raises ``RevocationRefusedError``."""

    def withdraw(self, number: str, actor: Party) -> None:
        """取下げ; raises ``RevocationRefusedError``."""
