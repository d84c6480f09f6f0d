"""Names shared by the worker, the web and operators: the task queue and the search attributes
(workflow types and IDs: ``contract.names``).

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
    BANK_CODE = "RokinBankCode"  # the organization's 労金 (domain.banks), set at the start: "this 労金's work"

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
    SearchAttribute.BANK_CODE: SearchAttributeType.KEYWORD,
}
