"""User ID and password policy (SPEC.md §2 "Credentials", seed 001 ④ 入力項目説明).

Checks return a ``CredentialProblem`` code rather than text, so the web can say it in
Japanese (or English) and the CLI precisely, from one rule.
"""

from __future__ import annotations

import enum
import secrets
import string

MIN_LENGTH = 6
MAX_LENGTH = 12
LETTERS = frozenset(string.ascii_letters)
DIGITS = frozenset(string.digits)
ALLOWED = LETTERS | DIGITS


class CredentialProblem(enum.Enum):
    REQUIRED = "required"
    FULL_WIDTH = "full_width"  # 全角: ideographic space, full-width digits and letters, kana...
    SPACE = "space"
    SYMBOL = "symbol"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NEEDS_LETTER_AND_DIGIT = "needs_letter_and_digit"
    SAME_AS_USER_ID = "same_as_user_id"
    SAME_AS_PREVIOUS = "same_as_previous"
    CONFIRMATION_MISMATCH = "confirmation_mismatch"


def _is_full_width(ch: str) -> bool:
    # Anything outside printable ASCII that a Japanese IME produces counts as 全角 for the user.
    return ord(ch) > 0x7E


def check_credential(value: str) -> CredentialProblem | None:
    """The single shape rule shared by user IDs and passwords: 6–12 half-width
    alphanumerics with at least one letter and one digit, case-sensitive."""
    if not value:
        return CredentialProblem.REQUIRED
    if any(_is_full_width(ch) for ch in value):
        return CredentialProblem.FULL_WIDTH
    if any(ch.isspace() for ch in value):
        return CredentialProblem.SPACE
    if any(ch not in ALLOWED for ch in value):
        return CredentialProblem.SYMBOL
    if len(value) < MIN_LENGTH:
        return CredentialProblem.TOO_SHORT
    if len(value) > MAX_LENGTH:
        return CredentialProblem.TOO_LONG
    if not (LETTERS.intersection(value) and DIGITS.intersection(value)):
        return CredentialProblem.NEEDS_LETTER_AND_DIGIT
    return None


check_user_id = check_credential


def check_new_password(
    new_password: str, *, user_id: str, previous_password: str | None = None
) -> CredentialProblem | None:
    """A password the user chooses: the shape rule, and not the ID nor the password it replaces.

    Comparisons are exact because IDs and passwords are case-sensitive. The comparison with a
    stored previous *hash* needs argon2 and lives in the data package; this one covers the
    password the user has just typed.
    """
    problem = check_credential(new_password)
    if problem is not None:
        return problem
    if new_password == user_id:
        return CredentialProblem.SAME_AS_USER_ID
    if previous_password is not None and new_password == previous_password:
        return CredentialProblem.SAME_AS_PREVIOUS
    return None


def generate_credential(length: int = 10) -> str:
    """A random value that satisfies ``check_credential`` (for IDs and initial passwords).

    Ambiguous characters (0/O, 1/l/I) are left out because people copy these from paper.
    """
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"length must be between {MIN_LENGTH} and {MAX_LENGTH}")
    letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    digits = "23456789"
    while True:
        value = "".join(secrets.choice(letters + digits) for _ in range(length))
        if check_credential(value) is None:
            return value
