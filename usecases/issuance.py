"""電子証明書発行 (seed 001 ③–⑧): ④ ユーザー認証, then ⑤ 発行 → ⑦ 発行結果, as a saga that no crash
can leave with an ACTIVE certificate whose private key is gone (SPEC.md §2, §5).

``authenticate_for_issuance`` is ④: the password (through the lockout arbiter), then whether this
user may be issued a certificate now; with a key, it also takes a keyed fingerprint of the stored hash
(``PasswordBinding``), so that the 発行 POST can tell the password has not changed (or been reset)
since ④ without hashing it a second time (issue 14). ``issue_certificate`` is the 発行 POST: the key
pair and the CSR are made here in memory, the issuance workflow checks eligibility again and signs — the
certificate is pending delivery — the .p12 is built here with the user's password, and only once
this process has recorded the delivery (the certificate is ACTIVE; ``record_delivery``, issue 14: no
round trip to the workflow, which is told afterwards) is the .p12 returned. Not recorded by the
deadline, the workflow revokes the certificate; recorded after that void, it is refused and the caller
gets no .p12. Nothing secret leaves this process or outlives the call.
"""

from __future__ import annotations

import base64
import logging
import os
import signal
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from cryptography import x509
from sqlalchemy.orm import Session

from contract.certificate_client import IssuanceFailed
from domain.banks import Branch, branch_required
from domain.certificates import IssuanceRefusal, IssuanceRequest, IssuedCertificate
from domain.roles import CertificateStatus, UserStatus
from domain.validity import calendar_for, p12_file_name, tokyo_date
from pki.csr import new_key_and_csr
from pki.pkcs12 import build_p12
from store import branches as branch_store
from store import certificates as certificate_store
from store import db
from store import users as user_store
from store.errors import Refusal
from store.models import User

from .authentication import AttemptOrigin, authenticate_user
from .ports import TemporalPort, TemporalUnavailable
from .transaction import committed

log = logging.getLogger(__name__)

# Crash tests only (tests/crash): the step of 発行 at which this process stops itself. Unset in production.
HALT_KEY = "ROKIN_TEST_HALT_AT"


class IssuanceEntryRefused(Exception):
    """④ refuses this (authenticated) user now: 初期登録 not done, locked, a valid certificate held, no
    お取引店 from ``domain.banks.BRANCH_REQUIRED_FROM``…
    ``renewal_opens``: for HOLDS_VALID_CERTIFICATE, the first day a renewal may be issued (JST).
    ``branch``: the organization's お取引店, which a refusal that says "ask your 労金" may name: the
    password was right, so the user is who may learn it."""

    def __init__(self, refusal: Refusal | IssuanceRefusal, renewal_opens: date | None = None,
                 branch: Branch | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.renewal_opens = renewal_opens
        self.branch = branch


class AuthenticationLapsed(Exception):
    """The user or the password of the ticket is no longer what ④ checked (deleted, changed)."""


class IssuanceRefused(Exception):
    """The issuance workflow refused at signing (the rules, checked again with the organization locked).
    ``branch``: the organization's お取引店, as for ``IssuanceEntryRefused`` (④'s ticket authenticated)."""

    def __init__(self, refusal: IssuanceRefusal, branch: Branch | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.branch = branch


class AlreadyIssued(Exception):
    """This request ID was issued already (a second 発行 POST); the key of that certificate belonged to
    the first request and is gone, so nothing can be delivered again. ``delivered``: the first one
    completed (else it is still pending, or was voided)."""

    def __init__(self, delivered: bool) -> None:
        super().__init__("already issued")
        self.delivered = delivered


@dataclass(frozen=True)
class IssuanceEntry:
    """What ④ found: who may go on to ⑤, and whether their previous issuance did not complete.
    ``password_fingerprint``: the keyed fingerprint of the stored hash ④ checked (when asked for)."""

    user: User
    previous_voided: bool
    password_fingerprint: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PasswordBinding:
    """What 発行 checks instead of the password: ④'s fingerprint of the stored hash and its key."""

    fingerprint: str = field(repr=False)
    key: bytes = field(repr=False)


@dataclass(frozen=True)
class Delivery:
    """What ⑦ 発行結果 shows and downloads."""

    certificate: IssuedCertificate
    user_id: str
    file_name: str
    p12: bytes = field(repr=False)

    @property
    def p12_base64(self) -> str:
        return base64.b64encode(self.p12).decode("ascii")

    @property
    def not_before(self) -> datetime:
        return self.certificate.not_before

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_after


def authenticate_for_issuance(session: Session, temporal: TemporalPort, *, user_id: str, password: str,
                              origin: AttemptOrigin, now: datetime,
                              fingerprint_key: bytes | None = None) -> IssuanceEntry:
    """④ ユーザー認証. Refused while locked or blocked, and while a valid certificate is held outside its
    renewal window (seed 001 ④ note), and from ``domain.banks.BRANCH_REQUIRED_FROM`` (JST) while the
    organization has no お取引店. Raises as ``authenticate_user``, and ``IssuanceEntryRefused``.
    With ``fingerprint_key``, the entry carries the fingerprint of the hash just checked, for 発行."""
    user = authenticate_user(session, temporal, user_id=user_id, password=password, origin=origin, now=now)
    if user.status is UserStatus.PENDING:
        raise IssuanceEntryRefused(Refusal.NOT_REGISTERED)
    branch = branch_store.branch_of_organization(session=session, organization_code=user.organization.code)
    if branch is None and branch_required(tokyo_date(now)):
        raise IssuanceEntryRefused(IssuanceRefusal.BRANCH_REQUIRED)
    refusal = certificate_store.refusal_for(session=session, user=user, now=now)
    if refusal is IssuanceRefusal.HOLDS_VALID_CERTIFICATE:
        live = certificate_store.live_certificates(session=session, user_uuid=user.uuid, now=now)
        opens = max(calendar_for(row.not_before).renewal_opens_at for row in live)
        raise IssuanceEntryRefused(refusal, renewal_opens=tokyo_date(opens))
    if refusal is not None:
        raise IssuanceEntryRefused(refusal, branch=branch)
    fingerprint = None if fingerprint_key is None else user_store.password_fingerprint(user, key=fingerprint_key)
    entry = IssuanceEntry(user, certificate_store.latest_issuance_voided(session=session, user_uuid=user.uuid),
                          fingerprint)
    db.end_reads(session)
    return entry


def issue_certificate(session: Session, temporal: TemporalPort, *, user_uuid: str, password: str, request_id: str,
                      delivery_deadline: timedelta, binding: PasswordBinding | None = None) -> Delivery:
    """⑤ 発行 of the ticket ④ gave (``request_id`` is the issuance's idempotency key).

    ``password`` is what ④ checked; it protects the .p12. ``binding`` (④'s fingerprint of the stored
    hash) proves it is still the user's password at the cost of an HMAC; without one (a caller holding
    no ticket: the simulator) the password is checked against the hash again (argon2id).

    Raises ``AuthenticationLapsed``, ``IssuanceRefused``, ``AlreadyIssued``, ``TemporalUnavailable``
    or ``contract.certificate_client.IssuanceFailed`` (signing failed, or the deadline's void came
    before the record): for the last two the user gets no .p12 and may try again.
    """
    user = user_store.get_by_uuid(session=session, user_uuid=user_uuid)
    bank_code = (user.organization.bank_code or "") if user is not None else ""  # RokinBankCode, at the start
    db.end_reads(session)  # neither a hash nor the signing we wait for may run inside a transaction
    if binding is not None:
        still_valid = user_store.password_unchanged(user, binding.fingerprint, key=binding.key)
    else:
        still_valid = user is not None and user_store.password_matches(user, password)
    if user is None or not still_valid:
        raise AuthenticationLapsed
    key_and_csr = new_key_and_csr(user.user_id)
    _halt_for_crash_test("before_sign")
    outcome = temporal.begin_issuance(IssuanceRequest(request_id, str(user.uuid), key_and_csr.csr_pem,
                                                      int(delivery_deadline.total_seconds()), bank_code))
    if outcome.refusal is not None:  # rare: only then is the branch looked up, for the message
        branch = branch_store.branch_of_organization(session=session, organization_code=user.organization.code)
        db.end_reads(session)
        raise IssuanceRefused(outcome.refusal, branch)
    issued = outcome.certificate
    if issued is None:
        raise RuntimeError("the issuance answered neither a certificate nor a refusal")
    certificate = x509.load_pem_x509_certificate(issued.certificate_pem.encode("ascii"))
    if certificate.public_key() != key_and_csr.key.public_key():
        raise AlreadyIssued(delivered=_delivered(session, request_id))
    _halt_for_crash_test("after_sign")
    p12 = build_p12(key=key_and_csr.key, certificate=certificate, password=password, user_id=user.user_id)
    _halt_for_crash_test("before_confirm")
    record_delivery(session, request_id)
    # From here the certificate is ACTIVE: the user must get the .p12 whatever happens to the message.
    # Without it the issuance finds the certificate ACTIVE at its deadline and goes on the same way.
    try:
        temporal.tell_delivered(request_id=request_id, serial=issued.serial)
    except TemporalUnavailable:
        log.warning("an issuance was not told of its delivery; its lifecycle starts at the deadline")
    except Exception:  # noqa: BLE001
        log.exception("telling an issuance of its delivery failed; its lifecycle starts at the deadline")
    return Delivery(certificate=issued, user_id=user.user_id, file_name=p12_file_name(user.user_id, issued.not_before),
                    p12=p12)


def record_delivery(session: Session, request_id: str) -> None:
    """PENDING_DELIVERY → ACTIVE, here rather than by a round trip to the workflow (issue 14). The row's
    lock orders this against the issuance's void at its deadline: whichever commits first decides, and a
    voided certificate stays voided (``IssuanceFailed``: no .p12 is handed over)."""
    with committed(session):
        row = certificate_store.get_by_request(session=session, request_id=request_id, lock=True)
        if row is None:
            raise IssuanceFailed("no certificate was recorded for this request")
        try:
            certificate_store.record_delivery(session=session, certificate=row, at=datetime.now(timezone.utc))
        except certificate_store.NotDeliverable:
            raise IssuanceFailed("the certificate was voided before its delivery was recorded") from None


def _delivered(session: Session, request_id: str) -> bool:
    """Whether the first 発行 of this request completed (its certificate ACTIVE: delivered, or signed before
    the saga); else it is still pending, or was voided."""
    row = certificate_store.get_by_request(session=session, request_id=request_id)
    delivered = row is not None and row.status is CertificateStatus.ACTIVE
    db.end_reads(session)
    return delivered


def _halt_for_crash_test(point: str) -> None:
    """Crash tests (tests/crash) set ROKIN_TEST_HALT_AT=<point> on a web process to have it stop itself
    (SIGSTOP, the whole process) at exactly this step, then SIGKILL it — or the worker, and SIGCONT it.
    Inert in production: one environment lookup that finds nothing."""
    if os.environ.get(HALT_KEY) == point:
        log.warning("halted for a crash test at %s", point)
        os.kill(os.getpid(), signal.SIGSTOP)
