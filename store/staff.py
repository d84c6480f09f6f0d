"""Rokin staff accounts."""

from __future__ import annotations

import uuid

from sqlalchemy import select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from domain.banks import FEDERATION
from domain.credentials import CredentialProblem, check_credential, check_new_password, generate_credential
from domain.roles import StaffRole
from domain.staff_scope import BankScope

from . import audit
from .errors import CredentialError, Refusal, ServiceError
from .models import AuditEntry, Staff
from .passwords import burn_verification_time, hash_password, verify_password


def create_staff(*, session: Session, login: str, role: StaffRole, actor: audit.Actor,
                 bank_code: str = FEDERATION.code) -> tuple[Staff, str]:
    """A staff account of ``bank_code`` (a 労金, or the 連合会) with a one-time initial password that must be
    changed at first login."""
    if (problem := check_credential(login)) is not None:
        raise CredentialError("login", problem)
    initial_password = generate_credential()
    password_hash = hash_password(initial_password)
    if session.scalar(select(Staff.uuid).where(Staff.login == login)) is not None:
        raise ServiceError(Refusal.STAFF_LOGIN_TAKEN)
    staff = Staff(login=login, role=role, password_hash=password_hash, initial_password=True, bank_code=bank_code)
    session.add(staff)
    try:
        session.flush()
    except IntegrityError as error:
        raise ServiceError(Refusal.STAFF_LOGIN_TAKEN) from error
    audit.record(session=session, actor=actor, action="staff.create",
                 target_kind="staff", target_id=staff.uuid, detail=f"role={role.value} bank={bank_code}")
    return staff, initial_password


NOWHERE = BankScope("----")  # no organization or staff member has this bank code
INITIAL_PASSWORD_SHOWN = "staff.initial_password_shown"


def scope_of(staff: Staff) -> BankScope:
    """The banks ``staff`` sees and acts on (``domain.staff_scope``)."""
    return BankScope.of_staff(staff.bank_code)


def in_scope(scope: BankScope) -> ColumnElement[bool]:
    """The filter that keeps a query of staff accounts to those ``scope`` sees: its 労金's, or all."""
    return true() if scope.every_bank else Staff.bank_code == scope.bank_code


def scope_of_uuid(*, session: Session, staff_uuid: str) -> BankScope:
    """The scope of the staff member ``staff_uuid`` (a written request's party); an unknown or
    inactive one reaches nothing."""
    staff = session.get(Staff, uuid.UUID(staff_uuid))
    if staff is None or not staff.active:
        return NOWHERE
    return scope_of(staff)


def require_staff_in_scope(staff: Staff | None, scope: BankScope) -> Staff:
    """``staff`` if ``scope`` sees that account; ``ServiceError(NOT_FOUND)`` otherwise (or for None)."""
    if staff is None or not scope.covers_staff(staff.bank_code):
        raise ServiceError(Refusal.NOT_FOUND)
    return staff


def get_by_login(*, session: Session, login: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.login == login, Staff.active.is_(True)))


def password_matches(staff: Staff | None, password: str) -> bool:
    if staff is None:
        burn_verification_time(password)
        return False
    return verify_password(staff.password_hash, password)


def change_password(*, session: Session, staff: Staff, new_password: str, actor: audit.Actor) -> None:
    if (problem := check_new_password(new_password, user_id=staff.login)) is not None:
        raise CredentialError("new_password", problem)
    if verify_password(staff.password_hash, new_password):
        raise CredentialError("new_password", CredentialProblem.SAME_AS_PREVIOUS)
    staff.previous_password_hash = staff.password_hash
    staff.password_hash = hash_password(new_password)
    staff.initial_password = False
    audit.record(session=session, actor=actor, action="staff.change_password",
                 target_kind="staff", target_id=staff.uuid)


def record_initial_password_shown(*, session: Session, staff_uuid: str, actor: audit.Actor) -> bool:
    """Record that 職員登録's result page shows the new account's initial password now; False (and
    nothing recorded) if it was shown before. The caller commits before showing it."""
    shown_before = session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == INITIAL_PASSWORD_SHOWN, AuditEntry.target_kind == "staff",
        AuditEntry.target_id == staff_uuid).limit(1))
    if shown_before is not None:
        return False
    audit.record(session=session, actor=actor, action=INITIAL_PASSWORD_SHOWN, target_kind="staff",
                 target_id=staff_uuid)
    return True
