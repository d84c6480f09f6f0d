"""The master user's own open written requests, reached from 電子証明書の失効依頼 on the login screen
(a master whose certificate is lost cannot log in with it): after ユーザー認証 (``views``, whose gate
lets only that master in), a master with an open request sees its number, state and dates instead
of a new-request form, can download its form again while the paper is awaited, and can withdraw
it (取下げ, after a confirmation page).

取下げ goes to the request's workflow like the administrators' (``contract.revocation_client.
withdraw``, the master as the party): its validator has the last word, its activity records the
transition and the audit log names the master user, and the master gets an e-mail — so a
withdrawal by someone who knew the password does not pass unnoticed.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from contract.revocation_client import RevocationRefusedError
from domain.revocation import OPEN_STATES, RequestState, paper_last_day
from domain.validity import tokyo_date
from store import revocation as revocation_store
from store.models import User
from store.revocation import RevocationRefused, party_of_user
from store.revocation_models import RevocationRequest
from usecases import revocation as revocation_cases
from usecases.ports import TemporalUnavailable

from .. import db, messages
from ..ports import temporal
from ..revocation_labels import REASON, STATE
from .forms import ConfirmForm
from .views import bp, remember_form, requestable_certificates, requester


@bp.get("/status")
def my_requests():  # noqa: ANN201
    """処理状況: the master's open requests; a new request only for a certificate without one."""
    user = requester()
    rows = revocation_store.open_requests_of(session=db.session(), owner_uuid=user.uuid)
    for row in rows:
        remember_form(row.number)
    return render_template("revocation_request/my_requests.html", user=user, requests=[_facts(row) for row in rows],
                           can_file=bool(requestable_certificates(user, datetime.now(timezone.utc))))


@bp.get("/<number>/withdraw")
def confirm_withdraw(number: str):  # noqa: ANN201
    """取下げの確認: what withdrawing means, then [取下げ]."""
    user, row = _mine(number)
    if row.state not in OPEN_STATES:
        return redirect(url_for("revocation_request.my_requests"))
    return render_template("revocation_request/confirm_withdraw.html", user=user, request=_facts(row),
                           form=ConfirmForm())


@bp.post("/<number>/withdraw")
def withdraw_mine(number: str):  # noqa: ANN201
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user, row = _mine(number)
    try:
        revocation_cases.withdraw(db.session(), temporal(), number=row.number, actor=party_of_user(user))
    except (RevocationRefused, RevocationRefusedError) as refused:
        flash(messages.render(refused.refusal, _), "error")
    except TemporalUnavailable:  # nothing was withdrawn that we know of
        flash(_(messages.LOCKOUT_UNAVAILABLE), "error")
    else:
        flash(_("失効依頼 %(number)s を取り下げました。電子証明書は失効していません。", number=number), "success")
    return redirect(url_for("revocation_request.my_requests"))


def _mine(number: str) -> tuple[User, RevocationRequest]:
    """The authenticated master and its own request (anyone else's: 404, as if it did not exist)."""
    user = requester()
    row = revocation_store.get_request(session=db.session(), number=number)
    if row is None or row.owner_uuid != user.uuid:
        abort(404)
    return user, row


def _facts(row: RevocationRequest) -> dict:
    """What the master sees of a request: no staff names, only what happened and by when."""
    return {
        "number": row.number, "state": row.state, "state_label": STATE[row.state], "serial": row.certificate.serial,
        "reason_label": REASON[row.reason], "reason_detail": row.reason_detail,
        "filed_on": tokyo_date(row.filed_at),
        "last_day": paper_last_day(row.paper_deadline_at),
        "received_on": tokyo_date(row.received_at) if row.received_at else None,
        "awaiting_paper": row.state is RequestState.AWAITING_PAPER,
    }
