"""Forms of the top screen: the master user creates and deletes general users."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from domain.contact import DISPLAY_NAME_MAX_LENGTH

from .. import forms


class CreateGeneralUserForm(FlaskForm):
    """The master user chooses the new user's ID; the initial password is generated."""

    user_id = StringField(_l("ユーザーID"), validators=[forms.credential], render_kw=forms.CREDENTIAL_INPUT)
    display_name = StringField(_l("氏名"), validators=[forms.display_name],
                               render_kw={"maxlength": DISPLAY_NAME_MAX_LENGTH + 1, "autocomplete": "off"})


class DeleteGeneralUserForm(FlaskForm):
    """The confirmation step of a deletion: nothing to fill in but the CSRF token."""


class ReleaseForm(FlaskForm):
    """The confirmation step of ロック解除 / 閉塞解除: nothing to fill in but the CSRF token."""
