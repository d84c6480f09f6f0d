"""Who is logged in: an employer user or a Rokin staff member, from the server-side session record.

The browser's signed cookie holds one thing that authenticates: the opaque ID of a row of
``store.sessions`` (Flask-Login's ``_user_id``). Each request resumes that row
(``usecases.sessions.resume``); an unknown, ended or expired one is anonymous, whatever the cookie
says, so logout, a password change, a block, a deletion or a revocation ends a copied cookie too.
The row says whose session it is; the account is reloaded each request, so a deleted or
deactivated account loses access at once. Who may enter which page is each blueprint's gate (its
``before_request``), not decorators on the views.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import current_app, request, session
from flask_login import UserMixin, current_user, login_user, logout_user

from domain.roles import UserRole, UserStatus
from domain.staff_scope import BankScope
from store.audit import Actor
from store.models import Staff, User
from store.sessions import EndReason, Lifetimes, LoginSession, Principal
from store.staff import scope_of
from usecases import sessions

from . import db
from .extensions import login_manager
from .security import fresh_session

# Flask-Login's key for the ID it hands the user loader: here the opaque session ID.
SESSION_ID_KEY = "_user_id"
# Flask-Login's hash of the client's address and browser (session protection, off: the server-side
# record is the authority); never kept in the cookie.
IDENTIFIER_KEY = "_id"


class EmployerPrincipal(UserMixin):
    kind = "user"

    def __init__(self, user: User, login_session: LoginSession, token: str) -> None:
        self.user = user
        self.login_session = login_session
        self._token = token

    def get_id(self) -> str:
        return self._token

    @property
    def is_master(self) -> bool:
        return self.user.role is UserRole.MASTER


class StaffPrincipal(UserMixin):
    kind = "staff"

    def __init__(self, staff: Staff, login_session: LoginSession, token: str) -> None:
        self.staff = staff
        self.login_session = login_session
        self._token = token

    def get_id(self) -> str:
        return self._token


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _lifetimes() -> Lifetimes:
    return sessions.lifetimes(current_app.extensions["rokin"].settings)


@login_manager.user_loader
def principal_for(token: str) -> EmployerPrincipal | StaffPrincipal | None:
    """The principal of a live server-side session (the session cookie's ID, or the codec cookie's)."""
    row = sessions.resume(db.session(), token=token, now=_now(), lifetimes=_lifetimes())
    return None if row is None else _principal(row, token)


def _principal(row: LoginSession, token: str) -> EmployerPrincipal | StaffPrincipal | None:
    if row.user_uuid is not None:
        user = db.session().get(User, row.user_uuid)
        if user is not None and user.status is UserStatus.ACTIVE:
            return EmployerPrincipal(user, row, token)
    elif row.staff_uuid is not None:
        staff = db.session().get(Staff, row.staff_uuid)
        if staff is not None and staff.active:
            return StaffPrincipal(staff, row, token)
    return None


def log_in(account: User | Staff, *, certificate_serial: str | None = None) -> None:
    """Open a server-side session for ``account`` and give the browser its ID only.

    The browser's previous session ends and everything else in its cookie is dropped (no fixation)
    but the language it chose. An employer session is bound to the certificate it logged in with."""
    replacing = session.get(SESSION_ID_KEY)
    fresh_session()
    principal = Principal.staff(account.uuid) if isinstance(account, Staff) else Principal.user(account.uuid)
    opened = sessions.open_session(db.session(), principal=principal, now=_now(), replacing=replacing,
                                   certificate_serial=certificate_serial,
                                   user_agent=request.headers.get("User-Agent", ""),
                                   client_address=request.remote_addr)
    if isinstance(account, Staff):
        login_user(StaffPrincipal(account, opened.row, opened.token))
    else:
        login_user(EmployerPrincipal(account, opened.row, opened.token))
    session.pop(IDENTIFIER_KEY, None)


def log_out(reason: EndReason = EndReason.LOGOUT) -> None:
    """ログアウト: end the session on the server, then forget it in the browser."""
    token = session.get(SESSION_ID_KEY)
    if token:
        sessions.log_out(db.session(), token=token, now=_now(), reason=reason)
    logout_user()
    fresh_session()


def ended_session_reason() -> EndReason | None:
    """Why the session this anonymous request's cookie names was ended on the server (None: no such)."""
    token = session.get(SESSION_ID_KEY)
    if not token or current_user.is_authenticated:
        return None
    return sessions.why_ended(db.session(), token=token)


def current_login_session() -> LoginSession | None:
    """The request's live session record (None when anonymous)."""
    principal = current_user._get_current_object()
    return getattr(principal, "login_session", None)


def current_staff() -> Staff:
    """The logged-in staff member (behind the staff blueprint's gate)."""
    principal = current_user._get_current_object()
    if not isinstance(principal, StaffPrincipal):
        raise PermissionError("no staff member logged in")
    return principal.staff


def current_scope() -> BankScope:
    """The 労金 the logged-in staff member sees and acts on (every one for the 連合会)."""
    return scope_of(current_staff())


def current_actor(client_address: str | None) -> Actor:
    principal = current_user
    if isinstance(principal, EmployerPrincipal):
        return Actor("user", str(principal.user.uuid), client_address)
    if isinstance(principal, StaffPrincipal):
        return Actor("staff", str(principal.staff.uuid), client_address)
    return Actor("system", "anonymous", client_address)
