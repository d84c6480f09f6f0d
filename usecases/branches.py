"""労金 branches (issue 16): an operator loads the branch list; an organization is given its お取引店."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from domain.banks import LineProblem, parse_branch_lines
from domain.staff_scope import EVERY_BANK, BankScope
from store import audit
from store import branches as branch_store
from store import organizations as organization_store
from store.branches import BranchRow, LoadSummary
from store.errors import Refusal, ServiceError

from .organizations import check_placement
from .transaction import committed


class BranchFileRejected(Exception):
    """The file has problems (every one, by line); nothing was loaded."""

    def __init__(self, problems: list[LineProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def load_branches(session: Session, *, lines: Iterable[str], actor: audit.Actor) -> LoadSummary:
    """``rokin admin load-branches``: the whole file or nothing; loading the same file again changes nothing."""
    branches, problems = parse_branch_lines(lines)
    if problems:
        raise BranchFileRejected(problems)
    with committed(session):
        return branch_store.load_branches(session=session, branches=branches, actor=actor)


def assign_branch(session: Session, *, organization_code: str, bank_code: str, branch_code: str,
                  actor: audit.Actor, scope: BankScope | None = None) -> BranchRow:
    """An organization's 労金 and お取引店. Raises ``ServiceError(NOT_FOUND)`` for an unknown organization or
    branch. A staff member (``scope``) reaches only their 労金's organizations (another's: NOT_FOUND too)
    and places them only in it (``PlacementRefused``, with the 団体登録 rules); the CLI passes no scope."""
    with committed(session):
        organization = organization_store.get_by_code(session=session, code=organization_code,
                                                      scope=scope or EVERY_BANK)
        if organization is None:
            raise ServiceError(Refusal.NOT_FOUND)
        if scope is not None:
            check_placement(session, scope=scope, bank_code=bank_code, branch_code=branch_code)
        return branch_store.assign_branch(session=session, organization=organization, bank_code=bank_code,
                                          branch_code=branch_code, actor=actor)


def load_shipped_branches_if_none(session: Session, *, actor: audit.Actor) -> int:
    """Development: the shipped list when no branch is loaded yet; how many branches it added."""
    if branch_store.branches_of(session=session):
        return 0
    lines = branch_store.SHIPPED_BRANCHES.read_text(encoding="utf-8").splitlines()
    return load_branches(session, lines=lines, actor=actor).added
