"""Certificate activities: sign (idempotently), mirror the lifecycle to the database, publish the CRL.

Only these activities read the CA private key (``pki.ca.CaLoader``, loaded at first use).

``sign_certificate`` is keyed by the issuance's request ID: with the organization locked it
looks for a certificate already recorded for that request and returns it unchanged; otherwise
it checks eligibility, signs with a fresh CSPRNG serial and records the row in the same
transaction. A retry — after a timeout, or a worker killed after the commit but before it could
report — therefore returns the same certificate, never a second one; a worker killed before the
commit leaves nothing behind, and the certificate it had signed never left its memory.

Issuance saga (issue 11): the issuance records the certificate PENDING_DELIVERY; ``record_delivery``
makes it ACTIVE once the web confirmed the .p12, and ``void_issuance`` revokes it when that never
happens (or when signing itself failed for good) and republishes the CRL.

Issue 14: the issuance runs ``sign_certificate`` and ``record_delivery`` as local activities, in the
workflow task; a worker killed after the commit but before that task completed makes the next
worker run them again — and get the same certificate, or find it ACTIVE already (``tests/crash``
halts a worker right there: ``HALT_KEY``).

Also issue 14: the web records the delivery itself (``usecases.issuance``); at the deadline an issuance
that leaves it to the web runs ``settle_delivery``, which keeps a certificate the web made ACTIVE and
voids one still pending — under the row's lock, so the web's record and the void never both happen.

Blocking work (SQLAlchemy, RSA signing, files) runs in ``asyncio.to_thread``, as in ``activities.mail``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError

from contract import certificate_client
from domain.certificates import (
    CrlPublished,
    DeliveryRecord,
    EndingRequest,
    IssuanceOutcome,
    IssuanceRefusal,
    IssuedCertificate,
    LifecycleInput,
    Milestone,
    MilestoneReport,
    MilestoneRequest,
    SigningRequest,
)
from domain.roles import CertificateStatus
from pki.ca import CaLoader, CaUnusable, ClientCa
from pki.crl import RevokedEntry, build_crl, crl_number_for, crl_write_lock, write_crl
from pki.csr import InvalidCsr, parse_csr
from pki.issue import (
    CertificateSubject,
    build_client_certificate,
    certificate_pem,
    fingerprint_sha256,
    new_serial,
    serial_hex,
)
from pki.ocsp_responder import ensure_responder
from store import branches, users
from store import certificates as certificate_store
from store.models import Certificate
from store.organizations import lock_organization

VOIDED_REASON = certificate_store.UNDELIVERED_REASON  # signed, recorded, never delivered
# Crash tests only (tests/crash), as usecases.issuance's: ROKIN_TEST_HALT_AT=worker_signed on a worker
# stops it (SIGSTOP) just after a new certificate is committed, before its workflow task completes.
HALT_KEY = "ROKIN_TEST_HALT_AT"
HALT_AFTER_SIGNING = "worker_signed"

log = logging.getLogger(__name__)


class CertificateActivities:
    def __init__(self, session_factory: sessionmaker[Session], ca: CaLoader, *, crl_dir: Path, crl_url: str,
                 ocsp_url: str | None = None) -> None:
        self.session_factory = session_factory
        self.ca = ca
        self.crl_dir = crl_dir
        self.crl_url = crl_url
        self.ocsp_url = ocsp_url

    @activity.defn
    async def sign_certificate(self, request: SigningRequest) -> IssuanceOutcome:
        """The request's certificate (existing or new), or why the user may not have one."""
        return await asyncio.to_thread(self._sign, request)

    @activity.defn
    async def start_lifecycle(self, request: LifecycleInput) -> None:
        """Start the certificate's lifecycle workflow, once (a retry finds it running).

        Started from here rather than as a child, so it has no parent: a year-long workflow
        should not hang off a two-second one. Its RokinBankCode is looked up here, at the start, so the
        issuance workflow that made ``request`` needs no change.
        """
        bank_code = await asyncio.to_thread(self._bank_code, request.organization_code)
        await certificate_client.start_lifecycle(activity.client(), request, task_queue=activity.info().task_queue,
                                                 id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,  # once
                                                 bank_code=bank_code)

    @activity.defn
    async def record_delivery(self, record: DeliveryRecord) -> None:
        """The web confirmed it built the .p12: the request's pending certificate becomes ACTIVE."""
        await asyncio.to_thread(self._deliver, record)

    @activity.defn
    async def void_issuance(self, request_id: str) -> bool:
        """Revoke the request's certificate that nobody received: signing failed for the workflow
        (what a lost attempt may still have recorded), or the delivery was never confirmed."""
        voided, revoked = await asyncio.to_thread(self._void, request_id)
        if revoked:  # also when an earlier attempt revoked it but failed to publish the CRL
            await asyncio.to_thread(self._publish_crl)
        return voided

    @activity.defn
    async def settle_delivery(self, request_id: str) -> bool:
        """The deadline of an issuance whose web records the delivery itself: True if it did (ACTIVE);
        otherwise the certificate still pending is revoked as undelivered, as by ``void_issuance``."""
        delivered, revoked = await asyncio.to_thread(self._settle, request_id)
        if revoked:
            await asyncio.to_thread(self._publish_crl)
        return delivered

    @activity.defn
    async def reach_milestone(self, request: MilestoneRequest) -> MilestoneReport:
        """At day 336, 7 days before, and expiry: the database's view (and at expiry, EXPIRED)."""
        return await asyncio.to_thread(self._reach, request)

    @activity.defn
    async def record_ending(self, request: EndingRequest) -> bool:
        return await asyncio.to_thread(self._record_ending, request)

    @activity.defn
    async def publish_crl(self) -> CrlPublished:
        return await asyncio.to_thread(self._publish_crl)

    # --- the blocking halves ----------------------------------------------------------------

    def _sign(self, request: SigningRequest) -> IssuanceOutcome:
        outcome = self._sign_and_record(request)  # committed
        if outcome.certificate is not None and os.environ.get(HALT_KEY) == HALT_AFTER_SIGNING:
            log.warning("halted for a crash test at %s", HALT_AFTER_SIGNING)
            os.kill(os.getpid(), signal.SIGSTOP)
        return outcome

    def _sign_and_record(self, request: SigningRequest) -> IssuanceOutcome:
        try:
            csr = parse_csr(request.csr_pem)
        except InvalidCsr:
            return IssuanceOutcome(refusal=IssuanceRefusal.INVALID_CSR)
        ca = self._ca()
        now = request.requested_at
        with self.session_factory.begin() as session:
            user = users.get_by_uuid(session=session, user_uuid=request.user_uuid)
            if user is None:
                return IssuanceOutcome(refusal=IssuanceRefusal.USER_NOT_ACTIVE)
            lock_organization(session=session, organization_id=user.organization_id)
            row = certificate_store.get_by_request(session=session, request_id=request.request_id)
            if row is None:
                if (refusal := certificate_store.refusal_for(session=session, user=user, now=now)) is not None:
                    return IssuanceOutcome(refusal=refusal)
                certificate = build_client_certificate(
                    ca=ca, csr=csr, subject=CertificateSubject(user.user_id, user.organization.code),
                    serial=new_serial(), issued_at=now, crl_url=self.crl_url, ocsp_url=self.ocsp_url)
                row = certificate_store.record_issued(session=session, user=user, new=certificate_store.NewCertificate(
                    request_id=request.request_id, serial=serial_hex(certificate.serial_number),
                    certificate_pem=certificate_pem(certificate), fingerprint_sha256=fingerprint_sha256(certificate),
                    not_before=certificate.not_valid_before_utc, not_after=certificate.not_valid_after_utc),
                    pending=request.awaiting_delivery)
            elif str(row.owner_uuid) != request.user_uuid:
                raise ApplicationError("request ID reused for another user", type="RequestIdReused",
                                       non_retryable=True)
            return IssuanceOutcome(certificate=self._issued(session, row, user.organization.code, now))

    @staticmethod
    def _issued(session: Session, row: Certificate, organization_code: str, now: datetime) -> IssuedCertificate:
        return IssuedCertificate(
            serial=row.serial, certificate_pem=row.certificate_pem, user_uuid=str(row.owner_uuid),
            organization_code=organization_code, not_before=row.not_before,
            not_after=row.not_after,
            renews=certificate_store.renewed_by_others(session=session, certificate=row, now=now))

    def _bank_code(self, organization_code: str) -> str:
        with self.session_factory() as session:
            return branches.bank_code_of(session=session, organization_code=organization_code)

    def _ca(self) -> ClientCa:
        try:
            return self.ca.get()
        except CaUnusable as error:  # retried: an operator may be putting the files in place
            raise ApplicationError(str(error), type="CaUnusable") from None

    def _deliver(self, record: DeliveryRecord) -> None:
        with self.session_factory.begin() as session:
            row = certificate_store.get_by_request(session=session, request_id=record.request_id)
            if row is None:
                raise ApplicationError("no certificate for this request", type="CertificateNotFound",
                                       non_retryable=True)
            try:
                certificate_store.record_delivery(session=session, certificate=row, at=record.at)
            except certificate_store.NotDeliverable:
                raise ApplicationError("the certificate is no longer pending", type="NotDeliverable",
                                       non_retryable=True) from None

    def _void(self, request_id: str) -> tuple[bool, bool]:
        """(revoked by this call, revoked at all) for the request's certificate; locked, as against the
        web's record of its delivery (issue 14)."""
        at = datetime.now(timezone.utc)
        with self.session_factory.begin() as session:
            row = certificate_store.get_by_request(session=session, request_id=request_id, lock=True)
            if row is None:
                return False, False
            if row.status is CertificateStatus.PENDING_DELIVERY:
                voided = certificate_store.void_undelivered(session=session, certificate=row, at=at)
            else:
                # ACTIVE: recorded by an issuance from before the saga, or delivered by an attempt whose
                # answer the workflow never got (it gave up and told the web): nobody holds the .p12.
                voided = certificate_store.end_certificate(session=session, certificate=row,
                                                           status=CertificateStatus.REVOKED, reason=VOIDED_REASON,
                                                           at=at)
            return voided, row.status is CertificateStatus.REVOKED

    def _settle(self, request_id: str) -> tuple[bool, bool]:
        """(delivered, revoked) for the request's certificate."""
        with self.session_factory.begin() as session:
            row = certificate_store.get_by_request(session=session, request_id=request_id, lock=True)
            if row is None:
                return False, False
            if row.status is CertificateStatus.PENDING_DELIVERY:
                certificate_store.void_undelivered(session=session, certificate=row, at=datetime.now(timezone.utc))
            delivered = row.status is CertificateStatus.ACTIVE and row.delivered_at is not None
            return delivered, row.status is CertificateStatus.REVOKED

    def _reach(self, request: MilestoneRequest) -> MilestoneReport:
        with self.session_factory.begin() as session:
            row = certificate_store.get_by_serial(session=session, serial=request.serial)
            if row is None:
                raise ApplicationError("no such certificate", type="CertificateNotFound", non_retryable=True)
            if request.milestone is Milestone.EXPIRY:
                certificate_store.mark_expired(session=session, certificate=row)
            # Renewed: a newer one is live now, or (at expiry) was live just before this one ended.
            moment = min(request.now, row.not_after)
            return MilestoneReport(status=row.status,
                                   renewed=certificate_store.has_newer_live(session=session, certificate=row,
                                                                            now=moment))

    def _record_ending(self, request: EndingRequest) -> bool:
        with self.session_factory.begin() as session:
            row = certificate_store.get_by_serial(session=session, serial=request.serial)
            if row is None:
                raise ApplicationError("no such certificate", type="CertificateNotFound", non_retryable=True)
            return certificate_store.end_certificate(session=session, certificate=row, status=request.status,
                                                     reason=request.reason, at=request.at)

    def _publish_crl(self) -> CrlPublished:
        ca = self._ca()
        with crl_write_lock(self.crl_dir):
            now = datetime.now(timezone.utc).replace(microsecond=0)
            with self.session_factory() as session:
                rows = certificate_store.crl_rows(session=session, now=now)
            entries = [RevokedEntry(int(row.serial, 16), row.revoked_at, row.reason) for row in rows]
            number = crl_number_for(now)
            write_crl(self.crl_dir, build_crl(ca=ca, entries=entries, now=now, crl_number=number))
            # Issue 5: the delegated OCSP responder pair the web signs with, renewed well before it ends
            # (this runs at least daily); only the worker holds the CA key to make it.
            ensure_responder(self.crl_dir, ca, now)
        return CrlPublished(crl_number=number, revoked_count=len(entries))
