"""Workflows: one module per lifecycle. ``WORKFLOWS`` is what ``worker.py`` registers."""

from .certificate_lifecycle import CertificateLifecycleWorkflow
from .crl_refresh import CrlRefreshWorkflow
from .issuance import IssuanceWorkflow
from .lockout import LockoutWorkflow
from .notice import NoticeWorkflow
from .reconciliation import ReconciliationWorkflow
from .revocation_request import RevocationRequestWorkflow

WORKFLOWS = [NoticeWorkflow, LockoutWorkflow, IssuanceWorkflow, CertificateLifecycleWorkflow, CrlRefreshWorkflow,
             RevocationRequestWorkflow, ReconciliationWorkflow]
