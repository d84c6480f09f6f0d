"""Organizations (団体) and their master user."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from domain.contact import check_email
from domain.credentials import generate_credential
from domain.organizations import check_organization_code, check_organization_name
from domain.roles import UserRole, UserStatus
from domain.staff_scope import EVERY_BANK, BankScope

from . import audit
from .errors import CredentialError, Refusal, ServiceError
from .models import Organization, User
from .passwords import hash_password

MASTER_DISPLAY_NAME = "マスターユーザー"


@dataclass(frozen=True)
class NewOrganization:
    organization: Organization
    master: User
    initial_password: str  # shown once to whoever registered the organization, never stored


def create_organization(
    *, session: Session, code: str, name: str, email: str, actor: audit.Actor, bank_code: str | None = None,
    branch_code: str | None = None,
) -> NewOrganization:
    """Register an organization with its master user, who gets a generated ID and initial password,
    at its 労金 and お取引店 (checked by the caller, ``usecases.organizations``; None only for the CLI's
    and the tests' organizations that get them later)."""
    for field, problem in (
        ("code", check_organization_code(code)),
        ("name", check_organization_name(name)),
        ("email", check_email(email)),
    ):
        if problem is not None:
            raise CredentialError(field, problem)
    initial_password = generate_credential()
    password_hash = hash_password(initial_password)  # before any query: SQLite locks at BEGIN

    if session.scalar(select(Organization.id).where(Organization.code == code)) is not None:
        raise ServiceError(Refusal.ORGANIZATION_CODE_TAKEN, code=code)
    organization = Organization(code=code, name=name.strip(), bank_code=bank_code, branch_code=branch_code)
    master = User(
        user_id=_unused_user_id(session),
        organization=organization,
        role=UserRole.MASTER,
        status=UserStatus.PENDING,
        email=email,
        display_name=MASTER_DISPLAY_NAME,
        password_hash=password_hash,
        initial_password=True,
    )
    session.add_all([organization, master])
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent registration took the code first
        raise ServiceError(Refusal.ORGANIZATION_CODE_TAKEN, code=code) from error
    audit.record(session=session, actor=actor, action="organization.create",
                 target_kind="organization", target_id=organization.code,
                 detail=f"branch={bank_code}/{branch_code}" if bank_code else "")
    audit.record(session=session, actor=actor, action="user.create",
                 target_kind="user", target_id=master.uuid, detail="role=master")
    return NewOrganization(organization, master, initial_password)


def _unused_user_id(session: Session) -> str:
    while True:
        candidate = generate_credential()
        if session.scalar(select(User.uuid).where(User.user_id == candidate)) is None:
            return candidate


def get_by_code(*, session: Session, code: str, scope: BankScope = EVERY_BANK) -> Organization | None:
    """The organization of ``code``, if it is within ``scope`` (a staff member's 労金)."""
    return session.scalar(select(Organization).where(Organization.code == code, in_scope(scope)))


def in_scope(scope: BankScope) -> ColumnElement[bool]:
    """The filter that keeps a query to the organizations of ``scope`` (``domain.staff_scope``): every
    one for the 連合会, else its 労金's (never one without a bank)."""
    return true() if scope.every_bank else Organization.bank_code == scope.bank_code


def require_in_scope(organization: Organization, scope: BankScope) -> Organization:
    """``organization`` if ``scope`` reaches it; ``ServiceError(NOT_FOUND)`` otherwise — the answer
    for an organization that does not exist, so another 労金's stay invisible."""
    if not scope.covers(organization.bank_code):
        raise ServiceError(Refusal.NOT_FOUND)
    return organization


def lock_organization(*, session: Session, organization_id: int) -> Organization:
    """Serialize quota decisions for one organization until the transaction ends.

    PostgreSQL takes a row lock; on SQLite FOR UPDATE is a no-op and the BEGIN IMMEDIATE of
    ``store.db`` already holds the database write lock.
    """
    return session.execute(
        select(Organization).where(Organization.id == organization_id).with_for_update()
    ).scalar_one()
