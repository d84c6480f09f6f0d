"""Forms of 電子証明書発行: ④ ユーザー認証 reuses the login screen's ID + password form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired

from ..auth.forms import CredentialsForm

AuthenticationForm = CredentialsForm  # ④: ユーザーID, パスワード (with the software keyboard)


class IssueForm(FlaskForm):
    """⑤ 発行: only the sealed ticket from ④ (``tickets``) and the CSRF token."""

    ticket = HiddenField(validators=[InputRequired()])
