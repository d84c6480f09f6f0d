"""One certificate's life (SPEC.md §2 "Certificates", §4), ID ``certificate/<serial>``.

Started by the issuance workflow's ``start_lifecycle`` activity (no parent). Issued (e-mail)
→ day 326, 40 days before expiry: the expiry notice (e-mail; seed 003 Q7, the day the top screen's
banner starts) → day 336: the renewal window opens (e-mail) → 7 days before expiry: reminder (e-mail)
→ 00:00 JST after day 366: expired (status EXPIRED, e-mail). The dates come from
``domain.validity``; each wait is a timer to an absolute instant computed from ``workflow.now()``,
so replay is deterministic and a run started late skips to the right step. Each e-mail states the
days left and the renewal window as they are when it is sent (``activities.mail_templates``).

- ``renewed`` (from the issuance of the user's next certificate): the reminder and the expiry
  e-mails stop; this certificate keeps working until the new one is first used, at the latest
  until its own expiry.
- ``superseded`` / ``revoked``: end it early — mirror to the database (idempotent: whoever
  revoked it has usually written the row already), regenerate the CRL, end.
- At each milestone the database is asked too, so a lost signal only delays the end.
- However it ends, it tells a written revocation request still open for the certificate, which then
  closes (issue 5: ``RevocationActivities.tell_open_request``).

E-mails go out as activities of the lifecycle (``workflows.notice.send``, the notice's retry policy),
started without waiting; the lifecycle waits for them before it completes. Runs started before
issue 14 send them through ``NoticeWorkflow`` children, which likewise never outlive their parent (the
time-skipping test server leaves its clock locked when one does).

History: four timers and a handful of activities — about a hundred events in a
year, so no continue-as-new.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

from contract.names import LIFECYCLE_STATE_QUERY, LifecycleSignal, WorkflowType, notice_workflow_id
from contract.search_attributes import CERTIFICATE_NOT_AFTER as NOT_AFTER
from contract.search_attributes import CERTIFICATE_SERIAL, ORGANIZATION_CODE, STATE, USER_UUID
from domain.certificates import (
    CrlReason,
    EndingRequest,
    LifecycleInput,
    LifecycleState,
    Milestone,
    MilestoneReport,
    MilestoneRequest,
    Renewed,
    Revoked,
    Superseded,
)
from domain.notices import NoticeKind, NoticeRequest, notice_summary
from domain.revocation import CertificateEnded
from domain.roles import CertificateStatus
from domain.validity import calendar_for

with workflow.unsafe.imports_passed_through():
    from activities.certificates import CertificateActivities
    from activities.revocation import RevocationActivities

    from . import notice
    from .notice import NoticeWorkflow

# Lifecycles started before NOT_AFTER existed get it when they next wake up (one patch per
# milestone: a patch ID answered "no" while replaying an old step stays "no" for the whole run).
NOT_AFTER_PATCH = "not-after-search-attribute"
STATE_TEXT = {  # the current details in the Temporal UI
    LifecycleState.ACTIVE: "有効",
    LifecycleState.RENEWAL_WINDOW: "更新受付中（未更新）",
    LifecycleState.RENEWED: "更新済み（新しい証明書の初回利用まで有効）",
    LifecycleState.EXPIRED: "有効期限切れ",
    LifecycleState.SUPERSEDED: "新しい証明書に置き換え済み",
    LifecycleState.REVOKED: "失効",
}

TELL_OPEN_REQUEST_PATCH = "tell-open-revocation-request"
# Lifecycles started before the 40-day e-mail existed keep their three steps (issue 13).
EXPIRY_NOTICE_PATCH = "expiry-notice-40-days"
# Issue 14: each e-mail is an activity of the lifecycle, not a NoticeWorkflow child (a whole workflow
# less per 発行 for the server). Lifecycles started before keep their children for the whole run.
NOTICE_ACTIVITY_PATCH = "notices-as-activities"
DB_TIMEOUT = timedelta(seconds=30)
DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))


@dataclass(frozen=True)
class _Step:
    milestone: Milestone
    at: datetime
    notice: NoticeKind
    wait_summary: str
    notice_only: bool = False  # the 40-day e-mail: no state change, no search attribute


@workflow.defn(name=WorkflowType.CERTIFICATE_LIFECYCLE)
class CertificateLifecycleWorkflow:
    @workflow.init
    def __init__(self, input: LifecycleInput) -> None:
        self._input = input
        self._state = LifecycleState.ACTIVE
        self._renewed = False
        self._ending: Superseded | Revoked | None = None
        self._notices: list[asyncio.Future[Any]] = []  # e-mails on their way (activities, or older runs' children)

    @workflow.run
    async def run(self, input: LifecycleInput) -> LifecycleState:
        self._publish_identity()
        self._publish_details()
        state = await self._live()
        if workflow.patched(TELL_OPEN_REQUEST_PATCH):  # lifecycles that ended before it told no one
            await self._tell_open_request(state)
        await asyncio.gather(*self._notices, return_exceptions=True)  # a failed e-mail is the notice's own story
        return state

    async def _live(self) -> LifecycleState:
        steps = self._steps()
        if workflow.now() < steps[0].at and not self._input.resumed:
            await self._notify(NoticeKind.CERTIFICATE_ISSUED)
        for index, step in enumerate(steps):
            if await self._ended_before(step.at, step.wait_summary):
                return await self._end_by_signal()
            if not step.notice_only:
                self._publish_not_after(step.milestone)
            report = await self._reach(step.milestone, "40日前のお知らせ" if step.notice_only else step.milestone.value)
            if report.status in (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED):
                return await self._end_by_database(report.status)  # its signal was lost or is late
            if report.renewed:
                self._mark_renewed()
            if step.milestone is Milestone.EXPIRY:
                if not self._renewed:
                    await self._notify(step.notice)
                self._set_state(LifecycleState.EXPIRED)
                return self._state
            if not self._renewed:
                if not step.notice_only:
                    self._set_state(LifecycleState.RENEWAL_WINDOW)
                if workflow.now() < steps[index + 1].at:  # a run that woke up late sends only the latest news
                    await self._notify(step.notice)
        raise AssertionError("the expiry step always ends the loop")

    # --- messages from the other flows -----------------------------------------------------

    @workflow.signal(name=LifecycleSignal.RENEWED)
    def renewed(self, signal: Renewed) -> None:
        self._mark_renewed()

    @workflow.signal(name=LifecycleSignal.SUPERSEDED)
    def superseded(self, signal: Superseded) -> None:
        if self._ending is None:
            self._ending = signal

    @workflow.signal(name=LifecycleSignal.REVOKED)
    def revoked(self, signal: Revoked) -> None:
        if self._ending is None:
            self._ending = signal

    @workflow.query(name=LIFECYCLE_STATE_QUERY)
    def state(self) -> LifecycleState:
        return self._state

    # --- steps ------------------------------------------------------------------------------

    def _steps(self) -> list[_Step]:
        calendar = calendar_for(self._input.issued_at)
        # The 40-day step asks the database as RENEWAL_OPENS does — a read only (``Milestone`` in
        # domain.certificates has no value of its own for it yet; an activity's input is not replayed).
        expiry_notice = [_Step(Milestone.RENEWAL_OPENS, calendar.banner_from, NoticeKind.CERTIFICATE_EXPIRY_NOTICE,
                               "有効期限40日前のお知らせ（326日目）まで", notice_only=True)
                         ] if workflow.patched(EXPIRY_NOTICE_PATCH) else []
        return expiry_notice + [
            _Step(Milestone.RENEWAL_OPENS, calendar.renewal_opens_at, NoticeKind.CERTIFICATE_RENEWAL_OPEN,
                  "更新受付の開始（336日目）まで"),
            _Step(Milestone.REMINDER, calendar.reminder_at, NoticeKind.CERTIFICATE_RENEWAL_REMINDER,
                  "有効期限7日前のお知らせまで"),
            _Step(Milestone.EXPIRY, calendar.expires_at, NoticeKind.CERTIFICATE_EXPIRED,
                  "有効期限切れ（367日目の0時）まで"),
        ]

    async def _ended_before(self, at: datetime, summary: str) -> bool:
        """Wait until ``at``; True if a signal ended the certificate first."""
        remaining = at - workflow.now()
        if remaining > timedelta(0):
            try:
                await workflow.wait_condition(lambda: self._ending is not None, timeout=remaining,
                                              timeout_summary=summary)
            except TimeoutError:
                pass
        return self._ending is not None

    async def _reach(self, milestone: Milestone, label: str) -> MilestoneReport:
        return await workflow.execute_activity_method(
            CertificateActivities.reach_milestone, MilestoneRequest(self._input.serial, milestone, workflow.now()),
            start_to_close_timeout=DB_TIMEOUT, retry_policy=DB_RETRY, summary=f"{label}: 状態を確認")

    async def _end_by_signal(self) -> LifecycleState:
        ending = self._ending
        assert ending is not None
        if isinstance(ending, Superseded):
            request = EndingRequest(self._input.serial, CertificateStatus.SUPERSEDED, CrlReason.SUPERSEDED, ending.at)
        else:
            request = EndingRequest(self._input.serial, CertificateStatus.REVOKED, ending.reason, ending.at)
        await workflow.execute_activity_method(
            CertificateActivities.record_ending, request, start_to_close_timeout=DB_TIMEOUT, retry_policy=DB_RETRY,
            summary="終了をデータベースに反映")
        return await self._end_by_database(request.status)

    async def _end_by_database(self, status: CertificateStatus) -> LifecycleState:
        await workflow.execute_activity_method(
            CertificateActivities.publish_crl, start_to_close_timeout=DB_TIMEOUT, retry_policy=DB_RETRY,
            summary="CRLを更新")
        self._set_state(LifecycleState(status.value))
        return self._state

    async def _tell_open_request(self, state: LifecycleState) -> None:
        """Every ending passes here, whatever its route: an open written request for the certificate closes."""
        await workflow.execute_activity_method(
            RevocationActivities.tell_open_request, CertificateEnded(self._input.serial, state, workflow.now()),
            start_to_close_timeout=DB_TIMEOUT, retry_policy=DB_RETRY, summary="処理中の失効依頼があれば終了")

    # --- state and e-mail --------------------------------------------------------------------

    def _mark_renewed(self) -> None:
        self._renewed = True
        if self._state in (LifecycleState.ACTIVE, LifecycleState.RENEWAL_WINDOW):
            self._set_state(LifecycleState.RENEWED)

    def _publish_identity(self) -> None:
        """Operators filter by these; the starter usually set them already."""
        wanted = {USER_UUID: self._input.user_uuid, ORGANIZATION_CODE: self._input.organization_code,
                  CERTIFICATE_SERIAL: self._input.serial, STATE: self._state.value}
        current = workflow.info().typed_search_attributes
        changes = [key.value_set(value) for key, value in wanted.items() if current.get(key) is None]
        if changes:
            workflow.upsert_search_attributes(changes)

    def _publish_not_after(self, milestone: Milestone) -> None:
        if workflow.info().typed_search_attributes.get(NOT_AFTER) is None \
                and workflow.patched(f"{NOT_AFTER_PATCH}/{milestone.value}"):
            workflow.upsert_search_attributes([NOT_AFTER.value_set(calendar_for(self._input.issued_at).not_after)])

    def _set_state(self, state: LifecycleState) -> None:
        self._state = state
        workflow.upsert_search_attributes([STATE.value_set(state.value)])
        self._publish_details()

    def _publish_details(self) -> None:
        """What the Temporal UI shows as current details (not a command: replay is unaffected)."""
        calendar = calendar_for(self._input.issued_at)
        workflow.set_current_details(
            f"電子証明書 {self._input.serial}：{STATE_TEXT[self._state]}\n"
            f"更新受付 {calendar.renewal_opens_at:%Y-%m-%d %H:%M}、"
            f"有効期限 {calendar.not_after:%Y-%m-%d %H:%M:%S}（JST）")

    async def _notify(self, kind: NoticeKind) -> None:
        """Send the e-mail without waiting for it: a mail server away for hours must not hold up the
        lifecycle's steps; the run waits for its e-mails only before it completes."""
        calendar = calendar_for(self._input.issued_at)
        request = NoticeRequest(kind, self._input.user_uuid, until=calendar.not_after)
        if workflow.patched(NOTICE_ACTIVITY_PATCH):
            self._notices.append(notice.send(request, summary=notice_summary(kind)))
            return
        self._notices.append(await workflow.start_child_workflow(
            NoticeWorkflow.run, request,
            id=notice_workflow_id(kind.value, self._input.user_uuid, str(workflow.uuid4())),
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            static_summary=notice_summary(kind),
        ))
