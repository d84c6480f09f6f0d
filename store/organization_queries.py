"""Read-only queries behind the staff pages' organization list (団体一覧) and usage-start notice
(ご利用開始のお知らせ)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from domain.roles import UserRole, UserStatus

from .models import Organization, User


@dataclass(frozen=True)
class OrganizationRow:
    code: str
    name: str
    master_user_id: str | None
    master_registered: bool  # マスターユーザーの初期登録が済んだか
    general_users: int  # not counting deleted ones
    created_at: datetime


def organization_rows(*, session: Session, code: str | None = None) -> list[OrganizationRow]:
    """Every organization by code, or only the one with ``code``."""
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
               Organization.created_at)
        .outerjoin(master, (master.organization_id == Organization.id) & (master.role == UserRole.MASTER))
        .order_by(Organization.code)
    )
    if code is not None:
        query = query.where(Organization.code == code)
    return [
        OrganizationRow(code, name, master_user_id, master_status is UserStatus.ACTIVE, count, created_at)
        for code, name, master_user_id, master_status, count, created_at in session.execute(query)
    ]


def organization_row(*, session: Session, code: str) -> OrganizationRow | None:
    rows = organization_rows(session=session, code=code)
    return rows[0] if rows else None
