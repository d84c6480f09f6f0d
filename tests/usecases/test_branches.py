"""Loading the 労金 branch list through the use-case (issue 16): the shipped list for development stacks,
once; a rejected file loads nothing."""

from __future__ import annotations

import pytest

from store import audit
from store import branches as branch_store
from usecases import branches

CLI = audit.Actor.cli()


def test_the_shipped_list_is_loaded_once_into_a_database_without_branches(session_factory):
    with session_factory() as session:
        assert branches.load_shipped_branches_if_none(session, actor=CLI) == 21
        assert branches.load_shipped_branches_if_none(session, actor=CLI) == 0
        assert {row.bank_code for row in branch_store.branches_of(session=session)} >= {"2963", "2978"}


def test_a_rejected_file_loads_nothing(session_factory):
    with session_factory() as session:
        with pytest.raises(branches.BranchFileRejected) as rejected:
            branches.load_branches(session, lines=["bank_code,branch_code,name,postal_code,address,phone",
                                                   "2963,001,本店営業部,101-0062,東京都千代田区,03-3293-0001",
                                                   "2963,0x1,壊れた行,101-0062,東京都,03-3293-0001"], actor=CLI)
        assert [str(problem) for problem in rejected.value.problems] == ["line 3: branch_code must be 3 digits"]
        assert branch_store.branches_of(session=session) == []
