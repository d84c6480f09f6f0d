"""Forms of the login screen and 初期登録 (seed 001 ④ 入力項目説明)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import EqualTo

from domain.contact import ContactProblem

from .. import forms, messages


class CredentialsForm(FlaskForm):
    """ユーザーID + パスワード: 電子証明書発行 ④ and the first step of 初期登録 (ログイン asks the password only)."""

    user_id = StringField(_l("ユーザーID"), validators=[forms.credential], render_kw=forms.CREDENTIAL_INPUT)
    password = PasswordField(_l("パスワード"), validators=[forms.credential],
                             render_kw={**forms.PASSWORD_INPUT, "autocomplete": "off"})


class InitialPasswordForm(CredentialsForm):
    password = PasswordField(_l("初期パスワード"), validators=[forms.credential],
                             render_kw={**forms.PASSWORD_INPUT, "autocomplete": "off"})


class RegistrationForm(forms.NewPasswordForm):
    """The second step of 初期登録: one's own password and e-mail address."""

    email = EmailField(_l("メールアドレス"), validators=[forms.email],
                       render_kw={"maxlength": 254, "autocomplete": "email"})
    email_confirm = EmailField(
        _l("メールアドレス（確認用）"),
        validators=[EqualTo("email", message=_l(messages.CONTACT[ContactProblem.EMAIL_MISMATCH]))],
        render_kw={"maxlength": 254, "autocomplete": "off"},
    )
