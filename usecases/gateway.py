"""``TemporalPort`` on a real Temporal server: each call goes through the workflow client helpers
(``contract.*_client``) over a ``TemporalBridge``, which turns "no answer" into
``TemporalUnavailable``. Refusals (``ReleaseRefused``, ``RevocationRefusedError``) pass through.

No eager workflow start from the web (issue 14). The server hands a start's first workflow task back
in its answer only to a client whose process also runs a worker polling that task queue. Under
gunicorn every web process would have to run a Temporal worker; on the product's queue it would be
handed every kind of task, so it would need every workflow and the signing activity — the CA key,
which only the worker holds — and on a queue of the issuance's own, the issuance's timers and voiding
would stop whenever no web process runs. And ``begin_issuance`` is an update-with-start, which takes
no eager request (temporalio 1.35). Instead the issuance signs, and records the delivery, as local
activities inside the workflow task that each web call brings: one server round trip per call,
the first of them a start — what eager start with a local activity would save is that one dispatch.
The worker, which polls its queue, starts lifecycles eagerly (``certificate_client.start_lifecycle``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from contract import certificate_client, lockout_client, revocation_client
from contract.notice_client import start_notice
from contract.policies import SIGNING_WAIT
from domain.certificates import IssuanceOutcome, IssuanceRequest
from domain.lockout import AttemptResult, LockoutInput
from domain.lockout_release import ReleaseRequest, ReleaseResult
from domain.notices import NoticeRequest
from domain.revocation import Party, RequestInput, Revocation

from .authentication import UserSubject
from .bridge import TemporalBridge

LOCKOUT_DEADLINE_SECONDS = 8.0  # the lockout client retries within this; then "try later"
REVOCATION_UPDATE_SECONDS = 40.0  # an approval waits for the database and the CRL
BRIDGE_SLACK_SECONDS = 2.0  # the client helper gives up first and says why


class TemporalGateway:
    def __init__(self, bridge: TemporalBridge, *, lockout_deadline: float = LOCKOUT_DEADLINE_SECONDS) -> None:
        self.bridge = bridge
        self.task_queue = bridge.task_queue
        self.lockout_deadline = lockout_deadline

    def judge_attempt(self, subject: LockoutInput, *, password_ok: bool) -> AttemptResult:
        return self.bridge.call(
            lambda client: lockout_client.attempt(
                client, user_uuid=subject.user_uuid, organization_code=subject.organization_code,
                subject_kind=subject.subject_kind, password_ok=password_ok, task_queue=self.task_queue,
                deadline=self.lockout_deadline, bank_code=_bank_code(subject)),
            timeout=self.lockout_deadline + BRIDGE_SLACK_SECONDS)

    def release(self, subject: LockoutInput, request: ReleaseRequest) -> ReleaseResult:
        return self.bridge.call(
            lambda client: lockout_client.release(
                client, user_uuid=subject.user_uuid, organization_code=subject.organization_code,
                subject_kind=subject.subject_kind, request=request, deadline=self.lockout_deadline),
            timeout=self.lockout_deadline + BRIDGE_SLACK_SECONDS)

    def send_notice(self, notice: NoticeRequest) -> str:
        return self.bridge.call(lambda client: start_notice(client, notice, task_queue=self.task_queue))

    def begin_issuance(self, request: IssuanceRequest) -> IssuanceOutcome:
        return self.bridge.call(
            lambda client: certificate_client.begin_issuance(client, request, task_queue=self.task_queue),
            timeout=SIGNING_WAIT.total_seconds() + BRIDGE_SLACK_SECONDS)

    def tell_delivered(self, *, request_id: str, serial: str) -> None:
        self.bridge.call(lambda client: certificate_client.tell_delivered(client, request_id=request_id, serial=serial))

    def tell_superseded(self, serials: Sequence[str], *, by_serial: str, at: datetime) -> None:
        self.bridge.call(lambda client: certificate_client.tell_superseded(client, serials, by_serial=by_serial, at=at))

    def announce_revoked(self, revocations: Sequence[Revocation]) -> None:
        self.bridge.call(lambda client: revocation_client.announce_revoked(client, revocations,
                                                                           task_queue=self.task_queue))

    def start_revocation_request(self, request: RequestInput, *, bank_code: str = "") -> None:
        self.bridge.call(lambda client: revocation_client.start_request(client, request, task_queue=self.task_queue,
                                                                        bank_code=bank_code))

    def receive_paper(self, number: str, actor: Party) -> None:
        self.bridge.call(lambda client: revocation_client.receive(client, number, actor),
                         timeout=REVOCATION_UPDATE_SECONDS)

    def decide(self, number: str, actor: Party, *, approve: bool, comment_id: int) -> None:
        decision = revocation_client.approve if approve else revocation_client.reject
        self.bridge.call(lambda client: decision(client, number, actor, comment_id=comment_id),
                         timeout=REVOCATION_UPDATE_SECONDS)

    def withdraw(self, number: str, actor: Party) -> None:
        self.bridge.call(lambda client: revocation_client.withdraw(client, number, actor),
                         timeout=REVOCATION_UPDATE_SECONDS)


def _bank_code(subject: LockoutInput) -> str:
    """The RokinBankCode of the arbiter's start: an employer user's 労金; none for staff (not an organization's)."""
    return subject.bank_code if isinstance(subject, UserSubject) else ""
