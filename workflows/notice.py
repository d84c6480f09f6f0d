"""One e-mail notice: send it, retrying while the mail server is away, for at most a day.

The use-cases start it (``contract.notice_client``) after the action it reports has been committed; the
input holds a notice kind and a user UUID only — the activity looks up the address.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from contract.names import WorkflowType
from contract.search_attributes import USER_UUID
from domain.notices import NoticeRequest, NoticeResult

with workflow.unsafe.imports_passed_through():
    from activities.mail import MailActivities

SEND_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=30),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(hours=2),
)
SEND_TIMEOUT = timedelta(minutes=1)  # one SMTP conversation
GIVE_UP_AFTER = timedelta(days=1)  # a notice older than this is no longer news


@workflow.defn(name=WorkflowType.NOTICE)
class NoticeWorkflow:
    @workflow.run
    async def run(self, request: NoticeRequest) -> NoticeResult:
        workflow.upsert_search_attributes([USER_UUID.value_set(request.user_uuid)])  # operators filter by user
        return await send(request)


def send(request: NoticeRequest, summary: str | None = None) -> workflow.ActivityHandle[NoticeResult]:
    """The e-mail as an activity of the calling workflow, under the notice's policy (retries for a day).

    ``NoticeWorkflow`` runs it for the use-cases; a workflow that sends mail of its own (the certificate
    lifecycle) runs it directly, which spares the server a whole workflow per e-mail (issue 14)."""
    return workflow.start_activity_method(
        MailActivities.send_notice,
        request,
        start_to_close_timeout=SEND_TIMEOUT,
        schedule_to_close_timeout=GIVE_UP_AFTER,
        retry_policy=SEND_RETRY,
        summary=summary,
    )
