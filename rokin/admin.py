"""``rokin admin``: register organizations and Rokin staff from the command line.

Errors are one English line naming the option (exit 2 for bad input, 1 for a refusal such as a
duplicate); the message texts are the web's, read through the English catalog.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from core.config import Settings
from domain.banks import bank_name
from domain.roles import StaffRole
from store import audit
from store.db import make_engine, make_session_factory
from store.errors import CredentialError, Refusal, ServiceError
from store.migrate import upgrade
from usecases import organizations
from web.messages import english

T = TypeVar("T")

BAD_INPUT = 2
REFUSED = 1

# The option a refused value came from, by the field name the service reports.
OPTION_OF_FIELD = {"code": "--code", "name": "--name", "email": "--email", "login": "--login"}
OPTION_OF_REFUSAL = {
    Refusal.ORGANIZATION_CODE_TAKEN: "--code",
    Refusal.STAFF_LOGIN_TAKEN: "--login",
}


class CommandError(Exception):
    def __init__(self, option: str, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.option = option
        self.message = message
        self.exit_code = exit_code


def with_session(settings: Settings, work: Callable[..., T]) -> T:
    """Bring the database to the newest schema (idempotent), then run ``work`` (a use-case) with a session.
    A SQLite file that does not exist is refused: an operator whose ROKIN_DATA_DIR differs from the
    running stack's would otherwise "succeed" in a new, empty database nobody reads."""
    _refuse_a_new_sqlite_file(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        upgrade(settings.database_url)
        with make_session_factory(engine)() as session:
            return work(session)
    except CredentialError as error:
        raise CommandError(OPTION_OF_FIELD.get(error.field, error.field), english(error.problem),
                           BAD_INPUT) from error
    except ServiceError as error:
        raise CommandError(OPTION_OF_REFUSAL.get(error.refusal, ""), english(error.refusal), REFUSED) from error
    except SQLAlchemyError as error:  # the type only: the message may carry the URL or parameters
        raise CommandError("", f"database error ({type(error).__name__})", REFUSED) from error
    finally:
        engine.dispose()


def _refuse_a_new_sqlite_file(url: str) -> None:
    database = make_url(url)
    if database.get_backend_name() == "sqlite" and database.database not in (None, "", ":memory:") \
            and not Path(database.database).exists():
        raise CommandError("", f"no database at {database.database}: check ROKIN_DATA_DIR / DATABASE_URL "
                               "(the ones `rokin dev` runs with), or create it with `rokin migrate`", REFUSED)


def database_name(url: str) -> str:
    """The database a command wrote to, as the operator can check it (never its password)."""
    return make_url(url).render_as_string(hide_password=True)


def create_org(settings: Settings, *, code: str, name: str, email: str, as_json: bool,
               bank_code: str | None = None, branch_code: str | None = None) -> None:
    """``--bank`` and ``--branch`` place it at its お取引店 (both or neither: ``assign-branch`` later)."""
    if (bank_code is None) != (branch_code is None):
        raise CommandError("--branch", "give both --bank and --branch, or neither (then assign-branch later)",
                           BAD_INPUT)

    def work(session):  # noqa: ANN001, ANN202
        try:
            created = organizations.register_organization(session, code=code, name=name, email=email,
                                                          actor=audit.Actor.cli(), bank_code=bank_code,
                                                          branch_code=branch_code)
        except organizations.PlacementRefused as refused:
            raise CommandError(f"--{refused.field}", f"{refused.problem.value.replace('_', ' ')}: see "
                               "domain/banks.py and the loaded branch list", BAD_INPUT) from None
        return created.organization.code, created.organization.name, created.master.user_id, created.initial_password

    organization_code, organization_name, master_user_id, initial_password = with_session(settings, work)
    if as_json:
        print(json.dumps({
            "organization_code": organization_code,
            "organization_name": organization_name,
            "master_user_id": master_user_id,
            "initial_password": initial_password,
            "database": database_name(settings.database_url),
        }, ensure_ascii=False))
    else:
        print(f"Organization {organization_code} registered in {database_name(settings.database_url)}.")
        print(f"  Master user ID:   {master_user_id}")
        print(f"  Initial password: {initial_password}  (shown only this once)")


def create_staff(settings: Settings, *, login: str, role: str, as_json: bool, bank_code: str) -> None:
    def work(session):  # noqa: ANN001, ANN202
        staff, initial_password = organizations.create_staff(session, login=login, role=StaffRole(role),
                                                             actor=audit.Actor.cli(), bank_code=bank_code)
        return staff.login, staff.role.value, initial_password

    staff_login, staff_role, initial_password = with_session(settings, work)
    if as_json:
        print(json.dumps({"login": staff_login, "role": staff_role, "bank": bank_code,
                          "initial_password": initial_password, "database": database_name(settings.database_url)}))
    else:
        print(f"Staff account {staff_login} ({staff_role}, {bank_name(bank_code)}) created in "
              f"{database_name(settings.database_url)}.")
        print(f"  Initial password: {initial_password}  (shown only this once)")


def report(command: str, error: CommandError) -> int:
    option = f"{error.option}: " if error.option else ""
    print(f"rokin {command}: {option}{error.message}", file=sys.stderr)
    return error.exit_code
