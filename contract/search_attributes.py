"""The typed search-attribute keys, one object each (the names and types: ``domain.names.SearchAttribute``,
which every server registers). Values are identifiers only — never names or addresses."""

from __future__ import annotations

from datetime import datetime

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from domain.names import SearchAttribute

ORGANIZATION_CODE = SearchAttributeKey.for_keyword(SearchAttribute.ORGANIZATION_CODE.value)
USER_UUID = SearchAttributeKey.for_keyword(SearchAttribute.USER_UUID.value)
CERTIFICATE_SERIAL = SearchAttributeKey.for_keyword(SearchAttribute.CERTIFICATE_SERIAL.value)
STATE = SearchAttributeKey.for_keyword(SearchAttribute.STATE.value)
REQUEST_NUMBER = SearchAttributeKey.for_keyword(SearchAttribute.REQUEST_NUMBER.value)
CERTIFICATE_NOT_AFTER = SearchAttributeKey.for_datetime(SearchAttribute.CERTIFICATE_NOT_AFTER.value)
BANK_CODE = SearchAttributeKey.for_keyword(SearchAttribute.BANK_CODE.value)


def attributes(*, organization_code: str = "", user_uuid: str = "", certificate_serial: str = "", state: str = "",
               request_number: str = "", not_after: datetime | None = None,
               bank_code: str = "") -> TypedSearchAttributes:
    """Start-time search attributes; empty values are left out (a staff account has no organization, an
    organization registered before issue 16 may have no 労金 yet).

    ``bank_code`` is set only here, at the start, never upserted by a workflow: recorded histories
    replay unchanged, and an organization's 労金 does not change once assigned."""
    keyword_pairs = [SearchAttributePair(key, value) for key, value in (
        (REQUEST_NUMBER, request_number), (ORGANIZATION_CODE, organization_code), (USER_UUID, user_uuid),
        (CERTIFICATE_SERIAL, certificate_serial), (STATE, state), (BANK_CODE, bank_code)) if value]
    pairs: list[SearchAttributePair[str] | SearchAttributePair[datetime]] = [*keyword_pairs]
    if not_after is not None:
        pairs.append(SearchAttributePair(CERTIFICATE_NOT_AFTER, not_after))
    return TypedSearchAttributes(pairs)
