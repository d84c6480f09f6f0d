"""労金 branches (issue 16): the table an operator's branch file fills, and which branch an
organization deals with (its お取引店).

``load_branches`` writes a whole, already checked file (``domain.banks.parse_branch_lines``) in one
transaction: new branches are added, changed ones updated, and a branch missing from the file is kept
(organizations may still name it). ``assign_branch`` gives an organization its bank and branch.
Never commits (the use-case does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from domain.banks import Branch

from . import audit
from .errors import Refusal, ServiceError
from .models import Base, Organization, utcnow

# The branch list the product ships (realistic in form, not an official directory): development stacks
# and the sample data load it; an operator loads the real one with ``rokin admin load-branches``.
SHIPPED_BRANCHES = Path(__file__).with_name("data") / "branches.csv"


class BranchRow(Base):
    __tablename__ = "branches"

    bank_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    postal_code: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def as_branch(self) -> Branch:
        return Branch(self.bank_code, self.code, self.name, self.postal_code, self.address, self.phone)


@dataclass(frozen=True)
class LoadSummary:
    added: int
    updated: int
    unchanged: int


def load_branches(*, session: Session, branches: list[Branch], actor: audit.Actor) -> LoadSummary:
    existing = {(row.bank_code, row.code): row for row in session.scalars(select(BranchRow))}
    added = updated = 0
    for branch in branches:
        row = existing.get(branch.key)
        if row is None:
            session.add(BranchRow(bank_code=branch.bank_code, code=branch.code, name=branch.name,
                                  postal_code=branch.postal_code, address=branch.address, phone=branch.phone))
            added += 1
        elif row.as_branch() != branch:
            row.name, row.postal_code, row.address, row.phone = (branch.name, branch.postal_code, branch.address,
                                                                  branch.phone)
            row.updated_at = utcnow()
            updated += 1
    summary = LoadSummary(added, updated, len(branches) - added - updated)
    audit.record(session=session, actor=actor, action="branches.load", target_kind="branches", target_id="all",
                 detail=f"added={summary.added} updated={summary.updated} unchanged={summary.unchanged}")
    return summary


def get_branch(*, session: Session, bank_code: str, code: str) -> BranchRow | None:
    return session.get(BranchRow, (bank_code, code))


def branches_of(*, session: Session, bank_code: str | None = None) -> list[BranchRow]:
    """Every branch, or one bank's, in code order (the 団体登録 form's choices)."""
    statement = select(BranchRow).order_by(BranchRow.bank_code, BranchRow.code)
    if bank_code is not None:
        statement = statement.where(BranchRow.bank_code == bank_code)
    return list(session.scalars(statement))


def branch_of(*, session: Session, organization: Organization) -> BranchRow | None:
    """The organization's お取引店, or None (registered before issue 16 and not assigned yet)."""
    if organization.bank_code is None or organization.branch_code is None:
        return None
    return get_branch(session=session, bank_code=organization.bank_code, code=organization.branch_code)


def branch_of_organization(*, session: Session, organization_code: str) -> Branch | None:
    """The お取引店 of the organization with this code, as employers are told it (its bank, name,
    address, phone), or None: no such organization, or none assigned yet."""
    row = session.execute(
        select(BranchRow).join(Organization, (Organization.bank_code == BranchRow.bank_code)
                               & (Organization.branch_code == BranchRow.code))
        .where(Organization.code == organization_code)).scalar_one_or_none()
    return row.as_branch() if row is not None else None


def bank_code_of(*, session: Session, organization_code: str) -> str:
    """The organization's 労金 code, or '' (unknown organization, or none assigned yet): the value of the
    RokinBankCode search attribute, which is left out when empty."""
    code = session.scalar(select(Organization.bank_code).where(Organization.code == organization_code))
    return code or ""


def assign_branch(*, session: Session, organization: Organization, bank_code: str, branch_code: str,
                  actor: audit.Actor) -> BranchRow:
    """Give the organization its bank and branch; raises ``ServiceError(NOT_FOUND)`` for an unknown branch."""
    branch = get_branch(session=session, bank_code=bank_code, code=branch_code)
    if branch is None:
        raise ServiceError(Refusal.NOT_FOUND)
    before = f"{organization.bank_code}/{organization.branch_code}"
    organization.bank_code, organization.branch_code = bank_code, branch_code
    audit.record(session=session, actor=actor, action="organization.assign_branch", target_kind="organization",
                 target_id=organization.code, detail=f"from={before} to={bank_code}/{branch_code}")
    return branch
