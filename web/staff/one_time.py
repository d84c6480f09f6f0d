"""The master user's initial password, shown once on the usage-start notice right after 団体登録.

The password is never stored. Between the registration POST and the notice GET it rides in the
session, encrypted (the session cookie is only signed, so it would otherwise be readable) and
for a few minutes at most. Taking it removes it from the session, and an append-only audit entry
(``store.organization_notices``) marks it as shown: a replayed old cookie finds that entry and gets
nothing.
"""

from __future__ import annotations

from flask import request, session

from usecases import credentials, organizations

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



# --- パスワード初期化 of a master user (issue 13): the new ご利用開始（変更）のお知らせ ------------------
# The same way: sealed in the session between the reset POST and the notice GET, taken once, and the
# "shown" audit entry names the reset (its audit entry), so each reset's password shows once only.

RESET_SESSION_KEY = "staff_reset_password"
RESET_PURPOSE = "master password reset"


def hold_reset(user_uuid: str, initial_password: str, reset_id: int) -> None:
    token = sealing.seal(RESET_PURPOSE, {"password": initial_password, "reset": reset_id})
    session[RESET_SESSION_KEY] = {"user": user_uuid, "token": token}


def take_reset(user_uuid: str) -> str | None:
    """The held password of this user's reset, once; ``None`` afterwards, for another user or when stale."""
    held = session.pop(RESET_SESSION_KEY, None)
    if not isinstance(held, dict) or held.get("user") != user_uuid:
        return None
    sealed = sealing.unseal(RESET_PURPOSE, str(held.get("token", "")), max_age_seconds=LIFETIME_SECONDS)
    if sealed is None:
        return None
    if not credentials.show_reset_password_once(db.session(), user_uuid=user_uuid, reset_id=int(sealed["reset"]),
                                                actor=current_actor(request.remote_addr)):
        return None
    return str(sealed["password"])


# --- 職員登録 (issue 16): a new staff account's initial password, on the page after the creation ------

STAFF_SESSION_KEY = "staff_new_account_password"
STAFF_PURPOSE = "new staff account password"


def hold_staff(staff_uuid: str, initial_password: str) -> None:
    token = sealing.seal(STAFF_PURPOSE, {"password": initial_password})
    session[STAFF_SESSION_KEY] = {"staff": staff_uuid, "token": token}


def take_staff(staff_uuid: str) -> str | None:
    """The held password of this new staff account, once; ``None`` afterwards, for another or when stale."""
    held = session.pop(STAFF_SESSION_KEY, None)
    if not isinstance(held, dict) or held.get("staff") != staff_uuid:
        return None
    sealed = sealing.unseal(STAFF_PURPOSE, str(held.get("token", "")), max_age_seconds=LIFETIME_SECONDS)
    if sealed is None:
        return None
    if not organizations.show_staff_initial_password_once(db.session(), staff_uuid=staff_uuid,
                                                          actor=current_actor(request.remote_addr)):
        return None
    return str(sealed["password"])
