"""ユーザー検索 for Rokin staff: the accounts matching what a caller on the phone can say.

One box takes a user ID (that user), an organization code (its master user and general users) or a
staff login ID (that staff account). Matches are exact and case-sensitive, as IDs are; deleted users
and inactive staff are not found, nor anything outside the searching member's 労金 (``domain.staff_scope``:
users of its organizations, its staff; the 連合会 finds every one). Read-only.
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from domain.roles import UserRole, UserStatus
from domain.staff_scope import BankScope

from . import organizations
from . import staff as staff_store
from .models import Organization, Staff, User

MAX_RESULTS = 50  # an organization has at most 20 users; a staff login adds one


def find_accounts(*, session: Session, query: str, scope: BankScope) -> list[User | Staff]:
    """Users by ID or organization code (each organization's master first, with its organization
    loaded), then the staff member with that login ID."""
    found: list[User | Staff] = list(session.scalars(
        select(User).join(Organization, User.organization_id == Organization.id)
        .options(joinedload(User.organization))
        .where(or_(User.user_id == query, Organization.code == query), User.status != UserStatus.DELETED,
               organizations.in_scope(scope))
        .order_by(Organization.code, User.role != UserRole.MASTER, User.user_id)
        .limit(MAX_RESULTS)
    ))
    staff = session.scalar(select(Staff).where(Staff.login == query, Staff.active.is_(True),
                                               staff_store.in_scope(scope)))
    if staff is not None:
        found.append(staff)
    return found


def find_account(*, session: Session, account: str, account_uuid: str, scope: BankScope) -> User | Staff | None:
    """One searchable account by its kind ("user" or "staff") and UUID, or None (also outside ``scope``)."""
    try:
        key = uuid.UUID(account_uuid)
    except ValueError:
        return None
    if account == "staff":
        staff = session.get(Staff, key)
        return staff if staff is not None and staff.active and scope.covers_staff(staff.bank_code) else None
    user = session.get(User, key)
    if user is None or user.status is UserStatus.DELETED or not scope.covers(user.organization.bank_code):
        return None
    return user
