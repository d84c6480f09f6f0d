"""電子証明書の失効依頼 from the login screen (issue 5 §2): a master user's own certificate is
revoked on a written request. ID + password (lockout-arbitrated, ``web.auth.service``) → choose
the certificate and the reason → the request number and the printable request form (書面) to seal
and send to the Rokin. A master user with an open request sees it instead (``my_requests``: its
state, the form again, 取下げ). The authentication is remembered in the session for
``STEP_SECONDS``; the browser that filed or looked up a request may open its form again
(``FORMS_KEY``), nobody else. The blueprint is ``revocation_request``, for anyone (no login):
its gate, ``_requester_gate``, sends whoever has not passed ユーザー認証 back to it.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from domain.revocation import PAPER_DEADLINE_DAYS, RevocationReason, paper_last_day
from domain.revocation_rules import RevocationRefusal
from domain.roles import UserStatus
from domain.validity import tokyo_date
from store import certificates as certificate_store
from store import revocation as revocation_store
from store import revocation_queries
from store import users as user_store
from store.errors import Refusal
from store.models import User
from store.revocation import RevocationRefused, party_of_user
from usecases import revocation as revocation_cases
from usecases.ports import TemporalUnavailable

from .. import db, messages
from ..auth.forms import CredentialsForm
from ..auth.service import authenticate_on
from ..ports import temporal
from ..revocation_labels import REASON
from . import sheet
from .forms import RequestForm
from .request_pdf import FONT_FILE, SheetFontMissing, render_pdf

bp = Blueprint("revocation_request", __name__)
log = logging.getLogger(__name__)

STEP_KEY = "revocation_request"
FORMS_KEY = "revocation_forms"
STEP_SECONDS = 10 * 60
MAX_REMEMBERED_FORMS = 5

# The gate's table. OPEN: anyone — ユーザー認証 itself, and a request's number page and form, which
# this browser may open only for the requests it filed or looked up (``FORMS_KEY``, checked by
# number in the view). Every other page: the master user who passed ユーザー認証 in the last
# ``STEP_SECONDS`` (``requester()``), else back to ユーザー認証 — saying why where a lapse is likely.
OPEN = frozenset({"revocation_request.authenticate_requester", "revocation_request.filed",
                  "revocation_request.printable_form", "revocation_request.form_pdf"})
LAPSE_EXPLAINED = frozenset({"revocation_request.confirm_withdraw", "revocation_request.withdraw_mine"})


@bp.before_request
def _requester_gate():  # noqa: ANN202
    if request.endpoint in OPEN:
        return None
    user = _authenticated_user()
    if user is None:
        if request.endpoint in LAPSE_EXPLAINED:
            flash(_("一定時間が経過したため、もう一度ユーザー認証を行ってください。"), "error")
        return redirect(url_for("revocation_request.authenticate_requester"))
    g.revocation_requester = user
    return None


def requester() -> User:
    """The master user the gate let in."""
    return g.revocation_requester


@bp.route("", methods=["GET", "POST"])
def authenticate_requester():  # noqa: ANN201
    """ユーザー認証 of the request: only a registered master user goes on."""
    form = CredentialsForm()
    if form.validate_on_submit():
        user = authenticate_on(form, form.user_id.data, form.password.data)
        if user is not None:
            refusal_message = _refusal_for(user)
            if refusal_message is None:
                session[STEP_KEY] = {"uuid": str(user.uuid), "at": time.time()}
                if revocation_store.open_requests_of(session=db.session(), owner_uuid=user.uuid):
                    return redirect(url_for("revocation_request.my_requests"))
                return redirect(url_for("revocation_request.choose"))
            form.form_errors.append(refusal_message)
    return render_template("revocation_request/authenticate.html", form=form, paper_days=PAPER_DEADLINE_DAYS)


@bp.route("/file", methods=["GET", "POST"])
def choose():  # noqa: ANN201
    """Choose the certificate and the reason; [依頼] files the request and starts its workflow."""
    user = requester()
    now = datetime.now(timezone.utc)
    live = requestable_certificates(user, now)
    if not live:  # each one has its open request already: show them
        return redirect(url_for("revocation_request.my_requests"))
    form = RequestForm()
    form.serial.choices = [(row.serial, row.serial) for row in live]
    if form.validate_on_submit():
        reason = RevocationReason(form.reason.data)
        try:
            filed = revocation_cases.file_request(
                db.session(), temporal(), serial=form.serial.data, reason=reason, actor=party_of_user(user),
                now=now, reason_detail=form.reason_detail.data or "", client_address=request.remote_addr)
        except RevocationRefused as refused:
            form.form_errors.append(messages.render(refused.refusal, _, **refused.details))
        except TemporalUnavailable:  # no workflow, no request: nothing was filed
            form.form_errors.append(_(messages.LOCKOUT_UNAVAILABLE))
        else:
            session.pop(STEP_KEY, None)
            remember_form(filed.number)
            return redirect(url_for("revocation_request.filed", number=filed.number))
    return render_template("revocation_request/choose.html", form=form, user=user, certificates=live,
                           rejection=revocation_queries.last_rejection(session=db.session(), owner_uuid=user.uuid))


@bp.get("/<number>")
def filed(number: str):  # noqa: ANN201
    """受付番号 page with the link to the printable form."""
    return render_template("revocation_request/filed.html", **_form_context(number))


@bp.get("/<number>/form")
def printable_form(number: str):  # noqa: ANN201
    """The request form (失効依頼書) to print, seal and send: a page with print CSS (and the PDF)."""
    return render_template("revocation_request/form.html", **_form_context(number))


@bp.get("/<number>/form.pdf")
def form_pdf(number: str):  # noqa: ANN201
    """The same request form as a PDF (A4, its Japanese font embedded), downloaded."""
    context = _form_context(number)
    font_file = Path(current_app.config.get("REQUEST_FORM_FONT", FONT_FILE))
    try:
        pdf = render_pdf(sheet.sheet(context["sheet"]), font_file)
    except SheetFontMissing as missing:  # a deployment without the font: the printable page still works
        log.error("%s: install fonts-ipafont-gothic or set REQUEST_FORM_FONT", missing)
        flash(_("失効依頼書（PDF）を作成できませんでした。この画面をブラウザの印刷機能で印刷してください。"), "error")
        return redirect(url_for("revocation_request.printable_form", number=number))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="revocation-request-{number}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_context(number: str) -> dict:
    if number not in session.get(FORMS_KEY, []):
        abort(404)
    row = revocation_store.get_request(session=db.session(), number=number)
    if row is None:
        abort(404)
    owner = user_store.get_by_uuid(session=db.session(), user_uuid=row.owner_uuid)
    facts = revocation_queries.sheet_facts(session=db.session(), number=number)
    return {
        "request": row, "owner": owner, "organization": row.organization,
        "reason_label": REASON[row.reason], "filed_on": tokyo_date(row.filed_at),
        "last_day": paper_last_day(row.paper_deadline_at),
        "sheet": facts, "sheet_rows": sheet.rows(facts), "destination": sheet.destination_lines(facts),
        "instructions": sheet.instructions(facts), "office": sheet.office_use(facts),
    }


def remember_form(number: str) -> None:
    """This browser may open the request's form (the last few only)."""
    remembered = [known for known in session.get(FORMS_KEY, []) if known != number]
    session[FORMS_KEY] = [*remembered[-(MAX_REMEMBERED_FORMS - 1):], number]


def requestable_certificates(user: User, now: datetime) -> list:
    """The user's live certificates without an open request: what a new request may name."""
    taken = {row.certificate_id for row in revocation_store.open_requests_of(session=db.session(),
                                                                             owner_uuid=user.uuid)}
    return [row for row in certificate_store.live_certificates(session=db.session(), user_uuid=user.uuid, now=now)
            if row.id not in taken]


def _refusal_for(user: User) -> str | None:
    if user.status is not UserStatus.ACTIVE:
        return messages.render(Refusal.NOT_REGISTERED, _)
    if not user.is_master:
        return messages.render(RevocationRefusal.GENERAL_USER_CERTIFICATE, _)
    if revocation_store.open_requests_of(session=db.session(), owner_uuid=user.uuid):
        return None  # its state, and 取下げ
    if not certificate_store.live_certificates(session=db.session(), user_uuid=user.uuid,
                                               now=datetime.now(timezone.utc)):
        return _("失効できる電子証明書がありません。")
    return None


def _authenticated_user() -> User | None:
    """The master user who passed this page's ユーザー認証 in the last ``STEP_SECONDS``, else None."""
    step = session.get(STEP_KEY)
    if not step or time.time() - step.get("at", 0) > STEP_SECONDS:
        return None
    user = user_store.get_by_uuid(session=db.session(), user_uuid=step["uuid"])
    return user if user is not None and user.status is UserStatus.ACTIVE and user.is_master else None


from . import my_requests  # noqa: E402, F401  (registers 処理状況 and 取下げ on ``bp``)
