"""Rokin staff accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.banks import FEDERATION
from domain.credentials import CredentialProblem, check_credential, check_new_password, generate_credential
from domain.roles import StaffRole

from . import audit
from .errors import CredentialError, Refusal, ServiceError
from .models import Staff
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
