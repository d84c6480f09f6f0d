"""ユーザー検索 for Rokin staff: the accounts matching what a caller on the phone can say.

One box takes a user ID (that user), an organization code (its master user and general users) or a
staff login ID (that staff account). Matches are exact and case-sensitive, as IDs are; deleted users
and inactive staff are not found. Read-only.
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from domain.roles import UserRole, UserStatus

from .models import Organization, Staff, User

MAX_RESULTS = 50  # an organization has at most 20 users; a staff login adds one


def find_accounts(*, session: Session, query: str) -> list[User | Staff]:
    """Users by ID or organization code (each organization's master first, with its organization
    loaded), then the staff member with that login ID."""
    found: list[User | Staff] = list(session.scalars(
        select(User).join(Organization, User.organization_id == Organization.id)
        .options(joinedload(User.organization))
        .where(or_(User.user_id == query, Organization.code == query), User.status != UserStatus.DELETED)
        .order_by(Organization.code, User.role != UserRole.MASTER, User.user_id)
        .limit(MAX_RESULTS)
    ))
    staff = session.scalar(select(Staff).where(Staff.login == query, Staff.active.is_(True)))
    if staff is not None:
        found.append(staff)
    return found


def find_account(*, session: Session, account: str, account_uuid: str) -> User | Staff | None:
    """One searchable account by its kind ("user" or "staff") and UUID, or None."""
    try:
        key = uuid.UUID(account_uuid)
    except ValueError:
        return None
    if account == "staff":
        staff = session.get(Staff, key)
        return staff if staff is not None and staff.active else None
    user = session.get(User, key)
    return user if user is not None and user.status is not UserStatus.DELETED else None
