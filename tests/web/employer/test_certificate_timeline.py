"""The master's top screen shows its users' certificates on a timeline (issue 15): issue → renewal window
(day 336) → expiry (day 366), today marked, soonest expiry first, drawn on the server (SVG with a title)
with the same dates in a table; only certificates that work are drawn; a general user sees none."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

from domain.validity import calendar_for, tokyo_date

from ..certificates.arrange import record_certificate, void_certificate
from ..pages import text


def _timeline_rows(page: str) -> list[dict[str, str]]:
    body = re.search(r'<table[^>]*id="table-certificate-timeline">(.*?)</table>', page, re.S)
    assert body, "no timeline table"
    rows = []
    for row in re.findall(r'<tr id="timeline-[^"]+">(.*?)</tr>', body.group(1), re.S):
        cells = dict(re.findall(r'<t[hd] (?:scope="row" )?class="([a-z-]+)[^"]*">([^<]*)</t[hd]>', row))
        rows.append({key: html.unescape(value).strip() for key, value in cells.items()})
    return rows


def test_the_timeline_shows_who_must_renew_when(app, client, master, add_general_users):  # noqa: ANN001
    now = datetime.now(timezone.utc)
    add_general_users(master.user_id, "renew001", "later001", "expir001", "void0001", "nocer001")
    factory = app.extensions["rokin"].session_factory
    record_certificate(factory, "renew001", now - timedelta(days=340))  # day 341: in the renewal window
    record_certificate(factory, "later001", now - timedelta(days=100))
    record_certificate(factory, "expir001", now - timedelta(days=400))  # expired: not drawn
    void_certificate(factory, record_certificate(factory, "void0001", now, pending=True))  # never delivered

    page = text(client.get("/employer/"))
    assert re.search(r'<svg [^>]*id="chart-certificate-timeline"[^>]*role="img"[^>]*>\s*<title id="[^"]+">'
                     r"ユーザーの電子証明書の有効期間</title>\s*<desc", page), "an SVG with its title and description"
    assert 'class="chart-marker"' in page, "today is marked"

    rows = _timeline_rows(page)
    assert [row["user-id"] for row in rows] == ["renew001", "later001", master.user_id], "soonest expiry first"
    for row, issued_at in zip(rows, [now - timedelta(days=340), now - timedelta(days=100), now], strict=True):
        calendar = calendar_for(issued_at)
        assert row["issued"] == calendar.issue_date.isoformat()
        assert row["renewal-opens"] == tokyo_date(calendar.renewal_opens_at).isoformat()  # day 336
        assert row["expires"] == calendar.expiry_date.isoformat()  # day 366
        assert row["days-left"] == f"{calendar.days_left(now)}日"
    assert [row["state"] for row in rows] == ["更新期間中", "有効", "有効"]
    for user_id in ("expir001", "void0001", "nocer001"):
        assert f'id="timeline-{user_id}"' not in page
    # One bar pair per drawn certificate, each with its dates in its tooltip.
    svg = re.search(r'<svg [^>]*id="chart-certificate-timeline".*?</svg>', page, re.S).group(0)
    assert len(re.findall(r'<rect class="chart-window"[^>]*>\s*<title>', svg)) == 3  # not counting the legend
    assert f"renew001: {calendar_for(now - timedelta(days=340)).issue_date.isoformat()}" in svg


def test_a_general_user_sees_no_timeline(general):  # noqa: ANN001
    page = text(general.client.get("/employer/"))
    assert "certificate-timeline" not in page


def test_the_timeline_in_english(client, master):  # noqa: ANN001
    page = text(client.get("/employer/?lang=en"))
    assert "Certificate renewal schedule" in page and "Validity of your users&#39; certificates" in page
