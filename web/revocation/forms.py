"""Forms of the revocation pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from domain.revocation import NOTE_MAX_LENGTH, REASON_DETAIL_MAX_LENGTH

from .labels import REASON_CHOICES


class MasterRevokeForm(FlaskForm):
    """The master user chooses why a general user's certificate is revoked."""

    reason = RadioField(_l("失効理由"), choices=REASON_CHOICES,
                        validators=[InputRequired(message=_l("失効理由を選択してください。"))])


class RequestForm(FlaskForm):
    """電子証明書の失効依頼, after ID + password: which certificate, and why."""

    serial = RadioField(_l("失効する電子証明書"), choices=[],
                        validators=[InputRequired(message=_l("失効する電子証明書を選択してください。"))])
    reason = RadioField(_l("失効理由"), choices=REASON_CHOICES,
                        validators=[InputRequired(message=_l("失効理由を選択してください。"))])
    reason_detail = StringField(_l("その他の理由"), validators=[Optional()],
                                render_kw={"maxlength": REASON_DETAIL_MAX_LENGTH, "autocomplete": "off"})


class ConfirmForm(FlaskForm):
    """受付 / 取下げ: nothing to fill in but the CSRF token."""


class DecisionForm(FlaskForm):
    """承認 / 否認 with the approver's comment (required to reject)."""

    comment = TextAreaField(_l("コメント"), validators=[Optional()], render_kw={"maxlength": NOTE_MAX_LENGTH, "rows": 3})


class FileOnBehalfForm(FlaskForm):
    """A receiver files a request from the paper received by post (the customer's written request)."""

    serial = StringField(_l("シリアル番号"), validators=[InputRequired(message=_l("シリアル番号を入力してください。"))],
                         render_kw={"maxlength": 64, "autocomplete": "off"})
    reason = RadioField(_l("失効理由"), choices=REASON_CHOICES,
                        validators=[InputRequired(message=_l("失効理由を選択してください。"))])
    reason_detail = StringField(_l("その他の理由"), validators=[Optional()],
                                render_kw={"maxlength": REASON_DETAIL_MAX_LENGTH, "autocomplete": "off"})


class EmergencyForm(FlaskForm):
    """An administrator's emergency revocation: any certificate, a reason and a mandatory note."""

    serial = StringField(_l("シリアル番号"), validators=[InputRequired(message=_l("シリアル番号を入力してください。"))],
                         render_kw={"maxlength": 64, "autocomplete": "off"})
    reason = RadioField(_l("失効理由"), choices=REASON_CHOICES, default="suspected_misuse",
                        validators=[InputRequired(message=_l("失効理由を選択してください。"))])
    note = TextAreaField(_l("失効の経緯"), validators=[Optional()], render_kw={"maxlength": NOTE_MAX_LENGTH, "rows": 3})
