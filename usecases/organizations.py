"""Rokin staff (and the CLI) register organizations and create staff accounts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.banks import FEDERATION
from domain.roles import StaffRole
from store import audit, organization_notices
from store import organizations as organization_store
from store import sessions as session_store
from store import staff as staff_store
from store.models import Staff, utcnow
from store.organizations import NewOrganization
from store.sessions import EndReason, LoginSession, Principal

from .transaction import committed


def register_organization(session: Session, *, code: str, name: str, email: str,
                          actor: audit.Actor) -> NewOrganization:
    """団体登録: the organization and its master user with a one-time initial password (shown once).

    Raises ``ServiceError`` (code taken) or ``CredentialError`` (its field)."""
    with committed(session):
        created = organization_store.create_organization(session=session, code=code, name=name, email=email,
                                                         actor=actor)
    return created


def create_staff(session: Session, *, login: str, role: StaffRole, actor: audit.Actor,
                 bank_code: str = FEDERATION.code) -> tuple[Staff, str]:
    """A staff account of a 労金 (or the 連合会) and its one-time password (changed at first login).
    Raises ``ServiceError``."""
    with committed(session):
        created = staff_store.create_staff(session=session, login=login, role=role, actor=actor, bank_code=bank_code)
    return created


def replace_initial_staff_password(session: Session, *, staff: Staff, new_password: str, actor: audit.Actor,
                                   keep_session: LoginSession | None = None) -> None:
    """パスワード変更 at a staff member's first login: the one-time password stops working, and so do
    the member's other sessions (``keep_session``, the one that changed it, goes on).

    Raises ``CredentialError`` (the new password's rule)."""
    with committed(session):
        staff_store.change_password(session=session, staff=staff, new_password=new_password, actor=actor)
        session_store.end_all(session=session, principal=Principal.staff(staff.uuid),
                              reason=EndReason.PASSWORD_CHANGED, at=utcnow(),
                              keep_id=keep_session.id if keep_session is not None else None)


def show_initial_password_once(session: Session, *, organization_code: str, actor: audit.Actor) -> bool:
    """Record that the master user's initial password is being shown on the usage-start notice; False
    if it was shown before (a replayed session then shows nothing)."""
    with committed(session):
        return organization_notices.record_initial_password_shown(session=session,
                                                                  organization_code=organization_code, actor=actor)
