"""The master user's certificate timeline (issue 15): each user's working certificate as a bar — issued
(day 1) → renewal window (day 336) → expiry (day 366) — with today marked, soonest expiry first, so a
master sees at a glance who must renew when. The same dates are in a table beside it.

Built from the user list's rows (``web.employer.user_list``: one query for the organization), so the
picture and the list never disagree. Dates are Japan's (``domain.validity``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from markupsafe import Markup

from domain.validity import RENEWAL_WINDOW_DAYS, VALIDITY_DAYS, tokyo_date

from ..charts import TimelineRow, timeline
from .labels import CERTIFICATE_STATE
from .user_list import CertificateState, UserRow


@dataclass(frozen=True)
class TimelineEntry:
    user_id: str
    issued: date  # day 1
    renewal_opens: date  # day 336
    expires: date  # day 366
    days_left: int
    state: CertificateState  # ACTIVE or RENEWAL_WINDOW

    @property
    def in_renewal_window(self) -> bool:
        return self.state is CertificateState.RENEWAL_WINDOW


@dataclass(frozen=True)
class CertificateTimeline:
    today: date
    entries: list[TimelineEntry]  # soonest expiry first
    svg: Markup


def entries_of(rows: Sequence[UserRow]) -> list[TimelineEntry]:
    """The users whose certificate works (valid or in its renewal window), soonest expiry first."""
    entries = []
    for row in rows:
        column = row.certificate
        if not column.live or column.expiry_date is None:
            continue
        entries.append(TimelineEntry(
            user_id=row.user.user_id,
            issued=column.expiry_date - timedelta(days=VALIDITY_DAYS - 1),
            renewal_opens=column.expiry_date - timedelta(days=RENEWAL_WINDOW_DAYS),
            expires=column.expiry_date,
            days_left=column.days_left or 0,
            state=column.state,
        ))
    return sorted(entries, key=lambda entry: (entry.expires, entry.user_id))


def build(rows: Sequence[UserRow], now: datetime) -> CertificateTimeline:
    today = tokyo_date(now)
    entries = entries_of(rows)
    valid_label = str(CERTIFICATE_STATE[CertificateState.ACTIVE])  # the user list's own words
    window_label = str(CERTIFICATE_STATE[CertificateState.RENEWAL_WINDOW])
    svg = timeline(
        chart_id="chart-certificate-timeline",
        title=_("ユーザーの電子証明書の有効期間"),
        description=_("%(count)d名の電子証明書について、発行日から更新開始日（有効期限の30日前）までを有効、更新開始日から有効期限までを更新期間として示します。縦線は本日（%(today)s）です。",
                      count=len(entries), today=today.isoformat()),
        rows=[TimelineRow(entry.user_id, entry.issued, entry.renewal_opens, entry.expires,
                          window_label if entry.in_renewal_window else valid_label) for entry in entries],
        today=today, today_label=_("本日"), legend=(valid_label, window_label))
    return CertificateTimeline(today, entries, svg)

