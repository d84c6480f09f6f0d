"""``rokin admin load-branches``, ``assign-branch`` and ``create-staff --bank`` (issue 16): what an operator
types and reads, and what the database then holds. A malformed file is rejected line by line, whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store import organizations as org_store
from store import staff as staff_store
from store.branches import BranchRow
from store.db import make_engine, make_session_factory

from .conftest import REPO, rokin_env, run_rokin

SAMPLE = REPO / "store" / "data" / "branches.csv"
HEADER = "bank_code,branch_code,name,postal_code,address,phone"


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return rokin_env(tmp_path / "var", DATABASE_URL=database_url)


def branch_count(env: dict[str, str]) -> int:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(BranchRow))
    finally:
        engine.dispose()


def test_the_shipped_branch_list_loads_and_loading_it_again_changes_nothing(env):
    first = run_rokin("admin", "load-branches", str(SAMPLE), "--json", env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) | {"database": ""} == {"added": 21, "updated": 0, "unchanged": 0, "database": ""}
    again = run_rokin("admin", "load-branches", str(SAMPLE), env=env)
    assert again.returncode == 0 and "0 added, 0 updated, 21 unchanged." in again.stdout
    assert branch_count(env) == 21


def test_a_changed_line_updates_that_branch(env, tmp_path):
    assert run_rokin("admin", "load-branches", str(SAMPLE), env=env).returncode == 0
    moved = tmp_path / "moved.csv"
    moved.write_text(f"{HEADER}\n2963,101,新宿支店,160-0022,東京都新宿区新宿3丁目,03-3342-0101\n", encoding="utf-8")
    result = run_rokin("admin", "load-branches", str(moved), env=env)
    assert result.returncode == 0 and "0 added, 1 updated, 0 unchanged." in result.stdout
    assert branch_count(env) == 21  # a branch missing from the file is kept: organizations may name it


def test_a_malformed_file_is_rejected_line_by_line_and_nothing_is_loaded(env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([
        HEADER,
        "2963,001,本店営業部,101-0062,東京都千代田区神田駿河台2丁目,03-3293-0001",  # good, yet not loaded
        "9999,001,どこか支店,101-0062,東京都,03-1111-2222",
        "2963,1,新宿支店,1600023,東京都新宿区,0333420101",
        "2963,001,本店営業部,101-0062,東京都千代田区,03-3293-0001",
        "2963,002,支店名だけ",
        "",
        "# a comment",
    ]) + "\n", encoding="utf-8")
    result = run_rokin("admin", "load-branches", str(bad), env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"rokin admin load-branches: {bad}: nothing loaded:",
        "  line 3: bank_code is not one of the 13 労働金庫 (domain/banks.py)",
        "  line 4: branch_code must be 3 digits",
        "  line 4: postal_code must look like 123-4567",
        "  line 4: phone must look like 03-1234-5678",
        "  line 5: this bank_code and branch_code appear on an earlier line",
        "  line 6: expected 6 columns: bank_code,branch_code,name,postal_code,address,phone",
    ]
    assert branch_count(env) == 0


def test_a_file_without_the_header_or_that_cannot_be_read_says_so(env, tmp_path):
    headless = tmp_path / "headless.csv"
    headless.write_text("2963,001,本店営業部,101-0062,東京都千代田区,03-3293-0001\n", encoding="utf-8")
    result = run_rokin("admin", "load-branches", str(headless), env=env)
    assert result.returncode == 2 and f"line 1: the first line must be the header {HEADER}" in result.stderr
    missing = run_rokin("admin", "load-branches", str(tmp_path / "nowhere.csv"), env=env)
    assert missing.returncode == 2 and "cannot read" in missing.stderr and missing.stderr.count("\n") == 1


def test_an_organization_is_given_its_branch(env):
    assert run_rokin("admin", "load-branches", str(SAMPLE), env=env).returncode == 0
    assert run_rokin("admin", "create-org", "--code", "5001", "--name", "テスト労働組合", "--email", "m@example.jp",
                     env=env).returncode == 0
    done = run_rokin("admin", "assign-branch", "--org", "5001", "--bank", "2963", "--branch", "101", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Organization 5001: 中央労働金庫 新宿支店 (2963/101).\n"
    engine = make_engine(env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            organization = org_store.get_by_code(session=session, code="5001")
            assert (organization.bank_code, organization.branch_code) == ("2963", "101")
    finally:
        engine.dispose()
    unknown = run_rokin("admin", "assign-branch", "--org", "5001", "--bank", "2963", "--branch", "999", env=env)
    assert unknown.returncode == 1 and unknown.stderr.count("\n") == 1
    not_a_bank = run_rokin("admin", "assign-branch", "--org", "5001", "--bank", "2950", "--branch", "001", env=env)
    assert not_a_bank.returncode == 2 and "--bank" in not_a_bank.stderr


def test_staff_belong_to_one_bank_or_to_the_federation(env):
    created = run_rokin("admin", "create-staff", "--login", "kinki001", "--role", "receiver", "--bank", "2978",
                        "--json", env=env)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["bank"] == "2978"
    engine = make_engine(env["DATABASE_URL"])
    try:
        with make_session_factory(engine)() as session:
            assert staff_store.get_by_login(session=session, login="kinki001").bank_code == "2978"
    finally:
        engine.dispose()
    neither = run_rokin("admin", "create-staff", "--login", "nobank01", "--role", "receiver", env=env)
    assert neither.returncode == 2
    assert neither.stderr == ("rokin admin create-staff: --bank: give the staff member's 労金 (--bank CODE) "
                              "or --federation\n")
    unknown = run_rokin("admin", "create-staff", "--login", "nobank01", "--role", "receiver", "--bank", "1234",
                        env=env)
    assert unknown.returncode == 2 and "not one of the 13" in unknown.stderr
