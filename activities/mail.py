"""E-mail notices: look the recipient up, render the Japanese text, send it over SMTP.

The workflow passes only a notice kind and a user UUID; the address and user ID (and the organization's
お取引店, which "contact us" lines name) are read from the database here, so none ever enters a Temporal
history, and failures are reported by exception class and SMTP code only (an SMTP error message can quote
the address).

Blocking work (SQLAlchemy, smtplib) runs in ``asyncio.to_thread`` from ``async def``
activities — the one style for this package. It needs no ``activity_executor`` on the
worker, cancellation arrives at the ``await``, and the event loop stays free for the
worker's polling while a slow SMTP server or database holds a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.notices import NoticeRequest, NoticeResult
from domain.roles import UserStatus
from store import branches, revocation_queries, users
from store.models import User

from .mail_templates import SYSTEM_NAME, RenderedNotice, about_user_next, branch_note, render_notice, timed_values

TOKYO = ZoneInfo("Asia/Tokyo")
SMTP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    mail_from: str


@dataclass(frozen=True)
class _Recipient:
    user_id: str
    email: str
    values: dict[str, str] = field(default_factory=dict)  # what only this recipient's mail says (a code)


class MailActivities:
    def __init__(self, session_factory: sessionmaker[Session], smtp: SmtpSettings) -> None:
        self.session_factory = session_factory
        self.smtp = smtp

    @activity.defn
    async def send_notice(self, request: NoticeRequest) -> NoticeResult:
        recipient = await asyncio.to_thread(self._find_recipient, request.user_uuid, request.address)
        if recipient is None:
            activity.logger.info("notice %s not sent: no e-mail address on file", request.kind.value)
            return NoticeResult(sent=False)
        info = activity.info()
        # Same workflow and activity on every attempt → same Message-ID, so a retry after an
        # accepted-but-unacknowledged send is recognisably the same message, not a new one.
        message_id = stable_message_id(f"{info.workflow_id}/{info.activity_id}", self.smtp.mail_from)
        message = build_message(
            render_notice(request.kind, {"user_id": recipient.user_id, **recipient.values,
                                         **await asyncio.to_thread(self._extra_values, request, sending_time())}),
            sender=self.smtp.mail_from, recipient=recipient.email, message_id=message_id,
        )
        await asyncio.to_thread(self._deliver, message)
        return NoticeResult(sent=True, message_id=message_id)

    def _find_recipient(self, user_uuid: str, address: str = "") -> _Recipient | None:
        if address == "pending":  # メールアドレス変更: a fresh code to the unconfirmed address (issue 13)
            return self._pending_recipient(user_uuid)
        with self.session_factory() as session:
            user = users.get_by_uuid(session=session, user_uuid=user_uuid)
            if user is None or user.status is UserStatus.DELETED:
                return None
            email = user.previous_email if address == "previous" else user.email
            if not email:
                return None
            return _Recipient(user_id=user.user_id, email=email, values=_branch_values(session, user))

    def _pending_recipient(self, user_uuid: str) -> _Recipient | None:
        """The code is made here, so it is in no history; each attempt's mail carries a new one (the
        last one sent is the one that works). Only its hash is stored, with its expiry."""
        with self.session_factory.begin() as session:
            issued = users.issue_email_code(session=session, user_uuid=user_uuid, now=datetime.now(TOKYO))
            user = users.get_by_uuid(session=session, user_uuid=user_uuid)
            if issued is None or user is None:
                return None
            email, code, expires = issued
            expires = expires.astimezone(TOKYO)
            return _Recipient(user_id=user.user_id, email=email, values={
                "code": code, "expires": f"{expires.year}年{expires.month}月{expires.day}日 {expires:%H:%M}",
                **_branch_values(session, user)})

    def _extra_values(self, request: NoticeRequest, sent_at: datetime) -> dict[str, str]:
        """What some notices add: what follows from ``until`` at the time of sending (a lock's lift time,
        a certificate's days left and renewal window, a paper deadline), the general user it is about."""
        values: dict[str, str] = {}
        if request.until is not None:
            values.update(timed_values(request.kind, request.until, sent_at))
        if request.about_user_uuid:
            with self.session_factory() as session:
                about = users.get_by_uuid(session=session, user_uuid=request.about_user_uuid)
                values["about_user_id"] = about.user_id if about is not None else ""
                values["about_user_next"] = about_user_next(about is None or about.status is UserStatus.DELETED)
        if request.request_number:  # revocation requests: number, reason, dates, the approver's comment
            with self.session_factory() as session:
                values.update(revocation_queries.notice_values(session=session, number=request.request_number))
        return values

    def _deliver(self, message: EmailMessage) -> None:
        deliver(self.smtp, message)


def _branch_values(session: Session, user: User) -> dict[str, str]:
    """The recipient's お取引店, looked up when the mail is sent (issue 16): the workflow passes no more than
    before, and a branch assigned or changed meanwhile is the one named. None yet: the wording of before."""
    branch = branches.branch_of_organization(session=session, organization_code=user.organization.code)
    return {"branch_note": branch_note(branch)}


def sending_time() -> datetime:
    """When this attempt to send was scheduled, by the Temporal server's clock: the "now" of what a notice
    says about days and dates — a retried notice speaks of its own day, and a simulated year of its
    simulated one (the time-skipping server's clock, which the worker's wall clock does not follow)."""
    return activity.info().current_attempt_scheduled_time


def deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send one message; failures become ``delivery_failure`` (blocking: call it in a thread)."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise delivery_failure(error) from None  # `from None`: the cause's text could quote the address


def stable_message_id(key: str, mail_from: str) -> str:
    domain = mail_from.rpartition("@")[2] or "rokin.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.notice@{domain}>"


def build_message(notice: RenderedNotice, *, sender: str, recipient: str, message_id: str) -> EmailMessage:
    """A UTF-8 text/plain message; the body is base64 so no relay needs 8BITMIME."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = Address(display_name=SYSTEM_NAME, addr_spec=sender)
    message["To"] = recipient
    message["Subject"] = notice.subject
    message["Date"] = datetime.now(TOKYO)
    message["Message-ID"] = message_id
    message.set_content(notice.body, charset="utf-8", cte="base64")
    return message


def delivery_failure(error: Exception) -> ApplicationError:
    """A failure safe for the history: class name and SMTP code, never the server's text.

    Only a permanent refusal of the recipient is final; anything else (server down, busy,
    misconfigured) is retried by the workflow's retry policy.
    """
    codes: list[int] = []
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
    elif isinstance(error, smtplib.SMTPResponseException):
        codes = [error.smtp_code]
    permanent = isinstance(error, smtplib.SMTPRecipientsRefused) and bool(codes) and min(codes) >= 500
    detail = f" {','.join(map(str, sorted(set(codes))))}" if codes else ""
    return ApplicationError(f"SMTP delivery failed: {type(error).__name__}{detail}",
                            type="SmtpDeliveryFailed", non_retryable=permanent)
