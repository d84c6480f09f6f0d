"""Forms of the Rokin staff pages: 職員ログイン, the first password change and 団体登録."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired

from domain.contact import EMAIL_MAX_LENGTH, ContactProblem
from domain.credentials import CredentialProblem
from domain.organizations import (
    CODE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    check_organization_code,
    check_organization_name,
)

from .. import forms, messages


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
