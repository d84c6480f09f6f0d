"""Replay safety: every recorded history (``tests/histories/<WorkflowType>/<case>.json``) replays
against the current workflow code, with the worker's own workflows and sandbox
(``worker.make_replayer``). A change that would break a running workflow fails here; make it
behind ``workflow.patched`` instead (README "Changing a workflow safely").

How to record new histories: ``python -m tests.histories.record`` (``tests/histories/record.py``).

Two kinds are kept (issue 12): histories recorded before payloads were encrypted, which must still
replay (the codec passes unencrypted payloads through), and ``*_encrypted.json``, recorded through
the codec with the suite's committed test key (``tests/fixtures/payload_keys.py``): read without the
key they hold nothing but ciphertext, and they replay only with it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Replayer, Worker
from temporalio.workflow import NondeterminismError

from core.payload_codec import EncryptionCodec, KeyRing
from tests.fixtures.payload_keys import TEST_CONVERTER
from tests.histories import record as recorder
from tests.histories.privacy import decoded_text, leaks, payloads, readable_without_key
from tests.histories.probe import (
    ReplayProbe,
    ReplayProbePatched,
    ReplayProbeWithExtraStep,
    check,
    greet,
)
from worker import WORKFLOW_RUNNER, WORKFLOWS, make_replayer

HISTORIES = Path(__file__).parent / "histories"
RECORDED = sorted(HISTORIES.glob("*/*.json"))
ENCRYPTED = [path for path in RECORDED if path.stem.endswith("_encrypted")]
OTHER_KEY = dataclasses.replace(DataConverter.default,
                                payload_codec=EncryptionCodec(KeyRing.of([("k-other", bytes(32))])))
PEM = re.compile(r"-----BEGIN (CERTIFICATE REQUEST|CERTIFICATE)-----[A-Za-z0-9+/=\\n]+?-----END \1-----")


def recorded(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"replay/{path.parent.name}/{path.stem}", path.read_text())


def case_name(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", RECORDED, ids=case_name)
async def test_recorded_history_replays_on_the_current_code(path: Path):
    history = recorded(path)
    assert history.events[0].workflow_execution_started_event_attributes.workflow_type.name == path.parent.name
    await make_replayer(TEST_CONVERTER).replay_workflow(history)  # raises on nondeterminism


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
        return Replayer(workflows=[workflow], workflow_runner=WORKFLOW_RUNNER, data_converter=TEST_CONVERTER)

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
    await make_replayer(TEST_CONVERTER).replay_workflow(recorded(written))
    assert readable_without_key(json.loads(written.read_text())) == []


def user_ids_in_certificates(text: str) -> set[str]:
    """The subject CN — the user ID — of every CSR and certificate PEM in ``text``. (The O, the
    organization code, is an identifier that search attributes carry in the clear by design.)"""
    found = set()
    for match in PEM.finditer(text):
        pem = re.sub(r"\\+n", "\n", match.group(0)).encode()  # JSON inside JSON: the newlines escaped twice
        subject = (x509.load_pem_x509_csr(pem) if "REQUEST" in match.group(1)
                   else x509.load_pem_x509_certificate(pem)).subject
        found |= {str(attribute.value) for attribute in subject.get_attributes_for_oid(NameOID.COMMON_NAME)}
    return found


def test_every_workflow_type_has_an_encrypted_recording_too():
    types = {definition.__temporal_workflow_definition.name for definition in WORKFLOWS}
    assert {path.parent.name for path in ENCRYPTED} == types


@pytest.mark.parametrize("path", ENCRYPTED, ids=case_name)
async def test_an_encrypted_history_read_without_the_key_holds_only_ciphertext(path: Path):
    history = json.loads(path.read_text())
    decrypted = decoded_text(history)  # with the test key
    user_ids = user_ids_in_certificates(decrypted)
    if path.parent.name == "IssuanceWorkflow":  # the CSR names the user: the check below can fail
        assert "-----BEGIN CERTIFICATE REQUEST-----" in decrypted and user_ids, user_ids
    assert payloads(history) and readable_without_key(history, user_ids) == []
    with pytest.raises(Exception, match="not among the configured payload keys"):  # noqa: PT011  the SDK wraps it
        await make_replayer(OTHER_KEY).replay_workflow(recorded(path))
