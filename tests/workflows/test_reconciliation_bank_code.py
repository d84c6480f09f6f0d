"""The reconciliation restarts what was lost with the organization's RokinBankCode (issue 16), as the
product's own starts set it: a certificate's lifecycle, an employer's lockout arbiter — and a staff
member's arbiter without one (staff belong to no organization). Dev server, the product's worker."""

from __future__ import annotations

import shutil
import uuid
from datetime import datetime, timedelta, timezone

from temporalio.client import Client

from activities.certificates import CertificateActivities
from contract import search_attributes
from contract.names import certificate_workflow_id, lockout_workflow_id, reconciliation_workflow_id
from core.config import Settings
from domain.certificates import SigningRequest
from domain.lockout import LockoutState, SubjectKind
from domain.reconciliation import ReconciliationInput, ReconciliationReport, Repair
from pki.ca import CaLoader
from pki.csr import new_key_and_csr
from store import audit
from store import branches as branch_store
from store import lockout as lockout_store
from store import users as user_store
from store.db import make_engine, make_session_factory
from tests.fixtures.temporal import product_worker
from tests.fixtures.users import registered_master
from usecases import branches
from workflows.reconciliation import ReconciliationWorkflow

from .lockout_support import registered_general, staff_account


async def reconcile(client: Client, settings: Settings) -> ReconciliationReport:
    return await client.execute_workflow(
        ReconciliationWorkflow.run, ReconciliationInput("on-demand"), task_queue=settings.task_queue,
        id=f"{reconciliation_workflow_id(settings.task_queue)}/{uuid.uuid4()}")


async def test_lost_workflows_come_back_with_the_organizations_bank(dev_server_env, worker_settings,
                                                                    session_dev_pki):  # noqa: ANN001
    settings, url = worker_settings, worker_settings.database_url
    shutil.copytree(session_dev_pki.directory, settings.pki_dir)
    master = registered_master(url)
    general = registered_general(url, master, user_id="ippan01")
    staff = staff_account(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    now = datetime.now(timezone.utc)
    with factory() as session:
        branches.load_shipped_branches_if_none(session, actor=audit.Actor.cli())
    with factory.begin() as session:
        organization = user_store.get_by_user_id(session=session, user_id=master.user_id).organization
        branch_store.assign_branch(session=session, organization=organization, bank_code="2990",
                                   branch_code="001", actor=audit.Actor.cli())
        locked = LockoutState(failures=6, locked_until=now + timedelta(minutes=40), lock_count=1)
        for kind, who in [(SubjectKind.GENERAL, general.uuid), (SubjectKind.STAFF, staff)]:
            lockout_store.mirror_state(session=session, subject_kind=kind, user_uuid=who, state=locked, as_of=now)
    signing = CertificateActivities(factory, CaLoader(settings.ca_certificate_path, settings.ca_key_path),
                                    crl_dir=settings.pki_dir, crl_url=settings.crl_url)
    signed = await signing.sign_certificate(SigningRequest(str(uuid.uuid4()), master.uuid,
                                                           new_key_and_csr("abc123").csr_pem, now - timedelta(days=1)))
    assert signed.certificate is not None  # recorded, its lifecycle never started
    serial = signed.certificate.serial
    client = dev_server_env.client
    started = [certificate_workflow_id(serial), lockout_workflow_id(general.uuid), lockout_workflow_id(staff)]
    try:
        async with product_worker(client, settings):
            report = await reconcile(client, settings)
            assert {(fix.subject, fix.repair) for fix in report.fixes} == {
                (serial, Repair.START_LIFECYCLE), (general.uuid, Repair.START_LOCKOUT),
                (staff, Repair.START_LOCKOUT)}
            banks = {workflow_id: (await client.get_workflow_handle(workflow_id).describe())
                     .typed_search_attributes.get(search_attributes.BANK_CODE) for workflow_id in started}
            assert banks == {certificate_workflow_id(serial): "2990", lockout_workflow_id(general.uuid): "2990",
                             lockout_workflow_id(staff): None}
    finally:
        engine.dispose()
        for workflow_id in started:
            await client.get_workflow_handle(workflow_id).terminate("test over")
