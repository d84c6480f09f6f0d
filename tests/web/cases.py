"""Tables of inputs shared by the page tests."""

import pytest

from domain.credentials import CredentialProblem

# One table of malformed credentials, used for IDs and passwords on every form (SPEC §2).
BAD_CREDENTIALS = [
    pytest.param("abc12", CredentialProblem.TOO_SHORT, id="5-chars"),
    pytest.param("abcdefghij123", CredentialProblem.TOO_LONG, id="13-chars"),
    pytest.param("abcdefgh", CredentialProblem.NEEDS_LETTER_AND_DIGIT, id="letters-only"),
    pytest.param("12345678", CredentialProblem.NEEDS_LETTER_AND_DIGIT, id="digits-only"),
    pytest.param("１２３abc", CredentialProblem.FULL_WIDTH, id="full-width-digits"),
    pytest.param("ａｂｃ123", CredentialProblem.FULL_WIDTH, id="full-width-letters"),
    pytest.param("abc-1234", CredentialProblem.SYMBOL, id="symbol"),
    pytest.param("abc 1234", CredentialProblem.SPACE, id="space"),
    pytest.param("abc\u30001234", CredentialProblem.FULL_WIDTH, id="ideographic-space"),
    pytest.param("", CredentialProblem.REQUIRED, id="empty"),
]
