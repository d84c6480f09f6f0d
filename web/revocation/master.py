"""失効 on the master user's user list (ユーザー一覧): revoke a general user's live certificate(s)
with a reason (SPEC.md §2). In force at the user's next request; the user can then reissue."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain.revocation import RevocationReason
from store import certificates as certificate_store
from store import users as user_store
from store.errors import Refusal, ServiceError
from store.models import User
from store.revocation import RevocationRefused
from usecases import revocation as revocation_cases

from .. import db, messages
from ..ports import temporal
from ..principals import EmployerPrincipal, master_required
from .blueprint import bp
from .forms import MasterRevokeForm
from .labels import REASON

_HTTP_STATUS = {Refusal.NOT_FOUND: 404, Refusal.FORBIDDEN: 403}
URL = "/employer/users/<user_uuid>/revoke"


@bp.app_context_processor
def _revocable() -> dict:
    """``revocable(user)`` for the user list: a general user with a live certificate gets 失効."""

    def revocable(user: User) -> bool:
        if not isinstance(current_user._get_current_object(), EmployerPrincipal) or user.is_master:
            return False
        return bool(certificate_store.live_certificates(session=db.session(), user_uuid=user.uuid,
                                                        now=datetime.now(timezone.utc)))

    return {"revocable": revocable}


@bp.get(URL)
@master_required
def confirm_revoke(user_uuid: str):  # noqa: ANN201
    """失効確認: the certificate(s) and the reason to choose."""
    user, live = _target(user_uuid)
    if not live:
        abort(404)
    return render_template("revocation/confirm_revoke.html", user=user, certificates=live, form=MasterRevokeForm())


@bp.post(URL)
@master_required
def revoke(user_uuid: str):  # noqa: ANN201
    form = MasterRevokeForm()
    user, live = _target(user_uuid)
    if not form.validate_on_submit():
        return render_template("revocation/confirm_revoke.html", user=user, certificates=live, form=form), 400
    reason = RevocationReason(form.reason.data)
    try:
        revocation_cases.revoke_by_master(db.session(), temporal(), master=current_user.user, user_uuid=user_uuid,
                                          reason=reason, now=datetime.now(timezone.utc),
                                          client_address=request.remote_addr)
    except RevocationRefused as refused:
        flash(messages.render(refused.refusal, _, **refused.details), "error")
        return redirect(url_for("employer.top"))
    flash(_("ユーザーID %(user_id)s の電子証明書を失効しました（理由：%(reason)s）。",
            user_id=user.user_id, reason=REASON[reason]), "success")
    return redirect(url_for("employer.top"))


def _target(user_uuid: str) -> tuple[User, list]:
    """The master's own general user (else 404 / 403) and their live certificates."""
    try:
        user = user_store.managed_general_user(session=db.session(), master=current_user.user, user_uuid=user_uuid)
    except ServiceError as refusal:
        abort(_HTTP_STATUS.get(refusal.refusal, 400))
    return user, certificate_store.live_certificates(session=db.session(), user_uuid=user.uuid,
                                                     now=datetime.now(timezone.utc))
