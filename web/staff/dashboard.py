"""The staff dashboard on the staff top page (issue 15): five charts drawn on the server
(``web.charts``), each beside a table of the same numbers, from ``store.dashboard_queries`` (one query
per chart, counts only: every staff role may see it), of the staff member's 労金 only (the 連合会's: every
one). ``?org=<団体コード>`` narrows it to one organization; another 労金's reads as unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from domain.revocation import RequestState
from domain.staff_scope import BankScope
from domain.validity import tokyo_date
from store import dashboard_queries as queries

from ..charts import Marker, Series, horizontal_bars, stacked_bars
from ..revocation_labels import STATE

ORGANIZATION_CODE_MAX = 10  # store.models.Organization.code


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]  # the first one heads the row labels
    rows: list[tuple[str, list[int]]]
    keys: list[str]  # a class per value column (the tests read them)


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: Markup
    table: Table
    note: str = ""


@dataclass(frozen=True)
class Dashboard:
    organization_code: str  # '' : every organization
    unknown_organization: bool
    charts: list[Chart]


def organization_filter(value: str | None) -> str:
    """The ``org`` parameter, trimmed; anything longer than a code reads as no filter."""
    code = (value or "").strip()
    return code if len(code) <= ORGANIZATION_CODE_MAX else ""


def build(session: Session, *, now: datetime, organization_code: str, scope: BankScope) -> Dashboard:
    code = organization_code or None
    unknown = bool(code) and not queries.organization_exists(session=session, code=organization_code, scope=scope)
    charts = [
        _expiring(queries.expiring_by_month(session=session, now=now, organization_code=code, scope=scope)),
        _states(queries.requests_by_state(session=session, organization_code=code, scope=scope)),
        _ages(queries.open_requests_by_age(session=session, now=now, organization_code=code, scope=scope)),
        _locks(queries.locks_and_blocks_by_day(session=session, now=now, organization_code=code, scope=scope)),
        _issuances(queries.issuances_by_day(session=session, now=now, organization_code=code, scope=scope)),
    ]
    return Dashboard(organization_code, unknown, charts)


def _month(value: queries.ExpiryMonth) -> str:
    return f"{value.month:%Y-%m}"


def _day(day: date) -> str:
    return str(format_date(day, "MM/dd"))


def _expiring(months: list[queries.ExpiryMonth]) -> Chart:
    title = _("今後13か月に有効期限を迎える電子証明書（月別）")
    labels = [_("更新済み"), _("更新期間中"), _("更新期間前")]
    keys = ["renewed", "in-window", "not-yet"]
    values = [[m.renewed for m in months], [m.in_window for m in months], [m.not_yet for m in months]]
    categories = [_month(m) for m in months]
    description = _("有効期限の月ごとの件数（合計 %(total)d 件）。更新済み、更新期間中（更新可能）、更新期間前に分けて積み上げています。",  # noqa: E501
                    total=sum(m.total for m in months))
    svg = stacked_bars(chart_id="chart-expiring", title=title, description=description, categories=categories,
                       series=[Series(key, label, value)
                               for key, label, value in zip(keys, labels, values, strict=True)],
                       label_every=2)
    rows = [(_month(m), [m.renewed, m.in_window, m.not_yet, m.total]) for m in months]
    return Chart("expiring", title, svg, Table(title, [_("有効期限の月"), *labels, _("合計")], rows,
                                               [*keys, "total"]))


def _states(states: list[queries.StateCount]) -> Chart:
    title = _("失効依頼（書面）の状態別件数")
    labels = [str(STATE[row.state]) for row in states]
    svg = horizontal_bars(chart_id="chart-states", title=title,
                          description=_("状態ごとの失効依頼の件数（合計 %(total)d 件）。",
                                        total=sum(row.count for row in states)),
                          labels=labels, values=[row.count for row in states])
    rows = [(label, [row.count]) for label, row in zip(labels, states, strict=True)]
    return Chart("states", title, svg, Table(title, [_("状態"), _("件数")], rows, ["count"]))


def _ages(ages: queries.OpenRequestAges) -> Chart:
    title = _("未完了の失効依頼の経過営業日数")
    labels = [str(STATE[state]) for state in (RequestState.AWAITING_PAPER, RequestState.PAPER_RECEIVED)]
    deadline = _("書面の期限（30日）＝%(days)d営業日", days=ages.deadline_age)
    note = _("書面到着待ちは申請日から、承認待ちは書面受付日からの経過営業日数です。本日、申請から30日目（書面の期限の最終日）は経過%(days)d営業日にあたります。",  # noqa: E501
             days=ages.deadline_age)
    svg = stacked_bars(
        chart_id="chart-ages", title=title,
        description=_("経過営業日数ごとの未完了の失効依頼の件数（合計 %(total)d 件）。", total=ages.total) + " " + note,
        categories=[str(age.business_days) for age in ages.ages],
        series=[Series("awaiting", labels[0], [age.awaiting_paper for age in ages.ages]),
                Series("received", labels[1], [age.paper_received for age in ages.ages])],
        marker=Marker(ages.deadline_age, deadline), label_every=5)
    rows = [(_("%(days)d営業日", days=age.business_days), [age.awaiting_paper, age.paper_received, age.total])
            for age in ages.ages if age.total]
    return Chart("ages", title, svg, Table(title, [_("経過営業日数"), *labels, _("合計")], rows,
                                           ["awaiting", "received", "total"]), note)


def _locks(days: list[queries.LockDay]) -> Chart:
    return _per_day("locks", _("ロック・閉塞の件数（過去30日、日別）"), days,
                    [("locks", _("ロック")), ("blocks", _("閉塞"))],
                    lambda locks, blocks: _("日ごとのロックと閉塞の件数（30日間の合計 ロック %(locks)d 件、閉塞 %(blocks)d 件）。",  # noqa: E501
                                            locks=locks, blocks=blocks))


def _issuances(days: list[queries.IssuanceDay]) -> Chart:
    return _per_day("issuances", _("電子証明書の発行件数（過去30日、日別）"), days,
                    [("delivered", _("発行（お渡し済み）")), ("voided", _("発行中断（未受領のため失効）"))],
                    lambda delivered, voided: _("日ごとの発行件数（30日間の合計：お渡し済み %(delivered)d 件、中断 %(voided)d 件）。",  # noqa: E501
                                                delivered=delivered, voided=voided))


def _per_day(name: str, title: str, days: Sequence[queries.LockDay] | Sequence[queries.IssuanceDay],
             columns: list[tuple[str, str]], description: Callable[..., str]) -> Chart:
    """A 30-day chart of stacked daily counts; ``columns``: (the day's attribute, its label)."""
    keys, labels = [key for key, _label in columns], [label for _key, label in columns]
    counts = {key: [getattr(day, key) for day in days] for key in keys}
    svg = stacked_bars(chart_id=f"chart-{name}", title=title,
                       description=description(*(sum(counts[key]) for key in keys)),
                       categories=[_day(day.day) for day in days],
                       series=[Series(key, label, counts[key]) for key, label in columns],
                       label_every=7, label_from_end=True)
    rows = [(day.day.isoformat(), [counts[key][index] for key in keys]) for index, day in enumerate(days)]
    return Chart(name, title, svg, Table(title, [_("日付"), *labels], rows, keys))


def today_text(now: datetime) -> str:
    """Today in Japan, as the dashboard's heading says it."""
    return tokyo_date(now).isoformat()
