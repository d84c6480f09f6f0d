"""The 発行 POST (seed 001 ⑤→⑥→⑦) as SPEC.md §5 recommends: the key pair and CSR are made here in
memory, the issuance workflow checks eligibility again and signs, and the .p12 is built here in
memory with the password of the ticket. Nothing secret leaves this process or outlives the request.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from flask import current_app

from domain.certificates import IssuanceRefusal, IssuedCertificate
from domain.validity import p12_file_name
from pki.csr import new_key_and_csr
from pki.pkcs12 import build_p12
from store.models import User
from workflows import certificate_client

log = logging.getLogger(__name__)

# The bridge waits a little longer than the client helper, which gives up first and says why.
BRIDGE_SLACK_SECONDS = 5


class IssuanceUnavailable(Exception):
    """Temporal, the worker or the CA did not answer in time: "try again later"."""


class AlreadyDelivered(Exception):
    """This ticket's request ID was issued already (a second 発行 POST); the key that matches that
    certificate belonged to the first request and is gone, so nothing can be delivered again."""


@dataclass(frozen=True)
class Delivery:
    """What ⑦ 発行結果 shows and downloads."""

    certificate: IssuedCertificate
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


def issue_certificate(user: User, password: str, request_id: str) -> Delivery | IssuanceRefusal:
    """Issue a certificate to ``user`` and pack it with ``password``; or the workflow's refusal."""
    key_and_csr = new_key_and_csr(user.user_id)
    bridge = current_app.extensions["rokin"].bridge
    try:
        outcome = bridge.call(
            lambda client: certificate_client.issue(
                client, user_uuid=str(user.uuid), csr_pem=key_and_csr.csr_pem, request_id=request_id,
                task_queue=bridge.task_queue),
            timeout=certificate_client.ISSUANCE_WAIT.total_seconds() + BRIDGE_SLACK_SECONDS)
    except Exception as error:  # noqa: BLE001  any failure is the same page for the user
        log.warning("issuance %s failed: %s", request_id, type(error).__name__)
        raise IssuanceUnavailable from None
    if outcome.refusal is not None:
        return outcome.refusal
    issued = outcome.certificate
    assert issued is not None
    certificate = x509.load_pem_x509_certificate(issued.certificate_pem.encode("ascii"))
    if certificate.public_key() != key_and_csr.key.public_key():
        raise AlreadyDelivered
    p12 = build_p12(key=key_and_csr.key, certificate=certificate, password=password, user_id=user.user_id)
    return Delivery(certificate=issued, file_name=p12_file_name(user.user_id, issued.not_before), p12=p12)
