"""``TemporalBridge``: the one place where "no answer from Temporal" becomes ``TemporalUnavailable``,
against a real dev server, an address where nothing listens, and a worker that never comes."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio.service import RPCError, RPCStatusCode

from domain.lockout import LockoutInput, SubjectKind
from tests.fixtures.mail import free_port
from tests.fixtures.payload_keys import TEST_CONVERTER
from usecases.bridge import TemporalBridge
from usecases.gateway import TemporalGateway
from usecases.ports import TemporalUnavailable


def test_nothing_listening_is_unavailable_not_timed_out():
    bridge = TemporalBridge(f"127.0.0.1:{free_port()}", "default", "nowhere", converter=lambda: TEST_CONVERTER)
    with pytest.raises(TemporalUnavailable) as raised:
        bridge.call(lambda client: client.count_workflows(), timeout=10)
    assert not raised.value.timed_out


async def test_no_worker_on_the_queue_is_a_time_out(dev_server_env):  # noqa: ANN001
    """The lockout arbiter's workflow starts but nobody runs it: refused as "no answer", after the deadline."""
    address = dev_server_env.client.service_client.config.target_host
    gateway = TemporalGateway(TemporalBridge(address, "default", f"no-worker-{uuid.uuid4()}",
                                             converter=lambda: TEST_CONVERTER), lockout_deadline=0.5)
    subject = LockoutInput(str(uuid.uuid4()), "1234", SubjectKind.GENERAL)
    with pytest.raises(TemporalUnavailable) as raised:
        await asyncio.to_thread(gateway.judge_attempt, subject, password_ok=True)
    assert raised.value.timed_out


async def test_a_bug_or_a_refusal_passes_through_unchanged(dev_server_env):  # noqa: ANN001
    bridge = TemporalBridge(dev_server_env.client.service_client.config.target_host, "default", "q",
                            converter=lambda: TEST_CONVERTER)

    async def buggy(_client):  # noqa: ANN001, ANN202
        return {}["missing"]

    with pytest.raises(KeyError):
        await asyncio.to_thread(bridge.call, buggy)

    async def describe_nothing(client):  # noqa: ANN001, ANN202
        return await client.get_workflow_handle(f"nothing/{uuid.uuid4()}").describe()

    with pytest.raises(RPCError) as raised:  # NOT_FOUND is an answer, not a transport failure
        await asyncio.to_thread(bridge.call, describe_nothing)
    assert raised.value.status is RPCStatusCode.NOT_FOUND
