"""``rokin simulate``: one organization's year on Temporal's time-skipping server, as a timeline.

Everything really runs — the product's workflows and activities on ``rokin.simulation``'s stage,
driven through the pages' own use-cases (``rokin.acting``); only the clock jumps, from one timer to
the next. Staff see what users receive and when:

day 1      its 労金's administrator registers the organization at its お取引店; master user: 初期登録,
           certificate; a general user likewise
day 45     the general user mistypes the password 6 times: locked (e-mail); 60 minutes later it lifts
day 326    00:00 JST: 40 days before both certificates expire: the expiry notice (e-mails; the top
           screen's banner starts the same day)
day 336    00:00 JST: both certificates enter the renewal window (e-mails)
day 336    the master user renews and logs in with the new certificate: the old one is superseded
day 337+   the master user files a written revocation request for it (deleted by mistake; e-mail with
           the paper's deadline); the paper is received the next business day by the 労金's receiver
           (another 労金's receiver does not find it; the 連合会 does); approvers are reminded after 3
           business days; approved (e-mail); the master user gets a new certificate the next day
day 359    the general user, who did not renew, is reminded 7 days before expiry (e-mail)
day 367    00:00 JST: the general user's certificate expires (e-mail)
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict
from datetime import date, datetime, time, timedelta

from contract.names import certificate_workflow_id, lockout_workflow_id, revocation_request_workflow_id
from domain.banks import bank_name
from domain.business_days import add_business_days
from domain.certificates import IssuedCertificate
from domain.lockout import LOCK_DURATION, MAX_CONSECUTIVE_FAILURES
from domain.revocation import REMINDER_AFTER_BUSINESS_DAYS, RevocationReason, reminder_at
from domain.roles import StaffRole
from domain.validity import (
    BANNER_DAYS_BEFORE_EXPIRY,
    REMINDER_DAYS_BEFORE_EXPIRY,
    RENEWAL_WINDOW_DAYS,
    TOKYO,
    calendar_for,
    tokyo_date,
)

from .acting import ActionRefused, Person
from .simulation import Entry, Stage, stage

ORGANIZATION_CODE = "1234"
ORGANIZATION_NAME = "シミュレーション労働組合"
BRANCH = ("2963", "101")  # its 労金 and お取引店 (中央労働金庫 新宿支店, from the shipped branch list)
OTHER_BANK = "2978"  # 近畿労働金庫: its staff do not see this organization
MASTER_EMAIL = "master@simulation.invalid"
GENERAL_EMAIL = "general@simulation.invalid"
MASTER_PASSWORD = "Master2026pw"
GENERAL_PASSWORD = "Ippan2026pw"
LOCK_DAY = 45
TIMER_SLACK = timedelta(seconds=1)  # move the clock just past a timer, so it has surely fired
MASTER = "master user"
GENERAL = "general user"


def default_start_date(now: datetime) -> date:
    """Tomorrow in Japan: the simulated clock starts at the real now and only moves forward."""
    return tokyo_date(now) + timedelta(days=1)


def start_date_problem(start: date, now: datetime) -> str | None:
    if start <= tokyo_date(now):
        return f"give a date after today ({tokyo_date(now)} in Japan): the simulated clock only moves forward"
    return None


async def simulate(start: date) -> list[Entry]:
    async with stage(start) as on:
        await _year(on, start)
        return on.timeline


async def _year(on: Stage, start: date) -> None:
    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(start + timedelta(days=day - 1), time(hour, minute), tzinfo=TOKYO)

    act = on.act
    on.roles.update({MASTER_EMAIL: MASTER, GENERAL_EMAIL: GENERAL})
    await act.load_shipped_branches()
    bank = bank_name(BRANCH[0])
    administrator = await act.staff_account("admin01", StaffRole.ADMINISTRATOR, BRANCH[0])
    receiver = await act.staff_account("recv01", StaffRole.RECEIVER, BRANCH[0])
    approver = await act.staff_account("appr01", StaffRole.APPROVER, BRANCH[0])
    other_receiver = await act.staff_account("recv02", StaffRole.RECEIVER, OTHER_BANK)
    federation = await act.staff_account("fedadm01", StaffRole.ADMINISTRATOR)

    await on.until(at(1, 9))
    master = await on.do(f"{bank}'s administrator registers organization {ORGANIZATION_CODE} at its branch "
                         f"{BRANCH[0]}/{BRANCH[1]}; the master user completes 初期登録",
                         act.register_organization(code=ORGANIZATION_CODE, name=ORGANIZATION_NAME,
                                                   email=MASTER_EMAIL, password=MASTER_PASSWORD, branch=BRANCH,
                                                   by=administrator))
    _follow_lockout(on, master, MASTER)
    await on.until(at(1, 9, 10))
    first = await on.do("the master user issues a certificate (電子証明書発行)", _issue(on, master, MASTER, 1))
    await on.until(at(1, 9, 30))
    general = await on.do("the master user adds a general user, who completes 初期登録",
                          act.add_general_user(master, user_id="ippan01", email=GENERAL_EMAIL,
                                               password=GENERAL_PASSWORD))
    _follow_lockout(on, general, GENERAL)
    await on.until(at(1, 9, 40))
    general_certificate = await on.do("the general user issues a certificate", _issue(on, general, GENERAL, 1))

    # A lock and its lift.
    await on.until(at(LOCK_DAY, 8, 50))
    locked_until = await on.do(f"the general user types a wrong password {MAX_CONSECUTIVE_FAILURES} times",
                               _mistype(on, general))
    await on.until(locked_until + TIMER_SLACK,
                   f"{LOCK_DURATION.seconds // 60} minutes after the lock: it lifts by itself")
    await on.until(locked_until + timedelta(minutes=5))
    await on.do("the general user logs in with the right password", act.log_in(general))

    # Day 326: 40 days before expiry, both are told by e-mail (seed 003 Q7), as the top screen says from then on.
    await on.until(calendar_for(first.not_before).banner_from + TIMER_SLACK,
                   f"day 326 of both certificates, 00:00: {BANNER_DAYS_BEFORE_EXPIRY} days before expiry, "
                   f"the expiry notice")
    # Day 336: the renewal window opens for both; the master user renews, the general user does not.
    await on.until(calendar_for(first.not_before).renewal_opens_at + TIMER_SLACK,
                   f"day 336 of both certificates, 00:00: the renewal window opens "
                   f"({RENEWAL_WINDOW_DAYS} days before expiry)")
    renewal_day = on.day(await on.now())
    await on.until(at(renewal_day, 10))
    second = await on.do("the master user renews: a new certificate", _issue(on, master, MASTER, 2))
    await on.until(at(renewal_day, 10, 10))
    await on.do("the master user logs in with the new certificate (its first use)",
                act.certificate_login(master, second.serial))

    # A written revocation request for the new certificate: paper, reminder, approval, a new certificate.
    await on.until(at(renewal_day + 1, 10))
    filed = await on.do("the master user deleted the new certificate by mistake and files a written "
                        "revocation request (失効依頼)", _file(on, master, second))
    received_on = add_business_days(tokyo_date(filed.filed_at), 1)
    await on.until(datetime.combine(received_on, time(11), tzinfo=TOKYO))
    if await act.sees_request(filed.number, other_receiver) or not await act.sees_request(filed.number, federation):
        raise ActionRefused(f"{filed.number} must be seen by its own 労金's staff and the 連合会's only")
    await on.do(f"{bank}'s receiver records the paper of {filed.number} (受付); {bank_name(OTHER_BANK)}'s "
                f"receiver does not find it in the inbox, the 連合会's administrator does",
                act.receive_paper(filed.number, receiver))
    reminded_at = reminder_at(await on.now())
    await on.until(reminded_at + TIMER_SLACK,
                   f"{REMINDER_AFTER_BUSINESS_DAYS} business days since the paper arrived, undecided: 09:00 reminder")
    await on.until(reminded_at.replace(hour=14))
    await on.do(f"an approver approves {filed.number} (承認)",
                act.approve(filed.number, approver, "書面と届出印を確認しました"))
    await on.until(at(on.day(reminded_at) + 1, 10))
    await on.do("the master user issues a new certificate", _issue(on, master, MASTER, 3))

    # The general user never renewed: the reminder 7 days before, then the expiry.
    general_calendar = calendar_for(general_certificate.not_before)
    await on.until(general_calendar.reminder_at + TIMER_SLACK,
                   f"00:00, {REMINDER_DAYS_BEFORE_EXPIRY} days before the general user's certificate expires")
    await on.until(general_calendar.expires_at + TIMER_SLACK,
                   "00:00 after its 366th day: the general user's certificate expires")


def _follow_lockout(on: Stage, person: Person, role: str) -> None:
    on.follow(lockout_workflow_id(person.uuid), f"{role}'s password lockout", initial="normal")


async def _issue(on: Stage, person: Person, role: str, number: int) -> IssuedCertificate:
    certificate = await on.act.issue_certificate(person)
    on.follow(certificate_workflow_id(certificate.serial),
              f"{role}'s certificate {number} (serial {certificate.serial[:8]}…)")
    return certificate


async def _mistype(on: Stage, person: Person) -> datetime:
    for _ in range(MAX_CONSECUTIVE_FAILURES):
        result = await on.act.mistype(person, "Wrong2026pw")
    assert result.locked_until is not None, result
    return result.locked_until


async def _file(on: Stage, master: Person, certificate: IssuedCertificate):  # noqa: ANN202
    filed = await on.act.file_revocation_request(master, certificate.serial, RevocationReason.DELETED)
    on.follow(revocation_request_workflow_id(filed.number), f"written revocation request {filed.number}")
    return filed


# --- output -------------------------------------------------------------------------------------

MARKS = {"action": "▶", "timer": "⏰", "state": "  ◆", "mail": "  ✉"}


def render_text(entries: list[Entry], start: date) -> str:
    lines = [f"Rokin lifecycle simulation: organization {ORGANIZATION_CODE}, from {start} (JST), on Temporal's",
             "time-skipping test server with the product's workflows, activities, a temporary database and CA,",
             "and a real SMTP sink. Day 1 is the start date; e-mail recipients by role.", "",
             "  day  date and time (JST)  what happened"]
    for entry in entries:
        if entry.kind == "state":
            what = f"{entry.text}: {entry.before or 'started'} → {entry.after}"
        elif entry.kind == "mail":
            what = f"e-mail to the {entry.to}: {entry.text}"
        else:
            what = entry.text
        lines.append(f"{entry.day:5d}  {entry.at:%Y-%m-%d %H:%M}     {MARKS[entry.kind]} {what}")
    return "\n".join(lines)


def render_json(entries: list[Entry], start: date) -> str:
    rows = []
    for entry in entries:
        row = {key: value for key, value in asdict(entry).items() if value != ""}
        row["at"] = entry.at.isoformat(timespec="seconds")
        rows.append(row)
    return json.dumps({"organization_code": ORGANIZATION_CODE, "start_date": start.isoformat(), "entries": rows},
                      ensure_ascii=False, indent=1)


def main(start_date: str | None, *, as_json: bool) -> int:
    """``rokin simulate``: exit 2 with one line for a bad ``--start-date``; 1 if the run fails."""
    now = datetime.now(TOKYO)
    try:
        start = date.fromisoformat(start_date) if start_date else default_start_date(now)
    except ValueError:
        return _fail(f"--start-date: {start_date!r} is not a date (YYYY-MM-DD)", 2)
    if (problem := start_date_problem(start, now)) is not None:
        return _fail(f"--start-date: {problem}", 2)
    try:
        entries = asyncio.run(simulate(start))
    except Exception as error:  # noqa: BLE001  one line, no traceback: the run happens in a throwaway directory
        return _fail(f"the simulation failed ({type(error).__name__}: {error})", 1)
    print(render_json(entries, start) if as_json else render_text(entries, start))
    return 0


def _fail(message: str, code: int) -> int:
    print(f"rokin simulate: {message}", file=sys.stderr)
    return code
