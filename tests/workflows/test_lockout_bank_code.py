"""The lockout arbiter's RokinBankCode (issue 16) is set once, at its start, and outlives continue-as-new:
the workflow never upserts it (recorded histories replay unchanged) and the server carries the start's
search attributes to the next run, as it does with the organization code."""

from __future__ import annotations

from contract import lockout_client, search_attributes
from contract.names import lockout_workflow_id
from domain.lockout import SubjectKind
from tests.fixtures.users import registered_master

from .lockout_support import lockout_worker

MAX_ATTEMPTS = 60  # the small-history server suggests a new run after 40 events: a few attempts do it


async def test_the_bank_code_set_at_the_start_stays_on_every_run(dev_server_env_small_history, worker_settings):  # noqa: ANN001
    client, queue = dev_server_env_small_history.client, worker_settings.task_queue
    master = registered_master(worker_settings.database_url)
    handle = client.get_workflow_handle(lockout_workflow_id(master.uuid))

    async def attempt() -> None:
        result = await lockout_client.attempt(client, user_uuid=master.uuid, organization_code=master.organization_code,
                                              subject_kind=SubjectKind.MASTER, password_ok=True, task_queue=queue,
                                              bank_code="2963")
        assert result.allowed

    async with lockout_worker(client, worker_settings):
        try:
            await attempt()
            first = await handle.describe()
            assert first.typed_search_attributes.get(search_attributes.BANK_CODE) == "2963"
            for _ in range(MAX_ATTEMPTS):
                await attempt()
                latest = await handle.describe()
                if latest.run_id != first.run_id:
                    break
            assert latest.run_id != first.run_id, "no continue-as-new happened"
            assert latest.typed_search_attributes.get(search_attributes.BANK_CODE) == "2963"
            assert latest.typed_search_attributes.get(search_attributes.ORGANIZATION_CODE) == master.organization_code
        finally:
            await handle.terminate("test over")  # the arbiter runs for ever; the shared server outlives this test
