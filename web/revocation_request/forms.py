"""Forms of 電子証明書の失効依頼: the request itself and the confirmation of its 取下げ.

``ReasonDetail`` is the reason's detail as every filing form checks it (this one, and the staff's
filing from paper): the rule is ``domain.revocation_rules.reason_detail_refusal``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, StringField
from wtforms.validators import InputRequired, StopValidation

from domain.revocation import REASON_DETAIL_MAX_LENGTH, RevocationReason
from domain.revocation_rules import RevocationRefusal, reason_detail_refusal

from .. import messages
from ..revocation_labels import REASON_CHOICES

# What the field says when その他 comes without words (the rule's NOTE_REQUIRED, said for this field,
# as each form says its own InputRequired); any other refusal in the words of ``web.messages``.
DETAIL_REQUIRED_TEXT = messages.N_("「その他」を選択した場合は、失効理由を入力してください。")


class ReasonDetail:
    """Validator of a form's ``reason_detail`` next to its ``reason`` radio: その他 needs words."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            reason = RevocationReason(form.reason.data)
        except ValueError:  # no reason chosen, or a forged one: the reason's own field says so
            return
        refusal = reason_detail_refusal(reason, field.data or "")
        if refusal is RevocationRefusal.NOTE_REQUIRED:
            raise StopValidation(_(DETAIL_REQUIRED_TEXT))
        if refusal is not None:
            raise StopValidation(messages.render(refusal, _))


class RequestForm(FlaskForm):
    """電子証明書の失効依頼, after ID + password: which certificate, and why."""

    serial = RadioField(_l("失効する電子証明書"), choices=[],
                        validators=[InputRequired(message=_l("失効する電子証明書を選択してください。"))])
    reason = RadioField(_l("失効理由"), choices=REASON_CHOICES,
                        validators=[InputRequired(message=_l("失効理由を選択してください。"))])
    reason_detail = StringField(_l("その他の理由"), validators=[ReasonDetail()],
                                render_kw={"maxlength": REASON_DETAIL_MAX_LENGTH, "autocomplete": "off"})


class ConfirmForm(FlaskForm):
    """取下げ: nothing to fill in but the CSRF token."""
