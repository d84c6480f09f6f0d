"""Arrangements shared by the revocation page tests."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from domain.revocation import RequestState
from domain.roles import CertificateStatus
from store import audit
from store import certificates as certificate_store
from store import revocation as revocation_store
from store import users as user_store
from store.models import AuditEntry, Certificate
from tests.conftest import post_form
from tests.web.certificates.arrange import record_certificate

__all__ = ["audit_actions", "certificate", "file_request", "live_serial", "now", "record_certificate"]


def now() -> datetime:
    return datetime.now(timezone.utc)


def certificate(factory, serial: str) -> Certificate:  # noqa: ANN001
    with factory() as session:
        return session.scalar(select(Certificate).where(Certificate.serial == serial))


def audit_actions(factory, target_id: str) -> list[str]:  # noqa: ANN001
    with factory() as session:
        return list(session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == target_id)))


def is_active(factory, serial: str) -> bool:  # noqa: ANN001
    return certificate(factory, serial).status is CertificateStatus.ACTIVE


START = "/revocation-request"
CHOOSE = "/revocation-request/file"


def authenticate(client, user_id: str, password: str):  # noqa: ANN001, ANN201
    return post_form(client, START, {"user_id": user_id, "password": password})


def file_request(app, user_id: str, password: str, serial: str, reason: str = "pc_change",  # noqa: ANN001, ANN201
                 detail: str = ""):
    """電子証明書の失効依頼 through the login screen's pages on a fresh client: (client, response)."""
    client = app.test_client()
    assert authenticate(client, user_id, password).location.endswith(CHOOSE)
    return client, post_form(client, CHOOSE, {"serial": serial, "reason": reason, "reason_detail": detail})


def request_state(factory, number: str) -> RequestState:  # noqa: ANN001
    with factory() as session:
        return revocation_store.get_request(session=session, number=number).state


def live_serial(factory, user_id: str) -> str:  # noqa: ANN001
    """The user's live certificate (logging in through the pages may have given them one), else a new one."""
    with factory() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        rows = certificate_store.live_certificates(session=session, user_uuid=user.uuid, now=now())
        if rows:
            assert len(rows) == 1, "one live certificate expected"
            return rows[0].serial
    return record_certificate(factory, user_id, now())


def registered_master_without_certificate(factory, make_organization) -> tuple[str, str]:  # noqa: ANN001
    """A master user who did 初期登録 (through the store) and holds no certificate: (user ID, password)."""
    _, user_id, _ = make_organization()
    with factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        user_store.complete_initial_registration(session=session, user=user, new_password="Master2024x",
                                                 email="m@example.jp", actor=audit.Actor.cli())
    return user_id, "Master2024x"
