"""Forms of 電子証明書発行 (④ reuses the ID + password form of 初期登録) and of certificate login."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import InputRequired

from .. import forms
from ..auth.forms import CredentialsForm

AuthenticationForm = CredentialsForm  # ④: ユーザーID, パスワード (with the software keyboard)


class IssueForm(FlaskForm):
    """⑤ 発行: only the sealed ticket from ④ (``tickets``) and the CSRF token."""

    ticket = HiddenField(validators=[InputRequired()])


class CertificateLoginForm(FlaskForm):
    """ログイン: the certificate says who; the password is asked (with the software keyboard)."""

    password = PasswordField(_l("パスワード"), validators=[forms.credential],
                             render_kw={**forms.PASSWORD_INPUT, "autocomplete": "off"})
