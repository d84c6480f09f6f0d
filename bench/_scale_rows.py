"""A customer base written straight into the product database, for the scale bench.

Issuing 20,000 certificates through 発行 would take hours and measure issuance, not scale, so
the rows that 初期登録 and issuance leave behind are bulk-inserted with SQLAlchemy instead:
organizations of 20 users (1 master + 19 general, the quota), every user registered (ACTIVE,
an e-mail address, a password hash), one ACTIVE certificate each, and the audit entries those
steps write. Two shortcuts, both invisible to the workflows:

- every user shares one argon2 hash of ``PASSWORD`` (production parameters): 20,000 hashes
  would cost half an hour of CPU and nothing here reads them but the issuance samples;
- every certificate row carries the PEM of one real certificate signed by the bench's CA (the
  size of the row is real); serials and fingerprints are unique.

Issue dates are spread over the past year, so the lifecycles' next timers (renewal notice,
reminder, expiry) fall all over the coming year; about 8 % are already in their renewal window
and run a milestone activity and send a notice when their lifecycle starts. No date is chosen
whose next milestone falls within ``QUIET_HOURS`` of now, so no timer fires during the run.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from domain.credentials import generate_credential
from domain.quotas import MAX_USERS_PER_ORGANIZATION
from domain.roles import CertificateStatus, UserRole, UserStatus
from domain.validity import calendar_for
from pki.ca import load_client_ca
from pki.csr import new_key_and_csr, parse_csr
from pki.issue import CertificateSubject, build_client_certificate, certificate_pem, new_serial, serial_hex
from store.models import AuditEntry, Certificate, Organization, User
from store.passwords import hash_password

from ._scale_timers import Timer

PASSWORD = "Bench2024pw"
QUIET_HOURS = 6  # no milestone of a bulk certificate falls between now and now + 6 h
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Holder:
    """One registered user; ``serial``/``issued_at`` are their certificate (None: none yet)."""

    uuid: str
    user_id: str
    organization_code: str
    role: UserRole
    serial: str | None = None
    issued_at: datetime | None = None


# The lifecycle's four waits, in order (workflows/certificate_lifecycle.py, ``_steps``).
TIMER_SUMMARIES = ("有効期限40日前のお知らせ（326日目）まで", "更新受付の開始（336日目）まで",
                   "有効期限7日前のお知らせまで", "有効期限切れ（367日目の0時）まで")


def pending_timer(issued_at: datetime, now: datetime) -> Timer:
    """The timer the lifecycle of a certificate issued at ``issued_at`` waits on at ``now``."""
    calendar = calendar_for(issued_at)
    steps = (calendar.banner_from, calendar.renewal_opens_at, calendar.reminder_at, calendar.expires_at)
    for summary, at in zip(TIMER_SUMMARIES, steps, strict=True):
        if at > now:
            return Timer(summary, at)
    raise ValueError("the certificate has expired")


def quiet_issue_time(rng: random.Random, now: datetime) -> datetime:
    """A notBefore in the past year whose certificate is live and has no milestone near ``now``."""
    while True:
        issued_at = (now - YEAR * rng.random()).replace(microsecond=0)
        calendar = calendar_for(issued_at)
        soon = now + timedelta(hours=QUIET_HOURS)
        steps = (calendar.banner_from, calendar.renewal_opens_at, calendar.reminder_at, calendar.expires_at)
        if calendar.expires_at > soon and not any(now <= at <= soon for at in steps):
            return issued_at


class CustomerBase:
    """Makes holders organization by organization and writes them; IDs stay unique across calls."""

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, *, seed: int = 7) -> None:
        self.session_factory = session_factory
        self.rng = random.Random(seed)
        self.password_hash = hash_password(PASSWORD)
        self.template_pem = _template_pem(settings)
        self._user_ids: set[str] = set()
        self._organizations = 0

    def _new_user_id(self) -> str:
        while (candidate := generate_credential()) in self._user_ids:
            pass
        self._user_ids.add(candidate)
        return candidate

    def make(self, count: int, *, certified: int, prefix: str, now: datetime) -> list[Holder]:
        """``count`` holders in new organizations of up to 20 users (the first of each is its master);
        the first ``certified`` hold a certificate. Organization codes start with ``prefix``."""
        holders: list[Holder] = []
        while len(holders) < count:
            self._organizations += 1
            code = f"{prefix}{self._organizations:07d}"
            for index in range(min(MAX_USERS_PER_ORGANIZATION, count - len(holders))):
                with_certificate = len(holders) < certified
                holders.append(Holder(
                    uuid=str(uuid.uuid4()), user_id=self._new_user_id(), organization_code=code,
                    role=UserRole.MASTER if index == 0 else UserRole.GENERAL,
                    serial=serial_hex(new_serial()) if with_certificate else None,
                    issued_at=quiet_issue_time(self.rng, now) if with_certificate else None))
        return holders

    def write(self, holders: Sequence[Holder]) -> None:
        """One transaction: organizations, users, certificates and their audit entries."""
        registered = datetime.now(timezone.utc)
        with self.session_factory.begin() as session:
            codes = sorted({holder.organization_code for holder in holders})
            session.execute(insert(Organization), [{"code": code, "name": "ベンチ労働組合"} for code in codes])
            ids = dict(session.execute(  # a Result has .keys(): dict() would take it for a mapping
                select(Organization.code, Organization.id).where(Organization.code.in_(codes))).tuples().all())
            session.execute(insert(User), [self._user_row(holder, ids, registered) for holder in holders])
            certified = [holder for holder in holders if holder.serial is not None]
            if certified:
                session.execute(insert(Certificate), [self._certificate_row(holder, ids) for holder in certified])
            session.execute(insert(AuditEntry), list(_audit_rows(holders, codes)))

    def _user_row(self, holder: Holder, ids: dict[str, int], registered: datetime) -> dict:
        return {"uuid": uuid.UUID(holder.uuid), "user_id": holder.user_id,
                "organization_id": ids[holder.organization_code], "role": holder.role,
                "status": UserStatus.ACTIVE, "email": f"bench.{holder.user_id.lower()}@example.jp",
                "display_name": "ベンチ利用者", "password_hash": self.password_hash, "initial_password": False,
                "previous_password_hash": self.password_hash, "registered_at": registered}

    def _certificate_row(self, holder: Holder, ids: dict[str, int]) -> dict:
        assert holder.issued_at is not None
        calendar = calendar_for(holder.issued_at)
        return {"serial": holder.serial, "owner_uuid": uuid.UUID(holder.uuid),
                "organization_id": ids[holder.organization_code], "status": CertificateStatus.ACTIVE,
                "not_before": holder.issued_at, "not_after": calendar.not_after.astimezone(timezone.utc),
                "fingerprint_sha256": uuid.uuid4().hex + uuid.uuid4().hex, "issued_at": holder.issued_at,
                "request_id": str(uuid.uuid4()), "certificate_pem": self.template_pem}


def _audit_rows(holders: Sequence[Holder], codes: Sequence[str]) -> Iterator[dict]:
    """What create-org, user creation, 初期登録 and issuance record (identifiers only)."""
    for code in codes:
        yield {"actor_kind": "cli", "actor_id": "cli", "action": "organization.create",
               "target_kind": "organization", "target_id": code, "detail": ""}
    for holder in holders:
        yield {"actor_kind": "cli", "actor_id": "cli", "action": "user.create", "target_kind": "user",
               "target_id": holder.uuid, "detail": f"role={holder.role.value}"}
        yield {"actor_kind": "user", "actor_id": holder.uuid, "action": "user.initial_registration",
               "target_kind": "user", "target_id": holder.uuid, "detail": ""}
        if holder.serial is not None:
            yield {"actor_kind": "user", "actor_id": holder.uuid, "action": "certificate.issue",
                   "target_kind": "certificate", "target_id": holder.serial,
                   "detail": f"request={uuid.uuid4()}"}


def _template_pem(settings: Settings) -> str:
    """One real client certificate from the bench's CA: every bulk row stores a PEM of this size."""
    ca = load_client_ca(settings.ca_certificate_path, settings.ca_key_path)
    certificate = build_client_certificate(
        ca=ca, csr=parse_csr(new_key_and_csr("template").csr_pem), subject=CertificateSubject("template", "B0000000"),
        serial=new_serial(), issued_at=datetime.now(timezone.utc), crl_url=settings.crl_url,
        ocsp_url=settings.ocsp_url)
    return certificate_pem(certificate)
