"""The actors of ``rokin simulate`` and ``rokin admin sample-data``: each method is one thing a
person does on a page, done by calling that page's use-case (``usecases``) — the very function
the Flask view calls, with its own database session and a Temporal port on this event loop.

Use-cases are synchronous (a view is), and the worker of ``rokin simulate`` runs on this same
event loop, so each call runs in a thread (``asyncio.to_thread``) and reaches Temporal through a
bridge lent this loop's client (``TemporalBridge.on_loop``). ``clock`` says what "now" is: the
time-skipping server's time in the simulator, the wall clock on the dev stack.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from core.config import Settings
from domain.banks import FEDERATION
from domain.certificates import DELIVERY_DEADLINE, IssuedCertificate
from domain.lockout import AttemptResult, ReleaseKind, SubjectKind
from domain.notices import NoticeRequest
from domain.revocation import Party, PartyKind, RequestInput, RevocationReason
from domain.roles import StaffRole, UserRole
from domain.staff_scope import EVERY_BANK
from store import audit
from store import staff as staff_store
from store import users as user_store
from store.errors import ServiceError
from store.login_throttle import ThrottleLimits
from store.models import Staff
from store.revocation import party_of_staff
from usecases import (
    authentication,
    branches,
    certificate_login,
    issuance,
    organizations,
    registration,
    releases,
    revocation,
)
from usecases import users as user_cases
from usecases.bridge import TemporalBridge
from usecases.gateway import TemporalGateway

Clock = Callable[[], Awaitable[datetime]]
T = TypeVar("T")
GENERAL_DISPLAY_NAME = "一般ユーザー"


class ActionRefused(Exception):
    """The product said no where the scenario expected yes (a locked ID, a refused issuance)."""


@dataclass(frozen=True)
class Person:
    """An employer user the scenario made: whose password it knows, never put in a history."""

    uuid: str
    user_id: str
    organization_code: str
    kind: SubjectKind  # MASTER or GENERAL
    password: str

    @property
    def party(self) -> Party:
        kind = PartyKind.MASTER_USER if self.kind is SubjectKind.MASTER else PartyKind.GENERAL_USER
        return Party(kind, self.uuid, organization_code=self.organization_code)


class _RecordingGateway(TemporalGateway):
    """Remembers the notices the use-cases start, so the simulator can wait for them to settle."""

    def __init__(self, bridge: TemporalBridge) -> None:
        super().__init__(bridge)
        self.notices: list[str] = []

    def send_notice(self, notice: NoticeRequest) -> str:
        workflow_id = super().send_notice(notice)
        self.notices.append(workflow_id)
        return workflow_id


class Acting:
    def __init__(self, client: Client, session_factory: sessionmaker[Session], *, task_queue: str,
                 clock: Clock) -> None:
        self.client = client
        self.session_factory = session_factory
        self.task_queue = task_queue
        self.clock = clock
        self.temporal = _RecordingGateway(TemporalBridge.on_loop(client, asyncio.get_running_loop(), task_queue))
        # Not over the network: failed attempts count on the organization only, with the configured limits.
        self.origin = authentication.AttemptOrigin(None, ThrottleLimits.from_settings(Settings.from_env()))
        self.staff_initial_passwords: dict[str, str] = {}  # login → the one-time password create-staff printed

    @property
    def notices(self) -> list[str]:
        """IDs of the notice workflows started by the use-cases (not by another workflow)."""
        return self.temporal.notices

    async def _call(self, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``use_case(session, *args, **kwargs)`` in a thread, with a session of its own."""

        def run() -> T:
            with self.session_factory() as session:
                return use_case(session, *args, **kwargs)

        return await asyncio.to_thread(run)

    # --- Rokin staff pages and the CLI --------------------------------------------------------

    async def staff_account(self, login: str, role: StaffRole, bank_code: str = FEDERATION.code) -> Party:
        """``rokin admin create-staff --bank CODE`` (or ``--federation``, the default). The party acts only
        within its 労金: the use-cases look its bank up by its UUID."""
        staff, initial_password = await self._call(organizations.create_staff, login=login, role=role,
                                                   actor=audit.Actor.cli(), bank_code=bank_code)
        self.staff_initial_passwords[login] = initial_password
        return party_of_staff(staff)

    async def register_organization(self, *, code: str, name: str, email: str, password: str,
                                    branch: tuple[str, str] | None = None, by: Party | None = None) -> Person:
        """Staff register the organization (団体登録) at its 労金 and お取引店 (``branch``: bank and branch
        code) — ``by``, an administrator, within their 労金 (the CLI where None); its master user
        completes 初期登録."""

        def register(session: Session) -> Any:
            scope = EVERY_BANK if by is None else staff_store.scope_of_uuid(session=session, staff_uuid=by.uuid)
            actor = audit.Actor.cli() if by is None else audit.Actor("staff", by.uuid)
            bank_code, branch_code = branch if branch is not None else (None, None)
            return organizations.register_organization(session, code=code, name=name, email=email, actor=actor,
                                                       bank_code=bank_code, branch_code=branch_code, scope=scope)

        created = await self._call(register)
        return await self._register(created.master.uuid, UserRole.MASTER, email, password)

    async def load_shipped_branches(self) -> None:
        """The branch list the product ships, when none is loaded (``rokin admin load-branches``)."""
        await self._call(branches.load_shipped_branches_if_none, actor=audit.Actor.cli())

    async def sees_request(self, number: str, staff: Party) -> bool:
        """Whether the request ``number`` is in ``staff``'s inbox: only their 労金's (the 連合会's: all)."""

        def look(session: Session) -> bool:
            member = session.get(Staff, uuid.UUID(staff.uuid))
            try:
                revocation.request_for_staff(session, staff=member, number=number)
            except ServiceError:
                return False
            return True

        return await self._call(look)

    # --- employer pages ---------------------------------------------------------------------------

    async def add_general_user(self, master: Person, *, user_id: str, email: str, password: str) -> Person:
        """The master user creates a general user (ユーザー一覧), who completes 初期登録."""

        def create(session: Session) -> Any:
            master_row = user_store.get_by_uuid(session=session, user_uuid=master.uuid)
            user, _ = user_cases.create_general_user(session, master=master_row, user_id=user_id,
                                                     display_name=GENERAL_DISPLAY_NAME,
                                                     actor=audit.Actor("user", master.uuid))
            return user.uuid

        return await self._register(await self._call(create), UserRole.GENERAL, email, password)

    async def _register(self, user_uuid: Any, role: UserRole, email: str, password: str) -> Person:
        def complete(session: Session) -> Person:
            user = user_store.get_by_uuid(session=session, user_uuid=user_uuid)
            registration.complete_registration(session, self.temporal, user=user, role=role, new_password=password,
                                               email=email, actor=audit.Actor("user", str(user_uuid)))
            kind = SubjectKind.MASTER if role is UserRole.MASTER else SubjectKind.GENERAL
            return Person(str(user.uuid), user.user_id, user.organization.code, kind, password)

        return await self._call(complete)

    async def log_in(self, person: Person) -> None:
        """ログイン's password step (and every other entry's): refused unless the arbiter allows it."""
        try:
            await self._call(authentication.authenticate_user, self.temporal, user_id=person.user_id,
                             password=person.password, origin=self.origin, now=await self.clock())
        except authentication.AttemptRefused as refused:
            raise ActionRefused(f"login refused: {refused.result.outcome.value}") from None

    async def mistype(self, person: Person, password: str) -> AttemptResult:
        """A wrong password at ログイン: the arbiter's answer."""
        try:
            await self._call(authentication.authenticate_user, self.temporal, user_id=person.user_id,
                             password=password, origin=self.origin, now=await self.clock())
        except authentication.AttemptRefused as refused:
            return refused.result
        raise ActionRefused("a wrong password was let in")

    async def issue_certificate(self, person: Person) -> IssuedCertificate:
        """電子証明書発行 ④–⑦: authenticate, 発行, and the .p12 built with the password."""
        try:
            entry = await self._call(issuance.authenticate_for_issuance, self.temporal, user_id=person.user_id,
                                     password=person.password, origin=self.origin, now=await self.clock())
            delivery = await self._call(issuance.issue_certificate, self.temporal, user_uuid=str(entry.user.uuid),
                                        password=person.password, request_id=str(uuid.uuid4()),
                                        delivery_deadline=DELIVERY_DEADLINE)
        except (authentication.AttemptRefused, issuance.IssuanceEntryRefused, issuance.IssuanceRefused) as refused:
            raise ActionRefused(f"issuance refused: {refused}") from None
        return delivery.certificate

    async def certificate_login(self, person: Person, serial: str) -> list[str]:
        """ログイン with a certificate: its first use supersedes the older ones; returns their serials."""
        at = await self.clock()

        def log_in(session: Session) -> list[str]:
            from store import certificates as certificate_store

            certificate = certificate_store.get_by_serial(session=session, serial=serial)
            owner = user_store.get_by_uuid(session=session, user_uuid=person.uuid)
            return certificate_login.log_in_with_certificate(session, self.temporal, owner=owner,
                                                             certificate=certificate, password=person.password,
                                                             origin=self.origin, now=at)

        return await self._call(log_in)

    async def release(self, master: Person, general: Person, kind: ReleaseKind) -> None:
        """The master user's user list: ロック解除 / 閉塞解除 of a general user."""

        def release(session: Session) -> None:
            account = user_store.get_by_uuid(session=session, user_uuid=general.uuid)
            actor = user_store.get_by_uuid(session=session, user_uuid=master.uuid)
            releases.release(session, self.temporal, account=account, kind=kind, actor=actor)

        await self._call(release)

    # --- written revocation requests --------------------------------------------------------------

    async def file_revocation_request(self, master: Person, serial: str, reason: RevocationReason) -> RequestInput:
        """電子証明書の失効依頼 from the login screen: ユーザー認証, then the request is filed."""
        await self.log_in(master)
        return await self._call(revocation.file_request, self.temporal, serial=serial, reason=reason,
                                actor=master.party, now=await self.clock())

    async def receive_paper(self, number: str, receiver: Party) -> None:
        """The staff inbox's 受付: the paper arrived."""
        await self._call(revocation.receive_paper, self.temporal, number=number, actor=receiver)

    async def approve(self, number: str, approver: Party, comment: str) -> None:
        """The staff inbox's 承認, with its comment."""
        await self._call(revocation.decide, self.temporal, number=number, actor=approver, approve=True,
                         comment=comment)
