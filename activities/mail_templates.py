"""The text of every e-mail notice, in one place.

Each notice is a subject and a ``string.Template`` body; ``render_notice`` fills in the values
the mail activity looked up (``$user_id`` for all of them). A notice never carries a password
or a link to click: the user reaches the system the way they always do, and a mail that asks
otherwise is not ours. Add a kind to ``domain.notices.NoticeKind`` and its text here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Template

from domain.lockout import LOCK_DURATION, LOCKS_BEFORE_BLOCK, MAX_CONSECUTIVE_FAILURES
from domain.notices import NoticeKind
from domain.revocation import PAPER_DEADLINE_DAYS, REMINDER_AFTER_BUSINESS_DAYS
from domain.validity import RENEWAL_WINDOW_DAYS, VALIDITY_DAYS

SYSTEM_NAME = "ろうきん賃金控除事務支援システム"


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    body: str


_GREETING = f"{SYSTEM_NAME}をご利用いただき、ありがとうございます。\n\n"

_FOOTER = """
※パスワードをメールや電話でお尋ねすることはありません。
※この手続きに心当たりがない場合は、お手数ですが、至急お取引店へご連絡ください。

――――――――――――――――――――――――
このメールは送信専用のアドレスから送信しています。ご返信いただいてもお答えできません。
""" + f"{SYSTEM_NAME}\n"

_LOCK_MINUTES = int(LOCK_DURATION.total_seconds() // 60)
_BLOCKED = f"""\
次のユーザーIDは、ロックが{LOCKS_BEFORE_BLOCK}回繰り返されたため閉塞しました。
閉塞したユーザーIDは、解除されるまでログインも電子証明書の発行もできません。

　ユーザーID：$user_id
"""

_NOTICES: dict[NoticeKind, tuple[str, str]] = {
    NoticeKind.REGISTRATION_COMPLETE: (
        f"【{SYSTEM_NAME}】初期登録完了のお知らせ",
        """\
次のユーザーIDの初期登録（パスワードとメールアドレスの登録）が完了しました。

　ユーザーID：$user_id

【次のお手続き】
ログイン画面の「電子証明書発行」ボタンから、登録したユーザーIDとパスワードで
電子証明書を発行してください。電子証明書の発行後は、電子証明書を使ってログインできます。
""",
    ),
    NoticeKind.ACCOUNT_LOCKED: (
        f"【{SYSTEM_NAME}】ユーザーIDロックのお知らせ",
        f"""\
次のユーザーIDは、パスワードを連続して{MAX_CONSECUTIVE_FAILURES}回間違えたため、ロックされました。
{_LOCK_MINUTES}分間はログインできません。

　ユーザーID：$user_id
　ロック解除予定：$until

ロックは上記の時刻に自動的に解除され、再度ログイン操作ができるようになります。
ロックを{LOCKS_BEFORE_BLOCK}回繰り返すと閉塞となり、ユーザーIDは認証できなくなります。
""",
    ),
    NoticeKind.GENERAL_USER_BLOCKED: (
        f"【{SYSTEM_NAME}】ユーザーID閉塞のお知らせ",
        _BLOCKED + """
【解除の方法】
貴団体のマスターユーザーにお問い合わせください。マスターユーザーが閉塞を解除できます。
""",
    ),
    NoticeKind.MASTER_USER_BLOCKED: (
        f"【{SYSTEM_NAME}】ユーザーID閉塞のお知らせ",
        _BLOCKED + """
【解除の方法】
マスターユーザーの閉塞は労金が解除します。お取引店へお問い合わせください。
""",
    ),
    NoticeKind.GENERAL_USER_BLOCKED_TO_MASTER: (
        f"【{SYSTEM_NAME}】一般ユーザー閉塞のお知らせ",
        f"""\
貴団体の次の一般ユーザーのユーザーIDが、ロックを{LOCKS_BEFORE_BLOCK}回繰り返したため閉塞しました。

　一般ユーザーのユーザーID：$about_user_id

【解除の方法】
ログイン後の画面のユーザー一覧で、該当するユーザーの「閉塞解除」を行ってください。
ご本人による操作でない場合は、第三者による不正なログインの試みのおそれがあります。
""",
    ),
    NoticeKind.CERTIFICATE_ISSUED: (
        f"【{SYSTEM_NAME}】電子証明書発行のお知らせ",
        f"""\
次のユーザーIDの電子証明書を発行しました。

　ユーザーID：$user_id
　有効期限：$until

電子証明書の有効期限は発行日を含めて{VALIDITY_DAYS}日間です。
発行結果画面でダウンロードした電子証明書ファイル（p12ファイル）を開き、インポートしてください。
インポートしないまま終了した場合は、電子証明書の失効が必要です。
""",
    ),
    NoticeKind.CERTIFICATE_RENEWAL_OPEN: (
        f"【{SYSTEM_NAME}】電子証明書の有効期限が近づいています",
        f"""\
次のユーザーIDの電子証明書は、有効期限まで{RENEWAL_WINDOW_DAYS}日となりました。

　ユーザーID：$user_id
　有効期限：$until

本日から電子証明書の更新ができます。有効期限までに電子証明書を更新してください。

【更新の方法】
ログイン画面の「電子証明書発行」ボタンから、ユーザーIDとパスワードで認証し、
新しい電子証明書を発行してください。更新後は新しい電子証明書を選択してログインしてください。
""",
    ),
    NoticeKind.CERTIFICATE_RENEWAL_REMINDER: (
        f"【{SYSTEM_NAME}】電子証明書の更新をお願いします",
        """\
次のユーザーIDの電子証明書は、まもなく有効期限が切れますが、まだ更新されていません。

　ユーザーID：$user_id
　有効期限：$until

有効期限が過ぎるとログインできなくなります。
ログイン画面の「電子証明書発行」ボタンから、電子証明書を更新してください。
""",
    ),
    NoticeKind.CERTIFICATE_EXPIRED: (
        f"【{SYSTEM_NAME}】電子証明書の有効期限切れのお知らせ",
        """\
次のユーザーIDの電子証明書は、更新されないまま有効期限が過ぎました。

　ユーザーID：$user_id
　有効期限：$until

この電子証明書ではログインできません。
ログイン画面の「電子証明書発行」ボタンから、電子証明書を再発行してください。
""",
    ),
}


def render_notice(kind: NoticeKind, values: Mapping[str, str]) -> RenderedNotice:
    """Subject and body of ``kind``; a value missing from ``values`` raises KeyError (a bug, not bad input)."""
    subject, body = _NOTICES[kind]
    return RenderedNotice(subject=subject, body=_GREETING + Template(body).substitute(values) + _FOOTER)


# --- revocation (issue 5) -------------------------------------------------------------------
# Values: $request_number, $reason, $filed_on and $comment come from the written request
# (``store.revocation_queries.notice_values``); $about_user_id from the general user.

_REISSUE = """
【再発行の方法】
ログイン画面の「電子証明書発行」ボタンから、ユーザーIDとパスワードで認証し、
新しい電子証明書を発行してください。
"""


def _revocation_notices() -> dict[NoticeKind, tuple[str, str]]:
    return {
        NoticeKind.CERTIFICATE_REVOKED: (
            f"【{SYSTEM_NAME}】電子証明書失効のお知らせ",
            """\
次のユーザーIDの電子証明書を失効しました。失効した電子証明書ではログインできません。

　ユーザーID：$user_id
""" + _REISSUE,
        ),
        NoticeKind.CERTIFICATE_REVOKED_TO_MASTER: (
            f"【{SYSTEM_NAME}】一般ユーザーの電子証明書失効のお知らせ",
            """\
貴団体の次の一般ユーザーの電子証明書を失効しました。

　一般ユーザーのユーザーID：$about_user_id
　（このお知らせの宛先　ユーザーID：$user_id）

一般ユーザーは、ログイン画面の「電子証明書発行」ボタンから電子証明書を再発行できます。
""",
        ),
        NoticeKind.REVOCATION_APPROVED: (
            f"【{SYSTEM_NAME}】電子証明書の失効依頼 受付完了のお知らせ",
            """\
次の電子証明書の失効依頼を承認し、電子証明書を失効しました。

　受付番号：$request_number
　ユーザーID：$user_id
　失効理由：$reason
　依頼日：$filed_on
""" + _REISSUE,
        ),
        NoticeKind.REVOCATION_REJECTED: (
            f"【{SYSTEM_NAME}】電子証明書の失効依頼についてのお知らせ",
            """\
次の電子証明書の失効依頼は、下記の理由によりお受けできませんでした。
電子証明書は失効していません。

　受付番号：$request_number
　ユーザーID：$user_id
　依頼日：$filed_on

【理由】
$comment

ご不明な点は、お取引店へお問い合わせください。
""",
        ),
        NoticeKind.REVOCATION_EXPIRED: (
            f"【{SYSTEM_NAME}】電子証明書の失効依頼 期限切れのお知らせ",
            f"""\
次の電子証明書の失効依頼は、依頼日から{PAPER_DEADLINE_DAYS}日以内に書面（失効依頼書）が届かなかったため、
無効となりました。電子証明書は失効していません。

　受付番号：$request_number
　ユーザーID：$user_id
　依頼日：$filed_on

失効が必要な場合は、ログイン画面の「電子証明書の失効依頼」から改めてお手続きください。
""",
        ),
        NoticeKind.REVOCATION_WITHDRAWN: (
            f"【{SYSTEM_NAME}】電子証明書の失効依頼 取下げのお知らせ",
            """\
次の電子証明書の失効依頼を取り下げました。電子証明書は失効していません。
失効依頼書（書面）を送付済みの場合、その書面は処理されません。

　受付番号：$request_number
　ユーザーID：$user_id
　依頼日：$filed_on

お心当たりのない場合は、お取引の労働金庫へ至急お問い合わせください。
""",
        ),
        NoticeKind.REVOCATION_CLOSED: (
            f"【{SYSTEM_NAME}】電子証明書の失効依頼 終了のお知らせ",
            """\
次の電子証明書の失効依頼は、電子証明書が他の手続で無効（$certificate_end）となったため、終了しました。
失効依頼書（書面）の提出は不要です。送付済みの場合、その書面は処理されません。

　受付番号：$request_number
　ユーザーID：$user_id
　依頼日：$filed_on

新しい電子証明書が必要な場合は、ログイン画面の「電子証明書発行」ボタンから発行してください。
""",
        ),
    }


_NOTICES.update(_revocation_notices())

APPROVER_REMINDER_SUBJECT = f"【{SYSTEM_NAME}】承認待ちの電子証明書失効依頼があります"
_APPROVER_REMINDER = Template(f"""\
書面を受け付けた次の電子証明書の失効依頼が、{REMINDER_AFTER_BUSINESS_DAYS}営業日を過ぎても承認・否認されていません。
受付担当者以外の承認者が、失効依頼一覧から処理してください。

　受付番号：$request_number
　団体コード：$organization_code
　失効理由：$reason
　書面受付日時：$received_at
　経過営業日数：$business_days営業日
　催促：$reminder回目

――――――――――――――――――――――――
このメールは{SYSTEM_NAME}から承認担当者あてに自動送信しています。
""")


def render_approver_reminder(values: Mapping[str, str]) -> RenderedNotice:
    """The reminder to the approvers' mailbox: request facts only, no customer's name or address."""
    return RenderedNotice(subject=APPROVER_REMINDER_SUBJECT, body=_APPROVER_REMINDER.substitute(values))
