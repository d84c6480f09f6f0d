"""What a Rokin staff member may see and act on (issue 16): the one rule behind every staff page.

A staff member works for one 労金 or for the 連合会. ``BankScope`` is that answer as a value: the
store applies it as a filter on queries (``store.organizations.in_scope``, ``store.staff.in_scope``),
the use-cases check it on the one object they act on, and anything outside it is "not found" — the
same 404 as an object that does not exist, so nobody learns another 労金's organizations, users,
requests, certificates or staff. An organization without a bank yet (registered before issue 16)
is outside every 労金's scope: only the 連合会 sees it, to assign it its bank and branch.

It also says where such a member may place things: a 労金's staff register organizations and create
staff only in their own 労金; the 連合会's choose any 労金 (and create staff of the 連合会 too).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.banks import BANKS, FEDERATION, is_bank, may_act_for, sees_every_bank


@dataclass(frozen=True)
class BankScope:
    """The banks a staff member acts for: ``bank_code`` (a 労金), or every bank (``None``: the 連合会)."""

    bank_code: str | None

    @classmethod
    def of_staff(cls, staff_bank_code: str) -> BankScope:
        return cls(None if sees_every_bank(staff_bank_code) else staff_bank_code)

    @property
    def every_bank(self) -> bool:
        return self.bank_code is None

    def covers(self, organization_bank_code: str | None) -> bool:
        """An organization of ``organization_bank_code`` (None: not assigned yet) is within reach."""
        return may_act_for(FEDERATION.code if self.bank_code is None else self.bank_code, organization_bank_code)

    def covers_staff(self, staff_bank_code: str) -> bool:
        """Another staff account: a 労金's staff see only their 労金's; the 連合会 sees every one."""
        return self.every_bank or staff_bank_code == self.bank_code

    def banks_to_place_in(self) -> list[str]:
        """The 労金 codes an organization may be registered into by this member."""
        return [bank.code for bank in BANKS if self.covers(bank.code)]

    def staff_banks(self) -> list[str]:
        """The codes a new staff account may belong to: one's own 労金, or (the 連合会) any, itself included."""
        return [FEDERATION.code, *self.banks_to_place_in()] if self.every_bank else self.banks_to_place_in()


EVERY_BANK = BankScope(None)  # the CLI and the 連合会


class PlacementProblem(enum.Enum):
    """Why a bank and branch cannot be given to an organization (or a bank to a new staff account)."""

    BANK_REQUIRED = "bank_required"
    UNKNOWN_BANK = "unknown_bank"  # not one of the 13 労金 (or, for staff, the 連合会)
    OTHER_BANK = "other_bank"  # outside the member's scope
    BRANCH_REQUIRED = "branch_required"
    UNKNOWN_BRANCH = "unknown_branch"  # not in the branch table of that bank


def placement_problem(scope: BankScope, bank_code: str, branch_code: str, *,
                      branch_exists: bool) -> tuple[str, PlacementProblem] | None:
    """The field (``bank`` / ``branch``) and problem of placing an organization at ``bank_code`` /
    ``branch_code`` by a member of ``scope``; None when it may. ``branch_exists``: the branch table
    lists that branch of that bank."""
    if not bank_code and not branch_code:  # nothing chosen (the page's one 労金・お取引店 select)
        return "branch", PlacementProblem.BRANCH_REQUIRED
    if not bank_code:
        return "bank", PlacementProblem.BANK_REQUIRED
    if not is_bank(bank_code):
        return "bank", PlacementProblem.UNKNOWN_BANK
    if not scope.covers(bank_code):
        return "bank", PlacementProblem.OTHER_BANK
    if not branch_code:
        return "branch", PlacementProblem.BRANCH_REQUIRED
    if not branch_exists:
        return "branch", PlacementProblem.UNKNOWN_BRANCH
    return None


def staff_bank_problem(scope: BankScope, bank_code: str) -> PlacementProblem | None:
    """Whether a member of ``scope`` may create a staff account of ``bank_code`` (a 労金 or the 連合会)."""
    if not bank_code:
        return PlacementProblem.BANK_REQUIRED
    if not (is_bank(bank_code) or sees_every_bank(bank_code)):
        return PlacementProblem.UNKNOWN_BANK
    if bank_code not in scope.staff_banks():
        return PlacementProblem.OTHER_BANK
    return None
