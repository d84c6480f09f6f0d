"""Rokin staff accounts in the store."""

from __future__ import annotations

import pytest

from domain.credentials import CredentialProblem
from domain.roles import StaffRole
from store import staff as staff_store
from store.errors import CredentialError, Refusal, ServiceError

from .conftest import ACTOR


def test_create_staff_and_check_passwords(session_factory):
    with session_factory.begin() as session:
        staff, initial = staff_store.create_staff(session=session, login="uketsuke1", role=StaffRole.RECEIVER,
                                                  actor=ACTOR)
    with session_factory() as session:
        found = staff_store.get_by_login(session=session, login="uketsuke1")
        assert found.uuid == staff.uuid and found.role is StaffRole.RECEIVER and found.initial_password
        assert staff_store.password_matches(found, initial)
        assert not staff_store.password_matches(found, initial + "x")
        assert not staff_store.password_matches(None, initial)
        assert staff_store.get_by_login(session=session, login="UKETSUKE1") is None


def test_staff_logins_are_unique_and_well_formed(session_factory):
    with session_factory.begin() as session:
        staff_store.create_staff(session=session, login="shonin001", role=StaffRole.APPROVER, actor=ACTOR)
    with pytest.raises(ServiceError) as refused, session_factory.begin() as session:
        staff_store.create_staff(session=session, login="shonin001", role=StaffRole.RECEIVER, actor=ACTOR)
    assert refused.value.refusal is Refusal.STAFF_LOGIN_TAKEN
    with pytest.raises(CredentialError) as refused, session_factory.begin() as session:
        staff_store.create_staff(session=session, login="shonin", role=StaffRole.RECEIVER, actor=ACTOR)
    assert refused.value.problem is CredentialProblem.NEEDS_LETTER_AND_DIGIT


def test_change_password(session_factory):
    with session_factory.begin() as session:
        staff, initial = staff_store.create_staff(session=session, login="kanri0001",
                                                  role=StaffRole.ADMINISTRATOR, actor=ACTOR)
    for bad, problem in (("kanri0001", CredentialProblem.SAME_AS_USER_ID),
                         (initial, CredentialProblem.SAME_AS_PREVIOUS),
                         ("kanri", CredentialProblem.TOO_SHORT)):
        with pytest.raises(CredentialError) as refused, session_factory.begin() as session:
            staff_store.change_password(session=session, staff=session.merge(staff), new_password=bad, actor=ACTOR)
        assert refused.value.problem is problem
    with session_factory.begin() as session:
        staff_store.change_password(session=session, staff=session.merge(staff), new_password="Kanri2024x",
                                    actor=ACTOR)
    with session_factory() as session:
        found = staff_store.get_by_login(session=session, login="kanri0001")
        assert not found.initial_password
        assert staff_store.password_matches(found, "Kanri2024x") and not staff_store.password_matches(found, initial)
