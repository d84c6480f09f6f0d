"""One written revocation request (SPEC.md §2 "Revocation", issue 5 §2), ID ``revocation-request/<number>``.

Started by the web right after it filed the request (``contract.revocation_client.start_request``).
AWAITING_PAPER → ``receive`` (a receiver) → PAPER_RECEIVED → ``approve`` / ``reject`` (an approver who
is neither the receiver nor whoever filed it) → APPROVED / REJECTED. ``withdraw`` (the master user,
or an administrator) closes an open request; so does the ``certificate_ended`` signal, which the
certificate's lifecycle sends (through ``RevocationActivities.tell_open_request``) when the
certificate ends by another route → CLOSED. The dates come from ``domain.revocation``:

- the paper has 30 days (filing day = day 1): at 00:00 JST after day 30 the request EXPIRES (e-mail);
- once received, approvers are reminded after 3 whole business days (weekends and Japanese public
  holidays do not count), at 09:00 JST, and again every 3 business days until it is decided.

Each update's validator applies ``domain.revocation_rules`` without changing anything, and refuses
with an ``ApplicationError`` whose type is a ``RevocationRefusal`` value. The handler takes the
request's lock, checks again (two approvers racing: the second is refused), records the transition
in the database and only then changes state — the expiry takes the same lock, so it never
overtakes a receipt being recorded. An approval revokes the certificate in that same database
transaction and regenerates the CRL before the update returns; then the main loop tells the
certificate's lifecycle and sends the e-mails.

Histories hold UUIDs, codes, numbers and IDs only: the approver's comment is stored first in the
database and the update carries its ID. History size: a few events per reminder — a request left
undecided for a year stays under a thousand events, so no continue-as-new.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

from contract.names import (
    CERTIFICATE_ENDED_SIGNAL,
    REQUEST_STATUS_QUERY,
    RequestUpdate,
    WorkflowType,
    certificate_workflow_id,
    notice_workflow_id,
)
from contract.policies import DATABASE_RETRY
from contract.search_attributes import STATE
from domain.certificates import Revoked
from domain.notices import NoticeKind, NoticeRequest, notice_summary
from domain.revocation import (
    OPEN_STATES,
    STATE_LABELS,
    ApproverReminder,
    CertificateEnded,
    RequestInput,
    RequestState,
    RequestStatus,
    RevokedCertificate,
    StaffAction,
    Transition,
    TransitionRecord,
    TransitionResult,
    jst_text,
    paper_deadline,
    reminder_at,
    reminders_due,
)
from domain.revocation_rules import (
    REFUSAL_TEXT,
    RequestFacts,
    RevocationRefusal,
    decision_refusal,
    receive_refusal,
    withdrawal_refusal,
)

with workflow.unsafe.imports_passed_through():
    from activities.certificates import CertificateActivities
    from activities.revocation import RevocationActivities

    from .certificate_lifecycle import CertificateLifecycleWorkflow
    from .notice import NoticeWorkflow

DB_TIMEOUT = timedelta(seconds=30)
CRL_DEADLINE = timedelta(seconds=30)  # the approval stands without it: the lifecycle and the daily run publish too
REMINDER_GIVE_UP = timedelta(days=1)
CLOSING_NOTICES = {RequestState.APPROVED: NoticeKind.REVOCATION_APPROVED,
                   RequestState.REJECTED: NoticeKind.REVOCATION_REJECTED,
                   RequestState.EXPIRED: NoticeKind.REVOCATION_EXPIRED,
                   RequestState.CLOSED: NoticeKind.REVOCATION_CLOSED,
                   RequestState.WITHDRAWN: NoticeKind.REVOCATION_WITHDRAWN}
# Requests withdrawn before this change sent no e-mail: replaying them must not start one.
WITHDRAWAL_NOTICE_PATCH = "withdrawal-notice"


@workflow.defn(name=WorkflowType.REVOCATION_REQUEST)
class RevocationRequestWorkflow:
    @workflow.init
    def __init__(self, input: RequestInput) -> None:
        self._input = input
        self._state = RequestState.PAPER_RECEIVED if input.received_by else RequestState.AWAITING_PAPER
        self._received_by = input.received_by
        self._received_at: datetime | None = input.received_at
        self._decided_by = ""
        self._revoked: RevokedCertificate | None = None
        self._lock = asyncio.Lock()
        self._pending: list[asyncio.Future[Any]] = []  # e-mails: awaited before the workflow completes

    @workflow.run
    async def run(self, input: RequestInput) -> RequestState:
        self._set_state(self._state)
        if self._state is RequestState.AWAITING_PAPER:
            await self._await_paper()
        if self._state is RequestState.PAPER_RECEIVED:
            await self._await_decision()
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._announce()
        await asyncio.gather(*self._pending, return_exceptions=True)  # a failed e-mail is its own story
        return self._state

    # --- updates ------------------------------------------------------------------------------

    @workflow.update(name=RequestUpdate.RECEIVE)
    async def receive(self, action: StaffAction) -> RequestStatus:
        async with self._lock:
            self._refuse(receive_refusal(action.actor, self._facts()))
            now = workflow.now()
            await self._record(Transition.RECEIVE, now, action)
            self._received_by, self._received_at = action.actor.uuid, now
            self._set_state(RequestState.PAPER_RECEIVED)
        return self.status()

    @receive.validator
    def _validate_receive(self, action: StaffAction) -> None:
        self._refuse(receive_refusal(action.actor, self._facts()))

    @workflow.update(name=RequestUpdate.APPROVE)
    async def approve(self, action: StaffAction) -> RequestStatus:
        return await self._decide(action, approve=True)

    @approve.validator
    def _validate_approve(self, action: StaffAction) -> None:
        self._refuse(self._decision_refusal(action, approve=True))

    @workflow.update(name=RequestUpdate.REJECT)
    async def reject(self, action: StaffAction) -> RequestStatus:
        return await self._decide(action, approve=False)

    @reject.validator
    def _validate_reject(self, action: StaffAction) -> None:
        self._refuse(self._decision_refusal(action, approve=False))

    @workflow.update(name=RequestUpdate.WITHDRAW)
    async def withdraw(self, action: StaffAction) -> RequestStatus:
        async with self._lock:
            self._refuse(withdrawal_refusal(action.actor, self._facts()))
            await self._record(Transition.WITHDRAW, workflow.now(), action)
            self._set_state(RequestState.WITHDRAWN)
        return self.status()

    @withdraw.validator
    def _validate_withdraw(self, action: StaffAction) -> None:
        self._refuse(withdrawal_refusal(action.actor, self._facts()))

    @workflow.signal(name=CERTIFICATE_ENDED_SIGNAL)
    async def certificate_ended(self, ended: CertificateEnded) -> None:
        """The certificate ended by another route (its lifecycle says so): an open request closes."""
        async with self._lock:
            if self._state not in OPEN_STATES or ended.serial != self._input.certificate_serial:
                return
            try:
                result = await self._record(Transition.CLOSE, workflow.now())
            except ActivityError:  # the database says it still works: the request stays open
                workflow.logger.warning("request %s not closed: its certificate still works", self._input.number)
                return
            self._set_state(result.state)

    @workflow.query(name=REQUEST_STATUS_QUERY)
    def status(self) -> RequestStatus:
        return RequestStatus(self._input.number, self._state, self._received_by, self._decided_by)

    async def _decide(self, action: StaffAction, *, approve: bool) -> RequestStatus:
        async with self._lock:
            self._refuse(self._decision_refusal(action, approve=approve))
            result = await self._record(Transition.APPROVE if approve else Transition.REJECT, workflow.now(), action)
            self._decided_by, self._revoked = action.actor.uuid, result.revoked
            if result.revoked is not None:
                await self._publish_crl()  # before answering: whoever approved can read the CRL at once
            self._set_state(result.state)
        return self.status()

    def _decision_refusal(self, action: StaffAction, *, approve: bool) -> RevocationRefusal | None:
        return decision_refusal(action.actor, self._facts(), approve=approve, has_comment=action.comment_id > 0)

    def _facts(self) -> RequestFacts:
        return RequestFacts(self._state, self._input.organization_code, self._input.requested_by, self._received_by)

    @staticmethod
    def _refuse(refusal: RevocationRefusal | None) -> None:
        if refusal is not None:
            raise ApplicationError(REFUSAL_TEXT[refusal], type=refusal.value, non_retryable=True)

    # --- timers -------------------------------------------------------------------------------

    async def _await_paper(self) -> None:
        deadline = paper_deadline(self._input.filed_at)
        self._details(f"書面の到着待ち（期限 {jst_text(deadline)}）")
        if await self._left_before(RequestState.AWAITING_PAPER, deadline, "書面の到着期限（30日目の終わり）まで"):
            return
        async with self._lock:
            if self._state is RequestState.AWAITING_PAPER:
                await self._record(Transition.EXPIRE, workflow.now())
                self._set_state(RequestState.EXPIRED)

    async def _await_decision(self) -> None:
        assert self._received_at is not None
        sent = 0
        while True:
            due = reminder_at(self._received_at, sent)
            self._details(f"承認待ち（書面受付 {jst_text(self._received_at)}、次の催促 {jst_text(due)}）")
            if await self._left_before(RequestState.PAPER_RECEIVED, due, "承認者への催促（3営業日経過）まで"):
                return
            await workflow.wait_condition(lambda: not self._lock.locked())  # a decision being recorded
            if self._state is not RequestState.PAPER_RECEIVED:
                return
            sent = max(sent + 1, reminders_due(self._received_at, workflow.now()))  # woke up late: the latest only
            self._pending.append(workflow.start_activity_method(
                RevocationActivities.remind_approvers, ApproverReminder(self._input.number, sent, workflow.now()),
                start_to_close_timeout=timedelta(minutes=1), schedule_to_close_timeout=REMINDER_GIVE_UP,
                retry_policy=DATABASE_RETRY, summary=f"承認者へ催促（{sent}回目）"))

    async def _left_before(self, state: RequestState, at: datetime, summary: str) -> bool:
        """Wait until ``at``; True if the request left ``state`` first."""
        remaining = at - workflow.now()
        if remaining > timedelta(0):
            try:
                await workflow.wait_condition(lambda: self._state is not state, timeout=remaining,
                                              timeout_summary=summary)
            except TimeoutError:
                pass
        return self._state is not state

    # --- effects ------------------------------------------------------------------------------

    async def _record(self, transition: Transition, at: datetime,
                      action: StaffAction | None = None) -> TransitionResult:
        record = TransitionRecord(self._input.number, transition, at,
                                  actor_kind=action.actor.kind if action else None,
                                  actor_uuid=action.actor.uuid if action else "",
                                  comment_id=action.comment_id if action else 0)
        return await workflow.execute_activity_method(
            RevocationActivities.record_transition, record, start_to_close_timeout=DB_TIMEOUT,
            retry_policy=DATABASE_RETRY, summary=f"{transition.value}: データベースに記録")

    async def _publish_crl(self) -> None:
        try:
            await workflow.execute_activity_method(
                CertificateActivities.publish_crl, start_to_close_timeout=DB_TIMEOUT,
                schedule_to_close_timeout=CRL_DEADLINE, retry_policy=DATABASE_RETRY, summary="CRLを更新")
        except ActivityError:
            workflow.logger.warning("CRL not regenerated after approving %s", self._input.number)

    async def _announce(self) -> None:
        """After the request closed: end the certificate's lifecycle, e-mail the master user."""
        if self._revoked is not None:
            try:
                await workflow.get_external_workflow_handle(certificate_workflow_id(self._revoked.serial)).signal(
                    CertificateLifecycleWorkflow.revoked, Revoked(self._revoked.reason, self._revoked.at))
            except FailureError:  # its lifecycle has ended already; the database and the CRL say it all
                workflow.logger.info("lifecycle of a revoked certificate not found")
        kind = CLOSING_NOTICES.get(self._state)
        if kind is NoticeKind.REVOCATION_WITHDRAWN and not workflow.patched(WITHDRAWAL_NOTICE_PATCH):
            kind = None
        if kind is not None:
            self._pending.append(await workflow.start_child_workflow(
                NoticeWorkflow.run, NoticeRequest(kind, self._input.owner_uuid, request_number=self._input.number),
                id=notice_workflow_id(kind.value, self._input.owner_uuid, str(workflow.uuid4())),
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                static_summary=notice_summary(kind)))

    def _set_state(self, state: RequestState) -> None:
        self._state = state
        workflow.upsert_search_attributes([STATE.value_set(state.value)])
        if state not in (RequestState.AWAITING_PAPER, RequestState.PAPER_RECEIVED):
            self._details(f"{STATE_LABELS[state]}（終了）")

    def _details(self, text: str) -> None:
        workflow.set_current_details(f"失効依頼 {self._input.number}：{text}")
