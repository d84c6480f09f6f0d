"""The thirteen 労働金庫, the 労働金庫連合会, and the rules of a branch record (issue 16).

Every organization deals with one 労金 through one branch (its お取引店); Rokin staff belong to one
労金, or to the 連合会, which runs the shared systems and sees every 労金's work. The codes are the
banks' four-digit financial institution codes (金融機関コード); a branch code has three digits.

The branch list is data an operator replaces (``rokin admin load-branches FILE``): ``parse_branch_lines``
checks every line of such a file and says, per line, what is wrong, so a file is loaded whole or not at all.
"""

from __future__ import annotations

import csv
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Bank:
    code: str
    name: str


FEDERATION = Bank("2950", "労働金庫連合会")
BANKS: tuple[Bank, ...] = (
    Bank("2951", "北海道労働金庫"),
    Bank("2954", "東北労働金庫"),
    Bank("2963", "中央労働金庫"),
    Bank("2965", "新潟県労働金庫"),
    Bank("2968", "長野県労働金庫"),
    Bank("2970", "静岡県労働金庫"),
    Bank("2972", "北陸労働金庫"),
    Bank("2975", "東海労働金庫"),
    Bank("2978", "近畿労働金庫"),
    Bank("2984", "中国労働金庫"),
    Bank("2987", "四国労働金庫"),
    Bank("2990", "九州労働金庫"),
    Bank("2997", "沖縄県労働金庫"),
)
BY_CODE = {bank.code: bank for bank in (*BANKS, FEDERATION)}

# Organizations registered before banks and branches existed keep issuing, with a warning on the staff
# pages, until the day before this one (JST); from this day on an organization without a branch cannot
# issue (``branch_required``). Three months give every 労金 time to assign its organizations
# (``rokin admin assign-branch`` or the staff page).
BRANCH_REQUIRED_FROM = date(2027, 4, 1)


def branch_required(today: date) -> bool:
    """Whether an organization must have its お取引店 to be issued a certificate on ``today`` (JST)."""
    return today >= BRANCH_REQUIRED_FROM


def bank_name(code: str) -> str:
    bank = BY_CODE.get(code)
    return bank.name if bank is not None else code


def is_bank(code: str) -> bool:
    """One of the thirteen 労金 (an organization's bank); the 連合会 has no organizations of its own."""
    return code in BY_CODE and code != FEDERATION.code


def sees_every_bank(staff_bank_code: str) -> bool:
    return staff_bank_code == FEDERATION.code


def may_act_for(staff_bank_code: str, organization_bank_code: str | None) -> bool:
    """Whether staff of ``staff_bank_code`` see and act on an organization of ``organization_bank_code``.
    An organization without a bank yet (registered before issue 16) is the 連合会's to assign."""
    return sees_every_bank(staff_bank_code) or staff_bank_code == organization_bank_code


# --- the branch file ------------------------------------------------------------------------------

COLUMNS = ("bank_code", "branch_code", "name", "postal_code", "address", "phone")
NAME_MAX_LENGTH = 40
ADDRESS_MAX_LENGTH = 120
_BRANCH_CODE = re.compile(r"\d{3}")
_POSTAL_CODE = re.compile(r"\d{3}-\d{4}")
_PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}")


@dataclass(frozen=True)
class Branch:
    bank_code: str
    code: str
    name: str
    postal_code: str
    address: str
    phone: str

    @property
    def key(self) -> tuple[str, str]:
        return self.bank_code, self.code

    @property
    def postal_address(self) -> str:
        """〒, address: as the paper is addressed."""
        return f"〒{self.postal_code} {self.address}"

    @property
    def bank_name(self) -> str:
        return bank_name(self.bank_code)

    @property
    def full_name(self) -> str:
        """The 労金 and the branch, as an employer is told whom to ask: 中央労働金庫 本店営業部."""
        return f"{self.bank_name} {self.name}"


class BranchProblem(enum.Enum):
    COLUMNS = "columns"  # not the six columns
    UNKNOWN_BANK = "unknown_bank"
    BRANCH_CODE = "branch_code"
    NAME = "name"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"
    PHONE = "phone"
    DUPLICATE = "duplicate"  # the same bank and branch code twice in the file
    HEADER = "header"
    EMPTY = "empty"  # no branch at all


PROBLEM_TEXT = {
    BranchProblem.COLUMNS: f"expected {len(COLUMNS)} columns: {','.join(COLUMNS)}",
    BranchProblem.UNKNOWN_BANK: "bank_code is not one of the 13 労働金庫 (domain/banks.py)",
    BranchProblem.BRANCH_CODE: "branch_code must be 3 digits",
    BranchProblem.NAME: f"name is required, at most {NAME_MAX_LENGTH} characters",
    BranchProblem.POSTAL_CODE: "postal_code must look like 123-4567",
    BranchProblem.ADDRESS: f"address is required, at most {ADDRESS_MAX_LENGTH} characters",
    BranchProblem.PHONE: "phone must look like 03-1234-5678",
    BranchProblem.DUPLICATE: "this bank_code and branch_code appear on an earlier line",
    BranchProblem.HEADER: f"the first line must be the header {','.join(COLUMNS)}",
    BranchProblem.EMPTY: "the file lists no branch",
}


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1-based, as an editor shows it
    problem: BranchProblem

    def __str__(self) -> str:
        return f"line {self.line}: {PROBLEM_TEXT[self.problem]}"


def parse_branch_lines(lines: Iterable[str]) -> tuple[list[Branch], list[LineProblem]]:
    """Every branch of a CSV file (UTF-8, header first), and every line's problems. Blank lines and
    lines starting with ``#`` are skipped. Load the branches only when the problem list is empty."""
    branches: list[Branch] = []
    problems: list[LineProblem] = []
    seen: dict[tuple[str, str], int] = {}
    numbered = [(number, line) for number, line in enumerate(lines, start=1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered or next(csv.reader([numbered[0][1]])) != list(COLUMNS):
        return [], [LineProblem(numbered[0][0] if numbered else 1, BranchProblem.HEADER)]
    for number, line in numbered[1:]:
        fields = [field.strip() for field in next(csv.reader([line]))]
        if len(fields) != len(COLUMNS):
            problems.append(LineProblem(number, BranchProblem.COLUMNS))
            continue
        branch = Branch(*fields)
        found = _problems_of(branch)
        if not found and branch.key in seen:
            found = [BranchProblem.DUPLICATE]
        problems.extend(LineProblem(number, problem) for problem in found)
        if not found:
            seen[branch.key] = number
            branches.append(branch)
    if not branches and not problems:
        problems.append(LineProblem(numbered[0][0], BranchProblem.EMPTY))
    return branches, problems


def _problems_of(branch: Branch) -> list[BranchProblem]:
    checks = (
        (is_bank(branch.bank_code), BranchProblem.UNKNOWN_BANK),
        (bool(_BRANCH_CODE.fullmatch(branch.code)), BranchProblem.BRANCH_CODE),
        (0 < len(branch.name) <= NAME_MAX_LENGTH, BranchProblem.NAME),
        (bool(_POSTAL_CODE.fullmatch(branch.postal_code)), BranchProblem.POSTAL_CODE),
        (0 < len(branch.address) <= ADDRESS_MAX_LENGTH, BranchProblem.ADDRESS),
        (bool(_PHONE.fullmatch(branch.phone)), BranchProblem.PHONE),
    )
    return [problem for ok, problem in checks if not ok]
