"""Validators shared by every blueprint's forms: they call the rules package and the message table."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, PasswordField
from wtforms.validators import EqualTo, ValidationError

from domain.contact import check_display_name, check_email
from domain.credentials import MAX_LENGTH, CredentialProblem, check_credential

from . import messages


class RuleCheck:
    """A WTForms validator running one ``domain`` check and raising its message."""

    def __init__(self, check) -> None:  # noqa: ANN001
        self.check = check

    def __call__(self, form: Form, field: Field) -> None:
        problem = self.check(field.data or "")
        if problem is not None:
            raise ValidationError(messages.render(problem, gettext))


credential = RuleCheck(check_credential)
email = RuleCheck(check_email)
display_name = RuleCheck(check_display_name)

# Browsers stop typing at maxlength; one more character lets "too long" still be explained.
CREDENTIAL_INPUT = {"maxlength": MAX_LENGTH + 1, "autocomplete": "off", "autocapitalize": "off",
                    "spellcheck": "false", "inputmode": "latin"}
PASSWORD_INPUT = {**CREDENTIAL_INPUT, "autocomplete": "new-password", "data-softkeyboard": "1"}


def add_error(field: Field, code: object) -> None:
    """Show a service's refusal under the field it concerns."""
    field.errors = [*field.errors, messages.render(code, gettext)]


class NewPasswordForm(FlaskForm):
    """A new password typed twice; the service checks it against the ID and the current password."""

    new_password = PasswordField(_l("新しいパスワード"), validators=[credential], render_kw=PASSWORD_INPUT)
    new_password_confirm = PasswordField(
        _l("新しいパスワード（確認用）"),
        validators=[EqualTo("new_password",
                            message=_l(messages.CREDENTIAL[CredentialProblem.CONFIRMATION_MISMATCH]))],
        render_kw=PASSWORD_INPUT,
    )
