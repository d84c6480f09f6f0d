"""What the user reads for each rule problem or refusal: one table, Japanese msgids.

Rules live in ``domain``; services raise ``store.errors`` codes; only here do they become text.
The CLI reads the same table through the English catalog (``english``).
"""

from __future__ import annotations

from pathlib import Path

from babel.support import Translations

from domain.contact import ContactProblem
from domain.credentials import MAX_LENGTH, MIN_LENGTH, CredentialProblem
from domain.organizations import CODE_MAX_LENGTH, CODE_MIN_LENGTH, NAME_MAX_LENGTH, OrganizationProblem
from domain.quotas import MAX_GENERAL_USERS
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

# Rokin staff pages say ログインID where employer pages say ユーザーID; looked up before the tables above.
STAFF = {
    Refusal.INVALID_CREDENTIALS: N_("ログインIDまたはパスワードが正しくありません。"),
    CredentialProblem.SAME_AS_USER_ID: N_("ログインIDと同じパスワードは使用できません。"),
}

PARAMETERS = {
    "min": MIN_LENGTH,
    "max": MAX_LENGTH,
    "code_min": CODE_MIN_LENGTH,
    "code_max": CODE_MAX_LENGTH,
    "name_max": NAME_MAX_LENGTH,
    "max_general": MAX_GENERAL_USERS,
}

_TABLES = (CREDENTIAL, CONTACT, ORGANIZATION, REFUSAL)


def msgid(code: object) -> str:
    for table in _TABLES:
        if code in table:
            return table[code]
    raise KeyError(code)


def render(code: object, gettext=lambda text: text) -> str:  # noqa: ANN001
    """The message for a problem or refusal code, translated by ``gettext`` and filled in."""
    return gettext(msgid(code)) % PARAMETERS


def english(code: object) -> str:
    """For the CLI: the same message from the English catalog."""
    catalog = Translations.load(str(Path(__file__).with_name("translations")), ["en"])
    return render(code, catalog.gettext)
