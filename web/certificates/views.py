"""電子証明書発行 (seed 001 ③–⑧): ④ ユーザー認証 → ⑤ 発行 → ⑥ 発行中 → ⑦ 発行結果, and ⑧ インポート.

④'s successful POST answers with ⑤ directly, carrying the sealed ticket (``tickets``); the 発行
POST answers with ⑦ directly, the .p12 inside the page for the automatic download
(static/js/issuance.js). Neither secret is stored anywhere, and every response is ``no-store``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from domain.certificates import IssuanceRefusal
from domain.roles import UserStatus
from domain.validity import TOKYO, calendar_for
from store import certificates as certificate_store
from store import users as user_store
from store.errors import Refusal
from store.models import User

from .. import db, messages, metrics
from ..auth.service import authenticate_on
from . import tickets
from .forms import AuthenticationForm, IssueForm
from .issuance import AlreadyDelivered, IssuanceUnavailable, configure, issue_certificate

bp = Blueprint("certificates", __name__)
bp.record_once(lambda state: configure(state.app))  # the delivery deadline, in the app's config


@bp.app_template_filter("jst_datetime")
def jst_datetime(moment: datetime) -> str:
    """A certificate's dates as the user reads them: Japan time, to the second."""
    return f"{moment.astimezone(TOKYO):%Y-%m-%d %H:%M:%S}"


@bp.route("/issue", methods=["GET", "POST"])
def authenticate_user():  # noqa: ANN201
    """④ ユーザー認証. Refused while locked or blocked, and while a valid certificate is held
    outside its renewal window (seed 001 ④ note)."""
    form = AuthenticationForm()
    if form.validate_on_submit():
        user = authenticate_on(form, form.user_id.data, form.password.data)
        if user is not None:
            refusal_message = _refusal_at_authentication(user)
            if refusal_message is None:
                ticket = tickets.issue_ticket(str(user.uuid), form.password.data)
                previous_voided = certificate_store.latest_issuance_voided(session=db.session(), user_uuid=user.uuid)
                return render_template("certificates/issue.html", form=IssueForm(formdata=None, ticket=ticket),
                                       user_id=user.user_id, previous_voided=previous_voided)
            form.form_errors.append(refusal_message)
    return render_template("certificates/authenticate.html", form=form)


@bp.post("/issue/run")
def issue():  # noqa: ANN201
    """⑤ 発行 → ⑦ 発行結果 (⑥ 発行中 shows in the browser while this runs)."""
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    ticket = tickets.redeem_ticket(form.ticket.data)
    user = None if ticket is None else user_store.get_by_uuid(session=db.session(), user_uuid=ticket.user_uuid)
    # Neither the hash nor the signing activity we wait for may run inside our transaction.
    db.end_reads()
    if ticket is None or user is None or not user_store.password_matches(user, ticket.password):
        metrics.count_issuance("ticket_expired")
        return _stopped(_("認証の有効期限が切れました。もう一度ユーザー認証からやり直してください。"), 409)
    try:
        result = issue_certificate(user, ticket.password, ticket.request_id)
    except IssuanceUnavailable:
        metrics.count_issuance("unavailable")
        return _stopped(_("ただいま電子証明書を発行できません。しばらくしてから再度お試しください。"), 503)
    except AlreadyDelivered as already:
        metrics.count_issuance("already_delivered")
        if already.delivered:
            return _stopped(_("この電子証明書発行は既に処理されました。電子証明書ファイルを受け取れなかった場合は、"
                              "電子証明書の失効を依頼してから再度発行してください。"), 409)
        # Not (yet) delivered: the first 発行 POST died, or is still running. Either it ends
        # delivered (④ then says a valid certificate is held) or revoked (④ lets the user issue).
        return _stopped(_("この電子証明書発行は既に処理されました。電子証明書ファイルを受け取れなかった場合は、"
                          "数分後にユーザー認証からやり直してください。"), 409)
    if isinstance(result, IssuanceRefusal):
        metrics.count_issuance(result.value)
        return _stopped(messages.render(result, _), 409)
    metrics.count_issuance("issued")
    return render_template("certificates/result.html", delivery=result, user=user)


@bp.get("/import")
def import_help():  # noqa: ANN201
    """⑧ インポート: the certificate import wizard, step by step."""
    return render_template("certificates/import_help.html")


def _refusal_at_authentication(user: User) -> str | None:
    """The message refusing issuance to this (authenticated) user now, or None."""
    if user.status is UserStatus.PENDING:
        return messages.render(Refusal.NOT_REGISTERED, _)
    now = datetime.now(timezone.utc)
    refusal = certificate_store.refusal_for(session=db.session(), user=user, now=now)
    if refusal is None:
        return None
    message = messages.render(refusal, _)
    if refusal is IssuanceRefusal.HOLDS_VALID_CERTIFICATE:
        live = certificate_store.live_certificates(session=db.session(), user_uuid=user.uuid, now=now)
        opens = max(calendar_for(certificate_store.utc(row.not_before)).renewal_opens_at for row in live)
        message += " " + _("更新のための発行は %(date)s から可能です。", date=f"{opens:%Y-%m-%d}")
    return message


def _stopped(message: str, status: int):  # noqa: ANN202
    """The issuance could not go on: say why, and offer to start again."""
    return render_template("certificates/stopped.html", message=message), status
