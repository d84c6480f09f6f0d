"""The checker itself finds what it must: a page with known faults fails, and only moderate rules named in
``ALLOWED_MODERATE`` are let through."""

from __future__ import annotations

import pytest

from . import axe

pytestmark = pytest.mark.browser

FAULTY = """<!doctype html><html lang="ja"><head><title>t</title></head><body><main><h1>t</h1>
<img src="data:,"><button></button><p style="color:#bbb;background:#fff">薄い文字</p></main></body></html>"""


async def test_known_faults_are_found_and_fail(browser) -> None:  # noqa: ANN001
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.set_content(FAULTY)
        findings = await axe.violations(page, "faulty", "ja")
    finally:
        await context.close()
    found = {(finding.rule, finding.impact) for finding in axe.failing(findings)}
    assert {("image-alt", "critical"), ("button-name", "critical"), ("color-contrast", "serious")} <= found
    [image] = [finding for finding in findings if finding.rule == "image-alt"]
    assert image.targets == ("img",) and "faulty [ja] image-alt (critical)" in str(image)


def test_only_named_moderate_rules_are_let_through(monkeypatch) -> None:  # noqa: ANN001
    def finding(rule: str, impact: str) -> axe.Finding:
        return axe.Finding("page", "ja", rule, impact, ("#x",), "help")

    monkeypatch.setattr(axe, "ALLOWED_MODERATE", {"region": "a reason"})
    findings = [finding("region", "moderate"), finding("heading-order", "moderate"), finding("region", "serious"),
                finding("empty-table-header", "minor")]
    assert axe.failing(findings) == [finding("heading-order", "moderate"), finding("region", "serious")]
