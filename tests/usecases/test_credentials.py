"""Issue 13 on both databases with the fake Temporal port: パスワード変更 through the lockout arbiter,
メールアドレス変更 confirmed by a code only the mail knows, and both パスワード初期化 (master → general
user, administrator → master user): what each stores, refuses, ends, audits and announces."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from core.config import Settings
from domain.credentials import CredentialProblem
from domain.lockout import MAX_CONSECUTIVE_FAILURES, LockoutState, LockoutStatus, Outcome
from domain.notices import NoticeKind, NoticeRequest
from domain.roles import CertificateStatus, StaffRole, UserRole, UserStatus
from store import audit
from store import certificates as certificate_store
from store import staff as staff_store
from store import users as user_store
from store.errors import CredentialError, Refusal, ServiceError
from store.login_throttle import ThrottleLimits
from store.models import AuditEntry, User
from store.sessions import EndReason, LoginSession, Principal
from store.users import EMAIL_CODE_MAX_FAILURES, EmailChangeProblem, EmailChangeRefused
from tests.fakes.temporal_port import FakeTemporal
from tests.fixtures.users import DEFAULT_PASSWORD, MadeUser, pending_general_user, registered_master
from tests.web.certificates.arrange import record_certificate
from usecases import credentials, registration, sessions
from usecases.authentication import AttemptOrigin, AttemptRefused, authenticate_user, subject_of_user

ORIGIN = AttemptOrigin("192.0.2.10", ThrottleLimits.from_settings(Settings.from_env({})))
NEW_PASSWORD = "Kawari2026x"
GENERAL_PASSWORD = "Ippan2024pw"
NEW_EMAIL = "new.address@example.jp"


def now() -> datetime:
    return datetime.now(timezone.utc)


@pytest.fixture
def temporal(session_factory) -> FakeTemporal:  # noqa: ANN001
    return FakeTemporal(session_factory)


def load(session_factory, user_uuid: str) -> User:  # noqa: ANN001
    with session_factory() as session:
        found = user_store.get_by_uuid(session=session, user_uuid=user_uuid)
        assert found is not None
        return found


def actor_of(made: MadeUser) -> audit.Actor:
    return audit.Actor("user", made.uuid, "192.0.2.10")


def open_sessions(session_factory, user_uuid: str, count: int) -> list[int]:  # noqa: ANN001
    ids = []
    for _ in range(count):
        with session_factory() as session:
            ids.append(sessions.open_session(session, principal=Principal.user(user_uuid), now=now(),
                                             replacing=None).row.id)
    return ids


def session_rows(session_factory, ids: list[int]) -> list[LoginSession]:  # noqa: ANN001
    with session_factory() as session:
        return [session.get(LoginSession, row_id) for row_id in ids]


def actions(session_factory, user_uuid: str) -> list[str]:  # noqa: ANN001
    with session_factory() as session:
        return list(session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == user_uuid)
                                    .order_by(AuditEntry.id)))


def change(session_factory, temporal, made: MadeUser, current: str, new: str, keep: int | None = None) -> None:  # noqa: ANN001
    with session_factory() as session:
        user = user_store.get_by_uuid(session=session, user_uuid=made.uuid)
        credentials.change_password(session, temporal, user=user, current_password=current, new_password=new,
                                    origin=ORIGIN, now=now(), actor=actor_of(made), keep_session_id=keep)


def registered_general(database_url: str, session_factory, master: MadeUser) -> MadeUser:  # noqa: ANN001
    general = pending_general_user(database_url, master)
    with session_factory.begin() as session:
        user = user_store.get_by_uuid(session=session, user_uuid=general.uuid)
        user_store.complete_initial_registration(session=session, user=user, new_password=GENERAL_PASSWORD,
                                                 email="ippan@example.jp", actor=audit.Actor.cli())
    return general


# --- パスワード変更 -----------------------------------------------------------------------------


def test_a_password_change_replaces_the_password_and_ends_the_other_sessions(session_factory, database_url,
                                                                              temporal):
    master = registered_master(database_url)
    mine, other = open_sessions(session_factory, master.uuid, 2)

    change(session_factory, temporal, master, DEFAULT_PASSWORD, NEW_PASSWORD, keep=mine)

    user = load(session_factory, master.uuid)
    assert user_store.password_matches(user, NEW_PASSWORD) and not user_store.password_matches(user, DEFAULT_PASSWORD)
    assert user.previous_password_hash is not None and user.status is UserStatus.ACTIVE
    kept, ended = session_rows(session_factory, [mine, other])
    assert kept.ended_at is None and ended.end_reason is EndReason.PASSWORD_CHANGED
    assert actions(session_factory, master.uuid)[-2:] == ["user.password_change", "session.end_all"]
    assert temporal.notices == [NoticeRequest(NoticeKind.PASSWORD_CHANGED, master.uuid)]
    with session_factory() as session, pytest.raises(AttemptRefused):  # the old password is refused
        authenticate_user(session, temporal, user_id=master.user_id, password=DEFAULT_PASSWORD, origin=ORIGIN,
                          now=now())


@pytest.mark.parametrize(("new", "problem"), [
    ("abc", CredentialProblem.TOO_SHORT),
    ("onlyletters", CredentialProblem.NEEDS_LETTER_AND_DIGIT),
    (DEFAULT_PASSWORD, CredentialProblem.SAME_AS_PREVIOUS),
])
def test_the_new_password_follows_the_registration_rules_and_costs_no_attempt(session_factory, database_url,
                                                                             temporal, new, problem):
    master = registered_master(database_url)
    with pytest.raises(CredentialError) as refused:
        change(session_factory, temporal, master, DEFAULT_PASSWORD, new)
    assert refused.value.field == "new_password" and refused.value.problem is problem
    assert temporal.states == {}  # the arbiter was not asked
    assert user_store.password_matches(load(session_factory, master.uuid), DEFAULT_PASSWORD)


def test_the_new_password_may_not_be_the_user_id(session_factory, database_url, temporal):
    master = registered_master(database_url)
    with pytest.raises(CredentialError) as refused:
        change(session_factory, temporal, master, DEFAULT_PASSWORD, master.user_id)
    assert refused.value.problem is CredentialProblem.SAME_AS_USER_ID


def test_wrong_current_passwords_count_toward_the_lock(session_factory, database_url, temporal):
    master = registered_master(database_url)
    for attempt in range(MAX_CONSECUTIVE_FAILURES):
        with pytest.raises(AttemptRefused) as refused:
            change(session_factory, temporal, master, "Wrong2024x", NEW_PASSWORD)
        expected = Outcome.LOCKED_NOW if attempt == MAX_CONSECUTIVE_FAILURES - 1 else Outcome.WRONG_PASSWORD
        assert refused.value.result.outcome is expected
    with pytest.raises(AttemptRefused) as refused:  # the right one too, while locked
        change(session_factory, temporal, master, DEFAULT_PASSWORD, NEW_PASSWORD)
    assert refused.value.result.outcome is Outcome.LOCKED
    user = load(session_factory, master.uuid)
    assert user.lockout_status is LockoutStatus.LOCKED and user_store.password_matches(user, DEFAULT_PASSWORD)
    assert temporal.notices == []


# --- メールアドレス変更 -------------------------------------------------------------------------


def request_change(session_factory, temporal, made: MadeUser, email: str = NEW_EMAIL) -> None:  # noqa: ANN001
    with session_factory() as session:
        user = user_store.get_by_uuid(session=session, user_uuid=made.uuid)
        credentials.request_email_change(session, temporal, user=user, new_email=email, actor=actor_of(made))


def mail_the_code(session_factory, made: MadeUser, at: datetime | None = None) -> str:  # noqa: ANN001
    """What the mail activity does for EMAIL_CHANGE_CODE: a fresh code, its hash stored."""
    with session_factory.begin() as session:
        issued = user_store.issue_email_code(session=session, user_uuid=made.uuid, now=at or now())
    assert issued is not None
    address, code, _ = issued
    assert address == NEW_EMAIL
    return code


def confirm(session_factory, temporal, made: MadeUser, code: str, *, at: datetime | None = None,  # noqa: ANN001
            keep: int | None = None) -> None:
    with session_factory() as session:
        user = user_store.get_by_uuid(session=session, user_uuid=made.uuid)
        credentials.confirm_email_change(session, temporal, user=user, code=code, now=at or now(),
                                         actor=actor_of(made), keep_session_id=keep)


def test_the_address_changes_only_with_the_code_mailed_to_it(session_factory, database_url, temporal):
    master = registered_master(database_url)
    mine, other = open_sessions(session_factory, master.uuid, 2)
    request_change(session_factory, temporal, master)
    assert temporal.notices == [NoticeRequest(NoticeKind.EMAIL_CHANGE_CODE, master.uuid, address="pending")]
    user = load(session_factory, master.uuid)
    assert (user.email, user.pending_email) == (master.email, NEW_EMAIL)  # the old address stays until then
    with pytest.raises(EmailChangeRefused) as refused:  # no code has been mailed yet
        confirm(session_factory, temporal, master, "000000")
    assert refused.value.problem is EmailChangeProblem.CODE_NOT_SENT

    code = mail_the_code(session_factory, master)
    stored = load(session_factory, master.uuid)
    assert code not in (stored.email_code_hash or "") and stored.email_code_hash.startswith("$argon2id$")
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    with pytest.raises(EmailChangeRefused) as refused:
        confirm(session_factory, temporal, master, wrong)
    assert refused.value.problem is EmailChangeProblem.CODE_WRONG
    assert load(session_factory, master.uuid).email_code_failures == 1  # the wrong entry was committed

    confirm(session_factory, temporal, master, code, keep=mine)
    user = load(session_factory, master.uuid)
    assert (user.email, user.previous_email, user.pending_email, user.email_code_hash) == (
        NEW_EMAIL, master.email, None, None)
    kept, ended = session_rows(session_factory, [mine, other])
    assert kept.ended_at is None and ended.ended_at is not None
    assert temporal.notices[1:] == [NoticeRequest(NoticeKind.EMAIL_CHANGED, master.uuid),
                                    NoticeRequest(NoticeKind.EMAIL_CHANGED, master.uuid, address="previous")]
    assert {"user.email_change_request", "user.email_code_wrong", "user.email_change"} <= set(
        actions(session_factory, master.uuid))
    with pytest.raises(EmailChangeRefused) as refused:  # used: nothing to confirm any more
        confirm(session_factory, temporal, master, code)
    assert refused.value.problem is EmailChangeProblem.NO_PENDING_CHANGE


def test_a_code_expires_and_a_new_one_replaces_it(session_factory, database_url, temporal):
    master = registered_master(database_url)
    request_change(session_factory, temporal, master)
    first = mail_the_code(session_factory, master)
    late = now() + user_store.EMAIL_CODE_LIFETIME + timedelta(seconds=1)
    with pytest.raises(EmailChangeRefused) as refused:
        confirm(session_factory, temporal, master, first, at=late)
    assert refused.value.problem is EmailChangeProblem.CODE_EXPIRED

    with session_factory() as session:  # 再送信: a new mail, a new code; the first one is void
        credentials.send_email_code(session, temporal, user=user_store.get_by_uuid(session=session,
                                                                                   user_uuid=master.uuid))
    second = mail_the_code(session_factory, master)
    if second != first:
        with pytest.raises(EmailChangeRefused):
            confirm(session_factory, temporal, master, first)
    confirm(session_factory, temporal, master, second)
    assert load(session_factory, master.uuid).email == NEW_EMAIL


def test_too_many_wrong_codes_void_the_code(session_factory, database_url, temporal):
    master = registered_master(database_url)
    request_change(session_factory, temporal, master)
    code = mail_the_code(session_factory, master)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    problems = []
    for _ in range(EMAIL_CODE_MAX_FAILURES):
        with pytest.raises(EmailChangeRefused) as refused:
            confirm(session_factory, temporal, master, wrong)
        problems.append(refused.value.problem)
    assert problems == [EmailChangeProblem.CODE_WRONG] * (EMAIL_CODE_MAX_FAILURES - 1) + [
        EmailChangeProblem.CODE_EXHAUSTED]
    with pytest.raises(EmailChangeRefused) as refused:  # even the right one now
        confirm(session_factory, temporal, master, code)
    assert refused.value.problem is EmailChangeProblem.CODE_EXHAUSTED
    assert load(session_factory, master.uuid).email == master.email


def test_the_same_address_and_a_malformed_one_are_refused(session_factory, database_url, temporal):
    master = registered_master(database_url)
    with pytest.raises(EmailChangeRefused) as same:
        request_change(session_factory, temporal, master, email=master.email)
    assert same.value.problem is EmailChangeProblem.SAME_AS_CURRENT
    with pytest.raises(CredentialError) as malformed:
        request_change(session_factory, temporal, master, email="not-an-address")
    assert malformed.value.field == "email"
    assert load(session_factory, master.uuid).pending_email is None and temporal.notices == []


def test_a_cancelled_change_keeps_the_address(session_factory, database_url, temporal):
    master = registered_master(database_url)
    request_change(session_factory, temporal, master)
    code = mail_the_code(session_factory, master)
    with session_factory() as session:
        credentials.cancel_email_change(session, user=user_store.get_by_uuid(session=session, user_uuid=master.uuid),
                                        actor=actor_of(master))
    with pytest.raises(EmailChangeRefused):
        confirm(session_factory, temporal, master, code)
    assert load(session_factory, master.uuid).email == master.email


# --- パスワード初期化 ---------------------------------------------------------------------------


def test_a_master_resets_a_general_user_who_registers_again_and_keeps_the_certificate(
        session_factory, database_url, temporal):
    master = registered_master(database_url)
    general = registered_general(database_url, session_factory, master)
    serial = record_certificate(session_factory, general.user_id, now())
    [session_id] = open_sessions(session_factory, general.uuid, 1)
    with session_factory() as session:
        master_row = user_store.get_by_uuid(session=session, user_uuid=master.uuid)
        reset = credentials.reset_general_user_password(session, temporal, master=master_row, user_uuid=general.uuid,
                                                        actor=actor_of(master), now=now())
    user = load(session_factory, general.uuid)
    assert user.status is UserStatus.PENDING and user.initial_password
    assert user_store.password_matches(user, reset.initial_password)
    assert not user_store.password_matches(user, GENERAL_PASSWORD)
    [ended] = session_rows(session_factory, [session_id])
    assert ended.end_reason is EndReason.PASSWORD_RESET
    assert temporal.notices == [
        NoticeRequest(NoticeKind.GENERAL_PASSWORD_RESET, general.uuid),
        NoticeRequest(NoticeKind.GENERAL_PASSWORD_RESET_TO_MASTER, master.uuid, about_user_uuid=general.uuid)]
    with session_factory() as session:
        entry = session.get(AuditEntry, reset.reset_id)
        assert (entry.action, entry.actor_id, entry.target_id) == ("user.password_reset", master.uuid, general.uuid)
        assert certificate_store.get_by_serial(session=session, serial=serial).status is CertificateStatus.ACTIVE

    with session_factory() as session:  # 一般ユーザーの初期登録 again, with the new initial password
        again = authenticate_user(session, temporal, user_id=general.user_id, password=reset.initial_password,
                                  origin=ORIGIN, now=now())
        user_store.check_pending_registration(again, role=UserRole.GENERAL)
        registration.complete_registration(session, temporal, user=again, role=UserRole.GENERAL,
                                           new_password="Mata2026xy", email="ippan@example.jp",
                                           actor=actor_of(general))
    assert load(session_factory, general.uuid).status is UserStatus.ACTIVE


def test_a_master_resets_only_their_own_general_users(session_factory, database_url, temporal):
    master = registered_master(database_url)
    general = registered_general(database_url, session_factory, master)
    stranger = registered_master(database_url, email="other@example.jp")
    for acting, target, refusal in ((stranger, general, Refusal.FORBIDDEN), (master, master, Refusal.FORBIDDEN),
                                    (master, MadeUser("not-a-uuid", "", "", None, ()), Refusal.NOT_FOUND)):
        with session_factory() as session, pytest.raises(ServiceError) as refused:
            credentials.reset_general_user_password(
                session, temporal, master=user_store.get_by_uuid(session=session, user_uuid=acting.uuid),
                user_uuid=target.uuid, actor=actor_of(acting), now=now())
        assert refused.value.refusal is refusal
    assert user_store.password_matches(load(session_factory, general.uuid), GENERAL_PASSWORD)
    assert temporal.notices == []


def test_a_reset_leaves_a_block_in_place(session_factory, database_url, temporal):
    """A reset is no silent unblock: the blocked ID stays blocked, even with the new initial password,
    until the master's 閉塞解除."""
    master = registered_master(database_url)
    general = registered_general(database_url, session_factory, master)
    with session_factory() as session:  # blocked, as the arbiter would have it after the 3rd lock
        subject = subject_of_user(user_store.get_by_uuid(session=session, user_uuid=general.uuid))
    temporal._store(subject, LockoutState(lock_count=3, blocked=True), now())  # noqa: SLF001
    with session_factory() as session:
        reset = credentials.reset_general_user_password(
            session, temporal, master=user_store.get_by_uuid(session=session, user_uuid=master.uuid),
            user_uuid=general.uuid, actor=actor_of(master), now=now())
    assert load(session_factory, general.uuid).lockout_status is LockoutStatus.BLOCKED
    with session_factory() as session, pytest.raises(AttemptRefused) as refused:
        authenticate_user(session, temporal, user_id=general.user_id, password=reset.initial_password, origin=ORIGIN,
                          now=now())
    assert refused.value.result.outcome is Outcome.BLOCKED


def test_an_administrator_resets_a_master_user_and_the_notice_shows_it_once(session_factory, database_url,
                                                                             temporal):
    master = registered_master(database_url)
    with session_factory.begin() as session:
        admin, _ = staff_store.create_staff(session=session, login="admin100", role=StaffRole.ADMINISTRATOR,
                                            actor=audit.Actor.cli())
        receiver, _ = staff_store.create_staff(session=session, login="uketsuke1", role=StaffRole.RECEIVER,
                                               actor=audit.Actor.cli())
    staff_actor = audit.Actor("staff", str(admin.uuid))
    with session_factory() as session, pytest.raises(ServiceError) as refused:
        credentials.reset_master_password(session, temporal, staff=receiver, user_uuid=master.uuid,
                                          actor=audit.Actor("staff", str(receiver.uuid)), now=now())
    assert refused.value.refusal is Refusal.FORBIDDEN
    general = pending_general_user(database_url, master)
    with session_factory() as session, pytest.raises(ServiceError) as refused:
        credentials.reset_master_password(session, temporal, staff=admin, user_uuid=general.uuid, actor=staff_actor,
                                          now=now())
    assert refused.value.refusal is Refusal.FORBIDDEN
    assert user_store.password_matches(load(session_factory, master.uuid), DEFAULT_PASSWORD)

    with session_factory() as session:
        reset = credentials.reset_master_password(session, temporal, staff=admin, user_uuid=master.uuid,
                                                  actor=staff_actor, now=now())
    user = load(session_factory, master.uuid)
    assert user.status is UserStatus.PENDING and user_store.password_matches(user, reset.initial_password)
    assert temporal.notices == [NoticeRequest(NoticeKind.MASTER_PASSWORD_RESET, master.uuid)]
    with session_factory() as session:
        assert credentials.show_reset_password_once(session, user_uuid=master.uuid, reset_id=reset.reset_id,
                                                    actor=staff_actor)
    with session_factory() as session:
        assert not credentials.show_reset_password_once(session, user_uuid=master.uuid, reset_id=reset.reset_id,
                                                        actor=staff_actor)
