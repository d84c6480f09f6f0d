"""Replay safety: every recorded history (``tests/histories/<WorkflowType>/<case>.json``) replays
against the current workflow code, with the worker's own workflows and sandbox
(``worker.make_replayer``). A change that would break a running workflow fails here; make it
behind ``workflow.patched`` instead (README "Changing a workflow safely").

How to record new histories: ``python -m tests.histories.record`` (``tests/histories/record.py``).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, Worker
from temporalio.workflow import NondeterminismError

from tests.histories import record as recorder
from tests.histories.privacy import leaks
from tests.histories.probe import (
    ReplayProbe,
    ReplayProbePatched,
    ReplayProbeWithExtraStep,
    check,
    greet,
)
from worker import WORKFLOW_RUNNER, make_replayer
from workflows import WORKFLOWS

HISTORIES = Path(__file__).parent / "histories"
RECORDED = sorted(HISTORIES.glob("*/*.json"))


def recorded(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"replay/{path.parent.name}/{path.stem}", path.read_text())


def case_name(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", RECORDED, ids=case_name)
async def test_recorded_history_replays_on_the_current_code(path: Path):
    history = recorded(path)
    assert history.events[0].workflow_execution_started_event_attributes.workflow_type.name == path.parent.name
    await make_replayer().replay_workflow(history)  # raises on nondeterminism


def test_every_workflow_type_has_a_recorded_history():
    types = {definition.__temporal_workflow_definition.name for definition in WORKFLOWS}
    assert {path.parent.name for path in RECORDED} == types


@pytest.mark.parametrize("path", RECORDED, ids=case_name)
def test_recorded_history_holds_no_personal_data(path: Path):
    history = json.loads(path.read_text())
    assert leaks(history) == []
    assert {event.get(key, {}).get("identity") for event in history["events"] for key in event
            if key.endswith("Attributes")} <= {None, "recorder"}


async def test_replay_fails_on_a_change_made_without_a_patch_and_passes_with_one(time_skipping_env, task_queue):
    client = time_skipping_env.client
    async with Worker(client, task_queue=task_queue, workflows=[ReplayProbe], activities=[greet, check],
                      workflow_runner=WORKFLOW_RUNNER):
        handle = await client.start_workflow(ReplayProbe.run, "テスト", id=f"probe/{uuid.uuid4()}",
                                             task_queue=task_queue)
        assert await handle.result() == "こんにちは テスト"
    history = await handle.fetch_history()

    def replayer(workflow: type) -> Replayer:
        return Replayer(workflows=[workflow], workflow_runner=WORKFLOW_RUNNER)

    await replayer(ReplayProbe).replay_workflow(history)
    with pytest.raises(NondeterminismError):
        await replayer(ReplayProbeWithExtraStep).replay_workflow(history)
    await replayer(ReplayProbePatched).replay_workflow(history)  # the old path, taken again
    # The same file round trip the recorder and the test use:
    await replayer(ReplayProbe).replay_workflow(WorkflowHistory.from_json(history.workflow_id, history.to_json()))


async def test_the_recorder_still_records_a_clean_replayable_history(tmp_path: Path):
    [written] = await recorder.record(["notice_sent"], out_dir=tmp_path)
    assert written == tmp_path / "NoticeWorkflow" / "sent.json"
    assert leaks(json.loads(written.read_text())) == []
    await make_replayer().replay_workflow(recorded(written))
