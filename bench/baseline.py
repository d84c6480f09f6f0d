"""The floors the product is measured against, in the same run on the same machine and server.

- ``BareTemporal``: the bare workflows of ``bench.bare`` in their own worker process on the
  stack's dev server, driven through the same kind of client the web uses (``TemporalBridge``):
  ``workflow()`` starts one with a no-op local activity — the product's eager settings (issue 14) —
  and waits for its result; ``regular_workflow()`` the same with a regular activity on a worker
  without eager activity dispatch (the old floor, a plain Temporal program's); ``update(workflow_id)``
  sends one update.
- ``raw_crypto``: what issuance must compute, without Temporal or the web — RSA-2048 key pair and
  CSR (``pki.csr``), the CSR checked and the certificate signed by the product's CA with the
  product's contents (``pki.issue``), and the .p12 built (``pki.pkcs12``) — the product's own
  functions and parameters.
- ``argon2_verification``: one check of a password against a hash with the production parameters.
"""

from __future__ import annotations

import sys
import uuid
from datetime import datetime, timezone

from temporalio.converter import DataConverter

from core.config import Settings
from pki.ca import ClientCa, load_client_ca
from pki.csr import new_key_and_csr, parse_csr
from pki.issue import CertificateSubject, build_client_certificate, new_serial
from pki.pkcs12 import build_p12
from store.passwords import verify_password
from usecases.bridge import TemporalBridge

from .bare import BareLocalWorkflow, BareWorkflow, IdleWorkflow
from .people import PASSWORD, PRODUCTION_HASH
from .stack import Stack

BARE_TASK_QUEUE = "bench-bare"
PLAIN_TASK_QUEUE = "bench-bare-plain"  # the old floor's worker: no eager activity dispatch
BARE_WORKFLOW_LABEL = "bare workflow (start, one no-op local activity, result)"
BARE_REGULAR_LABEL = "old bare workflow (start, one no-op regular activity, no eager dispatch, result)"
BARE_UPDATE_LABEL = "bare update (one update on a running workflow)"
RAW_CRYPTO_LABEL = "raw cryptography (RSA-2048 key + CSR, sign, .p12)"
ARGON2_LABEL = "argon2id verification (production parameters)"


class BareTemporal:
    """The bare workflows' worker (a process of the stack, ``bare-worker``) and calls to them."""

    def __init__(self, stack: Stack) -> None:
        # A plain Temporal program, as the bare worker (bench.bare) is: no payload codec. The product's
        # AES-GCM on its small payloads costs microseconds, so it stays inside the ratio honestly.
        self.bridge = TemporalBridge(stack.temporal_address, stack.settings.temporal_namespace, BARE_TASK_QUEUE,
                                     converter=lambda: DataConverter.default)
        stack.spawn("bare-worker", [sys.executable, "-m", "bench.bare", "--address", stack.temporal_address,
                                    "--task-queue", BARE_TASK_QUEUE],
                    ready=lambda process: stack.polls(process, BARE_TASK_QUEUE))
        stack.spawn("bare-worker-plain", [sys.executable, "-m", "bench.bare", "--address", stack.temporal_address,
                                          "--task-queue", PLAIN_TASK_QUEUE, "--plain"],
                    ready=lambda process: stack.polls(process, PLAIN_TASK_QUEUE))

    def workflow(self) -> None:
        """Start a bare workflow (one no-op local activity, as the product signs) and wait for its result."""
        self.bridge.call(lambda client: client.execute_workflow(
            BareLocalWorkflow.run, id=f"bench-bare/{uuid.uuid4()}", task_queue=BARE_TASK_QUEUE))

    def regular_workflow(self) -> None:
        """Start a bare workflow with one no-op regular activity, its worker without eager activity
        dispatch (the old floor, a plain Temporal program's), and wait for its result."""
        self.bridge.call(lambda client: client.execute_workflow(
            BareWorkflow.run, id=f"bench-bare/{uuid.uuid4()}", task_queue=PLAIN_TASK_QUEUE))

    def start_idle(self) -> str:
        """A running workflow that answers updates; its ID."""
        workflow_id = f"bench-idle/{uuid.uuid4()}"
        self.bridge.call(lambda client: client.start_workflow(IdleWorkflow.run, id=workflow_id,
                                                              task_queue=BARE_TASK_QUEUE))
        return workflow_id

    def update(self, workflow_id: str) -> None:
        """One update on ``workflow_id`` (``start_idle``), waiting for its answer."""
        self.bridge.call(lambda client: client.get_workflow_handle_for(IdleWorkflow.run, workflow_id)
                         .execute_update(IdleWorkflow.touch, True))


def client_ca(settings: Settings) -> ClientCa:
    return load_client_ca(settings.ca_certificate_path, settings.ca_key_path, settings.ca_key_passphrase)


def raw_crypto(ca: ClientCa, settings: Settings, user_id: str = "BENCH00001") -> bytes:
    """One issuance's cryptography, as the web and the signing activity do it; the .p12."""
    key_and_csr = new_key_and_csr(user_id)
    certificate = build_client_certificate(
        ca=ca, csr=parse_csr(key_and_csr.csr_pem), subject=CertificateSubject(user_id, "BENCH"), serial=new_serial(),
        issued_at=datetime.now(timezone.utc), crl_url=settings.crl_url, ocsp_url=settings.ocsp_url)
    return build_p12(key=key_and_csr.key, certificate=certificate, password=PASSWORD, user_id=user_id)


def argon2_verification() -> None:
    if not verify_password(PRODUCTION_HASH, PASSWORD):
        raise AssertionError("the production hash does not verify")
