"""失効 on the master user's user list (ユーザー一覧): revoke a general user's live certificate(s)
with a reason (SPEC.md §2). In force at the user's next request; the user can then reissue."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from domain.revocation import RevocationReason
from store import certificates as certificate_store
from store.models import User
from store.revocation import RevocationRefused
from usecases import revocation as revocation_cases

from .. import db, messages
from ..ports import temporal
from ..revocation_labels import REASON
from .forms import MasterRevokeForm
from .views import bp, current_employer, managed_user_or_abort

URL = "/users/<user_uuid>/revoke"


@bp.context_processor
def _revocable() -> dict:
    """``revocable(user)`` for the user list: a general user with a live certificate gets 失効."""

    def revocable(user: User) -> bool:
        return not user.is_master and bool(_live_certificates(user))

    return {"revocable": revocable}


@bp.get(URL)
def confirm_revoke(user_uuid: str):  # noqa: ANN201
    """失効確認: the certificate(s) and the reason to choose."""
    user = managed_user_or_abort(user_uuid)
    live = _live_certificates(user)
    if not live:
        abort(404)
    return render_template("employer/confirm_revoke.html", user=user, certificates=live, form=MasterRevokeForm())


@bp.post(URL)
def revoke(user_uuid: str):  # noqa: ANN201
    form = MasterRevokeForm()
    user = managed_user_or_abort(user_uuid)
    if not form.validate_on_submit():
        return render_template("employer/confirm_revoke.html", user=user, certificates=_live_certificates(user),
                               form=form), 400
    reason = RevocationReason(form.reason.data)
    try:
        revocation_cases.revoke_by_master(db.session(), temporal(), master=current_employer(), user_uuid=user_uuid,
                                          reason=reason, now=datetime.now(timezone.utc),
                                          client_address=request.remote_addr)
    except RevocationRefused as refused:
        flash(messages.render(refused.refusal, _, **refused.details), "error")
        return redirect(url_for("employer.top"))
    flash(_("ユーザーID %(user_id)s の電子証明書を失効しました（理由：%(reason)s）。",
            user_id=user.user_id, reason=REASON[reason]), "success")
    return redirect(url_for("employer.top"))


def _live_certificates(user: User) -> list:
    return certificate_store.live_certificates(session=db.session(), user_uuid=user.uuid,
                                               now=datetime.now(timezone.utc))
