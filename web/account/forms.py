"""Forms of the employer user's own パスワード変更 and メールアドレス変更 (rules from ``domain``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Regexp

from domain.contact import EMAIL_MAX_LENGTH, ContactProblem
from store.users import EMAIL_CODE_DIGITS

from .. import forms, messages


class PasswordChangeForm(forms.NewPasswordForm):
    """The current password (judged by the lockout arbiter) and the new one, typed twice."""

    current_password = PasswordField(_l("現在のパスワード"), validators=[forms.credential],
                                     render_kw={**forms.PASSWORD_INPUT, "autocomplete": "current-password"})


class EmailChangeForm(FlaskForm):
    email = EmailField(_l("新しいメールアドレス"), validators=[forms.email],
                       render_kw={"maxlength": EMAIL_MAX_LENGTH, "autocomplete": "email"})
    email_confirm = EmailField(
        _l("新しいメールアドレス（確認用）"),
        validators=[EqualTo("email", message=_l(messages.CONTACT[ContactProblem.EMAIL_MISMATCH]))],
        render_kw={"maxlength": EMAIL_MAX_LENGTH, "autocomplete": "off"},
    )


class EmailCodeForm(FlaskForm):
    code = StringField(
        _l("確認コード"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[InputRequired(message=_l("確認コードを入力してください。")),
                    Regexp(rf"^\d{{{EMAIL_CODE_DIGITS}}}$",
                           message=_l("確認コードは半角数字%(digits)d桁で入力してください。",
                                      digits=EMAIL_CODE_DIGITS))],
        render_kw={"maxlength": EMAIL_CODE_DIGITS, "autocomplete": "one-time-code", "inputmode": "numeric",
                   "spellcheck": "false"})


class ConfirmForm(FlaskForm):
    """再送信 / 取消し: nothing to fill in but the CSRF token."""
