"""The thirteen 労働金庫, the 連合会, and the branch file's rules (issue 16)."""

from __future__ import annotations

from domain.banks import BANKS, FEDERATION, BranchProblem, is_bank, may_act_for, parse_branch_lines

HEADER = "bank_code,branch_code,name,postal_code,address,phone"


def test_thirteen_banks_with_distinct_four_digit_codes_and_the_federation_apart():
    assert len(BANKS) == 13 and len({bank.code for bank in BANKS}) == 13
    assert all(len(bank.code) == 4 and bank.code.isdigit() for bank in BANKS)
    assert not is_bank(FEDERATION.code) and all(is_bank(bank.code) for bank in BANKS)
    assert {bank.name[:2] for bank in BANKS} >= {"北海", "東北", "中央", "近畿", "九州", "沖縄"}


def test_staff_act_within_their_bank_and_the_federation_everywhere():
    assert may_act_for("2963", "2963") and not may_act_for("2963", "2978")
    assert not may_act_for("2963", None)  # not assigned yet: the 連合会 assigns it
    assert may_act_for(FEDERATION.code, "2978") and may_act_for(FEDERATION.code, None)


def test_a_quoted_field_may_hold_a_comma_and_blanks_around_fields_do_not_count():
    line = '2963, 001 ,本店営業部,101-0062,"東京都千代田区神田駿河台2丁目5番, 3階",03-3293-0001'
    branches, problems = parse_branch_lines([HEADER, line])
    assert problems == [] and branches[0].address == "東京都千代田区神田駿河台2丁目5番, 3階"
    assert branches[0].postal_address == "〒101-0062 東京都千代田区神田駿河台2丁目5番, 3階"


def test_an_empty_list_and_a_too_long_name_are_problems():
    assert [p.problem for p in parse_branch_lines([HEADER])[1]] == [BranchProblem.EMPTY]
    long_name = "支" * 41
    _, problems = parse_branch_lines([HEADER, f"2963,001,{long_name},101-0062,東京都,03-3293-0001"])
    assert [(p.line, p.problem) for p in problems] == [(2, BranchProblem.NAME)]
