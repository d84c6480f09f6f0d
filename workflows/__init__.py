"""Workflows: one module per lifecycle. ``WORKFLOWS`` is what ``worker.py`` registers."""

from .certificate_lifecycle import CertificateLifecycleWorkflow
from .issuance import IssuanceWorkflow
from .lockout import LockoutWorkflow
from .notice import NoticeWorkflow

WORKFLOWS = [NoticeWorkflow, LockoutWorkflow, IssuanceWorkflow, CertificateLifecycleWorkflow]
