"""Who reaches the revocation staff pages, and how a refusal is answered.

The staff blueprint's own gate does not cover this blueprint, so ``staff_page`` repeats it: a
logged-in staff member (anonymous visitors go to 職員ログイン) whose one-time password has been
replaced, optionally of given roles. Refusals of ``domain.revocation_rules`` become statuses:
who may not → 403, the request's state → 409, a missing comment or note → 400.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, url_for
from flask_login import current_user

from domain.revocation import Party
from domain.revocation_rules import RevocationRefusal
from domain.roles import StaffRole
from store.models import Staff
from store.revocation import party_of_staff

from ..principals import StaffPrincipal
from ..staff.views import ROLE_LABELS
from .blueprint import bp

STATE_REFUSALS = frozenset({RevocationRefusal.WRONG_STATE, RevocationRefusal.NOT_REVOCABLE,
                            RevocationRefusal.REQUEST_OPEN})
INPUT_REFUSALS = frozenset({RevocationRefusal.COMMENT_REQUIRED, RevocationRefusal.NOTE_REQUIRED,
                            RevocationRefusal.NOTE_TOO_LONG, RevocationRefusal.DETAIL_TOO_LONG})


def http_status(refusal: RevocationRefusal) -> int:
    if refusal in STATE_REFUSALS:
        return 409
    return 400 if refusal in INPUT_REFUSALS else 403


def staff_page(*roles: StaffRole):  # noqa: ANN201
    def decorator(view):  # noqa: ANN001, ANN202
        @wraps(view)
        def wrapper(*args, **kwargs):  # noqa: ANN202
            principal = current_user._get_current_object()
            if not principal.is_authenticated:
                return redirect(url_for("staff.login"))
            if not isinstance(principal, StaffPrincipal):
                abort(403)
            if principal.staff.initial_password:
                return redirect(url_for("staff.change_password"))
            if roles and principal.staff.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def me() -> Staff:
    return current_user.staff


def my_party() -> Party:
    return party_of_staff(me())


@bp.context_processor
def _staff_context() -> dict:
    """What staff/base.html shows in its header (the staff blueprint's processor does not run here)."""
    principal = current_user._get_current_object()
    staff = principal.staff if isinstance(principal, StaffPrincipal) else None
    return {"staff_member": staff, "role_label": ROLE_LABELS.get(staff.role) if staff else None}
