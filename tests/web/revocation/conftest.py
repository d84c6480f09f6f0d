"""Revocation page fixtures: staff clients of each role, a master user's filed request."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.service import RPCError, RPCStatusCode

from contract.names import revocation_request_workflow_id
from domain.roles import StaffRole
from domain.validity import tokyo_date
from store import audit
from store import staff as staff_store
from tests.web.staff.conftest import StaffAccount, log_in, set_own_password

from .support import file_request, live_serial

NUMBERS_PER_TEST = 5  # no test here files more requests than this


@pytest.fixture
def staff_as(app):  # noqa: ANN001, ANN201
    """``staff_as(role, login)``: a client logged in as a new staff member of that role (own password set)."""
    factory = app.extensions["rokin"].session_factory

    def make(role: StaffRole, login: str):  # noqa: ANN202
        with factory.begin() as session:
            staff, initial = staff_store.create_staff(session=session, login=login, role=role, actor=audit.Actor.cli())
            account = StaffAccount(staff.login, initial, str(staff.uuid), role)
        client = app.test_client()
        log_in(client, account)
        set_own_password(client, account)
        return client

    return make


@pytest.fixture
def filed(app, master) -> tuple[str, str]:  # noqa: ANN001
    """The master user's certificate and the written request filed for it: (serial, number)."""
    serial = live_serial(app.extensions["rokin"].session_factory, master.user_id)
    _, response = file_request(app, master.user_id, master.password, serial)
    assert response.status_code == 302, response.get_data(as_text=True)
    return serial, response.location.rsplit("/", 1)[1]


@pytest.fixture(autouse=True)
async def fresh_request_numbers(dev_server_env) -> None:  # noqa: ANN001
    """Each test's database numbers its requests from 1 again, but the dev server is shared by the
    run and a request's workflow ID is its number (reuse rejected): delete the earlier tests' ones."""
    client = dev_server_env.client
    year = tokyo_date(datetime.now(timezone.utc)).year
    ids = [revocation_request_workflow_id(f"R-{year}-{n:06d}") for n in range(1, NUMBERS_PER_TEST + 1)]
    for workflow_id in ids:
        try:
            await client.workflow_service.delete_workflow_execution(DeleteWorkflowExecutionRequest(
                namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=workflow_id)))
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:
                raise
    deadline = time.monotonic() + 30
    for workflow_id in ids:
        while await _exists(client, workflow_id):
            assert time.monotonic() < deadline, f"{workflow_id} not deleted"
            await asyncio.sleep(0.05)


async def _exists(client, workflow_id: str) -> bool:  # noqa: ANN001
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True
