"""The staff dashboard on the staff top page (issue 15): every staff role sees the five charts, each an
SVG with a title beside a table of its numbers; the numbers are those of the facts made through the
use-cases (``tests.store.dashboard_world``); ``?org=`` narrows them to one organization; counts only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from activities.certificates import CertificateActivities
from domain.revocation import PAPER_DEADLINE_DAYS
from domain.roles import StaffRole
from domain.validity import tokyo_date
from pki.ca import CaLoader
from pki.devca import ensure_dev_pki
from tests.store.dashboard_world import World, build

from ..pages import text
from .dashboard_tables import svg_title, table

CHARTS = ("expiring", "states", "ages", "locks", "issuances")


@pytest.fixture
def world(app, settings, tmp_path: Path) -> World:  # noqa: ANN001
    factory = app.extensions["rokin"].session_factory
    pki = ensure_dev_pki(tmp_path / "dashboard-pki")
    signing = CertificateActivities(factory, CaLoader(pki.ca_certificate, pki.ca_key), crl_dir=pki.directory,
                                    crl_url="http://localhost:8080/crl")
    return build(settings.database_url, factory, signing)


def test_every_staff_role_sees_the_charts_and_their_numbers(world: World, staff_client):  # noqa: ANN001
    for role in StaffRole:
        client, _ = staff_client(role)
        page = text(client.get("/staff/"))
        for chart in CHARTS:
            assert svg_title(page, chart)
            assert table(page, chart) is not None
        assert 'href="#dashboard"' in page, "the menu leads to it"
    today = tokyo_date(world.now)

    expiring = table(page, "expiring")
    assert len(expiring) == 13 and sum(row["total"] for row in expiring.values()) == 6
    assert sum(row["renewed"] for row in expiring.values()) == 1
    assert sum(row["in-window"] for row in expiring.values()) == 1
    assert svg_title(page, "expiring") == "今後13か月に有効期限を迎える電子証明書（月別）"

    states = table(page, "states")
    assert {label: row["count"] for label, row in states.items() if row["count"]} == {
        "書面到着待ち": 1, "承認待ち": 1, "承認済み": 1}
    assert len(states) == 7

    ages = table(page, "ages")
    assert sum(row["total"] for row in ages.values()) == 2
    assert sum(row["awaiting"] for row in ages.values()) == 1 and sum(row["received"] for row in ages.values()) == 1
    assert f"書面の期限（{PAPER_DEADLINE_DAYS}日）" in page, "the deadline is marked on the chart"

    locks = table(page, "locks")
    assert list(locks)[-1] == today.isoformat() and len(locks) == 30
    assert locks[today.isoformat()] == {"locks": 4, "blocks": 1}
    issuances = table(page, "issuances")
    assert issuances[today.isoformat()] == {"delivered": 1, "voided": 1}
    assert issuances[tokyo_date(world.now - timedelta(days=25)).isoformat()] == {"delivered": 3, "voided": 0}


def test_the_organization_filter(world: World, staff_client):  # noqa: ANN001
    client, _ = staff_client(StaffRole.RECEIVER)
    today = tokyo_date(world.now).isoformat()
    page = text(client.get(f"/staff/?org={world.code_a}"))
    assert f'value="{world.code_a}"' in page and 'id="dashboard-scope"' in page
    assert table(page, "locks")[today] == {"locks": 3, "blocks": 1}  # the staff account's lock is nobody's
    assert sum(row["total"] for row in table(page, "expiring").values()) == 4
    assert sum(row["count"] for row in table(page, "states").values()) == 0

    awaiting = world.codes_requests[0]
    page = text(client.get(f"/staff/?org={awaiting}"))
    assert {label: row["count"] for label, row in table(page, "states").items() if row["count"]} == {"書面到着待ち": 1}
    assert table(page, "locks")[today] == {"locks": 0, "blocks": 0}

    page = text(client.get("/staff/?org=NOSUCH"))
    assert "団体コード NOSUCH の団体は登録されていません。" in page
    assert sum(row["count"] for row in table(page, "states").values()) == 0


def test_the_dashboard_in_english_shows_counts_only(world: World, staff_client):  # noqa: ANN001
    client, _ = staff_client(StaffRole.APPROVER)
    page = text(client.get("/staff/?lang=en"))
    assert svg_title(page, "locks") == "Locks and blocks per day (last 30 days)"
    assert table(page, "states")["Awaiting paper"] == {"count": 1}
    assert "@example.jp" not in page, "no e-mail address"
