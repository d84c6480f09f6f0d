"""The master user's initial password, shown once on the usage-start notice right after 団体登録.

The password is never stored. Between the registration POST and the notice GET it rides in the
session, encrypted (the session cookie is only signed, so it would otherwise be readable) and
for a few minutes at most. Taking it removes it from the session, and an append-only audit entry
(``store.organization_notices``) marks it as shown: a replayed old cookie finds that entry and gets
nothing.
"""

from __future__ import annotations

from flask import request, session

from usecases import organizations

from .. import db, sealing
from ..principals import current_actor

SESSION_KEY = "staff_initial_password"
LIFETIME_SECONDS = 10 * 60
PURPOSE = "staff initial password"  # the sealing key's label: these tokens open nowhere else


def hold(organization_code: str, initial_password: str) -> None:
    token = sealing.seal(PURPOSE, {"password": initial_password})
    session[SESSION_KEY] = {"code": organization_code, "token": token}


def take(organization_code: str) -> str | None:
    """The held password for this organization, once; ``None`` afterwards, elsewhere or when stale.

    Commits the "shown" audit entry before returning, so the page never shows an unrecorded password.
    """
    held = session.pop(SESSION_KEY, None)
    if not isinstance(held, dict) or held.get("code") != organization_code:
        return None
    sealed = sealing.unseal(PURPOSE, str(held.get("token", "")), max_age_seconds=LIFETIME_SECONDS)
    if sealed is None:
        return None
    if not organizations.show_initial_password_once(db.session(), organization_code=organization_code,
                                                    actor=current_actor(request.remote_addr)):
        return None
    return str(sealed["password"])

