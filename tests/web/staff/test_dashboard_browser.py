"""The staff dashboard in Debian's Chromium under the real CSP (issue 15): each chart is an SVG that
renders (visible, with a size) and is named by its title; the organization filter is a plain GET form."""

from __future__ import annotations

import re

import pytest

from domain.roles import StaffRole

from .conftest import NEW_PASSWORD
from .test_dashboard import CHARTS, world  # noqa: F401  (the fixture: facts made through the use-cases)

pytestmark = pytest.mark.browser


async def test_the_charts_render_with_their_titles(browser_page, make_staff, world):  # noqa: ANN001, F811
    account = make_staff(StaffRole.RECEIVER)
    page = browser_page.page
    await browser_page.goto("/staff/login")
    await page.fill("#login", account.login)
    await page.fill("#password", account.password)
    await page.click("#submit")
    await page.wait_for_url("**/staff/password")
    await page.fill("#new_password", NEW_PASSWORD)
    await page.fill("#new_password_confirm", NEW_PASSWORD)
    await page.click("#submit")
    await page.wait_for_url("**/staff/")

    for chart in CHARTS:
        svg = page.locator(f"svg#chart-{chart}")
        await svg.scroll_into_view_if_needed()
        assert await svg.is_visible()
        box = await svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, (chart, box)
        assert await svg.get_attribute("role") == "img"
        assert (await page.locator(f"svg#chart-{chart} > title").text_content()).strip()
        assert await page.locator(f"svg#chart-{chart} rect > title").count() > 0, f"{chart}: bars drawn"
        assert await page.locator(f"#table-{chart}").is_visible()
    # The accessible name screen readers announce is the chart's title.
    names = [await page.get_by_role("img", name=re.compile("ロック・閉塞")).count()]
    assert names == [1]

    await page.fill("#dashboard-org", world.code_a)
    await page.click("#dashboard-filter-submit")
    await page.wait_for_url(re.compile(rf"org={world.code_a}"))
    assert await page.locator("#dashboard-scope").is_visible()
    assert [e for e in browser_page.console_errors if not e.startswith("Failed to load resource")] == []
