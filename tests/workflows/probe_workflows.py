"""Tiny workflows that check the Temporal fixtures themselves (temporalio and stdlib only)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn
async def do_nothing() -> None:
    """A round trip through the server that grows the history without waiting on a timer."""


@workflow.defn
class EchoSearchAttributes:
    """Returns the search attributes it was started with, as text (a Datetime in ISO 8601)."""

    @workflow.run
    async def run(self) -> dict[str, str]:
        return {key.name: value if isinstance(value, str) else value.isoformat()
                for key, value in workflow.info().typed_search_attributes}


@workflow.defn
class GrowUntilContinueAsNewSuggested:
    """Runs no-op activities until the server suggests continue-as-new, then continues as new
    ``runs_left`` times; returns the last run's history length."""

    @workflow.run
    async def run(self, runs_left: int) -> int:
        while not workflow.info().is_continue_as_new_suggested():
            await workflow.execute_activity(do_nothing, start_to_close_timeout=timedelta(seconds=10))
        if runs_left > 0:
            workflow.continue_as_new(runs_left - 1)
        return workflow.info().get_current_history_length()
