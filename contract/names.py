"""Names Temporal knows the product by: workflow types, their updates, signals and queries, and
workflow IDs. Renaming any of them breaks running workflows and recorded histories
(``tests/test_replay.py``): they are here once, and both sides — the workflow's decorators and
the clients — read them from here.

Workflow IDs carry opaque identifiers only (SPEC.md §4): UUIDs, serials, request numbers.
"""

from __future__ import annotations

import enum


class WorkflowType(enum.StrEnum):
    LOCKOUT = "LockoutWorkflow"
    ISSUANCE = "IssuanceWorkflow"
    CERTIFICATE_LIFECYCLE = "CertificateLifecycleWorkflow"
    REVOCATION_REQUEST = "RevocationRequestWorkflow"
    NOTICE = "NoticeWorkflow"
    CRL_REFRESH = "CrlRefreshWorkflow"
    RECONCILIATION = "ReconciliationWorkflow"


class IssuanceUpdate(enum.StrEnum):
    SIGNED = "signed"  # sent with the start: the certificate as soon as it is signed
    CONFIRM_DELIVERY = "confirm_delivery"  # the web built the .p12 (webs from before issue 14; the simulator)


class IssuanceSignal(enum.StrEnum):
    DELIVERED = "delivered"  # issue 14: the web built the .p12 and recorded the delivery itself


class LockoutUpdate(enum.StrEnum):
    ATTEMPT = "attempt"
    UNLOCK = "unlock"
    UNBLOCK = "unblock"


LOCKOUT_STATUS_QUERY = "current_status"
# A lockout validator's refusal while the run hands over to the next one: the caller retries at once.
LOCKOUT_CONTINUING = "Continuing"


class RequestUpdate(enum.StrEnum):
    """The written revocation request's staff and owner actions."""

    RECEIVE = "receive"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


REQUEST_STATUS_QUERY = "status"
CERTIFICATE_ENDED_SIGNAL = "certificate_ended"  # to a request: its certificate ended by another route


class LifecycleSignal(enum.StrEnum):
    RENEWED = "renewed"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


LIFECYCLE_STATE_QUERY = "state"


def lockout_workflow_id(user_uuid: str) -> str:
    """The one lockout workflow of a user or staff account (``domain.lockout``)."""
    return f"lockout/{user_uuid}"


def issuance_workflow_id(request_id: str) -> str:
    """One issuance (発行 click) of a client certificate (``domain.certificates``)."""
    return f"issuance/{request_id}"


def certificate_workflow_id(serial: str) -> str:
    """The lifecycle of one certificate, by its serial in lower-case hex."""
    return f"certificate/{serial}"


def revocation_request_workflow_id(number: str) -> str:
    """One written revocation request, by its number (``domain.revocation.request_number``)."""
    return f"revocation-request/{number}"


def notice_workflow_id(kind: str, subject_uuid: str, event_uuid: str) -> str:
    """One e-mail: its kind, its recipient and a fresh UUID per event."""
    return f"notice/{kind}/{subject_uuid}/{event_uuid}"


def crl_schedule_id(task_queue: str) -> str:
    """The daily CRL regeneration of the worker on ``task_queue`` (one per task queue)."""
    return f"crl-refresh/{task_queue}"


def crl_workflow_id(task_queue: str) -> str:
    """CRL regeneration runs; the schedule appends its time to this ID."""
    return f"crl/{task_queue}"


def reconciliation_schedule_id(task_queue: str) -> str:
    """The daily reconciliation of the worker on ``task_queue`` (``contract.schedules``)."""
    return f"reconciliation-daily/{task_queue}"


def reconciliation_workflow_id(task_queue: str) -> str:
    """Reconciliation runs; the schedule appends its time to this ID."""
    return f"reconciliation/{task_queue}"
