"""What employers and Rokin staff do on the pages, done from Python: the same store functions and
workflow client helpers the web calls, in the same order (each method names the page it stands for).

``rokin simulate`` acts on a time-skipping server and ``rokin admin sample-data`` on the dev stack;
``clock`` says what "now" is on each (the web uses the wall clock). Nothing here fakes a workflow:
passwords go to the lockout arbiter, certificates through the issuance workflow, written requests
through their workflow's updates.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client

from domain.certificates import IssuedCertificate
from domain.lockout import AttemptResult, SubjectKind
from domain.lockout_release import ActorKind, ReleaseKind, ReleaseRequest
from domain.names import notice_workflow_id
from domain.notices import NoticeKind, NoticeRequest
from domain.revocation import Party, PartyKind, RequestInput, RevocationReason
from domain.roles import StaffRole
from pki.csr import new_key_and_csr
from store import audit
from store import certificates as certificate_store
from store import organizations as org_store
from store import revocation as revocation_store
from store import staff as staff_store
from store import users as user_store
from workflows import certificate_client, lockout_client, revocation_client

Clock = Callable[[], Awaitable[datetime]]
NOTICE_WORKFLOW = "NoticeWorkflow"


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


class Acting:
    def __init__(self, client: Client, session_factory: sessionmaker[Session], *, task_queue: str,
                 clock: Clock) -> None:
        self.client = client
        self.session_factory = session_factory
        self.task_queue = task_queue
        self.clock = clock
        self.notices: list[str] = []  # IDs of the notice workflows started here (not by another workflow)

    # --- Rokin staff pages and the CLI --------------------------------------------------------

    def staff_account(self, login: str, role: StaffRole) -> Party:
        """``rokin admin create-staff``."""
        with self.session_factory.begin() as session:
            staff, _ = staff_store.create_staff(session=session, login=login, role=role, actor=audit.Actor.cli())
            return revocation_store.party_of_staff(staff)

    async def register_organization(self, *, code: str, name: str, email: str, password: str) -> Person:
        """Staff register the organization; its master user completes 初期登録 (the e-mail follows)."""
        with self.session_factory.begin() as session:
            created = org_store.create_organization(session=session, code=code, name=name, email=email,
                                                    actor=audit.Actor.cli())
            master = user_store.complete_initial_registration(
                session=session, user=created.master, new_password=password, email=email, actor=audit.Actor.cli())
            person = Person(str(master.uuid), master.user_id, code, SubjectKind.MASTER, password)
        await self._registration_complete(person)
        return person

    # --- employer pages ---------------------------------------------------------------------------

    async def add_general_user(self, master: Person, *, user_id: str, email: str, password: str) -> Person:
        """The master user creates a general user (一般ユーザー登録), who completes 初期登録."""
        with self.session_factory.begin() as session:
            master_row = user_store.get_by_uuid(session=session, user_uuid=master.uuid)
            user, _ = user_store.create_general_user(session=session, master=master_row, user_id=user_id,
                                                     display_name="一般ユーザー", actor=audit.Actor.cli())
            user_store.complete_initial_registration(session=session, user=user, new_password=password,
                                                     email=email, actor=audit.Actor.cli())
            person = Person(str(user.uuid), user_id, master.organization_code, SubjectKind.GENERAL, password)
        await self._registration_complete(person)
        return person

    async def password(self, person: Person, password: str) -> AttemptResult:
        """One password on any login form: the hash here, then the lockout arbiter's judgement."""
        with self.session_factory() as session:
            password_ok = user_store.password_matches(
                user_store.get_by_uuid(session=session, user_uuid=person.uuid), password)
        return await lockout_client.attempt(
            self.client, user_uuid=person.uuid, organization_code=person.organization_code,
            subject_kind=person.kind, password_ok=password_ok, task_queue=self.task_queue)

    async def log_in(self, person: Person) -> None:
        if not (result := await self.password(person, person.password)).allowed:
            raise ActionRefused(f"login refused: {result.outcome.value}")

    async def issue_certificate(self, person: Person) -> IssuedCertificate:
        """電子証明書発行 ④–⑦: authenticate, then the issuance workflow signs the browser's CSR."""
        await self.log_in(person)
        outcome = await certificate_client.issue(
            self.client, user_uuid=person.uuid, csr_pem=new_key_and_csr(person.user_id).csr_pem,
            request_id=str(uuid.uuid4()), task_queue=self.task_queue)
        if outcome.certificate is None:
            raise ActionRefused(f"issuance refused: {outcome.refusal}")
        return outcome.certificate

    async def certificate_login(self, person: Person, serial: str) -> list[str]:
        """ログイン with a certificate: its first use supersedes the older ones; returns their serials."""
        await self.log_in(person)
        at = await self.clock()
        with self.session_factory.begin() as session:
            row = certificate_store.get_by_serial(session=session, serial=serial)
            superseded = certificate_store.record_first_use(session=session, certificate=row, now=at)
        await certificate_client.tell_superseded(self.client, superseded, by_serial=serial, at=at)
        return superseded

    async def release(self, master: Person, general: Person, kind: ReleaseKind) -> None:
        """The master user's user list: ロック解除 / 閉塞解除 of a general user."""
        await lockout_client.release(
            self.client, user_uuid=general.uuid, organization_code=general.organization_code,
            subject_kind=general.kind,
            request=ReleaseRequest(kind, ActorKind.MASTER_USER, master.uuid, master.organization_code))

    # --- written revocation requests --------------------------------------------------------------

    async def file_revocation_request(self, master: Person, serial: str, reason: RevocationReason) -> RequestInput:
        """電子証明書の失効依頼 from the login screen: filed and its workflow started in one transaction."""
        await self.log_in(master)
        now = await self.clock()
        with self.session_factory.begin() as session:
            filed = revocation_store.file_request(session=session, serial=serial, reason=reason,
                                                  actor=master.party, now=now)
            await revocation_client.start_request(self.client, filed, task_queue=self.task_queue)
            return filed

    async def receive_paper(self, number: str, receiver: Party) -> None:
        """The staff inbox's 受付: the paper arrived."""
        await revocation_client.receive(self.client, number, receiver)

    async def approve(self, number: str, approver: Party, comment: str) -> None:
        """The staff inbox's 承認: the comment is stored first, the update names it by ID."""
        with self.session_factory.begin() as session:
            comment_id = revocation_store.add_decision_comment(session=session, number=number, actor=approver,
                                                               text=comment, approve=True)
        await revocation_client.approve(self.client, number, approver, comment_id=comment_id)

    # --- e-mail the web starts itself -----------------------------------------------------------

    async def _registration_complete(self, person: Person) -> None:
        request = NoticeRequest(NoticeKind.REGISTRATION_COMPLETE, person.uuid)
        workflow_id = notice_workflow_id(request.kind.value, request.user_uuid, str(uuid.uuid4()))
        await self.client.start_workflow(NOTICE_WORKFLOW, request, id=workflow_id, task_queue=self.task_queue,
                                         static_summary=f"E-mail notice {request.kind.value}")
        self.notices.append(workflow_id)
