"""``rokin admin sample-data``: fill a running development stack with what the README's visibility
queries look for, made through the pages' own use-cases (``rokin.acting``) on the stack's own worker.

- 8001: a master user and four general users. Certificates for the master user and ``s8001a``;
  ``s8001b`` locked (6 wrong passwords); ``s8001c`` blocked (locked, unlocked by the master user,
  twice, then a third lock); ``s8001d`` holds last year's certificate — signed by the worker's own
  signing code with a notBefore ``RESTORED_DAYS`` days back, as if restored from a backup, and
  given its lifecycle by the daily reconciliation, run here once — so one certificate is in its
  renewal window and expires within weeks. The master user's written revocation request waits
  for the paper.
- 8002: the master user's request is received and waits for an approver.
- 8003: the master user's request is approved (the certificate revoked) and a new one issued.

8001 and 8002 deal with branches of 中央労働金庫 (2963), 8003 with one of 近畿労働金庫 (2978) (issue 16).
Each 労金 has its staff — an administrator, who registers its organizations, a receiver and an
approver, who handle its requests — and the 連合会 an administrator who sees both (``STAFF``); each
acts only within its 労金, through the same use-cases as the staff pages. Their one-time passwords
are printed (changed at first login, as for any new staff account).

Every sample user's password is ``PASSWORD``; addresses are under example.jp. Run once per data
directory: the organization codes are fixed, and a second run stops at the first one.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from activities.certificates import CertificateActivities
from contract.names import reconciliation_workflow_id
from core.config import Settings
from core.payload_keys import data_converter
from domain.banks import FEDERATION, bank_name
from domain.certificates import SigningRequest
from domain.lockout import MAX_CONSECUTIVE_FAILURES
from domain.lockout_release import ReleaseKind
from domain.reconciliation import ReconciliationInput, ReconciliationReport
from domain.revocation import Party, RevocationReason
from domain.roles import StaffRole
from domain.validity import TOKYO, calendar_for
from pki.ca import CaLoader
from pki.csr import new_key_and_csr
from store import audit
from store import organizations as org_store
from store.db import make_engine, make_session_factory
from store.migrate import upgrade
from usecases.branches import load_shipped_branches_if_none
from workflows.reconciliation import ReconciliationWorkflow

from . import visibility
from .acting import Acting, Person

PASSWORD = "Sample2026pw"
WRONG_PASSWORD = "Wrong2026pw"
RESTORED_DAYS = 340  # day 341 of 366: in the renewal window, expiring in 26 days
CONNECT_TIMEOUT_SECONDS = 10.0


class SampleDataError(Exception):
    """One line for the operator: the stack is not there, or sample data was loaded before."""


@dataclass
class Made:
    """What the sample holds, by organization: the output and the tests read it."""

    lines: dict[str, list[str]] = field(default_factory=dict)  # organization code → description lines
    people: dict[str, Person] = field(default_factory=dict)  # "8001/master", "8001/s8001a", ...
    staff: dict[str, Party] = field(default_factory=dict)  # login → the staff member (``STAFF``)
    staff_passwords: dict[str, str] = field(default_factory=dict)  # login → its one-time initial password
    serials: dict[str, str] = field(default_factory=dict)  # same keys: the person's live certificate
    not_after: dict[str, datetime] = field(default_factory=dict)  # same keys: its notAfter
    requests: dict[str, str] = field(default_factory=dict)  # request number → its state
    restored_serial: str = ""
    restored_not_after: datetime | None = None

    def note(self, code: str, line: str) -> None:
        self.lines.setdefault(code, []).append(line)


ORGANIZATIONS = {"8001": "サンプル第一労働組合", "8002": "サンプル第二労働組合", "8003": "サンプル第三労働組合"}
# Their 労金 and お取引店 (issue 16), from the shipped branch list: two banks, so per-bank views show a difference.
BRANCHES = {"8001": ("2963", "101"), "8002": ("2963", "201"), "8003": ("2978", "030")}
# Staff: login → (role, 労金 code); each 労金's administrator registers its organizations.
STAFF = {
    "sampleadm1": (StaffRole.ADMINISTRATOR, "2963"), "samplerecv1": (StaffRole.RECEIVER, "2963"),
    "sampleappr1": (StaffRole.APPROVER, "2963"),
    "sampleadm2": (StaffRole.ADMINISTRATOR, "2978"), "samplerecv2": (StaffRole.RECEIVER, "2978"),
    "sampleappr2": (StaffRole.APPROVER, "2978"),
    "samplefed1": (StaffRole.ADMINISTRATOR, FEDERATION.code),
}
ADMINISTRATOR_OF = {"2963": "sampleadm1", "2978": "sampleadm2"}


async def load(acting: Acting, settings: Settings) -> Made:
    with acting.session_factory() as session:
        if taken := [code for code in ORGANIZATIONS if org_store.get_by_code(session=session, code=code)]:
            raise SampleDataError(f"organization {taken[0]} exists already: sample data was loaded into this "
                                  "data directory before (use a fresh ROKIN_DATA_DIR)")
    made = Made()
    with acting.session_factory() as session:
        load_shipped_branches_if_none(session, actor=audit.Actor.cli())  # `rokin dev` has loaded it already
    made.note("staff", "Rokin staff, each acting only within its 労金 (one-time passwords, changed at first login):")
    for login, (role, bank_code) in STAFF.items():
        made.staff[login] = await acting.staff_account(login, role, bank_code)
        made.staff_passwords[login] = acting.staff_initial_passwords[login]
        made.note("staff", f"  {login}: {role.value} of {bank_name(bank_code)}, initial password "
                  f"{made.staff_passwords[login]}")

    master = await _organization(acting, made, "8001")
    await _certificate(acting, made, "8001/s8001a", await _general(acting, made, master, "s8001a"))
    locked = await _general(acting, made, master, "s8001b")
    until = await _lock(acting, locked)
    made.note("8001", f"  s8001b: locked until {until.astimezone(TOKYO):%H:%M} JST (6 wrong passwords)")
    blocked = await _general(acting, made, master, "s8001c")
    for _ in range(2):
        await _lock(acting, blocked)
        await acting.release(master, blocked, ReleaseKind.UNLOCK)
    await _lock(acting, blocked)
    made.note("8001", "  s8001c: blocked (閉塞: third lock; the master user had unlocked it twice)")
    await _restored(acting, made, settings, await _general(acting, made, master, "s8001d"))
    await _request(acting, made, master, "8001/master")

    master = await _organization(acting, made, "8002")
    number = await _request(acting, made, master, "8002/master")
    await acting.receive_paper(number, made.staff["samplerecv1"])
    made.requests[number] = "paper_received"
    made.note("8002", f"  {number}: paper received (受付), waiting for an approver")

    master = await _organization(acting, made, "8003")
    number = await _request(acting, made, master, "8003/master")
    await acting.receive_paper(number, made.staff["samplerecv2"])
    await acting.approve(number, made.staff["sampleappr2"], "書面を確認しました（サンプル）")
    made.requests[number] = "approved"
    made.note("8003", f"  {number}: received and approved (承認): the certificate is revoked")
    await _certificate(acting, made, "8003/master", master, "new certificate after the approval")
    return made


async def _organization(acting: Acting, made: Made, code: str) -> Person:
    name = ORGANIZATIONS[code]
    bank_code = BRANCHES[code][0]
    master = await acting.register_organization(code=code, name=name, email=f"master{code}@sample.example.jp",
                                                password=PASSWORD, branch=BRANCHES[code],
                                                by=made.staff[ADMINISTRATOR_OF[bank_code]])
    made.people[f"{code}/master"] = master
    made.note(code, f"organization {code} {name} ({bank_name(bank_code)}): master user {master.user_id}")
    await _certificate(acting, made, f"{code}/master", master)
    return master


async def _general(acting: Acting, made: Made, master: Person, user_id: str) -> Person:
    person = await acting.add_general_user(master, user_id=user_id, email=f"{user_id}@sample.example.jp",
                                           password=PASSWORD)
    made.people[f"{master.organization_code}/{user_id}"] = person
    return person


async def _certificate(acting: Acting, made: Made, key: str, person: Person, what: str = "certificate") -> None:
    certificate = await acting.issue_certificate(person)
    made.serials[key] = certificate.serial
    made.not_after[key] = certificate.not_after
    made.note(person.organization_code, f"  {key.split('/')[1]}: {what} {certificate.serial}, notAfter "
              f"{certificate.not_after.astimezone(TOKYO):%Y-%m-%d %H:%M:%S} JST")


async def _lock(acting: Acting, person: Person) -> datetime:
    for _ in range(MAX_CONSECUTIVE_FAILURES):
        result = await acting.mistype(person, WRONG_PASSWORD)
    return result.locked_until or datetime.now(timezone.utc)


async def _request(acting: Acting, made: Made, master: Person, key: str) -> str:
    filed = await acting.file_revocation_request(master, made.serials[key], RevocationReason.PC_CHANGE)
    made.requests[filed.number] = "awaiting_paper"
    made.note(master.organization_code, f"  master: written revocation request {filed.number} for that certificate "
              "(awaiting the paper)")
    return filed.number


async def _restored(acting: Acting, made: Made, settings: Settings, person: Person) -> None:
    """Last year's certificate, signed by the worker's signing code; the reconciliation starts its lifecycle."""
    signing = CertificateActivities(
        acting.session_factory, CaLoader(settings.ca_certificate_path, settings.ca_key_path,
                                         settings.ca_key_passphrase),
        crl_dir=settings.pki_dir, crl_url=settings.crl_url, ocsp_url=settings.ocsp_url)
    issued_at = datetime.now(timezone.utc) - timedelta(days=RESTORED_DAYS)
    outcome = await signing.sign_certificate(SigningRequest(str(uuid.uuid4()), person.uuid,
                                                            new_key_and_csr(person.user_id).csr_pem, issued_at))
    assert outcome.certificate is not None, outcome.refusal
    report: ReconciliationReport = await acting.client.execute_workflow(
        ReconciliationWorkflow.run, ReconciliationInput("on-demand"), task_queue=acting.task_queue,
        id=f"{reconciliation_workflow_id(acting.task_queue)}/sample-data-{uuid.uuid4()}")
    made.restored_serial = outcome.certificate.serial
    made.restored_not_after = calendar_for(outcome.certificate.not_before).not_after
    made.serials[f"{person.organization_code}/{person.user_id}"] = made.restored_serial
    made.note(person.organization_code, f"  {person.user_id}: last year's certificate {made.restored_serial} "
              f"(restored), notAfter {made.restored_not_after:%Y-%m-%d %H:%M:%S} JST; the reconciliation "
              f"started its lifecycle ({report.repairs.get('start_lifecycle', 0)} started)")


# --- the command ---------------------------------------------------------------------------------


def main(settings: Settings, *, as_json: bool) -> int:
    try:
        made = asyncio.run(_load_into_stack(settings))
    except SampleDataError as error:
        print(f"rokin admin sample-data: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001  one line, no traceback: say what failed and stop
        print(f"rokin admin sample-data: stopped part-way ({type(error).__name__}: {error})", file=sys.stderr)
        return 1
    print(_json(made) if as_json else _text(made, settings))
    return 0


async def _load_into_stack(settings: Settings) -> Made:
    try:
        client = await asyncio.wait_for(Client.connect(settings.temporal_address,
                                                       namespace=settings.temporal_namespace,
                                                       data_converter=data_converter(settings)),
                                        CONNECT_TIMEOUT_SECONDS)
    except (TimeoutError, OSError, RuntimeError):
        raise SampleDataError(f"no Temporal server answers at {settings.temporal_address} (start `rokin dev`, "
                              "and set TEMPORAL_ADDRESS when it uses another port)") from None
    if not await _worker_polls(client, settings.task_queue):
        raise SampleDataError(f"no worker polls task queue {settings.task_queue!r} at {settings.temporal_address}: "
                              "start `rokin dev` first")
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        acting = Acting(client, make_session_factory(engine), task_queue=settings.task_queue,
                        clock=_wall_clock)
        return await load(acting, settings)
    finally:
        engine.dispose()


async def _wall_clock() -> datetime:
    return datetime.now(timezone.utc)


async def _worker_polls(client: Client, task_queue: str) -> bool:
    described = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
        namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
    return bool(described.pollers)


def query_values(made: Made) -> dict[str, str]:
    """Values for ``rokin.visibility``'s templates that find sample workflows."""
    return {"organization_code": "8001", **visibility.month_values(made.restored_not_after.astimezone(TOKYO).date()),
            "user_uuid": made.people["8001/master"].uuid, "serial": made.serials["8001/master"]}


def _text(made: Made, settings: Settings) -> str:
    lines = [f"Sample data loaded (Temporal {settings.temporal_address}, task queue {settings.task_queue}).",
             f"Every sample user's password: {PASSWORD}", ""]
    for code_lines in made.lines.values():
        lines += [*code_lines, ""]
    lines.append("The README's visibility queries, with these values:")
    values = query_values(made)
    for query in visibility.QUERIES:
        lines += [f"  # {query.question}",
                  f"  temporal workflow list --address {settings.temporal_address} --query \"{query.render(values)}\""]
    return "\n".join(lines)


def _json(made: Made) -> str:
    return json.dumps({
        "password": PASSWORD,
        "people": {key: {"uuid": person.uuid, "user_id": person.user_id} for key, person in made.people.items()},
        "staff": {login: {"uuid": party.uuid, "role": STAFF[login][0].value, "bank": STAFF[login][1],
                          "initial_password": made.staff_passwords.get(login, "")}
                  for login, party in made.staff.items()},
        "certificates": made.serials, "requests": made.requests,
        "restored_certificate": {"serial": made.restored_serial,
                                 "not_after": made.restored_not_after.isoformat() if made.restored_not_after else ""},
        "queries": [query.render(query_values(made)) for query in visibility.QUERIES],
    }, ensure_ascii=False, indent=1)
