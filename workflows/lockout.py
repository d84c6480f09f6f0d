"""One user's password lockout (SPEC.md §2 "Lockout"): the single arbiter of every attempt.

One workflow per user or staff account, ID ``lockout/<uuid>``, started by the first attempt
(update-with-start, see ``contract.lockout_client``) and running for ever through
continue-as-new. The web checks the password hash itself and sends only the outcome.

- ``attempt`` judges with ``domain.lockout.judge`` and writes the state without awaiting in
  between, so concurrent attempts are judged one after another: exactly 6 count.
- ``unlock`` / ``unblock`` check who asks in a validator (no state change) and refuse with
  an ``ApplicationError`` whose type is a ``ReleaseRefusal`` value.
- The main loop does the slow parts outside the handlers: the 60-minute timer, mirroring the
  state to the read model, auditing releases, starting the e-mail notices, search
  attributes, and continue-as-new.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from contract.names import (
    LOCKOUT_CONTINUING,
    LOCKOUT_STATUS_QUERY,
    LockoutUpdate,
    WorkflowType,
    notice_workflow_id,
)
from contract.policies import DATABASE_RETRY
from contract.search_attributes import ORGANIZATION_CODE, STATE, USER_UUID
from domain.lockout import (
    AttemptOutcome,
    AttemptResult,
    LockoutInput,
    LockoutState,
    LockoutStatus,
    MasterLookup,
    MirrorRequest,
    Outcome,
    ReleaseKind,
    SubjectKind,
    expire_lock,
    judge,
    lockout_summary,
    release,
    status,
)
from domain.lockout_release import (
    REFUSAL_TEXT,
    ReleaseAudit,
    ReleaseRequest,
    ReleaseResult,
    release_refusal,
)
from domain.notices import NoticeKind, NoticeRequest, notice_summary

with workflow.unsafe.imports_passed_through():
    from activities.lockout import LockoutActivities

    from .notice import NoticeWorkflow

STATUS_TEXT = {LockoutStatus.NORMAL: "正常", LockoutStatus.LOCKED: "ロック中", LockoutStatus.BLOCKED: "閉塞"}
MAX_UPDATES_PER_RUN = 1000  # well under the server's 2000 updates per run, whatever the history size
DB_TIMEOUT = timedelta(seconds=30)


@dataclass(frozen=True)
class _PendingNotice:
    kind: NoticeKind
    recipient_uuid: str  # '' = the master user of the subject's organization, looked up first
    until: datetime | None = None
    about_user_uuid: str = ""


@workflow.defn(name=WorkflowType.LOCKOUT)
class LockoutWorkflow:
    @workflow.init
    def __init__(self, input: LockoutInput) -> None:
        self._input = input
        self._state: LockoutState = input.state
        # A continued run inherits a mirrored state; a first run mirrors once so a stale row is fixed.
        self._mirrored: LockoutState | None = input.state if workflow.info().continued_run_id else None
        self._notices: list[_PendingNotice] = []
        self._audits: list[ReleaseAudit] = []
        self._updates_this_run = 0
        self._continuing = False
        self._timers: list[asyncio.Future[None]] = []
        self._timer_until: datetime | None = None

    @workflow.run
    async def run(self, input: LockoutInput) -> None:
        self._publish_search_attributes()
        while True:
            self._state = expire_lock(self._state, workflow.now())
            if self._should_continue_as_new():  # first: a steady stream of attempts must not starve it
                await self._continue_as_new()
            elif self._has_effects():
                await self._apply_effects()
            else:
                await self._wait_for_work()

    # --- password attempts ---------------------------------------------------------------

    @workflow.update(name=LockoutUpdate.ATTEMPT)
    def attempt(self, outcome: AttemptOutcome) -> AttemptResult:
        # No await in here: read, judge and write the state as one step.
        self._updates_this_run += 1
        self._state, result = judge(self._state, outcome.password_ok, workflow.now())
        if result.outcome is Outcome.LOCKED_NOW:
            self._queue_lock_notice(result.locked_until)
        elif result.outcome is Outcome.BLOCKED_NOW:
            self._queue_block_notices()
        return result

    @attempt.validator
    def _validate_attempt(self, outcome: AttemptOutcome) -> None:
        self._refuse_while_continuing()

    # --- releases ------------------------------------------------------------------------

    @workflow.update(name=LockoutUpdate.UNLOCK)
    def unlock(self, request: ReleaseRequest) -> ReleaseResult:
        return self._release(request, ReleaseKind.UNLOCK)

    @unlock.validator
    def _validate_unlock(self, request: ReleaseRequest) -> None:
        self._check_release(request, ReleaseKind.UNLOCK)

    @workflow.update(name=LockoutUpdate.UNBLOCK)
    def unblock(self, request: ReleaseRequest) -> ReleaseResult:
        return self._release(request, ReleaseKind.UNBLOCK)

    @unblock.validator
    def _validate_unblock(self, request: ReleaseRequest) -> None:
        self._check_release(request, ReleaseKind.UNBLOCK)

    @workflow.query(name=LOCKOUT_STATUS_QUERY)
    def current_status(self) -> LockoutStatus:
        return status(self._state, workflow.now())

    def _check_release(self, request: ReleaseRequest, kind: ReleaseKind) -> None:
        self._refuse_while_continuing()
        if request.kind is not kind:
            raise ApplicationError(f"a {request.kind.value} request sent to {kind.value}", type="WrongUpdate",
                                   non_retryable=True)
        refusal = release_refusal(request, self._state, workflow.now(), subject_kind=self._input.subject_kind,
                                  subject_uuid=self._input.user_uuid,
                                  subject_organization_code=self._input.organization_code)
        if refusal is not None:
            raise ApplicationError(REFUSAL_TEXT[refusal], type=refusal.value, non_retryable=True)

    def _release(self, request: ReleaseRequest, kind: ReleaseKind) -> ReleaseResult:
        # Validators of one activation all run before their handlers: check again, so of two
        # simultaneous unblocks only the first releases (and is audited).
        self._check_release(request, kind)
        self._updates_this_run += 1
        self._state = release(self._state, kind)
        self._audits.append(ReleaseAudit(
            user_uuid=self._input.user_uuid, subject_kind=self._input.subject_kind, kind=kind,
            actor_kind=request.actor_kind, actor_uuid=request.actor_uuid,
            release_id=_current_update_id(),
        ))
        return ReleaseResult(status=status(self._state, workflow.now()), lock_count=self._state.lock_count)

    def _refuse_while_continuing(self) -> None:
        if self._continuing:
            raise ApplicationError("the lockout is moving to a new run; retry", type=LOCKOUT_CONTINUING)

    # --- side effects, from the main loop ------------------------------------------------

    def _queue_lock_notice(self, until: datetime | None) -> None:
        if self._input.subject_kind is not SubjectKind.STAFF:  # staff accounts have no e-mail address
            self._notices.append(_PendingNotice(NoticeKind.ACCOUNT_LOCKED, self._input.user_uuid, until=until))

    def _queue_block_notices(self) -> None:
        subject = self._input.user_uuid
        if self._input.subject_kind is SubjectKind.MASTER:
            self._notices.append(_PendingNotice(NoticeKind.MASTER_USER_BLOCKED, subject))
        elif self._input.subject_kind is SubjectKind.GENERAL:
            self._notices.append(_PendingNotice(NoticeKind.GENERAL_USER_BLOCKED, subject))
            self._notices.append(_PendingNotice(NoticeKind.GENERAL_USER_BLOCKED_TO_MASTER, "",
                                                about_user_uuid=subject))

    def _has_effects(self) -> bool:
        return self._state != self._mirrored or bool(self._notices) or bool(self._audits)

    async def _apply_effects(self) -> None:
        """Mirror first (lists show ロック中 soonest), then audit, then e-mail."""
        if self._state != self._mirrored:
            state = self._state
            await self._mirror(state)
            self._mirrored = state
            self._publish_search_attributes()
        while self._audits:
            await workflow.execute_activity_method(
                LockoutActivities.record_lockout_release, self._audits[0],
                start_to_close_timeout=DB_TIMEOUT, retry_policy=DATABASE_RETRY, summary="解除を監査ログに記録")
            self._audits.pop(0)
        while self._notices:
            await self._start_notice(self._notices[0])
            self._notices.pop(0)

    async def _mirror(self, state: LockoutState) -> None:
        await workflow.execute_activity_method(
            LockoutActivities.mirror_lockout_state,
            MirrorRequest(self._input.user_uuid, self._input.subject_kind, state, workflow.now()),
            start_to_close_timeout=DB_TIMEOUT, retry_policy=DATABASE_RETRY, summary="状態を一覧用に反映")

    async def _start_notice(self, notice: _PendingNotice) -> None:
        recipient = notice.recipient_uuid or await workflow.execute_activity_method(
            LockoutActivities.find_master_user, MasterLookup(self._input.organization_code),
            start_to_close_timeout=DB_TIMEOUT, retry_policy=DATABASE_RETRY, summary="マスターユーザーを特定")
        if not recipient:
            return
        request = NoticeRequest(notice.kind, recipient, until=notice.until, about_user_uuid=notice.about_user_uuid)
        # A child that outlives this run: an SMTP outage must not hold up the arbiter or its
        # continue-as-new, and the notice workflow already retries for a day.
        await workflow.start_child_workflow(
            NoticeWorkflow.run, request,
            id=notice_workflow_id(notice.kind.value, recipient, str(workflow.uuid4())),
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            static_summary=notice_summary(notice.kind),
        )

    def _publish_search_attributes(self) -> None:
        """STATE (and the IDs, on every run) for operators' filters, and the current details,
        which unlike the starter's static summary survive continue-as-new."""
        current_status = status(self._state, workflow.now())
        workflow.set_current_details(f"{lockout_summary(self._input.subject_kind, self._input.organization_code)}"
                                     f" — 状態: {STATUS_TEXT[current_status]}")
        wanted = {USER_UUID: self._input.user_uuid, STATE: current_status.value}
        if self._input.organization_code:
            wanted[ORGANIZATION_CODE] = self._input.organization_code
        current = workflow.info().typed_search_attributes
        changes = [key.value_set(value) for key, value in wanted.items() if current.get(key) != value]
        if changes:
            workflow.upsert_search_attributes(changes)

    # --- waiting, the lock timer and continue-as-new ------------------------------------

    async def _wait_for_work(self) -> None:
        """Until an update leaves something to do, the server suggests a new run, or a lock lifts."""
        self._arm_lock_timer()
        await workflow.wait_condition(
            lambda: self._has_effects() or self._should_continue_as_new() or any(t.done() for t in self._timers))
        self._timers = [timer for timer in self._timers if not timer.done()]  # the loop expires the lock

    def _arm_lock_timer(self) -> None:
        """One timer per lock, never cancelled: an unlock leaves it to fire into an expired lock
        (a no-op), so no cancel can race a timer that has just fired."""
        until = self._state.locked_until
        if until is None or until == self._timer_until:
            return
        self._timer_until = until
        remaining = max(until - workflow.now(), timedelta(milliseconds=1))
        self._timers.append(asyncio.ensure_future(workflow.sleep(remaining, summary="ロックの自動解除（60分）")))

    def _should_continue_as_new(self) -> bool:
        return workflow.info().is_continue_as_new_suggested() or self._updates_this_run >= MAX_UPDATES_PER_RUN

    async def _continue_as_new(self) -> None:
        # From here validators refuse with LOCKOUT_CONTINUING and callers retry on the new run. The
        # forced mirror ends this workflow task, so the task that continues as new completes
        # no update: an update completed in the same task as continue-as-new may be delivered
        # again to the new run (temporalio/temporal#6375), and an attempt must never count twice.
        self._continuing = True
        self._mirrored = None
        while self._has_effects():
            self._state = expire_lock(self._state, workflow.now())
            await self._apply_effects()
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(LockoutInput(self._input.user_uuid, self._input.organization_code,
                                              self._input.subject_kind, self._state))


def _current_update_id() -> str:
    """The ID of the update being handled (a release is only ever called from one)."""
    info = workflow.current_update_info()
    if info is None:
        raise RuntimeError("not inside an update handler")
    return info.id
