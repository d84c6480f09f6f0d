"""E-mail notices: which ones exist and the plain data a workflow passes to the mail activity.

The activity looks the recipient up by UUID, so no address ever enters a workflow history.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class NoticeKind(enum.StrEnum):
    REGISTRATION_COMPLETE = "registration_complete"  # 初期登録完了のお知らせ


@dataclass(frozen=True)
class NoticeRequest:
    kind: NoticeKind
    user_uuid: str


@dataclass(frozen=True)
class NoticeResult:
    sent: bool
    message_id: str = ""
