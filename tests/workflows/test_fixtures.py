"""The Temporal fixtures do what later tests rely on: search attributes, small histories, decoding."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.common import SearchAttributeIndexedValueType, SearchAttributePair, TypedSearchAttributes
from temporalio.worker import Worker

from domain.names import SearchAttribute
from tests.fixtures.temporal import SEARCH_ATTRIBUTES, history_json

from .probe_workflows import EchoSearchAttributes, GrowUntilContinueAsNewSuggested, do_nothing

A_MOMENT = datetime(2027, 11, 21, 23, 59, 59, tzinfo=timezone(timedelta(hours=9)))
EVERY_ATTRIBUTE = {key.name: A_MOMENT if key.indexed_value_type is SearchAttributeIndexedValueType.DATETIME
                   else f"value-{key.name}" for key in SEARCH_ATTRIBUTES}
LISTED_TYPE = {"Keyword": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
               "Datetime": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME}


async def test_dev_server_lists_every_search_attribute_with_its_type(dev_server_env):
    listed = await dev_server_env.client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=dev_server_env.client.namespace))
    assert [key.name for key in SEARCH_ATTRIBUTES] == [attribute.value for attribute in SearchAttribute]
    for attribute in SearchAttribute:
        assert listed.custom_attributes[attribute.value] == LISTED_TYPE[attribute.type], attribute
    assert listed.custom_attributes["RokinCertificateNotAfter"] == IndexedValueType.INDEXED_VALUE_TYPE_DATETIME


async def test_time_skipping_server_accepts_every_search_attribute(time_skipping_env, task_queue):
    # The test server cannot list search attributes, but it refuses to start a workflow that
    # carries an unregistered one ("search attribute ... is not defined").
    client = time_skipping_env.client
    attributes = TypedSearchAttributes([SearchAttributePair(key, EVERY_ATTRIBUTE[key.name])
                                        for key in SEARCH_ATTRIBUTES])
    async with Worker(client, task_queue=task_queue, workflows=[EchoSearchAttributes]):
        echoed = await client.execute_workflow(EchoSearchAttributes.run, id=str(uuid.uuid4()),
                                               task_queue=task_queue, search_attributes=attributes)
    assert echoed == {name: value if isinstance(value, str) else value.isoformat()
                      for name, value in EVERY_ATTRIBUTE.items()}


async def test_small_history_server_suggests_continue_as_new_after_40_events(
    dev_server_env_small_history, task_queue
):
    client = dev_server_env_small_history.client
    workflow_id = f"probe/{uuid.uuid4()}"
    async with Worker(client, task_queue=task_queue, workflows=[GrowUntilContinueAsNewSuggested],
                      activities=[do_nothing]):
        length = await client.execute_workflow(GrowUntilContinueAsNewSuggested.run, 1, id=workflow_id,
                                               task_queue=task_queue)
    assert 40 <= length < 60
    runs = json.loads(await history_json(client, workflow_id))  # follows the chain back to run 1
    assert len(runs) == 2
    assert runs[0]["events"][-1]["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW"
    assert runs[1]["events"][-1]["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED"


async def test_history_json_decodes_payloads(time_skipping_env, task_queue):
    client = time_skipping_env.client
    workflow_id = f"probe/{uuid.uuid4()}"
    attributes = TypedSearchAttributes([SearchAttributePair(SEARCH_ATTRIBUTES[0], "ラベル-value")])
    async with Worker(client, task_queue=task_queue, workflows=[EchoSearchAttributes]):
        await client.execute_workflow(EchoSearchAttributes.run, id=workflow_id, task_queue=task_queue,
                                      search_attributes=attributes, static_summary="見える要約")
    history = await history_json(client, workflow_id)
    assert "ラベル-value" in history  # search attribute payload and the result, decoded
    assert "見える要約" in history  # user metadata payload
    assert "json/plain" in history  # payload metadata decoded too
