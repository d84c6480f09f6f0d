"""失効依頼一覧 (the Rokin staff inbox) and a request's page: its facts, full history, and the
受付 / 承認 / 否認 / 取下げ actions each staff member may take now (issue 5 §3).

The request's workflow is the arbiter of every action; the page checks the same rules first
(``domain.revocation_rules``) so a refused action answers 403/409 without touching anything. A staff
member sees and acts on the requests of their 労金 only (the 連合会's: all); another's is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from contract.revocation_client import RevocationRefusedError
from domain.revocation import OPEN_STATES, Party, RequestState
from domain.revocation_rules import (
    RevocationRefusal,
    decision_refusal,
    receive_refusal,
    viewing_refusal,
    withdrawal_refusal,
)
from store import revocation as revocation_store
from store import revocation_queries
from store.errors import ServiceError
from store.revocation import RevocationRefused, party_of_staff
from usecases import revocation as revocation_cases
from usecases.ports import TemporalUnavailable

from .. import db, messages
from ..ports import temporal
from ..principals import current_scope, current_staff
from ..revocation_labels import ACTION, CERTIFICATE_END, REASON, STATE
from .forms import ConfirmForm, DecisionForm
from .views import bp

OPEN = "open"  # the inbox's default filter: both open states

# Refusals of ``domain.revocation_rules`` as statuses: who may not → 403, the request's state → 409,
# a missing comment or note → 400.
STATE_REFUSALS = frozenset({RevocationRefusal.WRONG_STATE, RevocationRefusal.NOT_REVOCABLE,
                            RevocationRefusal.REQUEST_OPEN})
INPUT_REFUSALS = frozenset({RevocationRefusal.COMMENT_REQUIRED, RevocationRefusal.NOTE_REQUIRED,
                            RevocationRefusal.NOTE_TOO_LONG, RevocationRefusal.DETAIL_TOO_LONG})


@bp.get("/requests")
def inbox():  # noqa: ANN201
    chosen = request.args.get("state", OPEN)
    states = OPEN_STATES if chosen == OPEN else {RequestState(chosen)} if chosen in set(RequestState) else ()
    organization = request.args.get("organization", "").strip()[:20]
    number_or_serial = request.args.get("q", "").strip()[:64]
    rows = revocation_queries.inbox(session=db.session(), now=datetime.now(timezone.utc), states=states,
                                    organization_code=organization, number_or_serial=number_or_serial,
                                    scope=current_scope())
    return render_template("staff/request_inbox.html", rows=rows, chosen=chosen, organization=organization,
                           q=number_or_serial, state_labels=STATE, reason_labels=REASON, open_filter=OPEN)


@bp.get("/requests/<number>")
def request_page(number: str):  # noqa: ANN201
    return _page(number)


@bp.post("/requests/<number>/receive")
def receive(number: str):  # noqa: ANN201
    _request_or_404(number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _run(number, lambda: revocation_cases.receive_paper(db.session(), temporal(), number=number,
                                                               actor=my_party()),
                _("失効依頼 %(number)s の書面を受け付けました。", number=number))


@bp.post("/requests/<number>/decide")
def decide(number: str):  # noqa: ANN201
    _request_or_404(number)
    form = DecisionForm()
    decision = request.form.get("decision")
    if not form.validate_on_submit() or decision not in ("approve", "reject"):
        abort(400)
    approve = decision == "approve"
    done = (_("失効依頼 %(number)s を承認しました。電子証明書は失効しました。", number=number) if approve
            else _("失効依頼 %(number)s を否認しました。", number=number))
    return _run(number, lambda: revocation_cases.decide(
        db.session(), temporal(), number=number, actor=my_party(), approve=approve, comment=form.comment.data or "",
        client_address=request.remote_addr), done)


@bp.post("/requests/<number>/withdraw")
def withdraw(number: str):  # noqa: ANN201
    _request_or_404(number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _run(number, lambda: revocation_cases.withdraw(db.session(), temporal(), number=number, actor=my_party()),
                _("失効依頼 %(number)s を取り下げました。", number=number))


def _run(number: str, action: Callable[[], None], done: str):  # noqa: ANN202
    """Do the use-case; the rules (here, then the workflow's validators) have the last word."""
    try:
        action()
    except (RevocationRefused, RevocationRefusedError) as refused:
        return _refused(number, refused.refusal)
    except ServiceError:  # another 労金's request (the lookup before says so first)
        abort(404)
    except TemporalUnavailable:  # nothing was decided that we know of
        flash(_(messages.LOCKOUT_UNAVAILABLE), "error")
        return redirect(url_for("staff.request_page", number=number))
    flash(done, "success")
    return redirect(url_for("staff.request_page", number=number))


def http_status(refusal: RevocationRefusal) -> int:
    if refusal in STATE_REFUSALS:
        return 409
    return 400 if refusal in INPUT_REFUSALS else 403


def my_party() -> Party:
    """The logged-in staff member as a party to written requests."""
    return party_of_staff(current_staff())


def _refused(number: str, refusal: RevocationRefusal):  # noqa: ANN202
    return _page(number, error=messages.render(refusal, _), status=http_status(refusal))


def _request_or_404(number: str):  # noqa: ANN202
    try:
        return revocation_cases.request_for_staff(db.session(), staff=current_staff(), number=number)
    except ServiceError:
        abort(404)


def _page(number: str, *, error: str | None = None, status: int = 200):  # noqa: ANN202
    db.session().expire_all()  # the workflow's activity may just have changed it
    row = _request_or_404(number)
    party, facts = my_party(), revocation_store.facts(row)
    if viewing_refusal(party, facts) is not None:
        abort(403)
    try:
        history = revocation_queries.history(session=db.session(), number=number)
    except ServiceError:
        abort(404)
    offers = {
        "receive": receive_refusal(party, facts) is None,
        "decide": decision_refusal(party, facts, approve=True, has_comment=True) is None,
        "withdraw": withdrawal_refusal(party, facts) is None,
    }
    return render_template("staff/request.html", request_row=row, history=history, offers=offers,
                           error=error, state_labels=STATE, reason_labels=REASON, action_labels=ACTION,
                           ending_labels=CERTIFICATE_END, confirm_form=ConfirmForm(),
                           decision_form=DecisionForm()), status
