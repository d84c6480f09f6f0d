"""Continue-as-new loses no attempt: 200 attempts on a dev server that suggests a new run
after 40 history events, in concurrent bursts, and the state at the end is exact."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from temporalio.worker import Replayer

from contract.names import lockout_workflow_id
from domain.lockout import (
    MAX_CONSECUTIVE_FAILURES,
    LockoutStatus,
    Outcome,
    SubjectKind,
    lockout_summary,
)
from domain.names import SearchAttribute
from tests.fixtures.payload_keys import TEST_CONVERTER
from tests.fixtures.temporal import history_json
from tests.fixtures.users import registered_master
from workflows.lockout import LockoutWorkflow

from .lockout_support import (
    assert_history_private,
    attempt,
    cleanup,  # noqa: F401  (an autouse fixture: ends the test's lockout workflows)
    lockout_worker,
    mirrored,
)

ROUNDS = 30  # of 5 simultaneous wrong passwords, then a right one: 180 attempts, never a lock
LATE_ATTEMPTS = 14  # after the final lock: 180 + 6 + 14 = 200


async def test_two_hundred_attempts_across_runs_keep_the_exact_state(dev_server_env_small_history, worker_settings):
    client, queue, url = dev_server_env_small_history.client, worker_settings.task_queue, worker_settings.database_url
    master = registered_master(url)

    def burst(count: int, password_ok: bool):
        return asyncio.gather(*[attempt(client, queue, master, SubjectKind.MASTER, password_ok) for _ in range(count)])

    results = []
    async with lockout_worker(client, worker_settings):
        for _ in range(ROUNDS):
            wrong = await burst(MAX_CONSECUTIVE_FAILURES - 1, False)
            # Judged one by one, whatever run each landed on: the streak went 1, 2, 3, 4, 5.
            assert sorted(r.failures for r in wrong) == list(range(1, MAX_CONSECUTIVE_FAILURES))
            [right] = await burst(1, True)
            assert (right.outcome, right.failures) == (Outcome.ALLOWED, 0)
            results += [*wrong, right]
        locking = await burst(MAX_CONSECUTIVE_FAILURES, False)
        late = [(await burst(1, number % 2 == 0))[0] for number in range(LATE_ATTEMPTS)]  # one by one: more runs
        results += [*locking, *late]
        await mirrored(url, SubjectKind.MASTER, master.uuid, LockoutStatus.LOCKED)

        handle = client.get_workflow_handle(lockout_workflow_id(master.uuid))
        assert await handle.query("current_status") == LockoutStatus.LOCKED
        # Operators: the IDs and the state as search attributes, words without personal data.
        summary = lockout_summary(SubjectKind.MASTER, master.organization_code)
        metadata = await handle.query("__temporal_workflow_metadata")  # the current details, on the last run
        assert metadata.current_details == f"{summary} — 状態: ロック中"
        description = await handle.describe()
        attributes = {key.name: value for key, value in description.typed_search_attributes}
        assert {key: attributes[key] for key in (a.value for a in SearchAttribute)
                if key in attributes} == {SearchAttribute.USER_UUID.value: master.uuid,
                                          SearchAttribute.ORGANIZATION_CODE.value: master.organization_code,
                                          SearchAttribute.STATE.value: LockoutStatus.LOCKED.value}
        first_run = client.get_workflow_handle(handle.id,
                                               run_id=description.raw_description.workflow_execution_info.first_run_id)
        assert await (await first_run.describe()).static_summary() == summary

    assert len(results) == 200
    outcomes = Counter(r.outcome for r in results)
    assert outcomes == {Outcome.WRONG_PASSWORD: ROUNDS * 5 + 5, Outcome.ALLOWED: ROUNDS, Outcome.LOCKED_NOW: 1,
                        Outcome.LOCKED: LATE_ATTEMPTS}
    [locked_now] = [r for r in results if r.outcome is Outcome.LOCKED_NOW]
    assert (locked_now.lock_count, locked_now.failures) == (1, MAX_CONSECUTIVE_FAILURES)
    assert all(r.locked_until == locked_now.locked_until for r in late)

    runs = json.loads(await history_json(client, lockout_workflow_id(master.uuid)))
    assert len(runs) >= 5, f"only {len(runs)} runs: continue-as-new was not exercised"
    completed = sum(1 for run in runs for event in run["events"]
                    if event["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED")
    assert completed == 200  # each attempt completed exactly once, across all runs
    inputs = [json.loads(run["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0]["data"])
              for run in runs]
    carried = [run for run, started in zip(runs, inputs, strict=True) if started["state"]["locked_until"] is not None]
    assert carried, "no run started with the pending lock"
    assert inputs[-1]["state"]["lock_count"] == 1
    for run in carried:  # each run that inherited the lock set its own timer for it
        assert any(event["eventType"] == "EVENT_TYPE_TIMER_STARTED" for event in run["events"])
    # The code replays every recorded run without a nondeterminism error.
    histories, run_id = [], None
    while True:
        history = await client.get_workflow_handle(lockout_workflow_id(master.uuid), run_id=run_id).fetch_history()
        histories.append(history)
        run_id = history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id
        if not run_id:
            break
    replayer = Replayer(workflows=[LockoutWorkflow], data_converter=TEST_CONVERTER)
    for history in histories:
        await replayer.replay_workflow(history)  # raises on nondeterminism
    await assert_history_private(client, [master])
