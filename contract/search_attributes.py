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


def attributes(*, organization_code: str = "", user_uuid: str = "", certificate_serial: str = "", state: str = "",
               request_number: str = "", not_after: datetime | None = None) -> TypedSearchAttributes:
    """Start-time search attributes; empty values are left out (a staff account has no organization)."""
    keyword_pairs = [SearchAttributePair(key, value) for key, value in (
        (REQUEST_NUMBER, request_number), (ORGANIZATION_CODE, organization_code), (USER_UUID, user_uuid),
        (CERTIFICATE_SERIAL, certificate_serial), (STATE, state)) if value]
    pairs: list[SearchAttributePair[str] | SearchAttributePair[datetime]] = [*keyword_pairs]
    if not_after is not None:
        pairs.append(SearchAttributePair(CERTIFICATE_NOT_AFTER, not_after))
    return TypedSearchAttributes(pairs)
