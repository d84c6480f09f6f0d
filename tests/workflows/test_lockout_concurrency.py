"""The count is exact under concurrency (SPEC.md §2): real dev server, the product's worker.

50 attempts leave at once through ``workflows.lockout_client.attempt`` — 5 times the server's
10 in-flight updates per workflow, so the helper's retry on RESOURCE_EXHAUSTED is exercised.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from domain.lockout import MAX_CONSECUTIVE_FAILURES, LockoutStatus, Outcome, SubjectKind
from domain.names import lockout_workflow_id
from tests.fixtures.temporal import product_worker
from tests.fixtures.users import registered_master

from .lockout_support import assert_history_private, attempt, read_model

BURST = 50


async def test_fifty_simultaneous_wrong_passwords_count_exactly_six(dev_server_env, worker_settings):
    client = dev_server_env.client
    master = registered_master(worker_settings.database_url)
    async with product_worker(client, worker_settings):
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
    await assert_history_private(client, [master])


async def test_fifty_simultaneous_right_passwords_are_all_allowed(dev_server_env, worker_settings):
    client = dev_server_env.client
    master = registered_master(worker_settings.database_url)
    async with product_worker(client, worker_settings):
        results = await asyncio.gather(*[
            attempt(client, worker_settings.task_queue, master, SubjectKind.MASTER, True) for _ in range(BURST)])

    assert all(result.allowed and result.outcome is Outcome.ALLOWED for result in results)
    assert {(r.failures, r.lock_count, r.remaining_before_lock) for r in results} == {(0, 0, MAX_CONSECUTIVE_FAILURES)}
    view = read_model(worker_settings.database_url, SubjectKind.MASTER, master.uuid)
    assert (view.status, view.failures, view.lock_count) == (LockoutStatus.NORMAL, 0, 0)
    await assert_history_private(client, [master])
