"""``rokin admin create-org --bank CODE --branch CODE`` (issue 16): the organization is registered at its
労金 and お取引店 in one step; a branch that is not in the loaded list is refused and nothing is registered."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import organizations as org_store
from store.db import make_engine, make_session_factory

from .conftest import REPO, rokin_env, run_rokin

SAMPLE = REPO / "store" / "data" / "branches.csv"


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = rokin_env(tmp_path / "var", DATABASE_URL=database_url)
    assert run_rokin("admin", "load-branches", str(SAMPLE), env=env).returncode == 0
    return env


def placement(env: dict[str, str], code: str) -> tuple[str | None, str | None] | None:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            organization = org_store.get_by_code(session=session, code=code)
            return None if organization is None else (organization.bank_code, organization.branch_code)
    finally:
        engine.dispose()


def create_org(env: dict[str, str], code: str, *placement_options: str):  # noqa: ANN201
    return run_rokin("admin", "create-org", "--code", code, "--name", "支店労働組合", "--email", "m@example.jp",
                     *placement_options, env=env)


def test_an_organization_is_registered_at_its_branch(env):
    result = create_org(env, "5001", "--bank", "2978", "--branch", "030")
    assert result.returncode == 0, result.stderr
    assert placement(env, "5001") == ("2978", "030")


@pytest.mark.parametrize(("options", "option"), [
    (("--bank", "2978", "--branch", "999"), "--branch"),  # not in the list
    (("--bank", "2950", "--branch", "001"), "--bank"),  # the 連合会 has no organizations
    (("--bank", "2978"), "--branch"),  # both or neither
])
def test_an_unknown_placement_is_refused_and_nothing_is_registered(env, options, option):
    result = create_org(env, "5002", *options)
    assert result.returncode == 2 and f"rokin admin create-org: {option}:" in result.stderr, result.stderr
    assert placement(env, "5002") is None
