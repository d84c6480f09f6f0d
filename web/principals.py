"""Who is logged in: an employer user or a Rokin staff member, reloaded from the database each request.

Flask-Login keeps one ID per session; the prefix says which table it points to, so a staff
session can never be taken for an employer's and deleted accounts lose access at once. Who may
enter which page is each blueprint's gate (its ``before_request``), not decorators on the views.
"""

from __future__ import annotations

import uuid

from flask_login import UserMixin, current_user

from domain.roles import UserRole, UserStatus
from store import users as user_store
from store.audit import Actor
from store.models import Staff, User

from . import db
from .extensions import login_manager


class EmployerPrincipal(UserMixin):
    kind = "user"

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"u:{self.user.uuid}"

    @property
    def is_master(self) -> bool:
        return self.user.role is UserRole.MASTER


class StaffPrincipal(UserMixin):
    kind = "staff"

    def __init__(self, staff: Staff) -> None:
        self.staff = staff

    def get_id(self) -> str:
        return f"s:{self.staff.uuid}"


@login_manager.user_loader
def _load(principal_id: str) -> EmployerPrincipal | StaffPrincipal | None:
    kind, _, key = principal_id.partition(":")
    if kind == "u":
        user = user_store.get_by_uuid(session=db.session(), user_uuid=key)
        if user is not None and user.status is UserStatus.ACTIVE:
            return EmployerPrincipal(user)
    elif kind == "s":
        staff = db.session().get(Staff, _uuid_or_none(key))
        if staff is not None and staff.active:
            return StaffPrincipal(staff)
    return None


def _uuid_or_none(key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(key)
    except ValueError:
        return None


def current_staff() -> Staff:
    """The logged-in staff member (behind the staff blueprint's gate)."""
    principal = current_user._get_current_object()
    if not isinstance(principal, StaffPrincipal):
        raise PermissionError("no staff member logged in")
    return principal.staff


def current_actor(client_address: str | None) -> Actor:
    principal = current_user
    if isinstance(principal, EmployerPrincipal):
        return Actor("user", str(principal.user.uuid), client_address)
    if isinstance(principal, StaffPrincipal):
        return Actor("staff", str(principal.staff.uuid), client_address)
    return Actor("system", "anonymous", client_address)
