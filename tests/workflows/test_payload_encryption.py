"""Newly run histories hold only ciphertext (issue 12, point 5): the real workflows, started by a client
made the product's way (``core.payload_keys.data_converter`` from the settings' key ring), and read
back without the key — no user ID, e-mail address or PEM — and with it."""

from __future__ import annotations

import dataclasses
import json

from temporalio.client import Client

from contract.names import certificate_workflow_id, lockout_workflow_id
from core.payload_keys import data_converter, load_key_ring, new_key_entry
from domain.lockout import SubjectKind
from pki.devca import ensure_dev_pki
from tests.fixtures.temporal import _decode_payloads, product_worker
from tests.fixtures.users import registered_master
from tests.histories.privacy import payloads, readable_without_key, without_identities
from tests.workflows import lockout_support
from tests.workflows.certificate_support import children, end_lifecycle, issue_like_the_web


async def test_a_new_issuance_and_its_lifecycle_and_notices_hold_only_ciphertext(time_skipping_env, worker_settings,
                                                                                 smtp_sink):
    ensure_dev_pki(worker_settings.pki_dir)
    current, retired = new_key_entry(), new_key_entry()
    settings = dataclasses.replace(worker_settings, payload_keys=f"{current},{retired}")  # rotated once
    env_client = time_skipping_env.client
    client = await Client.connect(env_client.service_client.config.target_host, namespace=env_client.namespace,
                                  data_converter=data_converter(settings))
    master = registered_master(settings.database_url)
    async with product_worker(client, settings):
        delivered = await issue_like_the_web(client, settings, master)
        await lockout_support.attempt(client, settings.task_queue, master, SubjectKind.MASTER, password_ok=False)
        await smtp_sink.async_wait_for(1)
        await end_lifecycle(client, delivered.certificate.serial)
    ids = [delivered.issuance_id, certificate_workflow_id(delivered.certificate.serial),
           lockout_workflow_id(master.uuid)]
    ids += [child for workflow_id in ids for child in await children(client, workflow_id)]
    secrets = [master.user_id, master.email, *master.passwords]
    for workflow_id in ids:
        # identity is the worker's pid@host, not personal data, and the recorder drops it the same way
        history = without_identities((await client.get_workflow_handle(workflow_id).fetch_history()).to_json_dict())
        assert payloads(history) and readable_without_key(history, secrets) == [], workflow_id
        key_ids = {_decode_payloads(payload, ring=None)["metadata"]["encryption-key-id"]
                   for payload in payloads(history)}
        assert key_ids == {current.split(":")[0]}, workflow_id  # the current key encrypts; the retired one only reads
    issuance = json.dumps(_decode_payloads((await client.get_workflow_handle(delivered.issuance_id).fetch_history())
                                           .to_json_dict(), ring=load_key_ring(settings)))
    assert "-----BEGIN CERTIFICATE REQUEST-----" in issuance and "-----BEGIN CERTIFICATE-----" in issuance
