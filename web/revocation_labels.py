"""Japanese labels of the revocation reasons and request states, marked for translation.

The texts are those of ``domain.revocation.REASON_LABELS`` / ``STATE_LABELS`` /
``CERTIFICATE_END_LABELS`` (the PDF and the e-mails say the same); here they go through
Flask-Babel for the English pages.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from domain.revocation import RequestState, RevocationReason

REASON = {
    RevocationReason.PC_CHANGE: _l("パソコン変更"),
    RevocationReason.DELETED: _l("誤って削除"),
    RevocationReason.NOT_IMPORTED: _l("p12未インポート"),
    RevocationReason.SUSPECTED_MISUSE: _l("不正利用の疑い"),
    RevocationReason.LEFT: _l("退職・異動"),
    RevocationReason.OTHER: _l("その他"),
}

STATE = {
    RequestState.AWAITING_PAPER: _l("書面到着待ち"),
    RequestState.PAPER_RECEIVED: _l("承認待ち"),
    RequestState.APPROVED: _l("承認済み"),
    RequestState.REJECTED: _l("否認"),
    RequestState.EXPIRED: _l("期限切れ"),
    RequestState.WITHDRAWN: _l("取下げ"),
    RequestState.CLOSED: _l("他の手続で失効済み"),
}

CERTIFICATE_END = {  # a CLOSED request: how its certificate ended (domain.revocation.CERTIFICATE_END_LABELS)
    "revoked": _l("失効"),
    "superseded": _l("更新による失効"),
    "expired": _l("有効期限切れ"),
}

REASON_CHOICES = [(reason.value, label) for reason, label in REASON.items()]

ACTION = {  # a request's history (store.revocation_queries.HistoryEntry.action)
    "file": _l("失効依頼"),
    "receive": _l("書面受付"),
    "comment": _l("コメント"),
    "approve": _l("承認"),
    "reject": _l("否認"),
    "expire": _l("期限切れ"),
    "withdraw": _l("取下げ"),
    "remind": _l("督促メール送信"),
    "close": _l("自動終了（他の手続で失効）"),
}
