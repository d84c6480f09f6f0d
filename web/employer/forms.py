"""Forms of the top screen: the master user creates and deletes general users, releases their lock
or block and revokes their certificate."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired

from domain.contact import DISPLAY_NAME_MAX_LENGTH

from .. import forms
from ..revocation_labels import REASON_CHOICES


class CreateGeneralUserForm(FlaskForm):
    """The master user chooses the new user's ID; the initial password is generated."""

    user_id = StringField(_l("ユーザーID"), validators=[forms.credential], render_kw=forms.CREDENTIAL_INPUT)
    display_name = StringField(_l("氏名"), validators=[forms.display_name],
                               render_kw={"maxlength": DISPLAY_NAME_MAX_LENGTH + 1, "autocomplete": "off"})


class DeleteGeneralUserForm(FlaskForm):
    """The confirmation step of a deletion: nothing to fill in but the CSRF token."""


class ReleaseForm(FlaskForm):
    """The confirmation step of ロック解除 / 閉塞解除: nothing to fill in but the CSRF token."""


class MasterRevokeForm(FlaskForm):
    """The master user chooses why a general user's certificate is revoked."""

    reason = RadioField(_l("失効理由"), choices=REASON_CHOICES,
                        validators=[InputRequired(message=_l("失効理由を選択してください。"))])
