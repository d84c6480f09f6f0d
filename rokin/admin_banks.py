"""``rokin admin load-branches`` and ``assign-branch`` (issue 16): the 労金 branch list, and an organization's
お取引店. Same conventions as ``rokin.admin``: one line per problem on stderr, exit 2 for bad input, 1 refused."""

from __future__ import annotations

import json
from pathlib import Path

from core.config import Settings
from domain.banks import BY_CODE, is_bank
from store import audit
from usecases import branches

from .admin import BAD_INPUT, CommandError, database_name, with_session


def load_branches(settings: Settings, *, path: Path, as_json: bool) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError("FILE", f"cannot read {path} as UTF-8 text ({type(error).__name__})", BAD_INPUT) from None

    def work(session):  # noqa: ANN001, ANN202
        return branches.load_branches(session, lines=lines, actor=audit.Actor.cli())

    try:
        summary = with_session(settings, work)
    except branches.BranchFileRejected as rejected:
        raise CommandError(str(path), "nothing loaded:\n" + "\n".join(f"  {problem}" for problem in rejected.problems),
                           BAD_INPUT) from None
    if as_json:
        print(json.dumps({"added": summary.added, "updated": summary.updated, "unchanged": summary.unchanged,
                          "database": database_name(settings.database_url)}))
    else:
        print(f"Branches loaded into {database_name(settings.database_url)}: {summary.added} added, "
              f"{summary.updated} updated, {summary.unchanged} unchanged.")


def assign_branch(settings: Settings, *, organization_code: str, bank_code: str, branch_code: str) -> None:
    if not is_bank(bank_code):
        raise CommandError("--bank", f"{bank_code!r} is not one of the 13 労働金庫 codes ({', '.join(BY_CODE)})",
                           BAD_INPUT)

    def work(session):  # noqa: ANN001, ANN202
        return branches.assign_branch(session, organization_code=organization_code, bank_code=bank_code,
                                      branch_code=branch_code, actor=audit.Actor.cli())

    branch = with_session(settings, work)
    print(f"Organization {organization_code}: {BY_CODE[bank_code].name} {branch.name} ({bank_code}/{branch_code}).")


def staff_bank(bank_code: str | None, federation: bool) -> str:
    """``create-staff``'s ``--bank CODE`` or ``--federation``: exactly one."""
    if federation == (bank_code is not None):
        raise CommandError("--bank", "give the staff member's 労金 (--bank CODE) or --federation", BAD_INPUT)
    if federation:
        return next(code for code in BY_CODE if not is_bank(code))
    assert bank_code is not None
    if not is_bank(bank_code):
        raise CommandError("--bank", f"{bank_code!r} is not one of the 13 労働金庫 codes", BAD_INPUT)
    return bank_code
