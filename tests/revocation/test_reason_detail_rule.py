"""The one rule for the reason's detail (``domain.revocation_rules.reason_detail_refusal``): 「その他」
needs words, no reason takes more than ``REASON_DETAIL_MAX_LENGTH`` characters."""

from __future__ import annotations

import pytest

from domain.revocation import REASON_DETAIL_MAX_LENGTH, RevocationReason
from domain.revocation_rules import RevocationRefusal, reason_detail_refusal

LONGEST = "長" * REASON_DETAIL_MAX_LENGTH


@pytest.mark.parametrize(("reason", "detail", "refusal"), [
    (RevocationReason.OTHER, "", RevocationRefusal.NOTE_REQUIRED),
    (RevocationReason.OTHER, "   ", RevocationRefusal.NOTE_REQUIRED),
    (RevocationReason.OTHER, "\u3000\t\n", RevocationRefusal.NOTE_REQUIRED),  # full-width space, tab, newline
    (RevocationReason.OTHER, "担当者交代", None),
    (RevocationReason.OTHER, f"  {LONGEST}  ", None),  # blanks around it do not count
    (RevocationReason.OTHER, LONGEST + "長", RevocationRefusal.DETAIL_TOO_LONG),
    (RevocationReason.PC_CHANGE, "", None),
    (RevocationReason.LEFT, "後任に引継ぎ", None),
    (RevocationReason.DELETED, LONGEST + "長", RevocationRefusal.DETAIL_TOO_LONG),
])
def test_reason_detail(reason: RevocationReason, detail: str, refusal: RevocationRefusal | None) -> None:
    assert reason_detail_refusal(reason, detail) is refusal
