"""電子証明書発行 (seed 001 ③–⑧): ④ ユーザー認証 → ⑤ 発行 → ⑥ 発行中 → ⑦ 発行結果, and ⑧ インポート.

④'s successful POST answers with ⑤ directly, carrying the sealed ticket (``tickets``); the 発行
POST answers with ⑦ directly, the .p12 inside the page for the automatic download
(static/js/issuance.js). Neither secret is stored anywhere, and every response is ``no-store``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from contract.certificate_client import IssuanceFailed
from domain.certificates import IssuanceRefusal
from usecases import issuance
from usecases.ports import TemporalUnavailable

from .. import db, messages, metrics
from ..auth.service import REFUSALS, attempt_origin, counted, show_refusal
from ..auth.views import forget_registered_user, registered_user_id
from ..ports import temporal
from . import tickets
from .forms import AuthenticationForm, IssueForm

log = logging.getLogger(__name__)

bp = Blueprint("certificates", __name__)


@bp.route("/issue", methods=["GET", "POST"])
def authenticate_user():  # noqa: ANN201
    """④ ユーザー認証 (``usecases.issuance.authenticate_for_issuance``); on success ⑤ with the ticket."""
    form = AuthenticationForm()
    if request.method == "GET" and (user_id := registered_user_id()) is not None:
        form.user_id.data = user_id  # straight from 初期登録: the ID is known (issue 13)
    if form.validate_on_submit():
        try:
            entry = counted(lambda: issuance.authenticate_for_issuance(
                db.session(), temporal(), user_id=form.user_id.data, password=form.password.data,
                origin=attempt_origin(), now=datetime.now(timezone.utc), fingerprint_key=tickets.fingerprint_key()))
        except REFUSALS as refusal:
            show_refusal(form, refusal)
        except issuance.IssuanceEntryRefused as refused:
            form.form_errors.append(_entry_refusal_text(refused))
        else:
            forget_registered_user()
            ticket = tickets.issue_ticket(str(entry.user.uuid), form.password.data, entry.password_fingerprint or "")
            return render_template("certificates/issue.html", form=IssueForm(formdata=None, ticket=ticket),
                                   user_id=entry.user.user_id, previous_voided=entry.previous_voided)
    return render_template("certificates/authenticate.html", form=form)


@bp.post("/issue/run")
def issue():  # noqa: ANN201
    """⑤ 発行 → ⑦ 発行結果 (⑥ 発行中 shows in the browser while this runs)."""
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    ticket = tickets.redeem_ticket(form.ticket.data)
    lapsed = _("認証の有効期限が切れました。もう一度ユーザー認証からやり直してください。")
    if ticket is None:
        metrics.count_issuance("ticket_expired")
        return _stopped(lapsed, 409)
    settings = current_app.extensions["rokin"].settings
    binding = None if ticket.password_fingerprint is None else issuance.PasswordBinding(
        ticket.password_fingerprint, tickets.fingerprint_key())  # no second argon2id (issue 14)
    try:
        delivery = issuance.issue_certificate(
            db.session(), temporal(), user_uuid=ticket.user_uuid, password=ticket.password,
            request_id=ticket.request_id, delivery_deadline=settings.delivery_deadline, binding=binding)
    except issuance.AuthenticationLapsed:
        metrics.count_issuance("ticket_expired")
        return _stopped(lapsed, 409)
    except (TemporalUnavailable, IssuanceFailed) as error:  # no .p12; an unconfirmed certificate is voided
        log.warning("issuance %s did not complete: %s", ticket.request_id, type(error).__name__)
        metrics.count_issuance("unavailable")
        return _stopped(_("ただいま電子証明書を発行できません。しばらくしてから再度お試しください。"), 503)
    except issuance.AlreadyIssued as already:
        metrics.count_issuance("already_delivered" if already.delivered else "already_pending")
        if already.delivered:
            return _stopped(_("この電子証明書発行は既に処理されました。電子証明書ファイルを受け取れなかった場合は、"
                              "電子証明書の失効を依頼してから再度発行してください。"), 409)
        # Not (yet) delivered: the first 発行 POST died, or is still running. Either it ends
        # delivered (④ then says a valid certificate is held) or revoked (④ lets the user issue).
        return _stopped(_("この電子証明書発行は既に処理されました。電子証明書ファイルを受け取れなかった場合は、"
                          "数分後にユーザー認証からやり直してください。"), 409)
    except issuance.IssuanceRefused as refused:
        metrics.count_issuance(refused.refusal.value)
        return _stopped(messages.render_for_authenticated(refused.refusal, _, branch=refused.branch), 409)
    metrics.count_issuance("issued")
    return render_template("certificates/result.html", delivery=delivery)


@bp.get("/import")
def import_help():  # noqa: ANN201
    """⑧ インポート: the certificate import wizard, step by step."""
    return render_template("certificates/import_help.html")


def _entry_refusal_text(refused: issuance.IssuanceEntryRefused) -> str:
    # ④ refuses only after the password was right: a message that says "ask your 労金" may name the branch.
    message = messages.render_for_authenticated(refused.refusal, _, branch=refused.branch)
    if refused.refusal is IssuanceRefusal.HOLDS_VALID_CERTIFICATE and refused.renewal_opens is not None:
        message += " " + _("更新のための発行は %(date)s から可能です。", date=refused.renewal_opens.isoformat())
    return message


def _stopped(message: str, status: int):  # noqa: ANN202
    """The issuance could not go on: say why, and offer to start again."""
    return render_template("certificates/stopped.html", message=message), status
