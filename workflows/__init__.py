"""Workflows: one module per lifecycle. ``WORKFLOWS`` is what ``worker.py`` registers."""

from .lockout import LockoutWorkflow
from .notice import NoticeWorkflow

WORKFLOWS = [NoticeWorkflow, LockoutWorkflow]
