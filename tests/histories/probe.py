"""A tiny workflow in three versions, to prove the replay test fails when it should.

``ReplayProbe`` is what gets recorded. ``ReplayProbeWithExtraStep`` is the same workflow type with
an activity added in front — a change that breaks every history recorded before it.
``ReplayProbePatched`` makes that change behind ``workflow.patched``: old histories take the old
path, new runs the new one.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

PROBE = "ReplayProbe"
PATCH_ID = "check-before-greeting"
TIMEOUT = timedelta(seconds=10)


@activity.defn
async def greet(name: str) -> str:
    return f"こんにちは {name}"


@activity.defn
async def check(name: str) -> bool:
    return bool(name)


@workflow.defn(name=PROBE)
class ReplayProbe:
    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(greet, name, start_to_close_timeout=TIMEOUT)


@workflow.defn(name=PROBE)
class ReplayProbeWithExtraStep:
    @workflow.run
    async def run(self, name: str) -> str:
        await workflow.execute_activity(check, name, start_to_close_timeout=TIMEOUT)
        return await workflow.execute_activity(greet, name, start_to_close_timeout=TIMEOUT)


@workflow.defn(name=PROBE)
class ReplayProbePatched:
    @workflow.run
    async def run(self, name: str) -> str:
        if workflow.patched(PATCH_ID):
            await workflow.execute_activity(check, name, start_to_close_timeout=TIMEOUT)
        return await workflow.execute_activity(greet, name, start_to_close_timeout=TIMEOUT)
