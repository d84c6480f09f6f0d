"""The product's search attributes (``domain.names.SearchAttribute``) as each Temporal server takes them.

Unregistered attributes make a workflow start fail, or a workflow task fail for ever on an upsert,
so every server gets the whole set with the same types: the dev server of ``rokin dev``
(``dev_server_flags`` at start, ``create_commands`` for attributes added since its database was
made), the test fixtures' and ``rokin simulate``'s servers (``KEYS``, ``register``), and the
compose stack (its one-shot service; ``tests/deploy`` checks it names these with these types).
"""

from __future__ import annotations

from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey

from domain.names import SearchAttribute, SearchAttributeType

_KEY_OF_TYPE = {
    SearchAttributeType.KEYWORD: SearchAttributeKey.for_keyword,
    SearchAttributeType.DATETIME: SearchAttributeKey.for_datetime,
}
_INDEXED_TYPE = {
    SearchAttributeType.KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SearchAttributeType.DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
}


def key(attribute: SearchAttribute) -> SearchAttributeKey:
    """The typed key the SDK sets and reads ``attribute`` with."""
    return _KEY_OF_TYPE[attribute.type](attribute.value)


KEYS = [key(attribute) for attribute in SearchAttribute]  # for ``WorkflowEnvironment.start_local``


async def register(client: Client) -> None:
    """Register every attribute through the operator service (the time-skipping server has no start flag)."""
    await client.operator_service.add_search_attributes(AddSearchAttributesRequest(
        namespace=client.namespace,
        search_attributes={attribute.value: _INDEXED_TYPE[attribute.type] for attribute in SearchAttribute},
    ))


def dev_server_flags() -> list[str]:
    """``temporal server start-dev`` flags that create them with a new database."""
    return [flag for attribute in SearchAttribute
            for flag in ("--search-attribute", f"{attribute.value}={attribute.type}")]


def create_commands(temporal: Path, address: str) -> list[list[str]]:
    """``temporal operator search-attribute create`` calls, one per attribute: given several names
    while some exist already, the dev server (1.9.1, SQLite) adds only the first missing one. Creating
    an attribute that exists with the same type succeeds, so they may run at every start."""
    return [[str(temporal), "operator", "search-attribute", "create", "--address", address,
             "--name", attribute.value, "--type", attribute.type.value] for attribute in SearchAttribute]
