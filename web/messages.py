"""What the user reads for each rule problem or refusal: one table, Japanese msgids.

Rules live in ``domain``; services raise ``store.errors`` codes; only here do they become text.
The CLI reads the same table through the English catalog (``english``).
"""

from __future__ import annotations

from pathlib import Path

from babel.support import Translations

from domain.banks import Branch
from domain.certificate_login import CertificateLoginProblem
from domain.certificates import DELIVERY_DEADLINE, IssuanceRefusal
from domain.contact import ContactProblem
from domain.credentials import MAX_LENGTH, MIN_LENGTH, CredentialProblem
from domain.lockout import LOCK_DURATION, LOCKS_BEFORE_BLOCK, MAX_CONSECUTIVE_FAILURES, Outcome
from domain.lockout_release import Releaser, ReleaseRefusal
from domain.organizations import CODE_MAX_LENGTH, CODE_MIN_LENGTH, NAME_MAX_LENGTH, OrganizationProblem
from domain.quotas import MAX_CERTIFICATES_PER_ORGANIZATION, MAX_GENERAL_USERS
from domain.revocation import NOTE_MAX_LENGTH, PAPER_DEADLINE_DAYS, REASON_DETAIL_MAX_LENGTH
from domain.revocation_rules import RevocationRefusal
from domain.validity import RENEWAL_WINDOW_DAYS
from store.errors import Refusal


def N_(text: str) -> str:  # noqa: N802  marks text for extraction; translated where shown
    return text


CREDENTIAL = {
    CredentialProblem.REQUIRED: N_("入力してください。"),
    CredentialProblem.FULL_WIDTH: N_("全角文字は使用できません。半角英数字で入力してください。"),
    CredentialProblem.SPACE: N_("空白は使用できません。"),
    CredentialProblem.SYMBOL: N_("記号は使用できません。半角英数字で入力してください。"),
    CredentialProblem.TOO_SHORT: N_("%(min)d桁以上で入力してください。"),
    CredentialProblem.TOO_LONG: N_("%(max)d桁以内で入力してください。"),
    CredentialProblem.NEEDS_LETTER_AND_DIGIT: N_("英字と数字を両方含めてください（英数混在必須）。"),
    CredentialProblem.SAME_AS_USER_ID: N_("ユーザーIDと同じパスワードは使用できません。"),
    CredentialProblem.SAME_AS_PREVIOUS: N_("現在のパスワードと同じパスワードは使用できません。"),
    CredentialProblem.CONFIRMATION_MISMATCH: N_("確認用の入力が一致しません。"),
}

CONTACT = {
    ContactProblem.EMAIL_REQUIRED: N_("メールアドレスを入力してください。"),
    ContactProblem.EMAIL_FORMAT: N_("メールアドレスの形式が正しくありません。"),
    ContactProblem.EMAIL_MISMATCH: N_("確認用のメールアドレスが一致しません。"),
    ContactProblem.NAME_REQUIRED: N_("氏名を入力してください。"),
    ContactProblem.NAME_TOO_LONG: N_("氏名が長すぎます。"),
}

ORGANIZATION = {
    OrganizationProblem.CODE_REQUIRED: N_("団体コードを入力してください。"),
    OrganizationProblem.CODE_FORMAT: N_("団体コードは半角の数字または英大文字%(code_min)d〜%(code_max)d桁で入力してください。"),
    OrganizationProblem.NAME_REQUIRED: N_("団体名を入力してください。"),
    OrganizationProblem.NAME_TOO_LONG: N_("団体名は%(name_max)d文字以内で入力してください。"),
}

REFUSAL = {
    Refusal.ORGANIZATION_CODE_TAKEN: N_("この団体コードは既に登録されています。"),
    Refusal.USER_ID_TAKEN: N_("このユーザーIDは既に使用されています。別のユーザーIDを入力してください。"),
    Refusal.STAFF_LOGIN_TAKEN: N_("このログインIDは既に使用されています。"),
    Refusal.GENERAL_USER_QUOTA: N_("一般ユーザーは1団体につき最大%(max_general)d名までです。これ以上登録できません。"),
    Refusal.INVALID_CREDENTIALS: N_("ユーザーIDまたはパスワードが正しくありません。"),
    Refusal.ALREADY_REGISTERED: N_("このユーザーIDは初期登録済みです。"),
    Refusal.WRONG_REGISTRATION_KIND: N_("このユーザーIDはこの画面では初期登録できません。正しい初期登録ボタンから操作してください。"),
    Refusal.NOT_REGISTERED: N_("初期登録が完了していません。初期登録を行ってください。"),
    Refusal.NOT_FOUND: N_("対象が見つかりません。"),
    Refusal.FORBIDDEN: N_("この操作を行う権限がありません。"),
}

# The lockout arbiter's refusals (issue 3). %(until)s comes from its answer; a blocked ID is told
# who releases it (domain.lockout_release.who_releases). A wrong password reads as INVALID_CREDENTIALS,
# the unknown ID's message, with no count of attempts left (issue 12: which IDs exist stays hidden).
LOCKOUT = {
    Outcome.LOCKED: N_("このユーザーIDはロックされています。%(until)s以降に再度お試しください。"),
    Releaser.MASTER_USER: N_("このユーザーIDは閉塞されています。マスターユーザーに閉塞解除を依頼してください。"),
    Releaser.ROKIN: N_("このユーザーIDは閉塞されています。お取引の労働金庫へお問い合わせください。"),
}

# Why an unlock or unblock was refused (domain.lockout_release.ReleaseRefusal).
RELEASE = {
    ReleaseRefusal.SELF_RELEASE: N_("ご自身のロック・閉塞は解除できません。"),
    ReleaseRefusal.NEEDS_MASTER_OF_ORGANIZATION: N_("一般ユーザーのロック・閉塞は、同じ団体のマスターユーザーのみ解除できます。"),
    ReleaseRefusal.NEEDS_ROKIN_ADMINISTRATOR: N_("マスターユーザーと職員のロック・閉塞は、労金の管理者のみ解除できます。"),
    ReleaseRefusal.NOT_LOCKED: N_("このIDはロックされていません。"),
    ReleaseRefusal.NOT_BLOCKED: N_("このIDは閉塞されていません。"),
}

# When the arbiter cannot answer (Temporal down, no worker, a timeout) nobody is let in.
LOCKOUT_UNAVAILABLE = N_("ただいま処理を受け付けられません。しばらくしてから再度お試しください。")

# Why 電子証明書発行 was refused (domain.certificates.IssuanceRefusal, seed 001 ④, seed 003 Q4).
ISSUANCE = {
    IssuanceRefusal.USER_NOT_ACTIVE: N_("このユーザーIDでは電子証明書を発行できません。"),
    IssuanceRefusal.ACCOUNT_LOCKED: N_("このユーザーIDはロックされているため、電子証明書を発行できません。ロックは一定時間の経過後に解除されます。"),
    IssuanceRefusal.ACCOUNT_BLOCKED: N_("このユーザーIDは閉塞されているため、電子証明書を発行できません。一般ユーザーの方はマスターユーザーに、マスターユーザーの方はお取引の労働金庫にお問い合わせください。"),
    IssuanceRefusal.HOLDS_VALID_CERTIFICATE: N_("既に有効な電子証明書が発行されているため、認証を行えません。電子証明書の更新は、有効期限が切れる%(renewal_days)d日前から可能です。"),
    IssuanceRefusal.ORGANIZATION_QUOTA: N_("電子証明書は1団体につき最大%(max_certificates)d枚までです。これ以上発行できません。"),
    IssuanceRefusal.INVALID_CSR: N_("電子証明書を発行できませんでした。しばらくしてから再度お試しください。"),
    IssuanceRefusal.ISSUANCE_PENDING: N_("前回の電子証明書発行の処理が完了していないため、認証を行えません。%(delivery_minutes)d分ほどしてから再度お試しください。"),
    IssuanceRefusal.BRANCH_REQUIRED: N_("貴団体のお取引店が登録されていないため、電子証明書を発行できません。お取引の労働金庫へお問い合わせのうえ、お取引店の登録をご依頼ください。"),
}

# Revocation (issue 5, domain.revocation_rules.RevocationRefusal). REQUEST_OPEN takes %(number)s,
# the open request's number (``RevocationRefused.details``).
REVOCATION = {
    RevocationRefusal.NOT_ALLOWED: N_("この操作を行う権限がありません。"),
    RevocationRefusal.OTHER_ORGANIZATION: N_("他の団体の電子証明書は操作できません。"),
    RevocationRefusal.NEEDS_RECEIVER: N_("書面の受付は、労金の受付担当者のみ行えます。"),
    RevocationRefusal.NEEDS_APPROVER: N_("失効依頼の承認・否認は、労金の承認者のみ行えます。"),
    RevocationRefusal.NEEDS_ADMINISTRATOR: N_("この操作は、労金の管理者のみ行えます。"),
    RevocationRefusal.RECEIVER_CANNOT_DECIDE: N_("書面を受け付けた職員は、同じ失効依頼を承認・否認できません。別の承認者が処理してください。"),
    RevocationRefusal.REQUESTER_CANNOT_DECIDE: N_("失効依頼を登録した職員は、同じ失効依頼を承認・否認できません。別の承認者が処理してください。"),
    RevocationRefusal.GENERAL_USER_CERTIFICATE: N_("一般ユーザーの電子証明書は、マスターユーザーがユーザー一覧から失効できます。書面による失効依頼は不要です。"),
    RevocationRefusal.NEEDS_WRITTEN_REQUEST: N_("マスターユーザーの電子証明書は、書面による失効依頼で失効します。ログイン画面の「電子証明書の失効依頼」からお手続きください。"),
    RevocationRefusal.NOT_REVOCABLE: N_("この電子証明書は既に有効ではないため、失効できません。"),
    RevocationRefusal.REQUEST_OPEN: N_("この電子証明書には処理中の失効依頼（受付番号 %(number)s）があります。"),
    RevocationRefusal.WRONG_STATE: N_("この失効依頼は既に処理されているため、この操作は行えません。"),
    RevocationRefusal.COMMENT_REQUIRED: N_("否認する場合は、理由を入力してください。"),
    RevocationRefusal.NOTE_REQUIRED: N_("理由を入力してください。"),
    RevocationRefusal.NOTE_TOO_LONG: N_("%(note_max)d文字以内で入力してください。"),
    RevocationRefusal.DETAIL_TOO_LONG: N_("%(reason_detail_max)d文字以内で入力してください。"),
}

# Why a client certificate cannot log in (domain.certificate_login; seed 001 ②, seed 003 Q9–Q12).
CERTIFICATE_LOGIN = {
    CertificateLoginProblem.NO_CERTIFICATE: N_("電子証明書が選択されていません。本システムへのログインには、発行を受けた電子証明書が必要です。ブラウザをすべて閉じてから再度アクセスし、電子証明書の選択画面でご利用の電子証明書を選択してください。電子証明書をお持ちでない場合は、[電子証明書発行]から発行してください。"),
    CertificateLoginProblem.FOREIGN: N_("選択された電子証明書は、本システムの電子証明書ではありません。ブラウザをすべて閉じてから再度アクセスし、本システムの電子証明書を選択してください。"),
    CertificateLoginProblem.UNKNOWN: N_("選択された電子証明書は、本システムに登録されていません。ブラウザをすべて閉じてから再度アクセスし、発行を受けた電子証明書を選択してください。"),
    CertificateLoginProblem.NOT_YET_VALID: N_("選択された電子証明書はまだ有効になっていません。パソコンの日付と時刻をご確認ください。"),
    CertificateLoginProblem.EXPIRED: N_("選択された電子証明書は有効期限が切れています。[電子証明書発行]から電子証明書を再発行してください。"),
    CertificateLoginProblem.REVOKED: N_("選択された電子証明書は失効しています。[電子証明書発行]から電子証明書を再発行してください。"),
    CertificateLoginProblem.SUPERSEDED: N_("選択された電子証明書は更新済みのため使用できません。ブラウザをすべて閉じてから再度アクセスし、更新後の新しい電子証明書を選択してください。"),
    CertificateLoginProblem.USER_INACTIVE: N_("選択された電子証明書のユーザーIDは現在ご利用いただけません。"),
    CertificateLoginProblem.REGISTRATION_PENDING: N_("このユーザーIDのパスワードは初期化されています。ログイン画面の初期登録ボタンから、お知らせされた初期パスワードで初期登録を行ってから、電子証明書でログインしてください。"),
    CertificateLoginProblem.CHANGED: N_("電子証明書を確認できなくなったため、ログアウトしました。電子証明書を選択して、再度ログインしてください。"),
}

# Rokin staff pages say ログインID where employer pages say ユーザーID; looked up before the tables above.
STAFF = {
    Refusal.INVALID_CREDENTIALS: N_("ログインIDまたはパスワードが正しくありません。"),
    CredentialProblem.SAME_AS_USER_ID: N_("ログインIDと同じパスワードは使用できません。"),
    Outcome.LOCKED: N_("このログインIDはロックされています。%(until)s以降に再度お試しください。"),
    Releaser.ROKIN: N_("このログインIDは閉塞されています。労金の管理者に閉塞解除を依頼してください。"),
}

PARAMETERS = {
    "min": MIN_LENGTH,
    "max": MAX_LENGTH,
    "code_min": CODE_MIN_LENGTH,
    "code_max": CODE_MAX_LENGTH,
    "name_max": NAME_MAX_LENGTH,
    "max_general": MAX_GENERAL_USERS,
    "renewal_days": RENEWAL_WINDOW_DAYS,
    "max_certificates": MAX_CERTIFICATES_PER_ORGANIZATION,
    "delivery_minutes": max(1, round(DELIVERY_DEADLINE.total_seconds() / 60)),
    "note_max": NOTE_MAX_LENGTH,
    "reason_detail_max": REASON_DETAIL_MAX_LENGTH,
    "paper_days": PAPER_DEADLINE_DAYS,
    "lock_failures": MAX_CONSECUTIVE_FAILURES,
    "lock_minutes": int(LOCK_DURATION.total_seconds() // 60),
    "locks_before_block": LOCKS_BEFORE_BLOCK,
}

_TABLES = (CREDENTIAL, CONTACT, ORGANIZATION, REFUSAL, LOCKOUT, RELEASE, ISSUANCE, REVOCATION, CERTIFICATE_LOGIN)


# The organization's お取引店, named after a message that sends the user to their 労金 — only to someone
# who is authenticated (logged in, or whose password was just right): before that the generic wording
# stays, so that whoever types an ID learns nothing about its organization.
BRANCH_CONTACT = N_("お取引店：%(branch)s（電話 %(phone)s）")
ASKS_ROKIN = frozenset({IssuanceRefusal.ACCOUNT_BLOCKED, Releaser.ROKIN})


def branch_contact(branch: Branch, gettext=lambda text: text) -> str:  # noqa: ANN001
    """お取引店：中央労働金庫 本店営業部（電話 03-…）"""
    return gettext(BRANCH_CONTACT) % {"branch": branch.full_name, "phone": branch.phone}


def render_for_authenticated(code: object, gettext=lambda text: text, *, branch: Branch | None,  # noqa: ANN001
                             **values: object) -> str:
    """``render``, and for a message that says "ask your 労金" the user's お取引店 when it is known.
    Call it only for an authenticated user (see ``BRANCH_CONTACT``)."""
    message = render(code, gettext, **values)
    if branch is not None and code in ASKS_ROKIN:
        message += " " + branch_contact(branch, gettext)
    return message


def msgid(code: object) -> str:
    for table in _TABLES:
        if code in table:
            return table[code]
    raise KeyError(code)


def render(code: object, gettext=lambda text: text, **values: object) -> str:  # noqa: ANN001
    """The message for a problem or refusal code, translated by ``gettext`` and filled in
    (``values`` add the parameters of one answer, such as the lockout's ``remaining``)."""
    return gettext(msgid(code)) % {**PARAMETERS, **values}


def english(code: object) -> str:
    """For the CLI: the same message from the English catalog."""
    catalog = Translations.load(str(Path(__file__).with_name("translations")), ["en"])
    return render(code, catalog.gettext)


# Too many failed attempts across IDs from one client address or on one organization (issue 12,
# store.login_throttle): refused before the password is looked at; %(until)s is when to try again.
THROTTLED = N_("認証に失敗した回数が多いため、一時的に受け付けを停止しています。しばらく時間をおいて、%(until)s以降に再度お試しください。")

# A general user's ID that was deleted in the master's own organization (issue 13): IDs stay reserved
# after deletion, so the master is told why and what to do (store.users.create_general_user's ``reserved``).
USER_ID_RESERVED = N_("このユーザーIDは、この団体で以前に削除されたユーザーのIDです。削除したユーザーIDは、同じ方を再登録する場合も含めて再利用できません。別のユーザーIDを入力してください。")
