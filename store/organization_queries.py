"""Read-only queries behind the staff pages' organization list (団体一覧) and usage-start notice
(ご利用開始のお知らせ), within the staff member's 労金 (``domain.staff_scope``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from domain.roles import UserRole, UserStatus
from domain.staff_scope import BankScope

from .branches import BranchRow
from .models import Organization, User
from .organizations import in_scope


@dataclass(frozen=True)
class OrganizationRow:
    code: str
    name: str
    master_user_id: str | None
    master_registered: bool  # マスターユーザーの初期登録が済んだか
    general_users: int  # not counting deleted ones
    created_at: datetime
    bank_code: str | None = None  # its 労金 (None: registered before issue 16, not assigned yet)
    branch_code: str | None = None
    branch_name: str = ""  # its お取引店 as the branch table names it; '' while it has none

    @property
    def has_branch(self) -> bool:
        return bool(self.branch_name)


def organization_rows(*, session: Session, scope: BankScope, code: str | None = None) -> list[OrganizationRow]:
    """Every organization ``scope`` reaches, by code, or only the one with ``code``."""
    master = aliased(User)
    general_count = (
        select(func.count(User.uuid))
        .where(User.organization_id == Organization.id, User.role == UserRole.GENERAL,
               User.status != UserStatus.DELETED)
        .correlate(Organization)
        .scalar_subquery()
    )
    query = (
        select(Organization.code, Organization.name, master.user_id, master.status, general_count,
               Organization.created_at, Organization.bank_code, Organization.branch_code, BranchRow.name)
        .outerjoin(master, (master.organization_id == Organization.id) & (master.role == UserRole.MASTER))
        .outerjoin(BranchRow, and_(BranchRow.bank_code == Organization.bank_code,
                                   BranchRow.code == Organization.branch_code))
        .where(in_scope(scope))
        .order_by(Organization.code)
    )
    if code is not None:
        query = query.where(Organization.code == code)
    return [
        OrganizationRow(code, name, master_user_id, master_status is UserStatus.ACTIVE, count, created_at,
                        bank_code, branch_code, branch_name or "")
        for code, name, master_user_id, master_status, count, created_at, bank_code, branch_code, branch_name
        in session.execute(query)
    ]


def organization_row(*, session: Session, scope: BankScope, code: str) -> OrganizationRow | None:
    rows = organization_rows(session=session, scope=scope, code=code)
    return rows[0] if rows else None
