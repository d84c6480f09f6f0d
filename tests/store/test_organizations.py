"""団体登録: the organization and its pending master user."""

from __future__ import annotations

import pytest

from domain.contact import ContactProblem
from domain.credentials import check_credential
from domain.organizations import OrganizationProblem
from domain.roles import UserRole, UserStatus
from store import organizations as org_store
from store.errors import CredentialError, Refusal, ServiceError
from store.models import AuditEntry
from store.passwords import verify_password

from .conftest import ACTOR


def test_create_organization_makes_a_pending_master(session_factory):
    with session_factory.begin() as session:
        created = org_store.create_organization(session=session, code="1234", name=" テスト労働組合 ",
                                                email="master@example.jp", actor=ACTOR)
    with session_factory() as session:
        organization = org_store.get_by_code(session=session, code="1234")
        master = organization.users[0]
        assert organization.name == "テスト労働組合"
        assert master.role is UserRole.MASTER and master.status is UserStatus.PENDING and master.initial_password
        assert master.user_id == created.master.user_id and check_credential(master.user_id) is None
        assert verify_password(master.password_hash, created.initial_password)
        assert created.initial_password not in master.password_hash
        actions = [entry.action for entry in session.query(AuditEntry).order_by(AuditEntry.id)]
        assert actions == ["organization.create", "user.create"]
        assert org_store.get_by_code(session=session, code="9999") is None


def test_organization_codes_are_unique(session_factory):
    with session_factory.begin() as session:
        org_store.create_organization(session=session, code="1234", name="a", email="a@example.jp", actor=ACTOR)
    with pytest.raises(ServiceError) as refused, session_factory.begin() as session:
        org_store.create_organization(session=session, code="1234", name="b", email="b@example.jp", actor=ACTOR)
    assert refused.value.refusal is Refusal.ORGANIZATION_CODE_TAKEN


@pytest.mark.parametrize(("code", "name", "email", "field", "problem"), [
    ("12", "名", "a@example.jp", "code", OrganizationProblem.CODE_FORMAT),
    ("abcd", "名", "a@example.jp", "code", OrganizationProblem.CODE_FORMAT),
    ("1234", " ", "a@example.jp", "name", OrganizationProblem.NAME_REQUIRED),
    ("1234", "名", "nope", "email", ContactProblem.EMAIL_FORMAT),
])
def test_create_organization_checks_its_input(session_factory, code, name, email, field, problem):
    with pytest.raises(CredentialError) as refused, session_factory.begin() as session:
        org_store.create_organization(session=session, code=code, name=name, email=email, actor=ACTOR)
    assert (refused.value.field, refused.value.problem) == (field, problem)
    with session_factory() as session:
        assert session.query(AuditEntry).count() == 0
