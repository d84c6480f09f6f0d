"""Staff filings: a receiver registers a written request that came by post (it starts received,
by that receiver, so another approver decides it), and an administrator revokes any certificate
at once in an emergency (緊急失効, suspected misuse) with a mandatory note (issue 5 §3, §4)."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from domain.revocation import RevocationReason
from store.errors import ServiceError
from store.revocation import RevocationRefused
from usecases import revocation as revocation_cases
from usecases.ports import TemporalUnavailable

from .. import db, messages
from ..ports import temporal
from ..principals import current_staff
from .forms import EmergencyForm, FileOnBehalfForm
from .request_views import http_status, my_party
from .views import bp

NOT_FOUND_TEXT = messages.N_("該当する電子証明書がありません。シリアル番号を確認してください。")


@bp.route("/requests/new", methods=["GET", "POST"])
def file_on_behalf():  # noqa: ANN201
    form = FileOnBehalfForm()
    status = 200
    if form.validate_on_submit():
        try:
            filed = revocation_cases.file_request(
                db.session(), temporal(), serial=form.serial.data.strip().lower(),
                reason=RevocationReason(form.reason.data), actor=my_party(), now=datetime.now(timezone.utc),
                reason_detail=form.reason_detail.data or "", client_address=request.remote_addr)
        except (ServiceError, RevocationRefused) as refusal:
            status = _show_refusal(form, refusal)
        except TemporalUnavailable:  # no workflow, no request: nothing was filed
            form.form_errors.append(_(messages.LOCKOUT_UNAVAILABLE))
            status = 503
        else:
            flash(_("失効依頼 %(number)s を登録しました（書面受付済み）。", number=filed.number), "success")
            return redirect(url_for("staff.request_page", number=filed.number))
    return render_template("staff/request_file.html", form=form), status


@bp.route("/emergency", methods=["GET", "POST"])
def emergency():  # noqa: ANN201
    form = EmergencyForm()
    status = 200
    if form.validate_on_submit():
        serial = form.serial.data.strip().lower()
        try:
            revocation_cases.revoke_in_emergency(
                db.session(), temporal(), staff=current_staff(), serial=serial,
                reason=RevocationReason(form.reason.data), note=form.note.data or "", now=datetime.now(timezone.utc),
                client_address=request.remote_addr)
        except (ServiceError, RevocationRefused) as refusal:
            status = _show_refusal(form, refusal)
        else:
            flash(_("電子証明書 %(serial)s を失効しました。", serial=serial), "success")
            return redirect(url_for("staff.emergency"))
    return render_template("staff/emergency.html", form=form), status


def _show_refusal(form, refusal: ServiceError | RevocationRefused) -> int:  # noqa: ANN001
    """Say why on the form (the use-case rolled back), and give the page's HTTP status."""
    if isinstance(refusal, RevocationRefused):
        form.form_errors.append(messages.render(refusal.refusal, _, **refusal.details))
        return http_status(refusal.refusal)
    form.form_errors.append(_(NOT_FOUND_TEXT))  # the only ServiceError here: an unknown serial
    return 404
