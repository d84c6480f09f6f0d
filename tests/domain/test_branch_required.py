"""The お取引店 cut-off date and how a branch is named to employers (issue 16)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.banks import BRANCH_REQUIRED_FROM, Branch, branch_required


@pytest.mark.parametrize(("today", "required"), [
    (BRANCH_REQUIRED_FROM - timedelta(days=90), False),
    (BRANCH_REQUIRED_FROM - timedelta(days=1), False),
    (BRANCH_REQUIRED_FROM, True),
    (BRANCH_REQUIRED_FROM + timedelta(days=1), True),
])
def test_a_branch_is_required_from_the_cut_off_day_on(today: date, required: bool):
    assert branch_required(today) is required


def test_the_cut_off_day_is_the_first_of_april_2027():
    assert date(2027, 4, 1) == BRANCH_REQUIRED_FROM


def test_a_branch_is_named_with_its_bank():
    branch = Branch("2963", "001", "本店営業部", "101-0062", "東京都千代田区神田駿河台2丁目5番", "03-3293-0001")
    assert (branch.bank_name, branch.full_name) == ("中央労働金庫", "中央労働金庫 本店営業部")
    assert branch.postal_address == "〒101-0062 東京都千代田区神田駿河台2丁目5番"
