"""General users and 初期登録 in the store: rules, refusals, and what is kept."""

from __future__ import annotations

import uuid

import pytest

from domain.contact import ContactProblem
from domain.credentials import CredentialProblem
from domain.roles import UserRole, UserStatus
from store import organizations as org_store
from store import users as user_store
from store.errors import CredentialError, Refusal, ServiceError
from store.models import User
from store.passwords import verify_password

from .conftest import ACTOR


def _create(session_factory, master_uuid, user_id: str, name: str = "一般 太郎"):  # noqa: ANN001, ANN202
    with session_factory.begin() as session:
        master = session.get(User, master_uuid)
        user, password = user_store.create_general_user(session=session, master=master, user_id=user_id,
                                                        display_name=name, actor=ACTOR)
        return user.uuid, password


def _refusal(call) -> Refusal:  # noqa: ANN001
    with pytest.raises(ServiceError) as refused:
        call()
    return refused.value.refusal


def test_create_general_user(session_factory, organization):
    user_uuid, password = _create(session_factory, organization.master_uuid, "Ippan001", " 一般 太郎 ")
    with session_factory() as session:
        user = user_store.get_by_user_id(session=session, user_id="Ippan001")
        assert user.uuid == user_uuid and user.role is UserRole.GENERAL and user.status is UserStatus.PENDING
        assert user.display_name == "一般 太郎" and user.organization_id == organization.organization_id
        assert user_store.password_matches(user, password) and not user_store.password_matches(user, "x")
        assert user_store.get_by_user_id(session=session, user_id="ippan001") is None, "IDs are case-sensitive"
        assert user_store.count_general_users(session=session, organization_id=organization.organization_id) == 1
        listed = user_store.organization_users(session=session, organization_id=organization.organization_id)
        assert [u.user_id for u in listed] == [organization.master_user_id, "Ippan001"], "master first"


def test_create_general_user_refusals(session_factory, organization):
    _create(session_factory, organization.master_uuid, "ippan001")
    assert _refusal(lambda: _create(session_factory, organization.master_uuid, "ippan001")) is Refusal.USER_ID_TAKEN
    assert _refusal(lambda: _create(session_factory, organization.master_uuid, organization.master_user_id)) \
        is Refusal.USER_ID_TAKEN
    with pytest.raises(CredentialError) as refused:
        _create(session_factory, organization.master_uuid, "abc")
    assert (refused.value.field, refused.value.problem) == ("user_id", CredentialProblem.TOO_SHORT)
    with pytest.raises(CredentialError) as refused:
        _create(session_factory, organization.master_uuid, "ippan002", " ")
    assert (refused.value.field, refused.value.problem) == ("display_name", ContactProblem.NAME_REQUIRED)


def test_only_an_active_master_creates_users(session_factory, organization):
    general_uuid, _ = _create(session_factory, organization.master_uuid, "ippan001")
    assert _refusal(lambda: _create(session_factory, general_uuid, "ippan002")) is Refusal.FORBIDDEN
    with session_factory.begin() as session:
        pending = org_store.create_organization(session=session, code="7777", name="x", email="x@example.jp",
                                                actor=ACTOR).master.uuid
    assert _refusal(lambda: _create(session_factory, pending, "ippan003")) is Refusal.FORBIDDEN


def _delete(session_factory, master_uuid, user_uuid):  # noqa: ANN001, ANN202
    with session_factory.begin() as session:
        return user_store.delete_general_user(session=session, master=session.get(User, master_uuid),
                                              user_uuid=str(user_uuid), actor=ACTOR).status


def test_delete_general_user(session_factory, organization):
    user_uuid, password = _create(session_factory, organization.master_uuid, "ippan001")
    assert _delete(session_factory, organization.master_uuid, user_uuid) is UserStatus.DELETED
    with session_factory() as session:
        assert user_store.get_by_user_id(session=session, user_id="ippan001") is None
        deleted = session.get(User, user_uuid)
        assert deleted.deleted_at is not None and not user_store.password_matches(deleted, password)
        assert user_store.count_general_users(session=session, organization_id=organization.organization_id) == 0
    assert _refusal(lambda: _create(session_factory, organization.master_uuid, "ippan001")) \
        is Refusal.USER_ID_TAKEN, "a deleted ID stays reserved"
    assert _refusal(lambda: _delete(session_factory, organization.master_uuid, user_uuid)) is Refusal.NOT_FOUND


def test_delete_refusals(session_factory, make_active_organization):
    mine, theirs = make_active_organization(), make_active_organization()
    their_general, _ = _create(session_factory, theirs.master_uuid, "yoso0001")
    my_general, _ = _create(session_factory, mine.master_uuid, "ippan001")
    cases = {
        (mine.master_uuid, their_general): Refusal.FORBIDDEN,
        (mine.master_uuid, theirs.master_uuid): Refusal.FORBIDDEN,
        (mine.master_uuid, mine.master_uuid): Refusal.FORBIDDEN,
        (my_general, my_general): Refusal.FORBIDDEN,
        (mine.master_uuid, uuid.uuid4()): Refusal.NOT_FOUND,
        (mine.master_uuid, "not-a-uuid"): Refusal.NOT_FOUND,
    }
    for (actor_uuid, target), expected in cases.items():
        refusal = _refusal(lambda actor=actor_uuid, target=target: _delete(session_factory, actor, target))
        assert refusal is expected, (actor_uuid, target)
    with session_factory() as session:
        assert all(user.status is not UserStatus.DELETED for user in session.query(User))


def test_initial_registration(session_factory, organization):
    user_uuid, initial = _create(session_factory, organization.master_uuid, "ippan001")
    with session_factory.begin() as session:
        user = session.get(User, user_uuid)
        user_store.check_pending_registration(user, role=UserRole.GENERAL)
        assert _refusal(lambda: user_store.check_pending_registration(user, role=UserRole.MASTER)) \
            is Refusal.WRONG_REGISTRATION_KIND
        user_store.complete_initial_registration(session=session, user=user, new_password="Ippan2024x",
                                                 email="ippan@example.jp", actor=ACTOR)
    with session_factory.begin() as session:
        user = session.get(User, user_uuid)
        assert user.status is UserStatus.ACTIVE and not user.initial_password and user.registered_at
        assert verify_password(user.password_hash, "Ippan2024x")
        assert verify_password(user.previous_password_hash, initial)
        assert not verify_password(user.password_hash, initial)
        assert _refusal(lambda: user_store.check_pending_registration(user, role=UserRole.GENERAL)) \
            is Refusal.ALREADY_REGISTERED
        assert _refusal(lambda: user_store.complete_initial_registration(
            session=session, user=user, new_password="Other2024x", email="x@example.jp", actor=ACTOR,
        )) is Refusal.ALREADY_REGISTERED
    assert _refusal(lambda: user_store.check_pending_registration(None, role=UserRole.GENERAL)) \
        is Refusal.INVALID_CREDENTIALS


@pytest.mark.parametrize(("new_password", "email", "field", "problem"), [
    ("ID", "a@example.jp", "new_password", CredentialProblem.SAME_AS_USER_ID),
    ("INITIAL", "a@example.jp", "new_password", CredentialProblem.SAME_AS_PREVIOUS),
    ("abc12", "a@example.jp", "new_password", CredentialProblem.TOO_SHORT),
    ("Ippan2024x", "not-mail", "email", ContactProblem.EMAIL_FORMAT),
])
def test_initial_registration_rules(session_factory, organization, new_password, email, field, problem):
    user_uuid, initial = _create(session_factory, organization.master_uuid, "ippan001")
    new_password = {"ID": "ippan001", "INITIAL": initial}.get(new_password, new_password)
    with pytest.raises(CredentialError) as refused, session_factory.begin() as session:
        user_store.complete_initial_registration(session=session, user=session.get(User, user_uuid),
                                                 new_password=new_password, email=email, actor=ACTOR)
    assert (refused.value.field, refused.value.problem) == (field, problem)
    with session_factory() as session:
        assert session.get(User, user_uuid).status is UserStatus.PENDING
