"""Forms of the Rokin staff pages: 職員ログイン, the first password change, 団体登録, ユーザー検索 and
the written revocation requests (受付, 承認 / 否認, 取下げ, filing from paper, 緊急失効)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField, TextAreaField
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



class OrganizationForm(FlaskForm):
    """団体登録: the same checks as ``rokin admin create-org``, from ``domain``."""

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
