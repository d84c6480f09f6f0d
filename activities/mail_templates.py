"""The text of every e-mail notice, in one place.

Each notice is a subject and a ``string.Template`` body; ``render_notice`` fills in the values
the mail activity looked up (``$user_id`` for all of them). A notice never carries a password
or a link to click: the user reaches the system the way they always do, and a mail that asks
otherwise is not ours. Add a kind to ``domain.notices.NoticeKind`` and its text here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from string import Template

from domain.banks import Branch
from domain.lockout import LOCK_DURATION, LOCKS_BEFORE_BLOCK, MAX_CONSECUTIVE_FAILURES, lift_date_time_text
from domain.notices import NoticeKind
from domain.revocation import PAPER_DEADLINE_DAYS, REMINDER_AFTER_BUSINESS_DAYS, date_text, paper_last_day
from domain.validity import TOKYO, VALIDITY_DAYS, ExpiryOutlook, expiry_outlook

SYSTEM_NAME = "ろうきん賃金控除事務支援システム"


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    body: str


_GREETING = f"{SYSTEM_NAME}をご利用いただき、ありがとうございます。\n\n"

_FOOTER = """
※パスワードをメールや電話でお尋ねすることはありません。
※この手続きに心当たりがない場合は、お手数ですが、至急お取引店${branch_note}へご連絡ください。

――――――――――――――――――――――――
このメールは送信専用のアドレスから送信しています。ご返信いただいてもお答えできません。
""" + f"{SYSTEM_NAME}\n"

_LOCK_MINUTES = int(LOCK_DURATION.total_seconds() // 60)
_BLOCKED = f"""\
次のユーザーIDは、ロックが{LOCKS_BEFORE_BLOCK}回繰り返されたため閉塞しました。
閉塞したユーザーIDは、解除されるまでログインも電子証明書の発行もできません。

　ユーザーID：$user_id
"""

_HOW_TO_RENEW = """
【更新の方法】
更新受付期間中に、ログイン画面の「電子証明書発行」ボタンから、ユーザーIDとパスワードで認証し、
新しい電子証明書を発行してください。更新後は新しい電子証明書を選択してログインしてください。
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
　ロック解除予定：$until以降

ロックは上記の時刻までに自動的に解除され、以降は再度ログイン操作ができます。
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
マスターユーザーの閉塞は労金が解除します。お取引店${branch_note}へお問い合わせください。
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
    NoticeKind.CERTIFICATE_EXPIRY_NOTICE: (
        f"【{SYSTEM_NAME}】電子証明書の有効期限のお知らせ",
        """\
次のユーザーIDの電子証明書は、有効期限が近づいています。

　ユーザーID：$user_id
　有効期限：$until（残り$days_left日、本日を含む）
　更新受付期間：$renewal_period

$renewal_status
""" + _HOW_TO_RENEW + """
有効期限が過ぎると、この電子証明書ではログインできなくなります。
""",
    ),
    NoticeKind.CERTIFICATE_RENEWAL_OPEN: (
        f"【{SYSTEM_NAME}】電子証明書の有効期限が近づいています",
        """\
次のユーザーIDの電子証明書は、有効期限まで残り$days_left日（本日を含む）です。

　ユーザーID：$user_id
　有効期限：$until
　更新受付期間：$renewal_period

$renewal_status
""" + _HOW_TO_RENEW,
    ),
    NoticeKind.CERTIFICATE_RENEWAL_REMINDER: (
        f"【{SYSTEM_NAME}】電子証明書の更新をお願いします",
        """\
次のユーザーIDの電子証明書は、まもなく有効期限が切れますが、まだ更新されていません。

　ユーザーID：$user_id
　有効期限：$until（残り$days_left日、本日を含む）

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
    """Subject and body of ``kind``; a value missing from ``values`` raises KeyError (a bug, not bad input),
    except ``branch_note`` (``branch_note``): without it a notice says お取引店 as before issue 16."""
    subject, body = _NOTICES[kind]
    filled = {"branch_note": "", **values}
    return RenderedNotice(subject=subject,
                          body=_GREETING + Template(body).substitute(filled) + Template(_FOOTER).substitute(filled))


def branch_note(branch: Branch | None) -> str:
    """``$branch_note``: the recipient's お取引店 and its phone, right after the words お取引店 / お取引の労働金庫
    of a "contact us" line — （中央労働金庫 本店営業部　電話 03-1234-5678） — or nothing while unknown."""
    return f"（{branch.full_name}　電話 {branch.phone}）" if branch is not None else ""


# --- values that depend on when the notice is sent (issue 13) -----------------------------------
# A notice may go out late (a lifecycle started by the reconciliation, a mail server that was away):
# what it says about days and dates is worked out from its ``until`` and the moment it is sent.

_EXPIRY_KINDS = frozenset({NoticeKind.CERTIFICATE_EXPIRY_NOTICE, NoticeKind.CERTIFICATE_RENEWAL_OPEN,
                           NoticeKind.CERTIFICATE_RENEWAL_REMINDER})


def timed_values(kind: NoticeKind, until: datetime, now: datetime) -> dict[str, str]:
    """$until and what follows from it at ``now``: the lift time of a lock (the pages' rule), a
    certificate's days left and renewal window, a written request's paper deadline."""
    if kind is NoticeKind.ACCOUNT_LOCKED:
        return {"until": lift_date_time_text(until)}  # rounded up to the minute, as every page shows it
    if kind is NoticeKind.REVOCATION_FILED:
        return paper_values(until)
    values = {"until": minute_text(until)}
    if kind in _EXPIRY_KINDS:
        outlook = expiry_outlook(until, now)
        values.update(days_left=str(outlook.days_left), renewal_opens_on=date_text(outlook.renewal_opens_on),
                      renewal_period=f"{date_text(outlook.renewal_opens_on)}〜{date_text(outlook.expiry_date)}",
                      renewal_status=renewal_status(outlook))
    return values


def minute_text(moment: datetime) -> str:
    """``2027年11月23日 23:59`` (JST, to the minute: a notAfter of 23:59:59 reads as that day's end)."""
    local = moment.astimezone(TOKYO)
    return f"{date_text(local.date())} {local:%H:%M}"


def renewal_status(outlook: ExpiryOutlook) -> str:
    """Whether renewal is possible on the day the notice is sent, and from when."""
    opens = date_text(outlook.renewal_opens_on)
    if outlook.today < outlook.renewal_opens_on:
        wait = (outlook.renewal_opens_on - outlook.today).days
        return f"電子証明書の更新は{opens}から可能になります（あと{wait}日）。有効期限までに更新してください。"
    if outlook.today == outlook.renewal_opens_on:
        return "本日から電子証明書の更新ができます。有効期限までに更新してください。"
    if outlook.in_renewal_window:
        return f"電子証明書の更新は{opens}から受け付けています。有効期限までに更新してください。"
    return "有効期限が過ぎたため、この電子証明書は更新できません。電子証明書を再発行してください。"


def paper_values(deadline: datetime) -> dict[str, str]:
    """A request filed online: the last day for its paper. Where to send it (``$paper_destination``) is the
    request's own fact, from ``store.revocation_queries.notice_values`` as the printed form says it."""
    return {"paper_last_day": date_text(paper_last_day(deadline))}


_ABOUT_USER_NEXT = {
    False: "一般ユーザーは、ログイン画面の「電子証明書発行」ボタンから電子証明書を再発行できます。",
    True: "このユーザーIDは削除されたため、電子証明書の再発行はできません。",
}


def about_user_next(deleted: bool) -> str:
    """What a master user is told a general user can do after their certificate was revoked."""
    return _ABOUT_USER_NEXT[deleted]


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

$about_user_next
""",
        ),
        NoticeKind.REVOCATION_FILED: (
            f"【{SYSTEM_NAME}】電子証明書の失効依頼 受付のお知らせ（書面のご提出のお願い）",
            f"""\
次の電子証明書の失効依頼を受け付けました。この時点では、電子証明書はまだ失効していません。
失効依頼書（書面）が届き、労働金庫で承認した時点で失効し、メールでお知らせします。

　受付番号：$request_number
　ユーザーID：$user_id
　失効理由：$reason
　依頼日：$filed_on
　書面の提出期限：$paper_last_day（必着）

【書面のご提出】
失効依頼の画面で印刷した失効依頼書に届出印を押印し、提出期限までに次の提出先へお送りください。
　提出先：$paper_destination
提出期限までに書面が届かない場合、この失効依頼は無効となります（依頼日を含めて{PAPER_DEADLINE_DAYS}日）。
失効依頼書は、ログイン画面の「電子証明書の失効依頼」から再度印刷できます。
""",
        ),
        NoticeKind.REVOCATION_FILED_WITH_PAPER: (
            f"【{SYSTEM_NAME}】電子証明書の失効依頼 受付のお知らせ",
            """\
次の電子証明書の失効依頼を、書面（失効依頼書）により受け付けました。
この時点では、電子証明書はまだ失効していません。労働金庫で承認した時点で失効し、メールでお知らせします。

　受付番号：$request_number
　ユーザーID：$user_id
　失効理由：$reason
　依頼日：$filed_on
""",
        ),
        NoticeKind.REVOCATION_APPROVED: (
            f"【{SYSTEM_NAME}】電子証明書の失効依頼 承認・失効完了のお知らせ",
            """\
次の電子証明書の失効依頼を承認し、電子証明書を失効しました。

　受付番号：$request_number
　ユーザーID：$user_id
　失効理由：$reason
　依頼日：$filed_on
""" + _REISSUE,
        ),
        NoticeKind.REVOCATION_REJECTED: (
            f"【{SYSTEM_NAME}】電子証明書の失効依頼 不承認のお知らせ",
            """\
次の電子証明書の失効依頼は、下記の理由によりお受けできませんでした。
電子証明書は失効していません。

　受付番号：$request_number
　ユーザーID：$user_id
　依頼日：$filed_on

【理由】
$comment

ご不明な点は、お取引店${branch_note}へお問い合わせください。
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

お心当たりのない場合は、お取引の労働金庫${branch_note}へ至急お問い合わせください。
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


# --- credentials after 初期登録 (issue 13) ------------------------------------------------------
# $code and $expires (JST) come from the mail activity, which makes the code (``store.users.issue_email_code``):
# the code never enters a workflow history. $about_user_id: the general user a master is told about.

_REGISTER_AGAIN = """
【次のお手続き】
新しい初期パスワードで、ログイン画面の「{button}」からパスワードとメールアドレスを
登録し直してください。それまでは、電子証明書をお持ちでもログインできません。
電子証明書はそのままご利用いただけます（再発行は不要です）。
"""


def _credential_notices() -> dict[NoticeKind, tuple[str, str]]:
    return {
        NoticeKind.PASSWORD_CHANGED: (
            f"【{SYSTEM_NAME}】パスワード変更のお知らせ",
            """\
次のユーザーIDのパスワードが変更されました。
変更前のパスワードは使用できません。ほかの場所でのログインは終了しました。

　ユーザーID：$user_id
""",
        ),
        NoticeKind.EMAIL_CHANGE_CODE: (
            f"【{SYSTEM_NAME}】メールアドレス変更の確認コード",
            """\
次のユーザーIDのメールアドレスを、このメールアドレスへ変更する手続きが行われました。
メールアドレス変更画面に、次の確認コードを入力してください。

　ユーザーID：$user_id
　確認コード：$code
　有効期限：$expires

確認コードを入力するまで、メールアドレスは変更されません。
お心当たりのない場合は、このメールを破棄してください。
""",
        ),
        NoticeKind.EMAIL_CHANGED: (
            f"【{SYSTEM_NAME}】メールアドレス変更のお知らせ",
            """\
次のユーザーIDのメールアドレスが変更されました。
以後のお知らせは、新しいメールアドレスへお送りします。

　ユーザーID：$user_id
""",
        ),
        NoticeKind.GENERAL_PASSWORD_RESET: (
            f"【{SYSTEM_NAME}】パスワード初期化のお知らせ",
            """\
マスターユーザーが、次のユーザーIDのパスワードを初期化しました。
これまでのパスワードは使用できません。新しい初期パスワードは、マスターユーザーからお受け取りください。

　ユーザーID：$user_id
""" + _REGISTER_AGAIN.format(button="一般ユーザーの初期登録"),
        ),
        NoticeKind.GENERAL_PASSWORD_RESET_TO_MASTER: (
            f"【{SYSTEM_NAME}】一般ユーザーのパスワード初期化のお知らせ",
            """\
貴団体の次の一般ユーザーのパスワードを初期化しました。

　一般ユーザーのユーザーID：$about_user_id
　（このお知らせの宛先　ユーザーID：$user_id）

画面に表示した新しい初期パスワードを、ご本人に安全な方法でお渡しください。
一般ユーザーは「一般ユーザーの初期登録」をやり直すまでログインできません。
""",
        ),
        NoticeKind.MASTER_PASSWORD_RESET: (
            f"【{SYSTEM_NAME}】マスターユーザーのパスワード初期化のお知らせ",
            """\
労働金庫が、次のマスターユーザーのパスワードを初期化しました。
これまでのパスワードは使用できません。新しい初期パスワードは、労働金庫からお届けする
「ご利用開始（変更）のお知らせ」に記載しています。

　ユーザーID：$user_id
""" + _REGISTER_AGAIN.format(button="マスターユーザーの初期登録"),
        ),
    }


_NOTICES.update(_credential_notices())
