"""The README's visibility queries (``rokin.visibility``), run against a real dev server holding
``rokin admin sample-data``'s workflows — made by the product's worker — and what each returns.

The server is this module's own: queries are global, and other tests' workflows would answer too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from temporalio.client import Client, WorkflowExecution
from temporalio.testing import WorkflowEnvironment

from contract.names import certificate_workflow_id, lockout_workflow_id, revocation_request_workflow_id
from core.config import Settings
from domain.names import SearchAttribute
from domain.validity import TOKYO
from pki.devca import ensure_dev_pki
from rokin import search_attributes, visibility
from rokin.acting import Acting
from rokin.mailsink import start_sink
from rokin.sample_data import Made, SampleDataError, load, query_values
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from tests.fixtures.mail import SINK_HOST, free_port
from tests.fixtures.payload_keys import TEST_CONVERTER
from tests.fixtures.temporal import DEV_SERVER, SEARCH_ATTRIBUTES, product_worker

from .conftest import REPO
from .spies import UseCaseCalls, spying_on_use_cases

SAMPLE_DATA_CALLS: list[UseCaseCalls] = []  # what ``sample`` did through the pages' use-cases
STATE = search_attributes.key(SearchAttribute.STATE)
USER_UUID = search_attributes.key(SearchAttribute.USER_UUID)
VISIBLE_WITHIN_SECONDS = 15.0  # the dev server's visibility store trails the workflows a little


@pytest.fixture(scope="module")
async def visibility_server() -> AsyncIterator[WorkflowEnvironment]:
    server = await WorkflowEnvironment.start_local(dev_server_existing_path=str(DEV_SERVER),
                                                   search_attributes=SEARCH_ATTRIBUTES, ui=False,
                                                   data_converter=TEST_CONVERTER)
    try:
        yield server
    finally:
        await server.shutdown()


@pytest.fixture(scope="module")
async def sample(visibility_server, tmp_path_factory) -> AsyncIterator[Made]:  # noqa: ANN001
    """``rokin admin sample-data``'s ``load`` on the product's worker, once for the module."""
    data_dir = tmp_path_factory.mktemp("visibility")
    smtp_port = free_port()
    sink = start_sink(SINK_HOST, smtp_port, data_dir / "mail")
    settings = replace(Settings.from_env({}), data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'rokin.db'}",
                       task_queue="visibility", smtp_host=SINK_HOST, smtp_port=smtp_port)
    ensure_dev_pki(settings.pki_dir)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    client = visibility_server.client
    try:
        async with product_worker(client, settings):
            acting = Acting(client, make_session_factory(engine), task_queue=settings.task_queue,
                            clock=visibility_server.get_current_time)
            with spying_on_use_cases() as calls:
                made = await load(acting, settings)
            SAMPLE_DATA_CALLS.append(calls)
            with pytest.raises(SampleDataError, match="organization 8001 exists already"):
                await load(acting, settings)  # a second run stops before it changes anything
            await _wait_for_lifecycle_state(client, made.restored_serial, "renewal_window")
            yield made
    finally:
        engine.dispose()
        sink.stop()


async def _wait_for_lifecycle_state(client: Client, serial: str, state: str) -> None:
    deadline = time.monotonic() + VISIBLE_WITHIN_SECONDS
    handle = client.get_workflow_handle(certificate_workflow_id(serial))
    while (await handle.describe()).typed_search_attributes.get(STATE) != state:
        assert time.monotonic() < deadline, f"the restored certificate's lifecycle never reached {state}"
        await asyncio.sleep(0.1)


async def listed(client: Client, query: str, done: Callable[[list[WorkflowExecution]], bool] = lambda _: True,
                 ) -> list[WorkflowExecution]:
    """What ``query`` lists — once ``done`` says so, or whatever it is at the deadline."""
    deadline = time.monotonic() + VISIBLE_WITHIN_SECONDS
    while True:
        found = [workflow async for workflow in client.list_workflows(query)]
        if done(found) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def ids(client: Client, query: str, expected: set[str] | None = None) -> set[str]:
    """The workflow IDs ``query`` lists, waiting a little for ``expected``."""
    found = await listed(client, query, lambda workflows: expected is None or {w.id for w in workflows} == expected)
    return {workflow.id for workflow in found}


def test_the_readme_shows_exactly_these_queries():
    readme = (REPO / "README.md").read_text()
    assert f"```\n{visibility.readme_block()}\n```" in readme
    assert f"```\n{visibility.readme_block(visibility.BANK_QUERIES)}\n```" in readme


async def test_certificates_of_an_organization_expiring_in_a_month(visibility_server, sample):
    client, values = visibility_server.client, query_values(sample)
    restored = {certificate_workflow_id(sample.restored_serial)}
    query = visibility.EXPIRING_IN_MONTH.render(values)
    assert await ids(client, query, restored) == restored  # last year's: it expires within weeks

    next_year = {**values, **visibility.month_values(sample.not_after["8001/master"].astimezone(TOKYO).date())}
    expected = {certificate_workflow_id(sample.serials[key]) for key in ("8001/master", "8001/s8001a")}
    assert await ids(client, visibility.EXPIRING_IN_MONTH.render(next_year), expected) == expected
    other_organization = {**next_year, "organization_code": "8002"}
    expected = {certificate_workflow_id(sample.serials["8002/master"])}
    assert await ids(client, visibility.EXPIRING_IN_MONTH.render(other_organization), expected) == expected
    month_after = {**next_year, **visibility.month_values(
        sample.not_after["8001/master"].astimezone(TOKYO).date() + timedelta(days=31))}
    assert await ids(client, visibility.EXPIRING_IN_MONTH.render(month_after)) == set()


async def test_written_requests_waiting_for_paper_and_for_an_approver(visibility_server, sample):
    client = visibility_server.client
    by_state = {state: {revocation_request_workflow_id(number) for number, s in sample.requests.items() if s == state}
                for state in ("awaiting_paper", "paper_received", "approved")}
    assert all(len(found) == 1 for found in by_state.values()), sample.requests
    awaiting_paper = visibility.AWAITING_PAPER.render({})
    assert await ids(client, awaiting_paper, by_state["awaiting_paper"]) == by_state["awaiting_paper"]
    awaiting_approval = visibility.AWAITING_APPROVAL.render({})
    assert await ids(client, awaiting_approval, by_state["paper_received"]) == by_state["paper_received"]


async def test_renewal_window_and_locked_ids(visibility_server, sample):
    client = visibility_server.client
    restored = {certificate_workflow_id(sample.restored_serial)}
    assert await ids(client, visibility.RENEWAL_WINDOW.render({}), restored) == restored
    locked = {lockout_workflow_id(sample.people[key].uuid) for key in ("8001/s8001b", "8001/s8001c")}
    assert await ids(client, visibility.LOCKED.render({}), locked) == locked


async def test_everything_about_one_user_and_one_certificate(visibility_server, sample):
    client, values = visibility_server.client, query_values(sample)
    master, serial = sample.people["8001/master"], sample.serials["8001/master"]
    [number] = [number for number, state in sample.requests.items() if state == "awaiting_paper"]
    types = {"LockoutWorkflow", "IssuanceWorkflow", "CertificateLifecycleWorkflow", "NoticeWorkflow",
             "RevocationRequestWorkflow"}
    found = await listed(client, visibility.ONE_USER.render(values),
                         lambda workflows: {workflow.workflow_type for workflow in workflows} == types)
    assert {workflow.workflow_type for workflow in found} == types
    assert {lockout_workflow_id(master.uuid), certificate_workflow_id(serial),
            revocation_request_workflow_id(number)} <= {workflow.id for workflow in found}
    assert {workflow.typed_search_attributes.get(USER_UUID) for workflow in found} == {master.uuid}

    kinds = ["CertificateLifecycleWorkflow", "IssuanceWorkflow", "RevocationRequestWorkflow"]
    found = await listed(client, visibility.ONE_CERTIFICATE.render(values),
                         lambda workflows: sorted(workflow.workflow_type for workflow in workflows) == kinds)
    assert sorted(workflow.workflow_type for workflow in found) == kinds
    assert {certificate_workflow_id(serial), revocation_request_workflow_id(number)} < {w.id for w in found}


def test_sample_data_is_made_through_the_pages_use_cases(sample):  # noqa: ANN001
    """Every sample certificate was issued, and every written request filed, by the function the
    pages call: wrapping it saw each one."""
    [calls] = SAMPLE_DATA_CALLS
    issued = {serial for key, serial in sample.serials.items() if serial != sample.restored_serial}
    assert issued and issued <= set(calls.issued_serials)
    assert set(sample.requests) == set(calls.filed_numbers)
