"""ユーザー検索 for Rokin staff: find accounts by exact ID and show their lockout state.

One box takes what a caller on the phone can say: a user ID (that user), an organization
code (its master user and general users) or a staff login ID (that staff account). Matches
are exact and case-sensitive, as IDs are; deleted users and inactive staff are not shown.
The lockout state comes from the read model the lockout workflow mirrors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from domain.lockout import LockoutInput, SubjectKind
from domain.roles import StaffRole, UserRole, UserStatus
from store.lockout import LockoutView
from store.models import Organization, Staff, User

from usecases.authentication import subject_of_staff, subject_of_user

from ..lockout import view_of

MAX_RESULTS = 50  # an organization has at most 20 users; a staff login adds one


@dataclass(frozen=True)
class AccountRow:
    record: User | Staff
    subject: LockoutInput
    login_id: str  # the user ID, or the staff login ID
    organization_code: str  # '' for staff
    organization_name: str
    role: UserRole | StaffRole
    user_status: UserStatus | None  # None for staff
    lockout: LockoutView

    @property
    def account(self) -> str:
        """The URL part that says which table the UUID is in."""
        return "staff" if self.subject.subject_kind is SubjectKind.STAFF else "user"


def find_accounts(*, session: Session, query: str) -> list[AccountRow]:
    users = session.scalars(
        select(User).join(Organization, User.organization_id == Organization.id)
        .options(joinedload(User.organization))
        .where(or_(User.user_id == query, Organization.code == query), User.status != UserStatus.DELETED)
        .order_by(Organization.code, User.role != UserRole.MASTER, User.user_id)
        .limit(MAX_RESULTS)
    )
    rows = [_user_row(user) for user in users]
    staff = session.scalar(select(Staff).where(Staff.login == query, Staff.active.is_(True)))
    if staff is not None:
        rows.append(_staff_row(staff))
    return rows


def find_account(*, session: Session, account: str, account_uuid: str) -> AccountRow | None:
    """One searchable account by its URL parts (``account`` is "user" or "staff"), or None."""
    try:
        key = uuid.UUID(account_uuid)
    except ValueError:
        return None
    if account == "staff":
        staff = session.get(Staff, key)
        return _staff_row(staff) if staff is not None and staff.active else None
    user = session.get(User, key)
    return _user_row(user) if user is not None and user.status is not UserStatus.DELETED else None


def _user_row(user: User) -> AccountRow:
    return AccountRow(user, subject_of_user(user), user.user_id, user.organization.code, user.organization.name,
                      user.role, user.status, view_of(user))


def _staff_row(staff: Staff) -> AccountRow:
    return AccountRow(staff, subject_of_staff(staff), staff.login, "", "", staff.role, None, view_of(staff))
