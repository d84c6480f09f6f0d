"""The use-cases on both databases with ``tests.fakes.temporal_port.FakeTemporal``: the rules they apply
themselves (refusals, transactions, what they tell Temporal) without a Temporal server. The real
server's side of the same calls is proven by tests/web and tests/workflows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from core.config import Settings
from domain.lockout import MAX_CONSECUTIVE_FAILURES, LockoutStatus, Outcome, ReleaseKind
from domain.notices import NoticeKind
from domain.revocation import RevocationReason
from domain.roles import UserRole, UserStatus
from store import audit
from store import revocation as revocation_store
from store import users as user_store
from store.errors import Refusal, ServiceError
from store.login_throttle import ThrottleLimits
from store.models import User
from store.revocation import party_of_user
from store.revocation_models import RevocationRequest
from tests.fakes.temporal_port import FakeTemporal, NeedsTemporal
from tests.fixtures.users import DEFAULT_PASSWORD, pending_general_user, registered_master
from tests.web.certificates.arrange import record_certificate
from usecases import authentication, registration, releases, revocation, users
from usecases.authentication import AttemptOrigin, AttemptRefused, UnknownCredentials

GENERAL_PASSWORD = "Ippan2024pw"
ORIGIN = AttemptOrigin("192.0.2.10", ThrottleLimits.from_settings(Settings.from_env({})))  # the default limits


@pytest.fixture
def temporal(session_factory) -> FakeTemporal:  # noqa: ANN001
    return FakeTemporal(session_factory)


def user(session_factory, user_uuid: str) -> User:  # noqa: ANN001
    with session_factory() as session:
        found = user_store.get_by_uuid(session=session, user_uuid=user_uuid)
        assert found is not None
        return found


def test_six_wrong_passwords_lock_and_the_master_releases(database_url, session_factory, temporal):
    master = registered_master(database_url)
    general = pending_general_user(database_url, master)
    [initial] = general.passwords
    for attempt in range(MAX_CONSECUTIVE_FAILURES):
        with session_factory() as session, pytest.raises(AttemptRefused) as refused:
            authentication.authenticate_user(session, temporal, user_id=general.user_id, password="Wrong2024x",
                                             origin=ORIGIN, now=datetime.now(timezone.utc))
        expected = Outcome.LOCKED_NOW if attempt == MAX_CONSECUTIVE_FAILURES - 1 else Outcome.WRONG_PASSWORD
        assert refused.value.result.outcome is expected
    with session_factory() as session, pytest.raises(AttemptRefused) as refused:  # right, but locked
        authentication.authenticate_user(session, temporal, user_id=general.user_id, password=initial,
                                         origin=ORIGIN, now=datetime.now(timezone.utc))
    assert refused.value.result.outcome is Outcome.LOCKED
    assert user(session_factory, general.uuid).lockout_status is LockoutStatus.LOCKED  # the read model

    with session_factory() as session:
        account = user_store.get_by_uuid(session=session, user_uuid=general.uuid)
        actor = user_store.get_by_uuid(session=session, user_uuid=master.uuid)
        releases.release(session, temporal, account=account, kind=ReleaseKind.UNLOCK, actor=actor)
    with session_factory() as session:
        allowed = authentication.authenticate_user(session, temporal, user_id=general.user_id, password=initial,
                                                   origin=ORIGIN, now=datetime.now(timezone.utc))
        assert allowed.user_id == general.user_id


def test_an_unknown_id_never_reaches_the_arbiter(session_factory, temporal):
    with session_factory() as session, pytest.raises(UnknownCredentials):
        authentication.authenticate_user(session, temporal, user_id="nobody123", password=DEFAULT_PASSWORD,
                                         origin=ORIGIN, now=datetime.now(timezone.utc))
    assert temporal.states == {}


def test_registration_commits_then_announces_and_a_refusal_changes_nothing(database_url, session_factory,
                                                                            temporal):
    master = registered_master(database_url)
    general = pending_general_user(database_url, master)
    with session_factory() as session:
        row = user_store.get_by_uuid(session=session, user_uuid=general.uuid)
        with pytest.raises(ServiceError) as refused:  # the master's page for a general user's ID
            registration.complete_registration(session, temporal, user=row, role=UserRole.MASTER,
                                               new_password=GENERAL_PASSWORD, email="ippan@example.jp",
                                               actor=audit.Actor.cli())
        assert refused.value.refusal is Refusal.WRONG_REGISTRATION_KIND
    assert user(session_factory, general.uuid).status is UserStatus.PENDING and temporal.notices == []

    with session_factory() as session:
        row = user_store.get_by_uuid(session=session, user_uuid=general.uuid)
        registration.complete_registration(session, temporal, user=row, role=UserRole.GENERAL,
                                           new_password=GENERAL_PASSWORD, email="ippan@example.jp",
                                           actor=audit.Actor.cli())
    assert user(session_factory, general.uuid).status is UserStatus.ACTIVE
    assert [(notice.kind, notice.user_uuid) for notice in temporal.notices] == [
        (NoticeKind.REGISTRATION_COMPLETE, general.uuid)]


def test_deleting_a_general_user_is_committed_before_it_is_announced(database_url, session_factory, temporal):
    master = registered_master(database_url)
    general = pending_general_user(database_url, master)
    with session_factory() as session:
        master_row = user_store.get_by_uuid(session=session, user_uuid=master.uuid)
        users.delete_general_user(session, temporal, master=master_row, user_uuid=general.uuid,
                                  now=datetime.now(timezone.utc), client_address=None)
    assert user(session_factory, general.uuid).status is UserStatus.DELETED
    assert temporal.revoked == []  # no certificate, nothing to announce


def test_without_its_workflow_a_written_request_is_not_filed(database_url, session_factory, temporal):
    """Filing starts the request's workflow inside the transaction: when that start fails, nothing is filed."""
    master = registered_master(database_url)
    serial = record_certificate(session_factory, master.user_id, datetime.now(timezone.utc))
    with session_factory() as session:
        party = party_of_user(user_store.get_by_uuid(session=session, user_uuid=master.uuid))
        with pytest.raises(NeedsTemporal):  # the fake has no written-request workflow to start
            revocation.file_request(session, temporal, serial=serial, reason=RevocationReason.PC_CHANGE,
                                    actor=party, now=datetime.now(timezone.utc))
    with session_factory() as session:
        assert revocation_store.open_requests_of(session=session, owner_uuid=master.uuid) == []
        assert session.scalar(select(func.count()).select_from(RevocationRequest)) == 0
