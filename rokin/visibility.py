"""The visibility queries operators type into the Temporal UI's search box or ``temporal workflow
list --query``, in one place: the README shows them rendered with ``README_VALUES``, ``rokin admin
sample-data`` prints them with its own values, and ``tests/rokin/test_visibility.py`` runs these very
templates against a dev server and checks what comes back.

A month is a half-open range of JST instants. ``BETWEEN … AND '…-30T23:59:59+09:00'`` would miss
certificates whose notAfter is that very second — every certificate expiring on the month's last
day, since notAfter is 23:59:59 JST (the dev server's SQLite visibility compares it exclusively).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.validity import TOKYO


@dataclass(frozen=True)
class VisibilityQuery:
    question: str
    template: str  # ``str.format`` fields: organization_code, month_start, next_month_start, user_uuid, serial,
    # bank_code

    def render(self, values: dict[str, str]) -> str:
        return self.template.format(**values)


LIFECYCLE = "WorkflowType = 'CertificateLifecycleWorkflow'"
REQUEST = "WorkflowType = 'RevocationRequestWorkflow'"
RUNNING = "ExecutionStatus = 'Running'"

EXPIRING_IN_MONTH = VisibilityQuery(
    "certificates of one organization that expire in a given month (still running)",
    f"{LIFECYCLE} AND RokinOrganizationCode = '{{organization_code}}'"
    " AND RokinCertificateNotAfter >= '{month_start}' AND RokinCertificateNotAfter < '{next_month_start}'"
    f" AND {RUNNING}")
AWAITING_PAPER = VisibilityQuery(
    "written revocation requests waiting for the paper",
    f"{REQUEST} AND RokinState = 'awaiting_paper' AND {RUNNING}")
AWAITING_APPROVAL = VisibilityQuery(
    "written revocation requests whose paper arrived, waiting for an approver",
    f"{REQUEST} AND RokinState = 'paper_received' AND {RUNNING}")
RENEWAL_WINDOW = VisibilityQuery(
    "certificates in their renewal window (day 336 on) that nobody has renewed yet",
    f"{LIFECYCLE} AND RokinState = 'renewal_window' AND {RUNNING}")
LOCKED = VisibilityQuery(
    "IDs locked (60 minutes) or blocked (閉塞) right now",
    "WorkflowType = 'LockoutWorkflow' AND RokinState IN ('locked', 'blocked')")
ONE_USER = VisibilityQuery(
    "everything about one user: lockout, issuances, certificates, e-mails",
    "RokinUserUuid = '{user_uuid}'")
ONE_CERTIFICATE = VisibilityQuery(
    "everything about one certificate: its issuance, lifecycle and written requests",
    "RokinCertificateSerial = '{serial}'")

QUERIES = (EXPIRING_IN_MONTH, AWAITING_PAPER, AWAITING_APPROVAL, RENEWAL_WINDOW, LOCKED, ONE_USER, ONE_CERTIFICATE)

# --- per 労金 (issue 16): ``RokinBankCode``, set when a workflow of an organization starts ---------------
# Lockouts of employer users, issuances, certificate lifecycles and written requests carry it; staff
# lockouts and e-mail notices do not (they belong to no organization), nor do workflows of an organization
# that had no 労金 yet when they started. Template field: bank_code (domain.banks' four digits).
BANK_RUNNING = VisibilityQuery(
    "everything still running for one 労金's organizations: lockouts, certificates, written requests",
    f"RokinBankCode = '{{bank_code}}' AND {RUNNING}")
BANK_LOCKED = VisibilityQuery(
    "one 労金's employer IDs locked or blocked right now",
    "WorkflowType = 'LockoutWorkflow' AND RokinBankCode = '{bank_code}' AND RokinState IN ('locked', 'blocked')")
BANK_AWAITING_APPROVAL = VisibilityQuery(
    "one 労金's written revocation requests whose paper arrived, waiting for an approver",
    f"{REQUEST} AND RokinBankCode = '{{bank_code}}' AND RokinState = 'paper_received' AND {RUNNING}")
BANK_QUERIES = (BANK_RUNNING, BANK_LOCKED, BANK_AWAITING_APPROVAL)


def month_values(month: date) -> dict[str, str]:
    """``month_start`` and ``next_month_start`` of ``month``'s month, as the queries want them."""
    first = month.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    return {"month_start": _instant(first), "next_month_start": _instant(following)}


def _instant(day: date) -> str:
    return datetime.combine(day, time.min, tzinfo=TOKYO).isoformat()


README_VALUES = {"organization_code": "8001", **month_values(date(2027, 11, 1)),
                 "user_uuid": "<user UUID>", "serial": "<serial>", "bank_code": "2963"}


def readme_block(queries: tuple[VisibilityQuery, ...] = QUERIES) -> str:
    """The README's block of queries: each question as a comment, then its query."""
    return "\n".join(f"# {query.question}\n{query.render(README_VALUES)}" for query in queries)
