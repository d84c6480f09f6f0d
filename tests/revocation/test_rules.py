"""Who may do what with a revocation (domain.revocation_rules), as one table per action, and the
reasons' RFC 5280 codes."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from cryptography import x509

from domain.certificates import CrlReason
from domain.revocation import (
    CRL_REASONS,
    REASON_LABELS,
    Party,
    PartyKind,
    RequestState,
    RevocationReason,
    is_request_number,
    request_number,
)
from domain.revocation_rules import (
    REFUSAL_TEXT,
    CertificateOwner,
    RequestFacts,
    RevocationRefusal,
    decision_refusal,
    direct_revocation_refusal,
    emergency_refusal,
    filing_refusal,
    receive_refusal,
    viewing_refusal,
    withdrawal_refusal,
)
from domain.roles import StaffRole, UserRole

R = RevocationRefusal
MASTER = Party(PartyKind.MASTER_USER, "m-1", organization_code="1001")
OTHER_MASTER = Party(PartyKind.MASTER_USER, "m-2", organization_code="2002")
GENERAL = Party(PartyKind.GENERAL_USER, "g-1", organization_code="1001")
RECEIVER = Party(PartyKind.STAFF, "s-receiver", staff_role=StaffRole.RECEIVER)
APPROVER = Party(PartyKind.STAFF, "s-approver", staff_role=StaffRole.APPROVER)
SECOND_APPROVER = Party(PartyKind.STAFF, "s-approver-2", staff_role=StaffRole.APPROVER)
ADMIN = Party(PartyKind.STAFF, "s-admin", staff_role=StaffRole.ADMINISTRATOR)
MASTER_CERT = CertificateOwner("m-1", UserRole.MASTER, "1001")
GENERAL_CERT = CertificateOwner("g-1", UserRole.GENERAL, "1001")
OTHER_GENERAL_CERT = CertificateOwner("g-9", UserRole.GENERAL, "2002")


@pytest.mark.parametrize(("actor", "owner", "expected"), [
    (MASTER, GENERAL_CERT, None),
    (MASTER, MASTER_CERT, R.NEEDS_WRITTEN_REQUEST),
    (MASTER, OTHER_GENERAL_CERT, R.OTHER_ORGANIZATION),
    (OTHER_MASTER, GENERAL_CERT, R.OTHER_ORGANIZATION),
    (GENERAL, GENERAL_CERT, R.NOT_ALLOWED),
    (ADMIN, GENERAL_CERT, R.NOT_ALLOWED),  # administrators have the emergency revocation instead
    (RECEIVER, GENERAL_CERT, R.NOT_ALLOWED),
])
def test_direct_revocation(actor, owner, expected):
    assert direct_revocation_refusal(actor, owner) is expected


@pytest.mark.parametrize(("actor", "owner", "expected"), [
    (MASTER, MASTER_CERT, None),
    (RECEIVER, MASTER_CERT, None),  # on the customer's behalf, from paper received by post
    (MASTER, GENERAL_CERT, R.GENERAL_USER_CERTIFICATE),
    (RECEIVER, GENERAL_CERT, R.GENERAL_USER_CERTIFICATE),
    (OTHER_MASTER, MASTER_CERT, R.OTHER_ORGANIZATION),
    (GENERAL, MASTER_CERT, R.NOT_ALLOWED),
    (APPROVER, MASTER_CERT, R.NEEDS_RECEIVER),
    (ADMIN, MASTER_CERT, R.NEEDS_RECEIVER),
])
def test_filing(actor, owner, expected):
    assert filing_refusal(actor, owner) is expected


AWAITING = RequestFacts(RequestState.AWAITING_PAPER, "1001", requested_by="m-1")
RECEIVED = RequestFacts(RequestState.PAPER_RECEIVED, "1001", requested_by="m-1", received_by="s-receiver")
FILED_BY_STAFF = RequestFacts(RequestState.PAPER_RECEIVED, "1001", requested_by="s-approver-2",
                              received_by="s-receiver")


@pytest.mark.parametrize(("actor", "facts", "expected"), [
    (RECEIVER, AWAITING, None),
    (RECEIVER, RECEIVED, R.WRONG_STATE),
    (APPROVER, AWAITING, R.NEEDS_RECEIVER),
    (ADMIN, AWAITING, R.NEEDS_RECEIVER),
    (MASTER, AWAITING, R.NEEDS_RECEIVER),  # the requester cannot act as staff
    (GENERAL, AWAITING, R.NEEDS_RECEIVER),
])
def test_receiving(actor, facts, expected):
    assert receive_refusal(actor, facts) is expected


RECEIVER_WHO_APPROVES = Party(PartyKind.STAFF, "s-receiver", staff_role=StaffRole.APPROVER)  # same person, new role


@pytest.mark.parametrize(("actor", "facts", "approve", "comment", "expected"), [
    (APPROVER, RECEIVED, True, False, None),
    (APPROVER, RECEIVED, False, True, None),
    (APPROVER, RECEIVED, False, False, R.COMMENT_REQUIRED),
    (APPROVER, AWAITING, True, False, R.WRONG_STATE),
    (RECEIVER, RECEIVED, True, False, R.NEEDS_APPROVER),
    (ADMIN, RECEIVED, True, False, R.NEEDS_APPROVER),
    (MASTER, RECEIVED, True, False, R.NEEDS_APPROVER),  # the requester cannot act as staff
    (RECEIVER_WHO_APPROVES, RECEIVED, True, False, R.RECEIVER_CANNOT_DECIDE),
    (SECOND_APPROVER, FILED_BY_STAFF, True, False, R.REQUESTER_CANNOT_DECIDE),
    (APPROVER, FILED_BY_STAFF, False, True, None),
])
def test_deciding_is_maker_checker(actor, facts, approve, comment, expected):
    assert decision_refusal(actor, facts, approve=approve, has_comment=comment) is expected


CLOSED = RequestFacts(RequestState.APPROVED, "1001", requested_by="m-1", received_by="s-receiver")


@pytest.mark.parametrize(("actor", "facts", "expected"), [
    (MASTER, AWAITING, None),
    (MASTER, RECEIVED, None),
    (ADMIN, RECEIVED, None),
    (MASTER, CLOSED, R.WRONG_STATE),
    (OTHER_MASTER, AWAITING, R.OTHER_ORGANIZATION),
    (GENERAL, AWAITING, R.NOT_ALLOWED),
    (RECEIVER, AWAITING, R.NEEDS_ADMINISTRATOR),
    (APPROVER, AWAITING, R.NEEDS_ADMINISTRATOR),
])
def test_withdrawing(actor, facts, expected):
    assert withdrawal_refusal(actor, facts) is expected


@pytest.mark.parametrize(("actor", "expected"), [
    (MASTER, None), (RECEIVER, None), (APPROVER, None), (ADMIN, None),
    (OTHER_MASTER, R.OTHER_ORGANIZATION), (GENERAL, R.NOT_ALLOWED),
])
def test_viewing(actor, expected):
    assert viewing_refusal(actor, AWAITING) is expected


@pytest.mark.parametrize(("actor", "note", "expected"), [
    (ADMIN, "不正ログインの通報あり", None),
    (ADMIN, "   ", R.NOTE_REQUIRED),
    (ADMIN, "x" * 501, R.NOTE_TOO_LONG),
    (APPROVER, "不正ログインの通報あり", R.NEEDS_ADMINISTRATOR),
    (MASTER, "不正ログインの通報あり", R.NEEDS_ADMINISTRATOR),
])
def test_emergency_revocation(actor, note, expected):
    assert emergency_refusal(actor, note) is expected


def test_every_reason_has_a_label_and_an_rfc5280_code():
    assert set(REASON_LABELS) == set(CRL_REASONS) == set(RevocationReason)
    assert list(REASON_LABELS.values()) == ["パソコン変更", "誤って削除", "p12未インポート", "不正利用の疑い",
                                            "退職・異動", "その他"]
    for reason in CRL_REASONS.values():
        x509.ReasonFlags(reason.value)  # a name cryptography (and so the CRL and OCSP) knows
    assert CRL_REASONS[RevocationReason.SUSPECTED_MISUSE] is CrlReason.KEY_COMPROMISE
    assert CRL_REASONS[RevocationReason.LEFT] is CrlReason.AFFILIATION_CHANGED


def test_request_numbers_are_readable_and_by_japanese_year():
    assert request_number(datetime(2026, 12, 31, 15, 30, tzinfo=timezone.utc), 123) == "R-2027-000123"  # JST
    assert request_number(datetime(2026, 11, 21, tzinfo=timezone.utc), 1234567) == "R-2026-1234567"
    assert is_request_number("R-2026-000123") and not is_request_number("R-2026-12") \
        and not is_request_number("../R-2026-000123")


def test_every_refusal_has_a_history_text_and_a_japanese_message():
    from web.messages import render

    for refusal in RevocationRefusal:
        assert refusal in REFUSAL_TEXT
        text = render(refusal, number="R-2026-000001")
        assert text and "%" not in text
    assert "R-2026-000001" in render(R.REQUEST_OPEN, number="R-2026-000001")
