"""A small customer base for the staff dashboard's tests, made through the use-cases (``usecases/``):
issuances (④ authenticate, ⑤ issue) whose signing and delivery are the real certificate activities on
a clock set in the past, written requests filed, received and approved, wrong passwords judged by the
lockout rules and mirrored to the read model, releases by the master user.

``DashboardTemporal`` is ``tests.fakes.temporal_port.FakeTemporal`` (the lockout arbiter) plus what
the issuance and the written-request workflows would do through their activities — no Temporal
server: the dashboard reads the database only, which is what these facts are made to fill.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from activities.certificates import CertificateActivities
from contract.certificate_client import IssuanceFailed
from domain.certificates import DeliveryState, IssuanceOutcome, IssuanceRequest, SigningRequest
from domain.lockout import MAX_CONSECUTIVE_FAILURES, ReleaseKind
from domain.revocation import Party, RequestInput, RevocationReason, Transition, TransitionRecord
from domain.roles import StaffRole
from store import audit
from store import revocation as revocation_store
from store import staff as staff_store
from store import users as user_store
from store.login_throttle import Limit, ThrottleLimits
from store.models import Staff
from store.revocation import party_of_staff, party_of_user
from tests.fakes.temporal_port import FakeTemporal
from tests.fixtures.users import DEFAULT_PASSWORD, MadeUser, registered_master
from tests.workflows.lockout_support import GENERAL_PASSWORD, registered_general
from usecases import authentication, issuance, releases, revocation
from usecases.authentication import AttemptOrigin, AttemptRefused

WRONG_PASSWORD = "Wrong2024pw"
ORIGIN = AttemptOrigin("192.0.2.15", ThrottleLimits(address=Limit(1000, timedelta(minutes=10)),
                                                    organization=Limit(1000, timedelta(minutes=10))))


@dataclass
class DashboardTemporal(FakeTemporal):
    signing: CertificateActivities | None = None
    at: datetime | None = None  # the issuance workflow's clock (None: now)
    deliver: bool = True  # False: the deadline's void comes before the web records the delivery
    filings: list[RequestInput] = field(default_factory=list)

    def _now(self) -> datetime:
        return self.at or datetime.now(timezone.utc)

    def _sign(self, request: IssuanceRequest) -> IssuanceOutcome:
        assert self.signing is not None
        outcome = asyncio.run(self.signing.sign_certificate(
            SigningRequest(request.request_id, request.user_uuid, request.csr_pem, self._now(),
                           awaiting_delivery=True)))
        return replace(outcome, delivery=DeliveryState.PENDING) if outcome.certificate else outcome

    def begin_issuance(self, request: IssuanceRequest) -> IssuanceOutcome:
        outcome = self._sign(request)
        if not self.deliver and outcome.certificate is not None:
            assert self.signing is not None
            asyncio.run(self.signing.void_issuance(request.request_id))  # the deadline passed before the record
        return outcome

    def tell_delivered(self, *, request_id: str, serial: str) -> None:
        """The web recorded the delivery itself; the lifecycle is not modelled here."""

    def start_revocation_request(self, request: RequestInput, *, bank_code: str = "") -> None:
        self.filings.append(request)  # the workflow waits for the paper

    def receive_paper(self, number: str, actor: Party) -> None:
        self._transition(number, Transition.RECEIVE, actor)

    def decide(self, number: str, actor: Party, *, approve: bool, comment_id: int) -> None:
        self._transition(number, Transition.APPROVE if approve else Transition.REJECT, actor, comment_id)

    def _transition(self, number: str, transition: Transition, actor: Party, comment_id: int = 0) -> None:
        """What the request workflow's ``record_transition`` activity writes."""
        with self.session_factory.begin() as session:
            revocation_store.record_transition(session=session, record=TransitionRecord(
                number, transition, self._now(), actor.kind, actor.uuid, comment_id))


@dataclass
class Actors:
    temporal: DashboardTemporal
    database_url: str

    def issue(self, user: MadeUser, password: str, *, at: datetime, deliver: bool = True) -> str | None:
        """④ and ⑤ as the pages call them, the workflow's clock at ``at``; the serial, or None if voided."""
        self.temporal.at, self.temporal.deliver = at, deliver
        factory = self.temporal.session_factory
        try:
            with factory() as session:
                entry = issuance.authenticate_for_issuance(session, self.temporal, user_id=user.user_id,
                                                           password=password, origin=ORIGIN, now=at)
                request_id = str(uuid.uuid4())
                delivered = issuance.issue_certificate(session, self.temporal, user_uuid=str(entry.user.uuid),
                                                       password=password, request_id=request_id,
                                                       delivery_deadline=timedelta(minutes=2))
                return delivered.certificate.serial
        except IssuanceFailed:
            return None
        finally:
            self.temporal.at, self.temporal.deliver = None, True

    def fail_logins(self, user_id: str, times: int = MAX_CONSECUTIVE_FAILURES) -> None:
        factory = self.temporal.session_factory
        for _ in range(times):
            with factory() as session:
                try:
                    authentication.authenticate_user(session, self.temporal, user_id=user_id, password=WRONG_PASSWORD,
                                                     origin=ORIGIN, now=datetime.now(timezone.utc))
                except AttemptRefused:
                    pass

    def unlock(self, master: MadeUser, user: MadeUser) -> None:
        with self.temporal.session_factory() as session:
            account = user_store.get_by_uuid(session=session, user_uuid=user.uuid)
            actor = user_store.get_by_uuid(session=session, user_uuid=master.uuid)
            releases.release(session, self.temporal, account=account, kind=ReleaseKind.UNLOCK, actor=actor)

    def file(self, master: MadeUser, serial: str, *, at: datetime) -> str:
        with self.temporal.session_factory() as session:
            owner = user_store.get_by_uuid(session=session, user_uuid=master.uuid)
            filed = revocation.file_request(session, self.temporal, serial=serial, reason=RevocationReason.PC_CHANGE,
                                            actor=party_of_user(owner), now=at)
            return filed.number

    def staff(self, role: StaffRole, login: str) -> Party:
        with self.temporal.session_factory.begin() as session:
            staff, _ = staff_store.create_staff(session=session, login=login, role=role,
                                                actor=audit.Actor.cli())
            session.flush()
            return party_of_staff(staff)

    def receive(self, number: str, receiver: Party, *, at: datetime) -> None:
        self.temporal.at = at
        with self.temporal.session_factory() as session:
            revocation.receive_paper(session, self.temporal, number=number, actor=receiver)
        self.temporal.at = None

    def approve(self, number: str, approver: Party) -> None:
        with self.temporal.session_factory() as session:
            revocation.decide(session, self.temporal, number=number, actor=approver, approve=True,
                              comment="書面を確認しました")


@dataclass
class World:
    """What was done, for the tests to compute what each chart must say."""

    now: datetime
    code_a: str  # certificates and locks
    codes_requests: tuple[str, str, str]  # awaiting paper, paper received, approved
    issued_at: dict[str, datetime] = field(default_factory=dict)  # name → when its certificate was issued
    renewed: set[str] = field(default_factory=set)  # names whose certificate a newer one renews
    filed_at: dict[str, datetime] = field(default_factory=dict)  # request state → filing
    received_at: datetime | None = None


def build(database_url: str, session_factory, signing: CertificateActivities) -> World:  # noqa: ANN001
    """Organization A: the master in the renewal window, ``g1`` renewed, ``g2`` mid-life, ``g3`` voided today,
    ``g4`` locked once, ``g5`` blocked (two locks the master lifted, then the third); a staff account
    locked. Organizations B, C, D: a master's written request awaiting paper (filed 10 days ago),
    received 5 days ago (filed 20 days ago), approved today; their certificates were issued 25 days ago."""
    actors = Actors(DashboardTemporal(session_factory, signing=signing), database_url)
    now = datetime.now(timezone.utc)
    master = registered_master(database_url)
    world = World(now, master.organization_code, ("", "", ""))
    general = {name: registered_general(database_url, master, user_id=f"{name}{uuid.uuid4().hex[:5]}x")
               for name in ("g1", "g2", "g3", "g4", "g5")}

    window = now - timedelta(days=340)  # day 341: in the renewal window
    for name, user, password, at in [("master", master, DEFAULT_PASSWORD, window),
                                     ("g1", general["g1"], GENERAL_PASSWORD, window),
                                     ("g2", general["g2"], GENERAL_PASSWORD, now - timedelta(days=100))]:
        assert actors.issue(user, password, at=at)
        world.issued_at[name] = at
    assert actors.issue(general["g1"], GENERAL_PASSWORD, at=now)  # the renewal: g1's first one is renewed
    world.issued_at["g1-new"] = now
    world.renewed.add("g1")
    assert actors.issue(general["g3"], GENERAL_PASSWORD, at=now, deliver=False) is None  # voided

    actors.fail_logins(general["g4"].user_id)
    for _ in range(2):
        actors.fail_logins(general["g5"].user_id)
        actors.unlock(master, general["g5"])
    actors.fail_logins(general["g5"].user_id)  # the third lock: blocked
    admin = actors.staff(StaffRole.ADMINISTRATOR, f"adm{uuid.uuid4().hex[:5]}1")
    with session_factory() as session:
        for _ in range(MAX_CONSECUTIVE_FAILURES):
            try:
                authentication.authenticate_staff(session, actors.temporal, login=admin_login(session, admin),
                                                  password=WRONG_PASSWORD, origin=ORIGIN, now=now)
            except AttemptRefused:
                pass

    receiver = actors.staff(StaffRole.RECEIVER, f"rcv{uuid.uuid4().hex[:5]}1")
    approver = actors.staff(StaffRole.APPROVER, f"apr{uuid.uuid4().hex[:5]}1")
    codes = []
    for state, filed_days_ago in [("awaiting_paper", 10), ("paper_received", 20), ("approved", 0)]:
        owner = registered_master(database_url)
        codes.append(owner.organization_code)
        filed_at = now - timedelta(days=filed_days_ago)
        serial = actors.issue(owner, DEFAULT_PASSWORD, at=now - timedelta(days=25))
        assert serial
        world.issued_at[f"master-{state}"] = now - timedelta(days=25)
        number = actors.file(owner, serial, at=filed_at)
        world.filed_at[state] = filed_at
        if state == "paper_received":
            world.received_at = now - timedelta(days=5)
            actors.receive(number, receiver, at=world.received_at)
        if state == "approved":
            actors.receive(number, receiver, at=now)
            actors.approve(number, approver)
    world.codes_requests = (codes[0], codes[1], codes[2])
    return world


def admin_login(session, party: Party) -> str:  # noqa: ANN001
    return session.get(Staff, uuid.UUID(party.uuid)).login
