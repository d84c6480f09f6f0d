"""The 発行 POST (seed 001 ⑤→⑥→⑦) as SPEC.md §5 recommends: the key pair and CSR are made here in
memory, the issuance workflow checks eligibility again and signs, and the .p12 is built here in
memory with the password of the ticket. Nothing secret leaves this process or outlives the request.

Issuance is a saga (``workflows.issuance``): the signed certificate is pending delivery until this
process confirms it built the .p12, and only once that confirmation is answered — the certificate
is ACTIVE — is the .p12 handed over. If the confirmation fails, the user gets no file and the
"try again later" page; the workflow revokes the certificate at its deadline. So a crash of this
process at any step leaves no ACTIVE certificate whose key died with it.
"""

from __future__ import annotations

import base64
import logging
import os
import signal
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from flask import Flask, current_app
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.service import RPCError

from core.config import ConfigError
from domain.certificates import DELIVERY_DEADLINE, DeliveryState, IssuanceRefusal, IssuanceRequest, IssuedCertificate
from domain.validity import p12_file_name
from pki.csr import new_key_and_csr
from pki.pkcs12 import build_p12
from store.models import User
from usecases.ports import TemporalUnavailable
from workflows import certificate_client

log = logging.getLogger(__name__)

# The bridge waits a little longer than the client helpers, which give up first and say why.
BRIDGE_SLACK_SECONDS = 5
# Until core.config carries it: the delivery deadline (seconds) in the app's config, copied from the
# environment variable of the same name when the blueprint is registered (``configure``).
DEADLINE_KEY = "ROKIN_DELIVERY_DEADLINE_SECONDS"
# Crash tests only (tests/crash): the step at which this process stops itself. Unset in production.
HALT_KEY = "ROKIN_TEST_HALT_AT"


# How a call to the issuance fails when the user can only try again later: Temporal or the worker
# did not answer (``TemporalUnavailable``), signing failed for good (the workflow or its ``signed``
# update failed), the confirmation was rejected or failed (deadline passed), or the server said no.
ISSUANCE_FAILURES = (TemporalUnavailable, WorkflowFailureError, WorkflowUpdateFailedError, RPCError)


class IssuanceUnavailable(Exception):
    """Temporal, the worker or the CA did not answer in time: "try again later"."""


class AlreadyDelivered(Exception):
    """This ticket's request ID was issued already (a second 発行 POST); the key that matches that
    certificate belonged to the first request and is gone, so nothing can be delivered again."""

    def __init__(self, delivery: DeliveryState | None) -> None:
        super().__init__("already issued")
        self.delivered = delivery in (DeliveryState.DELIVERED, None)  # None: issued before the saga


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


def configure(app: Flask) -> None:
    """Put the delivery deadline into the app's config (an explicit config value wins)."""
    raw = app.config.get(DEADLINE_KEY, os.environ.get(DEADLINE_KEY, int(DELIVERY_DEADLINE.total_seconds())))
    try:
        seconds = int(raw)
    except (TypeError, ValueError):
        seconds = 0
    if seconds < 1:
        raise ConfigError(f"{DEADLINE_KEY} must be a whole number of seconds, at least 1, not {raw!r}")
    app.config[DEADLINE_KEY] = seconds


def issue_certificate(user: User, password: str, request_id: str) -> Delivery | IssuanceRefusal:
    """Issue a certificate to ``user`` and pack it with ``password``; or the workflow's refusal."""
    key_and_csr = new_key_and_csr(user.user_id)
    deadline = timedelta(seconds=current_app.config[DEADLINE_KEY])
    request = IssuanceRequest(request_id, str(user.uuid), key_and_csr.csr_pem, int(deadline.total_seconds()))
    bridge = current_app.extensions["rokin"].bridge  # the process's TemporalBridge (usecases.bridge)
    _halt_for_crash_test("before_sign")
    try:
        outcome = bridge.call(
            lambda client: certificate_client.begin_issuance(client, request, task_queue=bridge.task_queue),
            timeout=certificate_client.SIGNING_WAIT.total_seconds() + BRIDGE_SLACK_SECONDS)
    except ISSUANCE_FAILURES as error:  # no answer, or signing failed for good: the same page for the user
        log.warning("issuance %s failed: %s", request_id, type(error).__name__)
        raise IssuanceUnavailable from None
    if outcome.refusal is not None:
        return outcome.refusal
    issued = outcome.certificate
    assert issued is not None
    certificate = x509.load_pem_x509_certificate(issued.certificate_pem.encode("ascii"))
    if certificate.public_key() != key_and_csr.key.public_key():
        raise AlreadyDelivered(outcome.delivery)
    _halt_for_crash_test("after_sign")
    p12 = build_p12(key=key_and_csr.key, certificate=certificate, password=password, user_id=user.user_id)
    _halt_for_crash_test("before_confirm")
    try:
        bridge.call(
            lambda client: certificate_client.confirm_delivery(client, request_id=request_id, serial=issued.serial,
                                                               delivery_deadline=deadline),
            timeout=certificate_client.confirmation_wait(deadline).total_seconds() + BRIDGE_SLACK_SECONDS)
    except ISSUANCE_FAILURES as error:  # no confirmation, no file: the workflow voids the certificate
        log.warning("delivery of issuance %s not confirmed: %s", request_id, type(error).__name__)
        raise IssuanceUnavailable from None
    return Delivery(certificate=issued, file_name=p12_file_name(user.user_id, issued.not_before), p12=p12)


def _halt_for_crash_test(point: str) -> None:
    """Crash tests (tests/crash) set ROKIN_TEST_HALT_AT=<point> on a web process to have it stop
    itself (SIGSTOP, the whole process) at exactly this step, then SIGKILL it — or the worker, and
    SIGCONT it. Inert in production: one environment lookup that finds nothing."""
    if os.environ.get(HALT_KEY) == point:
        log.warning("halted for a crash test at %s", point)
        os.kill(os.getpid(), signal.SIGSTOP)
