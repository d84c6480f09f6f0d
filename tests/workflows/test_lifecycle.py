"""A certificate's year on the time-skipping server: e-mails at day 326 (40 days before expiry), day 336,
7 days before and at expiry, each stating the days left and the renewal window as they are when it
is sent (also by a lifecycle started late); renewal stops them; supersession and revocation end
the lifecycle and land in the CRL.

The clock moves only when a test says so (``advance_to``); results are awaited with automatic
time skipping off, so no timer fires behind a test's back.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, time, timedelta, timezone

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.common import TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.testing import WorkflowEnvironment

from activities.certificates import CertificateActivities
from contract import certificate_client
from contract.names import certificate_workflow_id
from domain.certificates import CrlReason, LifecycleInput, LifecycleState, SigningRequest
from domain.roles import CertificateStatus
from domain.validity import TOKYO, VALIDITY_DAYS, calendar_for
from pki.ca import CaLoader
from pki.crl import CRL_PEM
from pki.csr import new_key_and_csr
from pki.devca import ensure_dev_pki
from store import certificates as certificate_store
from store.db import make_engine, make_session_factory
from tests.fixtures.payload_keys import TEST_CONVERTER
from tests.fixtures.temporal import TEST_SERVER, product_worker, register_search_attributes
from tests.fixtures.users import TEST_BRANCH, registered_master
from tests.pki.conftest import openssl
from workflows.certificate_lifecycle import NOT_AFTER, CertificateLifecycleWorkflow

from .certificate_support import (
    advance_to,
    assert_histories_keep_secrets,
    certificate_row,
    clock_still_moves,
    end_lifecycle,
    issue_like_the_web,
    lifecycle,
    timers_fired,
)

MINUTE = timedelta(minutes=1)
ISSUED = "電子証明書発行のお知らせ"
EXPIRY_NOTICE = "電子証明書の有効期限のお知らせ"  # 40 days before (seed 003 Q7)
RENEWAL_OPEN = "電子証明書の有効期限が近づいています"
REMINDER = "電子証明書の更新をお願いします"
EXPIRED = "電子証明書の有効期限切れのお知らせ"


@pytest.fixture(scope="module")
async def year_server():  # noqa: ANN201
    """A time-skipping server of this module's own: these tests move the clock by years, which
    would fire the timers other tests' leftover workflows have on queues nobody polls any more
    (and such a pending task keeps the test server's clock locked)."""
    server = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(TEST_SERVER),
                                                           data_converter=TEST_CONVERTER)
    try:
        await register_search_attributes(server.client)
        yield server
    finally:
        await server.shutdown()


@pytest.fixture
async def env(year_server, worker_settings):  # noqa: ANN001, ANN201
    ensure_dev_pki(worker_settings.pki_dir)
    with year_server.auto_time_skipping_disabled():
        yield year_server
    await clock_still_moves(year_server)


def subjects(smtp_sink) -> list[str]:  # noqa: ANN001
    """Subjects received so far, oldest first, without the system-name prefix."""
    return [message.subject.split("】", 1)[1] for message in reversed(smtp_sink.messages())]


async def no_more_mail(smtp_sink, expected: list[str]) -> None:  # noqa: ANN001
    await asyncio.sleep(0.5)  # what a wrongly started notice would need to arrive
    assert subjects(smtp_sink) == expected


def utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


async def test_a_whole_year_of_one_certificate(env, worker_settings, smtp_sink):
    user = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, user)
        serial = delivered.certificate.serial
        calendar = calendar_for(delivered.certificate.not_before)
        handle = lifecycle(client, serial)
        await smtp_sink.async_wait_for(1)

        expected = [ISSUED]
        # (instant, e-mail, state after, its day counting the issue date as day 1, JST)
        for milestone, subject, state, day in [
            (calendar.banner_from, EXPIRY_NOTICE, LifecycleState.ACTIVE, 326),  # the day the banner starts
            (calendar.renewal_opens_at, RENEWAL_OPEN, LifecycleState.RENEWAL_WINDOW, 336),
            (calendar.reminder_at, REMINDER, LifecycleState.RENEWAL_WINDOW, 366 - 7),
            (calendar.expires_at, EXPIRED, LifecycleState.EXPIRED, 367),  # 00:00 after the 366th day
        ]:
            await advance_to(env, milestone - MINUTE)
            await no_more_mail(smtp_sink, expected)
            await advance_to(env, milestone + MINUTE)
            expected.append(subject)
            await smtp_sink.async_wait_for(len(expected))
            assert subjects(smtp_sink) == expected
            fired = (await timers_fired(client, serial))[-1].replace(tzinfo=timezone.utc)
            assert milestone <= fired < milestone + MINUTE
            assert (fired.astimezone(TOKYO).date() - calendar.issue_date).days + 1 == day
            assert fired.astimezone(TOKYO).time() < time(0, 1)  # just after midnight JST
            assert await handle.query(CertificateLifecycleWorkflow.state) == state
            if state is LifecycleState.RENEWAL_WINDOW:  # what the Temporal UI shows as current details
                details = (await handle.query("__temporal_workflow_metadata")).current_details
                assert f"{serial}：更新受付中" in details and f"有効期限 {calendar.expiry_date} 23:59:59" in details

        assert await handle.result() == LifecycleState.EXPIRED
        assert certificate_row(worker_settings, serial).status is CertificateStatus.EXPIRED
        renewal_mail = next(m for m in smtp_sink.messages() if RENEWAL_OPEN in m.subject)
        expiry = calendar.not_after
        assert f"有効期限：{expiry.year}年{expiry.month}月{expiry.day}日 23:59" in renewal_mail.body
        assert "残り31日（本日を含む）" in renewal_mail.body
        assert "本日から電子証明書の更新ができます" in renewal_mail.body
        notice = next(m for m in smtp_sink.messages() if EXPIRY_NOTICE in m.subject)
        opens = calendar.renewal_opens_at
        assert f"有効期限：{_day(expiry)} 23:59（残り41日、本日を含む）" in notice.body
        assert f"更新受付期間：{_day(opens)}〜{_day(expiry)}" in notice.body
        assert f"電子証明書の更新は{_day(opens)}から可能になります（あと10日）" in notice.body
        assert "「電子証明書発行」" in notice.body  # how to renew
        reminder = next(m for m in smtp_sink.messages() if REMINDER in m.subject)
        assert "（残り8日、本日を含む）" in reminder.body  # the top screen's count on day 359
        assert all(message.recipients == [user.email] for message in smtp_sink.messages())

        description = await handle.describe()
        attributes = description.typed_search_attributes
        assert {pair.key.name: pair.value for pair in attributes if pair.key.name.startswith("Rokin")} == {
            "RokinUserUuid": user.uuid, "RokinOrganizationCode": user.organization_code,
            "RokinCertificateSerial": serial, "RokinState": "expired", "RokinCertificateNotAfter": calendar.not_after,
            "RokinBankCode": TEST_BRANCH[0]}
        assert len((await handle.fetch_history()).events) < 150  # a year fits without continue-as-new
        await assert_histories_keep_secrets(client, [delivered.issuance_id, handle.id], user, [delivered])


async def test_a_renewed_certificate_stops_reminding_and_ends_at_its_expiry(env, worker_settings, smtp_sink):
    user = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        old = await issue_like_the_web(client, worker_settings, user)
        calendar = calendar_for(old.certificate.not_before)
        await advance_to(env, calendar.renewal_opens_at + MINUTE)
        await smtp_sink.async_wait_for(3)

        new = await issue_like_the_web(client, worker_settings, user)  # renewal on day 336
        assert new.certificate.renews == [old.certificate.serial]
        await smtp_sink.async_wait_for(4)
        old_lifecycle = lifecycle(client, old.certificate.serial)
        assert await old_lifecycle.query(CertificateLifecycleWorkflow.state) == LifecycleState.RENEWED

        await advance_to(env, calendar.expires_at + MINUTE)
        assert await old_lifecycle.result() == LifecycleState.EXPIRED  # it kept working to its own end
        await no_more_mail(smtp_sink, [ISSUED, EXPIRY_NOTICE, RENEWAL_OPEN, ISSUED])  # no reminder, no expiry
        assert certificate_row(worker_settings, old.certificate.serial).status is CertificateStatus.EXPIRED
        assert certificate_row(worker_settings, new.certificate.serial).status is CertificateStatus.ACTIVE
        new_lifecycle = lifecycle(client, new.certificate.serial)
        assert await new_lifecycle.query(CertificateLifecycleWorkflow.state) == LifecycleState.ACTIVE
        await end_lifecycle(client, new.certificate.serial)


async def test_first_use_of_the_renewal_supersedes_the_old_one_and_the_crl_lists_it(env, worker_settings, smtp_sink):
    user = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        old = await issue_like_the_web(client, worker_settings, user)
        await advance_to(env, calendar_for(old.certificate.not_before).renewal_opens_at + MINUTE)
        new = await issue_like_the_web(client, worker_settings, user)
        await smtp_sink.async_wait_for(4)

        # What certificate login does on the new certificate's first use (phase 2): database, then signal.
        used_at = await env.get_current_time()
        engine = make_engine(worker_settings.database_url)
        with make_session_factory(engine).begin() as session:
            row = certificate_store.get_by_serial(session=session, serial=new.certificate.serial)
            superseded = certificate_store.record_first_use(session=session, certificate=row, now=used_at)
        engine.dispose()
        assert superseded == [old.certificate.serial]
        await certificate_client.tell_superseded(client, superseded, by_serial=new.certificate.serial, at=used_at)

        old_lifecycle = lifecycle(client, old.certificate.serial)
        assert await old_lifecycle.result() == LifecycleState.SUPERSEDED
        assert certificate_row(worker_settings, old.certificate.serial).status is CertificateStatus.SUPERSEDED
        crl = openssl("crl", "-in", str(worker_settings.pki_dir / CRL_PEM), "-CAfile",
                      str(worker_settings.pki_dir / "ca.pem"), "-noout", "-text")
        assert "verify OK" in crl.stdout + crl.stderr
        assert f"Serial Number: {_openssl_hex(old.certificate.serial)}" in crl.stdout
        assert "Superseded" in crl.stdout and _openssl_hex(new.certificate.serial) not in crl.stdout
        # A late or repeated signal to an ended lifecycle is not an error.
        await certificate_client.tell_superseded(client, superseded, by_serial=new.certificate.serial, at=used_at)
        await assert_histories_keep_secrets(client, [old_lifecycle.id], user, [old, new])
        await end_lifecycle(client, new.certificate.serial)


async def test_revocation_ends_the_lifecycle_and_a_lost_signal_is_caught_at_the_next_milestone(
    env, worker_settings, smtp_sink
):
    user = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        signalled = await issue_like_the_web(client, worker_settings, user)
        revoked_at = await env.get_current_time()
        _revoke_in_database(worker_settings, signalled.certificate.serial, revoked_at)
        await certificate_client.tell_revoked(client, signalled.certificate.serial, reason=CrlReason.KEY_COMPROMISE,
                                              at=revoked_at)
        handle = lifecycle(client, signalled.certificate.serial)
        assert await handle.result() == LifecycleState.REVOKED
        crl = openssl("crl", "-in", str(worker_settings.pki_dir / CRL_PEM), "-noout", "-text").stdout
        assert _openssl_hex(signalled.certificate.serial) in crl and "Key Compromise" in crl

        # Reissue after revocation; this one's revocation never reaches its lifecycle.
        unsignalled = await issue_like_the_web(client, worker_settings, user)
        _revoke_in_database(worker_settings, unsignalled.certificate.serial, await env.get_current_time())
        await advance_to(env, calendar_for(unsignalled.certificate.not_before).renewal_opens_at + MINUTE)
        handle = lifecycle(client, unsignalled.certificate.serial)
        assert await handle.result() == LifecycleState.REVOKED
        await no_more_mail(smtp_sink, [ISSUED, ISSUED])  # no renewal notice for a revoked certificate


def _revoke_in_database(settings, serial: str, at: datetime) -> None:  # noqa: ANN001
    engine = make_engine(settings.database_url)
    with make_session_factory(engine).begin() as session:
        row = certificate_store.get_by_serial(session=session, serial=serial)
        assert certificate_store.end_certificate(session=session, certificate=row, status=CertificateStatus.REVOKED,
                                                 reason=CrlReason.KEY_COMPROMISE, at=at)
    engine.dispose()


def _openssl_hex(serial: str) -> str:
    text = serial.upper()
    return text if len(text) % 2 == 0 else "0" + text


async def test_a_lifecycle_started_without_the_not_after_attribute_gets_it_at_its_next_milestone(
    env, worker_settings, smtp_sink
):
    """As one started before RokinCertificateNotAfter existed: the patched branch adds it at day 336."""
    user = registered_master(worker_settings.database_url)
    client = env.client
    async with product_worker(client, worker_settings):
        delivered = await issue_like_the_web(client, worker_settings, user)
        serial = delivered.certificate.serial
        await smtp_sink.async_wait_for(1)
        await end_lifecycle(client, serial)
        old_style = TypedSearchAttributes([pair for pair in (await lifecycle(client, serial).describe())
                                           .typed_search_attributes if pair.key.name != "RokinCertificateNotAfter"])
        calendar = calendar_for(delivered.certificate.not_before)
        handle = await client.start_workflow(
            CertificateLifecycleWorkflow.run, LifecycleInput(serial, user.uuid, user.organization_code,
                                                             delivered.certificate.not_before, resumed=True),
            id=certificate_workflow_id(serial), task_queue=worker_settings.task_queue, search_attributes=old_style)
        assert (await handle.describe()).typed_search_attributes.get(NOT_AFTER) is None

        await advance_to(env, calendar.renewal_opens_at + MINUTE)
        await smtp_sink.async_wait_for(3)  # issued, 40 days before, day 336
        assert await handle.query(CertificateLifecycleWorkflow.state) == LifecycleState.RENEWAL_WINDOW
        assert (await handle.describe()).typed_search_attributes.get(NOT_AFTER) == calendar.not_after
        markers = [str(event) for event in (await handle.fetch_history()).events
                   if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]
        assert [marker for marker in markers if "not-after-search-attribute" in marker] == [
            marker for marker in markers if "not-after-search-attribute/renewal_opens" in marker]
        assert any("not-after-search-attribute/renewal_opens" in marker for marker in markers)
        await end_lifecycle(client, serial)


# --- a lifecycle started late (issue 13): the e-mail says what is true on the day it is sent ------------

async def _restored_lifecycle(env, settings, user, *, days_left: int):  # noqa: ANN001, ANN202
    """A certificate signed ``366 - days_left`` days ago (so ``days_left`` days are left today, counted as
    the top screen counts them) whose lifecycle starts only now, as the reconciliation starts one."""
    now = await env.get_current_time()
    signing = CertificateActivities(make_session_factory(make_engine(settings.database_url)),
                                    CaLoader(settings.ca_certificate_path, settings.ca_key_path),
                                    crl_dir=settings.pki_dir, crl_url=settings.crl_url)
    issued_at = now - timedelta(days=VALIDITY_DAYS - days_left)
    outcome = await signing.sign_certificate(SigningRequest(str(uuid.uuid4()), user.uuid,
                                                            new_key_and_csr(user.user_id).csr_pem, issued_at))
    assert outcome.certificate is not None, outcome.refusal
    certificate = outcome.certificate
    assert calendar_for(certificate.not_before).days_left(now) == days_left
    await certificate_client.start_lifecycle(
        env.client, LifecycleInput(certificate.serial, user.uuid, user.organization_code, certificate.not_before,
                                   resumed=True),
        task_queue=settings.task_queue, id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE)
    return calendar_for(certificate.not_before), certificate.serial


def _day(moment: datetime) -> str:
    local = moment.astimezone(TOKYO)
    return f"{local.year}年{local.month}月{local.day}日"


async def test_a_renewal_notice_sent_late_states_the_real_days_left_and_window(env, worker_settings, smtp_sink):
    """25 days before expiry (day 342): not 「30日」 nor 「本日から更新できます」."""
    user = registered_master(worker_settings.database_url)
    async with product_worker(env.client, worker_settings):
        calendar, serial = await _restored_lifecycle(env, worker_settings, user, days_left=25)
        [mail] = await smtp_sink.async_wait_for(1)
        assert subjects(smtp_sink) == [RENEWAL_OPEN]  # only the latest news: no 40-day e-mail, no 発行
        assert "残り25日（本日を含む）" in mail.body
        assert "まで30日" not in mail.body and "本日から" not in mail.body  # what it said before issue 13
        assert f"更新受付期間：{_day(calendar.renewal_opens_at)}〜{_day(calendar.not_after)}" in mail.body
        assert f"電子証明書の更新は{_day(calendar.renewal_opens_at)}から受け付けています" in mail.body
        assert await lifecycle(env.client, serial).query(CertificateLifecycleWorkflow.state) \
            == LifecycleState.RENEWAL_WINDOW
        await end_lifecycle(env.client, serial)


async def test_a_40_day_notice_sent_late_states_the_real_days_left(env, worker_settings, smtp_sink):
    """Started on day 330 (37 days left, renewal in 6 days): the 40-day e-mail, with today's numbers."""
    user = registered_master(worker_settings.database_url)
    async with product_worker(env.client, worker_settings):
        calendar, serial = await _restored_lifecycle(env, worker_settings, user, days_left=37)
        [mail] = await smtp_sink.async_wait_for(1)
        assert subjects(smtp_sink) == [EXPIRY_NOTICE]
        assert "（残り37日、本日を含む）" in mail.body
        assert f"電子証明書の更新は{_day(calendar.renewal_opens_at)}から可能になります（あと6日）" in mail.body
        assert await lifecycle(env.client, serial).query(CertificateLifecycleWorkflow.state) == LifecycleState.ACTIVE
        await end_lifecycle(env.client, serial)
