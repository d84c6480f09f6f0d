"""``rokin simulate``, run as users run it: one organization's year on the time-skipping server, the
timeline's key entries in order, on the right days, with the right recipients."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from domain.validity import TOKYO
from rokin.simulate import render_text
from rokin.simulation import Entry

from .conftest import rokin_env, run_rokin

SUBJECT_PREFIX = "【ろうきん賃金控除事務支援システム】"
REGISTERED = "初期登録完了のお知らせ"
ISSUED = "電子証明書発行のお知らせ"
LOCKED = "ユーザーIDロックのお知らせ"
EXPIRY_NOTICE = "電子証明書の有効期限のお知らせ"  # 40 days before expiry (issue 13)
RENEWAL_OPEN = "電子証明書の有効期限が近づいています"
REQUEST_FILED = "電子証明書の失効依頼 受付のお知らせ（書面のご提出のお願い）"
APPROVER_REMINDER = "承認待ちの電子証明書失効依頼があります"
REQUEST_APPROVED = "電子証明書の失効依頼 承認・失効完了のお知らせ"
REMINDER = "電子証明書の更新をお願いします"
EXPIRED = "電子証明書の有効期限切れのお知らせ"
MASTER, GENERAL, APPROVERS = "master user", "general user", "approvers (Rokin staff)"


@pytest.fixture(scope="module")
def start() -> date:
    return datetime.now(TOKYO).date() + timedelta(days=2)  # after today even if the day turns meanwhile


@pytest.fixture(scope="module")
def timeline(start: date, tmp_path_factory) -> list[dict]:  # noqa: ANN001
    result = run_rokin("simulate", "--start-date", start.isoformat(), "--json",
                       env=rokin_env(tmp_path_factory.mktemp("unused-data-dir")), timeout=120)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["start_date"] == start.isoformat() and document["organization_code"] == "1234"
    return document["entries"]


def mail(day: int, to: str, subject: str, at: str = "") -> dict:
    return {"kind": "mail", "day": day, "to": to, "text": SUBJECT_PREFIX + subject, **({"time": at} if at else {})}


def state(day: int, label: str, before: str, after: str) -> dict:
    return {"kind": "state", "day": day, "label": label, "before": before, "after": after}


def matches(entry: dict, wanted: dict) -> bool:
    for key, value in wanted.items():
        if key == "time":
            if datetime.fromisoformat(entry["at"]).strftime("%H:%M") != value:
                return False
        elif key == "label":
            if not entry["text"].startswith(value):
                return False
        elif entry.get(key, "") != value:
            return False
    return True


def test_the_year_in_order_on_the_right_days(timeline):
    # Groups in order; inside a group any order (two certificates' timers fire at the same instant).
    key_entries = [
        [mail(1, MASTER, REGISTERED)], [state(1, "master user's certificate 1", "", "active"), mail(1, MASTER, ISSUED)],
        [mail(1, GENERAL, REGISTERED)],
        [state(1, "general user's certificate 1", "", "active"), mail(1, GENERAL, ISSUED)],
        [state(45, "general user's password lockout", "normal", "locked"), mail(45, GENERAL, LOCKED)],
        [state(45, "general user's password lockout", "locked", "normal")],
        [{"kind": "timer", "day": 326, "text": "day 326 of both certificates, 00:00: 40 days before expiry, "
                                              "the expiry notice", "time": "00:00"},
         mail(326, MASTER, EXPIRY_NOTICE, "00:00"), mail(326, GENERAL, EXPIRY_NOTICE, "00:00")],
        [state(336, "master user's certificate 1", "active", "renewal_window"),
         state(336, "general user's certificate 1", "active", "renewal_window"),
         mail(336, MASTER, RENEWAL_OPEN, "00:00"), mail(336, GENERAL, RENEWAL_OPEN, "00:00")],
        [state(336, "master user's certificate 1", "renewal_window", "renewed"),
         state(336, "master user's certificate 2", "", "active"), mail(336, MASTER, ISSUED)],
        [state(336, "master user's certificate 1", "renewed", "superseded")],
        [state(337, "written revocation request", "", "awaiting_paper"), mail(337, MASTER, REQUEST_FILED)],
        [{"kind": "state", "label": "written revocation request", "before": "awaiting_paper",
          "after": "paper_received"}],
        [{"kind": "mail", "to": APPROVERS, "text": SUBJECT_PREFIX + APPROVER_REMINDER, "time": "09:00"}],
        [{"kind": "state", "label": "master user's certificate 2", "before": "active", "after": "revoked"},
         {"kind": "state", "label": "written revocation request", "before": "paper_received", "after": "approved"},
         {"kind": "mail", "to": MASTER, "text": SUBJECT_PREFIX + REQUEST_APPROVED}],
        [{"kind": "state", "label": "master user's certificate 3", "before": "", "after": "active"}],
        [mail(359, GENERAL, REMINDER, "00:00")],
        [state(367, "general user's certificate 1", "renewal_window", "expired"), mail(367, GENERAL, EXPIRED, "00:00")],
    ]
    after = 0
    for group in key_entries:  # each group after the previous one
        found = [next((index for index in range(after, len(timeline)) if matches(timeline[index], wanted)), None)
                 for wanted in group]
        assert None not in found, f"not found after entry {after}: {group[found.index(None)]}"
        after = max(found) + 1


def test_the_clock_only_moves_forward_and_the_lock_lasts_an_hour(timeline, start):
    instants = [datetime.fromisoformat(entry["at"]) for entry in timeline]
    assert instants == sorted(instants)
    assert instants[0].date() == start and all(entry["day"] == (datetime.fromisoformat(entry["at"]).date() - start)
                                               .days + 1 for entry in timeline)
    lockout = [datetime.fromisoformat(entry["at"]) for entry in timeline
               if entry["kind"] == "state" and entry["text"] == "general user's password lockout"]
    assert len(lockout) == 2 and timedelta(minutes=60) <= lockout[1] - lockout[0] < timedelta(minutes=61)


def test_who_gets_which_mail(timeline):
    mails = [(entry["to"], entry["text"].removeprefix(SUBJECT_PREFIX)) for entry in timeline if entry["kind"] == "mail"]
    assert {to for to, _ in mails} == {MASTER, GENERAL, APPROVERS}  # every address belongs to a role
    assert [subject for to, subject in mails if to == MASTER] == [
        REGISTERED, ISSUED, EXPIRY_NOTICE, RENEWAL_OPEN, ISSUED, REQUEST_FILED, REQUEST_APPROVED,
        ISSUED]  # renewed: no reminder, no expiry
    assert [subject for to, subject in mails if to == GENERAL] == [
        REGISTERED, ISSUED, LOCKED, EXPIRY_NOTICE, RENEWAL_OPEN, REMINDER, EXPIRED]
    assert [subject for to, subject in mails if to == APPROVERS] == [APPROVER_REMINDER]


def test_the_text_timeline_reads_day_time_and_what():
    at = datetime(2027, 10, 23, 0, 0, 1, tzinfo=TOKYO)
    text = render_text([Entry(at, 336, "timer", "the renewal window opens"),
                        Entry(at, 336, "state", "master user's certificate 1", "certificate/ab", "active",
                              "renewal_window"),
                        Entry(at, 336, "mail", SUBJECT_PREFIX + RENEWAL_OPEN, to=MASTER)], date(2026, 11, 22))
    assert text.splitlines()[-3:] == [
        "  336  2027-10-23 00:00     ⏰ the renewal window opens",
        "  336  2027-10-23 00:00       ◆ master user's certificate 1: active → renewal_window",
        f"  336  2027-10-23 00:00       ✉ e-mail to the master user: {SUBJECT_PREFIX}{RENEWAL_OPEN}"]


@pytest.mark.parametrize(("start_date", "message"), [
    ("2020-01-01", "rokin simulate: --start-date: give a date after today"),
    ("next week", "rokin simulate: --start-date: 'next week' is not a date (YYYY-MM-DD)"),
])
def test_a_bad_start_date_is_one_line_and_exit_2(start_date: str, message: str, tmp_path: Path):
    result = run_rokin("simulate", "--start-date", start_date, env=rokin_env(tmp_path / "var"))
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if line.startswith("rokin")] == [
        line for line in result.stderr.splitlines() if line.startswith(message)]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "var").exists()  # nothing was made
