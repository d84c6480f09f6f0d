"""The staff member's 労金 (issue 16) in the use-cases and the store, on SQLite and PostgreSQL: the rule
(``domain.staff_scope``), the queries it filters, and the use-cases that check it before changing anything."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.banks import FEDERATION
from domain.roles import StaffRole
from domain.staff_scope import EVERY_BANK, BankScope, PlacementProblem, placement_problem, staff_bank_problem
from store import account_search, audit, organization_queries
from store import organizations as org_store
from store import staff as staff_store
from store.errors import Refusal, ServiceError
from usecases import branches, credentials, organizations, sessions
from usecases.branches import load_shipped_branches_if_none

A, B = "2963", "2978"  # 中央労働金庫, 近畿労働金庫 (both in the shipped branch list)
CLI = audit.Actor.cli()
BANK_A = BankScope(A)


# --- the rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("scope", "bank", "covered"), [
    (BANK_A, A, True), (BANK_A, B, False), (BANK_A, None, False),
    (EVERY_BANK, A, True), (EVERY_BANK, B, True), (EVERY_BANK, None, True),
])
def test_whose_organizations_a_scope_covers(scope: BankScope, bank: str | None, covered: bool):
    assert scope.covers(bank) is covered


def test_a_banks_staff_see_only_their_banks_staff():
    assert BANK_A.covers_staff(A) and not BANK_A.covers_staff(B) and not BANK_A.covers_staff(FEDERATION.code)
    assert EVERY_BANK.covers_staff(B) and EVERY_BANK.covers_staff(FEDERATION.code)
    assert BankScope.of_staff(FEDERATION.code) == EVERY_BANK and BankScope.of_staff(A) == BANK_A


@pytest.mark.parametrize(("scope", "bank", "branch", "exists", "problem"), [
    (BANK_A, A, "101", True, None),
    (BANK_A, B, "030", True, ("bank", PlacementProblem.OTHER_BANK)),
    (BANK_A, "", "", False, ("branch", PlacementProblem.BRANCH_REQUIRED)),
    (BANK_A, "", "101", False, ("bank", PlacementProblem.BANK_REQUIRED)),
    (EVERY_BANK, FEDERATION.code, "001", False, ("bank", PlacementProblem.UNKNOWN_BANK)),
    (EVERY_BANK, B, "", False, ("branch", PlacementProblem.BRANCH_REQUIRED)),
    (EVERY_BANK, B, "999", False, ("branch", PlacementProblem.UNKNOWN_BRANCH)),
])
def test_where_an_organization_may_be_placed(scope, bank, branch, exists, problem):  # noqa: ANN001
    assert placement_problem(scope, bank, branch, branch_exists=exists) == problem


@pytest.mark.parametrize(("scope", "bank", "problem"), [
    (BANK_A, A, None), (BANK_A, B, PlacementProblem.OTHER_BANK), (BANK_A, FEDERATION.code, PlacementProblem.OTHER_BANK),
    (EVERY_BANK, FEDERATION.code, None), (EVERY_BANK, B, None), (EVERY_BANK, "9999", PlacementProblem.UNKNOWN_BANK),
])
def test_whose_staff_an_administrator_may_create(scope, bank, problem):  # noqa: ANN001
    assert staff_bank_problem(scope, bank) is problem


# --- the use-cases and queries --------------------------------------------------------------------------


@pytest.fixture
def two_banks(session_factory):  # noqa: ANN001, ANN201
    """The shipped branches; organizations AA01 (bank A), BB01 (bank B) and OLD01 (no bank yet)."""
    with session_factory() as session:
        load_shipped_branches_if_none(session, actor=CLI)
        for code, bank, branch in (("AA01", A, "101"), ("BB01", B, "030"), ("OLD01", None, None)):
            organizations.register_organization(session, code=code, name="労組", email="m@example.jp", actor=CLI,
                                                bank_code=bank, branch_code=branch)
    return session_factory


def test_the_lists_and_the_search_keep_to_the_bank(two_banks):  # noqa: ANN001
    with two_banks() as session:
        assert [row.code for row in organization_queries.organization_rows(session=session, scope=BANK_A)] == ["AA01"]
        every = organization_queries.organization_rows(session=session, scope=EVERY_BANK)
        assert [(row.code, row.has_branch) for row in every] == [("AA01", True), ("BB01", True), ("OLD01", False)]
        assert organization_queries.organization_row(session=session, scope=BANK_A, code="BB01") is None
        assert account_search.find_accounts(session=session, query="BB01", scope=BANK_A) == []
        assert len(account_search.find_accounts(session=session, query="BB01", scope=EVERY_BANK)) == 1
        assert org_store.get_by_code(session=session, code="OLD01", scope=BANK_A) is None


def test_a_banks_staff_register_into_their_bank_at_a_known_branch(two_banks):  # noqa: ANN001
    with two_banks() as session:
        for bank, branch, problem in ((B, "030", PlacementProblem.OTHER_BANK),
                                      (A, "999", PlacementProblem.UNKNOWN_BRANCH),
                                      (None, None, PlacementProblem.BRANCH_REQUIRED)):
            with pytest.raises(organizations.PlacementRefused) as refused:
                organizations.register_organization(session, code="XX01", name="労組", email="x@example.jp", actor=CLI,
                                                    bank_code=bank, branch_code=branch, scope=BANK_A)
            assert refused.value.problem is problem
        assert org_store.get_by_code(session=session, code="XX01") is None
        organizations.register_organization(session, code="XX01", name="労組", email="x@example.jp", actor=CLI,
                                            bank_code=A, branch_code="201", scope=BANK_A)
        assert (org_store.get_by_code(session=session, code="XX01").branch_code) == "201"


def test_assigning_a_branch_within_the_bank(two_banks):  # noqa: ANN001
    with two_banks() as session:
        with pytest.raises(ServiceError) as unseen:  # only the 連合会 sees an organization without a bank
            branches.assign_branch(session, organization_code="OLD01", bank_code=A, branch_code="101", actor=CLI,
                                   scope=BANK_A)
        assert unseen.value.refusal is Refusal.NOT_FOUND
        with pytest.raises(organizations.PlacementRefused):  # its own organization, to another 労金
            branches.assign_branch(session, organization_code="AA01", bank_code=B, branch_code="030", actor=CLI,
                                   scope=BANK_A)
        branches.assign_branch(session, organization_code="OLD01", bank_code=B, branch_code="060", actor=CLI,
                               scope=EVERY_BANK)
        assert org_store.get_by_code(session=session, code="OLD01").bank_code == B


def test_staff_accounts_of_another_bank_are_out_of_reach(two_banks):  # noqa: ANN001
    with two_banks() as session:
        with pytest.raises(organizations.PlacementRefused):
            organizations.create_staff(session, login="recv0b1", role=StaffRole.RECEIVER, actor=CLI, bank_code=B,
                                       scope=BANK_A)
        other, _ = organizations.create_staff(session, login="recv0b1", role=StaffRole.RECEIVER, actor=CLI, bank_code=B)
        with pytest.raises(ServiceError) as unseen:
            sessions.end_staff_sessions(session, staff_uuid=str(other.uuid), now=datetime.now(timezone.utc),
                                        actor=CLI, scope=BANK_A)
        assert unseen.value.refusal is Refusal.NOT_FOUND
        assert sessions.end_staff_sessions(session, staff_uuid=str(other.uuid), now=datetime.now(timezone.utc),
                                           actor=CLI, scope=BankScope(B)) == 0


def test_an_administrator_resets_only_their_banks_master_users(two_banks):  # noqa: ANN001
    with two_banks() as session:
        admin, _ = organizations.create_staff(session, login="admin0a1", role=StaffRole.ADMINISTRATOR, actor=CLI,
                                              bank_code=A)
        master = account_search.find_accounts(session=session, query="BB01", scope=EVERY_BANK)[0]
        hash_before = master.password_hash
        with pytest.raises(ServiceError) as unseen:
            credentials.reset_master_password(session, None, staff=admin, user_uuid=str(master.uuid),  # type: ignore[arg-type]
                                              actor=CLI, now=datetime.now(timezone.utc))
        assert unseen.value.refusal is Refusal.NOT_FOUND
        session.refresh(master)
        assert master.password_hash == hash_before
        assert staff_store.scope_of(admin) == BANK_A
