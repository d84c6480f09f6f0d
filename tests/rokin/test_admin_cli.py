"""``rokin admin``: what an operator types, what they read, and what the store then holds."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from domain.contact import ContactProblem
from domain.organizations import OrganizationProblem
from domain.roles import StaffRole, UserRole
from store import organizations as org_store
from store import staff as staff_store
from store import users as user_store
from store.db import make_engine, make_session_factory
from store.errors import Refusal
from web.messages import english

from .conftest import rokin_env, run_rokin

ORG_NAME = "テスト労働組合"


@pytest.fixture
def any_database_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    """The command against SQLite and PostgreSQL (for the tests that write through the store)."""
    return rokin_env(tmp_path / "var", DATABASE_URL=database_url)


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str) -> dict[str, str]:
    return rokin_env(tmp_path / "var", DATABASE_URL=sqlite_url)


def _session_factory(env: dict[str, str]):  # noqa: ANN202
    engine = make_engine(env["DATABASE_URL"])
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def session_of(env):  # noqa: ANN001, ANN201
    yield from _session_factory(env)


@pytest.fixture
def any_session_of(any_database_env):  # noqa: ANN001, ANN201
    yield from _session_factory(any_database_env)


def create_org(env: dict[str, str], code: str = "1234", email: str = "master@example.jp", *extra: str):  # noqa: ANN201
    return run_rokin("admin", "create-org", "--code", code, "--name", ORG_NAME, "--email", email, *extra, env=env)


def test_create_org_json_gives_a_master_who_can_authenticate_with_the_initial_password(
        any_database_env, any_session_of) -> None:  # noqa: ANN001
    result = create_org(any_database_env, "1234", "master@example.jp", "--json")
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert set(created) == {"organization_code", "organization_name", "master_user_id", "initial_password",
                            "database"}
    assert created["database"] == any_database_env["DATABASE_URL"]  # (a password would read ***)
    assert (created["organization_code"], created["organization_name"]) == ("1234", ORG_NAME)
    with any_session_of() as session:
        master = user_store.get_by_user_id(session=session, user_id=created["master_user_id"])
        assert master is not None and master.role is UserRole.MASTER
        assert master.organization.code == "1234"
        assert user_store.password_matches(master, created["initial_password"])
        assert not user_store.password_matches(master, created["initial_password"] + "x")


def test_create_org_prints_the_id_and_password_for_a_person(env) -> None:  # noqa: ANN001
    result = create_org(env, "ABC123")
    assert result.returncode == 0, result.stderr
    assert f"Organization ABC123 registered in {env['DATABASE_URL']}." in result.stdout
    assert "Master user ID:" in result.stdout and "Initial password:" in result.stdout


@pytest.mark.parametrize(("code", "email", "option", "problem"), [
    ("12", "master@example.jp", "--code", OrganizationProblem.CODE_FORMAT),
    ("ab12", "master@example.jp", "--code", OrganizationProblem.CODE_FORMAT),
    ("5678", "not-an-address", "--email", ContactProblem.EMAIL_FORMAT),
])
def test_bad_input_is_one_line_naming_the_option_exit_2(env, session_of, code, email, option, problem) -> None:  # noqa: ANN001
    result = create_org(env, code, email)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"rokin admin create-org: {option}: {english(problem)}\n"
    with session_of() as session:
        assert org_store.get_by_code(session=session, code=code) is None


def test_a_duplicate_code_is_refused_with_exit_1(env) -> None:  # noqa: ANN001
    assert create_org(env, "2345").returncode == 0
    again = create_org(env, "2345", "other@example.jp")
    assert again.returncode == 1
    assert again.stderr == f"rokin admin create-org: --code: {english(Refusal.ORGANIZATION_CODE_TAKEN)}\n"


def test_create_staff_gives_a_login_that_authenticates(any_database_env, any_session_of) -> None:  # noqa: ANN001
    env = any_database_env
    result = run_rokin("admin", "create-staff", "--login", "uketsuke1", "--role", "receiver", "--federation", "--json",
                       env=env)
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert (created["login"], created["role"]) == ("uketsuke1", "receiver")
    with any_session_of() as session:
        staff = staff_store.get_by_login(session=session, login="uketsuke1")
        assert staff is not None and staff.role is StaffRole.RECEIVER and staff.initial_password
        assert staff_store.password_matches(staff, created["initial_password"])
    human = run_rokin("admin", "create-staff", "--login", "shonin01", "--role", "approver", "--bank", "2963", env=env)
    assert human.returncode == 0, human.stderr
    assert "shonin01 (approver, 中央労働金庫)" in human.stdout and "Initial password:" in human.stdout
    assert created["bank"] == "2950"  # --federation: the 労働金庫連合会


def test_create_staff_refuses_a_bad_login_a_taken_login_and_an_unknown_role(env) -> None:  # noqa: ANN001
    bad = run_rokin("admin", "create-staff", "--login", "ad!min1", "--role", "administrator", "--federation", env=env)
    assert bad.returncode == 2
    assert bad.stderr.startswith("rokin admin create-staff: --login: ") and bad.stderr.count("\n") == 1
    assert run_rokin("admin", "create-staff", "--login", "admin01", "--role", "administrator", "--federation",
                     env=env).returncode == 0
    taken = run_rokin("admin", "create-staff", "--login", "admin01", "--role", "approver", "--federation", env=env)
    assert taken.returncode == 1
    assert taken.stderr == f"rokin admin create-staff: --login: {english(Refusal.STAFF_LOGIN_TAKEN)}\n"
    unknown = run_rokin("admin", "create-staff", "--login", "admin02", "--role", "root", "--federation", env=env)
    assert unknown.returncode == 2 and "--role" in unknown.stderr


def test_admin_refuses_a_data_dir_without_a_database_and_names_the_one_it_wrote(tmp_path: Path) -> None:
    """A ROKIN_DATA_DIR other than the running stack's must not quietly "succeed" in a new database."""
    data_dir = tmp_path / "fresh"
    refused = run_rokin("admin", "create-org", "--code", "9999", "--name", ORG_NAME, "--email", "m@example.jp",
                        "--json", env=rokin_env(data_dir))
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (f"rokin admin create-org: no database at {data_dir / 'rokin.db'}: check ROKIN_DATA_DIR / "
                              "DATABASE_URL (the ones `rokin dev` runs with), or create it with `rokin migrate`\n")
    assert not (data_dir / "rokin.db").exists()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700

    assert run_rokin("migrate", env=rokin_env(data_dir)).returncode == 0
    created = run_rokin("admin", "create-org", "--code", "9999", "--name", ORG_NAME, "--email", "m@example.jp",
                        env=rokin_env(data_dir))
    assert created.returncode == 0, created.stderr
    assert f"Organization 9999 registered in sqlite:///{data_dir / 'rokin.db'}." in created.stdout
