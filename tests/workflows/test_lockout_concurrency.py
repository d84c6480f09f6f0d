"""The count is exact under concurrency (SPEC.md §2): real dev server, the product's worker.

50 attempts leave at once through ``contract.lockout_client.attempt`` — 5 times the server's
10 in-flight updates per workflow, so the helper's retry on RESOURCE_EXHAUSTED is exercised.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select
from temporalio.client import Client
from temporalio.service import RetryConfig

from contract.lockout_client import ReleaseRefused
from contract.names import lockout_workflow_id
from domain.lockout import (
    MAX_CONSECUTIVE_FAILURES,
    LockoutStatus,
    Outcome,
    ReleaseKind,
    SubjectKind,
)
from domain.lockout_release import ReleaseRefusal, ReleaseResult
from domain.names import SearchAttribute
from store.db import make_engine, make_session_factory
from store.models import AuditEntry
from tests.fixtures.payload_keys import TEST_CONVERTER
from tests.fixtures.users import registered_master

from .lockout_support import (
    as_master,
    assert_history_private,
    attempt,
    cleanup,  # noqa: F401  (an autouse fixture: ends the test's lockout workflows)
    lockout_worker,
    mirrored,
    read_model,
    registered_general,
    release,
)

BURST = 50


async def bare_client(env) -> Client:
    """A client without the SDK's own retries: only the helper's stand between a burst and the
    server's limits (10 updates in flight per workflow)."""
    return await Client.connect(env.client.service_client.config.target_host, retry_config=RetryConfig(max_retries=0),
                                data_converter=TEST_CONVERTER)


async def test_fifty_simultaneous_wrong_passwords_count_exactly_six(dev_server_env, worker_settings):
    client = await bare_client(dev_server_env)
    master = registered_master(worker_settings.database_url)
    async with lockout_worker(dev_server_env.client, worker_settings):
        results = await asyncio.gather(*[
            attempt(client, worker_settings.task_queue, master, SubjectKind.MASTER, False) for _ in range(BURST)])
        handle = client.get_workflow_handle(lockout_workflow_id(master.uuid))
        assert await handle.query("current_status") == LockoutStatus.LOCKED

    outcomes = Counter(result.outcome for result in results)
    assert outcomes == {Outcome.WRONG_PASSWORD: MAX_CONSECUTIVE_FAILURES - 1, Outcome.LOCKED_NOW: 1,
                        Outcome.LOCKED: BURST - MAX_CONSECUTIVE_FAILURES}
    assert sum(result.counted for result in results) == MAX_CONSECUTIVE_FAILURES
    assert not any(result.allowed for result in results)
    # Each counted failure saw a different count: they were judged one after another.
    assert sorted(r.failures for r in results if r.counted) == list(range(1, MAX_CONSECUTIVE_FAILURES + 1))
    [locked_until] = {r.locked_until for r in results if r.outcome is not Outcome.WRONG_PASSWORD}
    view = read_model(worker_settings.database_url, SubjectKind.MASTER, master.uuid)
    assert (view.status, view.locked_until, view.lock_count) == (LockoutStatus.LOCKED, locked_until, 1)
    # Operators find it by UUID and state in the visibility store (eventually consistent).
    query = f"{SearchAttribute.USER_UUID.value} = '{master.uuid}' AND {SearchAttribute.STATE.value} = 'locked'"
    for _ in range(100):
        if [w.id async for w in client.list_workflows(query)] == [lockout_workflow_id(master.uuid)]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the locked workflow is not listed by its search attributes")
    await assert_history_private(client, [master])


async def test_fifty_simultaneous_right_passwords_are_all_allowed(dev_server_env, worker_settings):
    client = await bare_client(dev_server_env)
    master = registered_master(worker_settings.database_url)
    async with lockout_worker(dev_server_env.client, worker_settings):
        results = await asyncio.gather(*[
            attempt(client, worker_settings.task_queue, master, SubjectKind.MASTER, True) for _ in range(BURST)])

    assert all(result.allowed and result.outcome is Outcome.ALLOWED for result in results)
    assert {(r.failures, r.lock_count, r.remaining_before_lock) for r in results} == {(0, 0, MAX_CONSECUTIVE_FAILURES)}
    view = read_model(worker_settings.database_url, SubjectKind.MASTER, master.uuid)
    assert (view.status, view.failures, view.lock_count) == (LockoutStatus.NORMAL, 0, 0)
    await assert_history_private(client, [master])


async def test_fifty_simultaneous_unlocks_release_once(dev_server_env, worker_settings):
    """Validators of one workflow task all run before its handlers, so the handler checks
    again: of 50 simultaneous unlocks by the master user exactly one releases and is audited."""
    url = worker_settings.database_url
    master = registered_master(url)
    general = registered_general(url, master)
    client = await bare_client(dev_server_env)
    async with lockout_worker(dev_server_env.client, worker_settings):
        await asyncio.gather(*[attempt(client, worker_settings.task_queue, general, SubjectKind.GENERAL, False)
                               for _ in range(MAX_CONSECUTIVE_FAILURES)])
        unlocks = await asyncio.gather(*[release(client, general, SubjectKind.GENERAL,
                                                 as_master(master, ReleaseKind.UNLOCK)) for _ in range(BURST)],
                                       return_exceptions=True)
        released = [u for u in unlocks if isinstance(u, ReleaseResult)]
        refused = [u.refusal for u in unlocks if isinstance(u, ReleaseRefused)]
        assert len(released) == 1 and refused == [ReleaseRefusal.NOT_LOCKED] * (BURST - 1), unlocks
        await mirrored(url, SubjectKind.GENERAL, general.uuid, LockoutStatus.NORMAL)
        assert (await attempt(client, worker_settings.task_queue, general, SubjectKind.GENERAL, True)).allowed

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "lockout.unlock")) == 1
    engine.dispose()
    await assert_history_private(client, [general])
