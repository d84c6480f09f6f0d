"""E-mail notices: which ones exist and the plain data a workflow passes to the mail activity.

The activity looks the recipient up by UUID, so no address ever enters a workflow history.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class NoticeKind(enum.StrEnum):
    REGISTRATION_COMPLETE = "registration_complete"  # 初期登録完了のお知らせ
    ACCOUNT_LOCKED = "account_locked"  # ロックのお知らせ: to the user, with the time it lifts
    GENERAL_USER_BLOCKED = "general_user_blocked"  # 閉塞のお知らせ: to the general user (ask the master user)
    MASTER_USER_BLOCKED = "master_user_blocked"  # 閉塞のお知らせ: to the master user (ask Rokin)
    GENERAL_USER_BLOCKED_TO_MASTER = "general_user_blocked_to_master"  # to the master user, about a general user
    CERTIFICATE_ISSUED = "certificate_issued"  # 電子証明書発行のお知らせ (until = notAfter)
    CERTIFICATE_RENEWAL_OPEN = "certificate_renewal_open"  # day 336: 更新のお願い (until = notAfter)
    CERTIFICATE_RENEWAL_REMINDER = "certificate_renewal_reminder"  # 7 days before expiry, not renewed yet
    CERTIFICATE_EXPIRED = "certificate_expired"  # 有効期限切れ, not renewed (until = notAfter)
    # Revocation (issue 5): the values come from the request's number or the user's UUID.
    CERTIFICATE_REVOKED = "certificate_revoked"  # to the owner: revoked directly (master, administrator)
    CERTIFICATE_REVOKED_TO_MASTER = "certificate_revoked_to_master"  # to the master user, about a general user
    REVOCATION_APPROVED = "revocation_approved"  # written request approved: revoked, reissue possible
    REVOCATION_REJECTED = "revocation_rejected"  # with the approver's comment
    REVOCATION_EXPIRED = "revocation_expired"  # the paper did not arrive within 30 days
    REVOCATION_WITHDRAWN = "revocation_withdrawn"  # withdrawn (by the master user or an administrator)
    REVOCATION_CLOSED = "revocation_closed"  # the certificate ended by another route: no paper needed
    # Issue 13 (notices): the 40-day e-mail (seed 003 Q7) and the written request's filing.
    CERTIFICATE_EXPIRY_NOTICE = "certificate_expiry_notice"  # 40 days before expiry (day 326) (until = notAfter)
    REVOCATION_FILED = "revocation_filed"  # filed online: number, paper deadline (until), where to send the paper
    REVOCATION_FILED_WITH_PAPER = "revocation_filed_with_paper"  # filed by a receiver with the paper in hand
    # Credentials after 初期登録 (issue 13).
    PASSWORD_CHANGED = "password_changed"  # パスワード変更のお知らせ: the user changed their own
    EMAIL_CHANGE_CODE = "email_change_code"  # to the pending address: the one-time code (the activity makes it)
    EMAIL_CHANGED = "email_changed"  # メールアドレス変更のお知らせ: to the new and to the previous address
    GENERAL_PASSWORD_RESET = "general_password_reset"  # to the general user: the master reset it
    GENERAL_PASSWORD_RESET_TO_MASTER = "general_password_reset_to_master"  # to the master, about a general user
    MASTER_PASSWORD_RESET = "master_password_reset"  # to the master user: Rokin reset it (new notice on paper)


@dataclass(frozen=True)
class NoticeRequest:
    kind: NoticeKind
    user_uuid: str  # the recipient
    # ACCOUNT_LOCKED: when the lock lifts; CERTIFICATE_*: notAfter (shown in JST); REVOCATION_FILED: the
    # paper deadline (00:00 JST after its last day, ``domain.revocation.paper_deadline``)
    until: datetime | None = None
    about_user_uuid: str = ""  # GENERAL_USER_BLOCKED_TO_MASTER: the blocked general user
    request_number: str = ""  # REVOCATION_*: the written request (its reason and comment are read from the database)
    address: str = ""  # which of the user's addresses: "" the current one; "pending" or "previous" (issue 13)


@dataclass(frozen=True)
class NoticeResult:
    sent: bool
    message_id: str = ""


def notice_summary(kind: NoticeKind) -> str:
    """The static summary the Temporal UI shows for a notice workflow, whoever starts it."""
    return f"メール通知（{kind.value}）"
