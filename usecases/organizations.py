"""Rokin staff (and the CLI) register organizations and create staff accounts, within the staff
member's 労金 (``domain.staff_scope``): a 労金's staff register organizations into their 労金 and create
its staff; the 連合会's (and the CLI, ``EVERY_BANK``) place them anywhere."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.banks import FEDERATION
from domain.roles import StaffRole
from domain.staff_scope import EVERY_BANK, BankScope, PlacementProblem, placement_problem, staff_bank_problem
from store import audit, organization_notices
from store import branches as branch_store
from store import organizations as organization_store
from store import sessions as session_store
from store import staff as staff_store
from store.models import Staff, utcnow
from store.organizations import NewOrganization
from store.sessions import EndReason, LoginSession, Principal

from .transaction import committed


class PlacementRefused(Exception):
    """The bank or branch (``field``: ``bank`` / ``branch``) cannot be chosen by this staff member."""

    def __init__(self, field: str, problem: PlacementProblem) -> None:
        super().__init__(f"{field}: {problem.value}")
        self.field = field
        self.problem = problem


def check_placement(session: Session, *, scope: BankScope, bank_code: str, branch_code: str) -> None:
    """Raises ``PlacementRefused`` unless a member of ``scope`` may place an organization at this
    労金 and お取引店 (one of the branch table's)."""
    exists = bool(bank_code and branch_code) and branch_store.get_branch(
        session=session, bank_code=bank_code, code=branch_code) is not None
    if (found := placement_problem(scope, bank_code, branch_code, branch_exists=exists)) is not None:
        raise PlacementRefused(*found)


def register_organization(session: Session, *, code: str, name: str, email: str, actor: audit.Actor,
                          bank_code: str | None = None, branch_code: str | None = None,
                          scope: BankScope = EVERY_BANK) -> NewOrganization:
    """団体登録: the organization at its 労金 and お取引店, and its master user with a one-time initial
    password (shown once). The staff page always gives the branch; the CLI may leave both out
    (``rokin admin assign-branch`` gives them later).

    Raises ``PlacementRefused`` (bank or branch), ``ServiceError`` (code taken) or ``CredentialError``."""
    with committed(session):
        if bank_code is not None or branch_code is not None:
            check_placement(session, scope=scope, bank_code=bank_code or "", branch_code=branch_code or "")
        elif not scope.every_bank:  # a 労金's staff register into their 労金, at a branch
            raise PlacementRefused("branch", PlacementProblem.BRANCH_REQUIRED)
        created = organization_store.create_organization(session=session, code=code, name=name, email=email,
                                                         actor=actor, bank_code=bank_code, branch_code=branch_code)
    return created


def create_staff(session: Session, *, login: str, role: StaffRole, actor: audit.Actor,
                 bank_code: str = FEDERATION.code, scope: BankScope = EVERY_BANK) -> tuple[Staff, str]:
    """A staff account of a 労金 (or the 連合会) and its one-time password (changed at first login), by
    an administrator of ``scope``: a 労金's administrator creates only its staff. Raises
    ``PlacementRefused`` (field ``bank``), ``CredentialError`` (the login ID) or ``ServiceError`` (taken)."""
    if (problem := staff_bank_problem(scope, bank_code)) is not None:
        raise PlacementRefused("bank", problem)
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


def show_staff_initial_password_once(session: Session, *, staff_uuid: str, actor: audit.Actor) -> bool:
    """Record that 職員登録's result page shows the new account's initial password; False if it did before."""
    with committed(session):
        return staff_store.record_initial_password_shown(session=session, staff_uuid=staff_uuid, actor=actor)
