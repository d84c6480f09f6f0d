"""Forms of 電子証明書の失効依頼: the request itself and the confirmation of its 取下げ."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Optional

from domain.revocation import REASON_DETAIL_MAX_LENGTH

from ..revocation_labels import REASON_CHOICES


class RequestForm(FlaskForm):
    """電子証明書の失効依頼, after ID + password: which certificate, and why."""

    serial = RadioField(_l("失効する電子証明書"), choices=[],
                        validators=[InputRequired(message=_l("失効する電子証明書を選択してください。"))])
    reason = RadioField(_l("失効理由"), choices=REASON_CHOICES,
                        validators=[InputRequired(message=_l("失効理由を選択してください。"))])
    reason_detail = StringField(_l("その他の理由"), validators=[Optional()],
                                render_kw={"maxlength": REASON_DETAIL_MAX_LENGTH, "autocomplete": "off"})


class ConfirmForm(FlaskForm):
    """取下げ: nothing to fill in but the CSRF token."""
