"""SPEC.md §2 "Credentials": 6–12 half-width alphanumerics, letters and digits both, case-sensitive."""

import pytest

from domain.credentials import (
    MAX_LENGTH,
    MIN_LENGTH,
    CredentialProblem,
    check_credential,
    check_new_password,
    generate_credential,
)

P = CredentialProblem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("abc123", None),  # 6: shortest allowed
        ("abcdef123456", None),  # 12: longest allowed
        ("ABCdef789", None),
        ("1a2b3c", None),
        ("abc12", P.TOO_SHORT),  # 5
        ("abcdefg123456", P.TOO_LONG),  # 13
        ("abcdefgh", P.NEEDS_LETTER_AND_DIGIT),  # letters only
        ("12345678", P.NEEDS_LETTER_AND_DIGIT),  # digits only
        ("１２３abc", P.FULL_WIDTH),  # full-width digits
        ("ａｂｃ123", P.FULL_WIDTH),  # full-width letters
        ("abc　123", P.FULL_WIDTH),  # ideographic space
        ("あいう123", P.FULL_WIDTH),
        ("abc-123", P.SYMBOL),
        ("abc_123", P.SYMBOL),
        ("abc@123!", P.SYMBOL),
        ("abc 123", P.SPACE),
        (" abc123", P.SPACE),
        ("abc\t123", P.SPACE),
        ("", P.REQUIRED),
    ],
)
def test_credential_shape(value, problem):
    assert check_credential(value) is problem


def test_bounds_match_the_seed():
    assert (MIN_LENGTH, MAX_LENGTH) == (6, 12)


@pytest.mark.parametrize(
    ("new", "user_id", "previous", "problem"),
    [
        ("pass1234", "user1234", "init5678", None),
        ("user1234", "user1234", None, P.SAME_AS_USER_ID),
        ("USER1234", "user1234", None, None),  # case-sensitive: a different string
        ("init5678", "user1234", "init5678", P.SAME_AS_PREVIOUS),
        ("Init5678", "user1234", "init5678", None),
        ("short1", "user1234", None, None),
        ("pass 1234", "user1234", None, P.SPACE),
        ("ｐａｓｓ1234", "user1234", None, P.FULL_WIDTH),
    ],
)
def test_new_password(new, user_id, previous, problem):
    assert check_new_password(new, user_id=user_id, previous_password=previous) is problem


def test_shape_is_checked_before_equality():
    assert check_new_password("abc12", user_id="abc12") is P.TOO_SHORT


@pytest.mark.parametrize("length", [MIN_LENGTH, 10, MAX_LENGTH])
def test_generated_credentials_follow_the_rule(length):
    values = {generate_credential(length) for _ in range(200)}
    assert all(len(v) == length and check_credential(v) is None for v in values)
    assert len(values) == 200  # random, not a fixed sequence


@pytest.mark.parametrize("length", [MIN_LENGTH - 1, MAX_LENGTH + 1])
def test_generated_length_is_bounded(length):
    with pytest.raises(ValueError):
        generate_credential(length)
