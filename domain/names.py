"""Names shared by the worker, the web and operators: task queue, workflow IDs, search attributes.

Workflow IDs and search attributes carry opaque identifiers only (SPEC.md §4): organization
codes, user UUIDs, certificate serials, states — never names, e-mail addresses or secrets.
"""

from __future__ import annotations

import enum

TASK_QUEUE = "rokin"


class SearchAttributeType(enum.StrEnum):
    """How Temporal indexes a search attribute, spelled as the Temporal CLI takes it (``--type``)."""

    KEYWORD = "Keyword"  # exact match: codes, UUIDs, serials, states, numbers
    DATETIME = "Datetime"  # ranges: ``>= '2027-11-01T00:00:00+09:00'``


class SearchAttribute(enum.StrEnum):
    """The custom search attributes, each with its ``type``. Every server registers exactly these:
    ``rokin dev``, the tests and ``rokin simulate`` (``rokin.search_attributes``) and the compose
    stack's one-shot service (``docker-compose.yml``, checked against this list by ``tests/deploy``)."""

    ORGANIZATION_CODE = "RokinOrganizationCode"
    USER_UUID = "RokinUserUuid"
    CERTIFICATE_SERIAL = "RokinCertificateSerial"
    STATE = "RokinState"
    REQUEST_NUMBER = "RokinRequestNumber"
    CERTIFICATE_NOT_AFTER = "RokinCertificateNotAfter"  # a lifecycle's notAfter: "which expire this month"

    @property
    def type(self) -> SearchAttributeType:
        return _TYPES[self]


_TYPES = {
    SearchAttribute.ORGANIZATION_CODE: SearchAttributeType.KEYWORD,
    SearchAttribute.USER_UUID: SearchAttributeType.KEYWORD,
    SearchAttribute.CERTIFICATE_SERIAL: SearchAttributeType.KEYWORD,
    SearchAttribute.STATE: SearchAttributeType.KEYWORD,
    SearchAttribute.REQUEST_NUMBER: SearchAttributeType.KEYWORD,
    SearchAttribute.CERTIFICATE_NOT_AFTER: SearchAttributeType.DATETIME,
}


def notice_workflow_id(kind: str, subject_uuid: str, event_uuid: str) -> str:
    return f"notice/{kind}/{subject_uuid}/{event_uuid}"


def lockout_workflow_id(user_uuid: str) -> str:
    """The one lockout workflow of a user or staff account (``domain.lockout``)."""
    return f"lockout/{user_uuid}"


def issuance_workflow_id(request_id: str) -> str:
    """One issuance (発行 click) of a client certificate (``domain.certificates``)."""
    return f"issuance/{request_id}"


def certificate_workflow_id(serial: str) -> str:
    """The lifecycle of one certificate, by its serial in lower-case hex."""
    return f"certificate/{serial}"


def crl_schedule_id(task_queue: str) -> str:
    """The daily CRL regeneration of the worker on ``task_queue`` (one per task queue)."""
    return f"crl-refresh/{task_queue}"


def crl_workflow_id(task_queue: str) -> str:
    """CRL regeneration runs; the schedule appends its time to this ID."""
    return f"crl/{task_queue}"


def revocation_request_workflow_id(number: str) -> str:
    """One written revocation request, by its number (``domain.revocation.request_number``)."""
    return f"revocation-request/{number}"


def reconciliation_schedule_id(task_queue: str) -> str:
    """The daily reconciliation of the worker on ``task_queue`` (``workflows.schedules``)."""
    return f"reconciliation-daily/{task_queue}"


def reconciliation_workflow_id(task_queue: str) -> str:
    """Reconciliation runs; the schedule appends its time to this ID."""
    return f"reconciliation/{task_queue}"
