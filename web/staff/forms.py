"""Forms of the Rokin staff pages: 職員ログイン, the first password change, 団体登録, ユーザー検索 and
the written revocation requests (受付, 承認 / 否認, 取下げ, filing from paper, 緊急失効)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, TextAreaField, widgets
from wtforms.validators import EqualTo, InputRequired, Optional

from domain.contact import EMAIL_MAX_LENGTH, ContactProblem
from domain.credentials import CredentialProblem
from domain.organizations import (
    CODE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    check_organization_code,
    check_organization_name,
)
from domain.revocation import NOTE_MAX_LENGTH, REASON_DETAIL_MAX_LENGTH
from domain.roles import StaffRole
from domain.staff_scope import PlacementProblem

from .. import forms, messages
from ..revocation_labels import REASON_CHOICES
from ..revocation_request.forms import ReasonDetail


def staff_message(code: object) -> str:
    """The message for a problem or refusal code in the staff pages' wording (ログインID)."""
    return gettext(messages.STAFF.get(code) or messages.msgid(code)) % messages.PARAMETERS


def add_staff_error(field, code: object) -> None:  # noqa: ANN001
    field.errors = [*field.errors, staff_message(code)]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


_required = InputRequired(message=_l(messages.CREDENTIAL[CredentialProblem.REQUIRED]))


class StaffLoginForm(FlaskForm):
    """Only "filled in" is checked here: every other refusal is the same generic one."""

    login = StringField(_l("ログインID"), validators=[_required], render_kw=forms.CREDENTIAL_INPUT)
    password = PasswordField(_l("パスワード"), validators=[_required],
                             render_kw={**forms.PASSWORD_INPUT, "autocomplete": "current-password"})


class FirstPasswordForm(forms.NewPasswordForm):
    """The initial password from ``rokin admin create-staff`` is replaced before any other page."""



# Why a 労金 or お取引店 cannot be chosen (``domain.staff_scope``); the page shows it under the field.
PLACEMENT = {
    PlacementProblem.BANK_REQUIRED: messages.N_("労働金庫を選択してください。"),
    PlacementProblem.UNKNOWN_BANK: messages.N_("選択された労働金庫はありません。"),
    PlacementProblem.OTHER_BANK: messages.N_("ご自身の労働金庫以外は選択できません。"),
    PlacementProblem.BRANCH_REQUIRED: messages.N_("お取引店を選択してください。"),
    PlacementProblem.UNKNOWN_BRANCH: messages.N_("選択されたお取引店は店舗一覧にありません。"),
}
BRANCH_SEPARATOR = "-"  # a branch choice's value: "<bank code>-<branch code>"


def add_placement_error(field, problem: PlacementProblem) -> None:  # noqa: ANN001
    field.errors = [*field.errors, gettext(PLACEMENT[problem])]


def branch_value(bank_code: str, branch_code: str) -> str:
    return f"{bank_code}{BRANCH_SEPARATOR}{branch_code}"


def split_branch_value(value: str | None) -> tuple[str, str]:
    """(bank code, branch code) of a branch choice; empty parts when it says nothing usable."""
    bank_code, _, branch_code = (value or "").partition(BRANCH_SEPARATOR)
    return bank_code.strip(), branch_code.strip()


class _ChooseFirst(widgets.Select):
    """A select of option groups that starts with an empty 「選択してください」, so nothing is chosen silently."""

    def __call__(self, field, **kwargs) -> Markup:  # noqa: ANN001, ANN003
        rendered = super().__call__(field, **kwargs)
        placeholder = Markup('<option value=""{}>{}</option>').format(
            Markup(" selected") if not field.data else "", gettext("選択してください"))
        opening, _, rest = str(rendered).partition(">")  # the end of <select …> (attribute values are escaped)
        return Markup(f"{opening}>{placeholder}{rest}")


class BranchField(SelectField):
    """労金・お取引店: one choice of the branches the staff member may place an organization at, grouped by
    労金 (the view fills ``choices``). Any value reaches the use-case, which says what is wrong with it."""

    widget = _ChooseFirst()

    def __init__(self, label: object = None, **kwargs: object) -> None:
        super().__init__(label, validate_choice=False, **kwargs)  # type: ignore[arg-type]


class OrganizationForm(FlaskForm):
    """団体登録: the same checks as ``rokin admin create-org``, from ``domain``, and its 労金 and お取引店."""

    # One character over the limit still reaches the server, so "too long" is explained.
    code = StringField(_l("団体コード"), filters=[_strip], validators=[forms.RuleCheck(check_organization_code)],
                       render_kw={"maxlength": CODE_MAX_LENGTH + 1, "autocomplete": "off",
                                  "autocapitalize": "characters", "spellcheck": "false", "inputmode": "latin"})
    name = StringField(_l("団体名"), filters=[_strip], validators=[forms.RuleCheck(check_organization_name)],
                       render_kw={"maxlength": NAME_MAX_LENGTH + 1, "autocomplete": "off"})
    email = EmailField(_l("マスターユーザーのメールアドレス"), filters=[_strip], validators=[forms.email],
                       render_kw={"maxlength": EMAIL_MAX_LENGTH, "autocomplete": "off"})
    email_confirm = EmailField(
        _l("マスターユーザーのメールアドレス（確認用）"), filters=[_strip],
        validators=[EqualTo("email", message=_l(messages.CONTACT[ContactProblem.EMAIL_MISMATCH]))],
        render_kw={"maxlength": EMAIL_MAX_LENGTH, "autocomplete": "off"},
    )
    branch = BranchField(_l("労金・お取引店"))


class AssignBranchForm(FlaskForm):
    """お取引店登録 of an organization registered before banks and branches existed."""

    branch = BranchField(_l("労金・お取引店"))


class StaffAccountForm(FlaskForm):
    """職員登録 by an administrator: the login ID, the role and the 労金 (the view fills the choices)."""

    login = StringField(_l("ログインID"), filters=[_strip], validators=[_required],  # the rules: the use-case
                        render_kw=forms.CREDENTIAL_INPUT)
    role = SelectField(_l("役割"), validate_choice=False,
                       choices=[(role.value, role.value) for role in StaffRole])  # labels: the view
    bank = SelectField(_l("所属"), validate_choice=False)


class AccountSearchForm(FlaskForm):
    """ユーザー検索: a GET form (bookmarkable, changes nothing), so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("ユーザーID・団体コード・ログインID"), filters=[_strip], validators=[_required],
                    render_kw={"maxlength": 20, "autocomplete": "off", "autocapitalize": "off",
                               "spellcheck": "false", "inputmode": "latin"})


class ReleaseForm(FlaskForm):
    """The confirmation step of ロック解除 / 閉塞解除: nothing to fill in but the CSRF token."""


class ConfirmForm(FlaskForm):
    """受付 / 取下げ of a written request: nothing to fill in but the CSRF token."""


class DecisionForm(FlaskForm):
    """承認 / 否認 with the approver's comment (required to reject)."""

    comment = TextAreaField(_l("コメント"), validators=[Optional()],
                            render_kw={"maxlength": NOTE_MAX_LENGTH, "rows": 3})


class FileOnBehalfForm(FlaskForm):
    """A receiver files a request from the paper received by post (the customer's written request)."""

    serial = StringField(_l("シリアル番号"), validators=[InputRequired(message=_l("シリアル番号を入力してください。"))],
                         render_kw={"maxlength": 64, "autocomplete": "off"})
    reason = RadioField(_l("失効理由"), choices=REASON_CHOICES,
                        validators=[InputRequired(message=_l("失効理由を選択してください。"))])
    reason_detail = StringField(_l("その他の理由"), validators=[ReasonDetail()],  # as on the master's page
                                render_kw={"maxlength": REASON_DETAIL_MAX_LENGTH, "autocomplete": "off"})


class EmergencyForm(FlaskForm):
    """An administrator's emergency revocation: any certificate, a reason and a mandatory note."""

    serial = StringField(_l("シリアル番号"), validators=[InputRequired(message=_l("シリアル番号を入力してください。"))],
                         render_kw={"maxlength": 64, "autocomplete": "off"})
    reason = RadioField(_l("失効理由"), choices=REASON_CHOICES, default="suspected_misuse",
                        validators=[InputRequired(message=_l("失効理由を選択してください。"))])
    note = TextAreaField(_l("失効の経緯"), validators=[Optional()], render_kw={"maxlength": NOTE_MAX_LENGTH, "rows": 3})


class MasterResetForm(FlaskForm):
    """The confirmation step of a master user's パスワード初期化: nothing to fill in but the CSRF token."""
