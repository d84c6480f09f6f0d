"""The journeys' table itself: it names every page of the product, each error page and no page twice."""

from __future__ import annotations

from pathlib import Path

from .journeys import JOURNEYS

TEMPLATES = Path(__file__).parents[3] / "web" / "templates"
NOT_PAGES = {"base.html", "staff/base.html"}  # layouts; partials start with "_"; dev/ is the dev mailbox


def test_the_journeys_reach_every_page() -> None:
    """Each page template (not a layout, a partial or the dev mailbox) is some step's page."""
    pages = {path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html")
             if not path.name.startswith("_") and path.parts[len(TEMPLATES.parts)] != "dev"} - NOT_PAGES
    reached = {step.template for steps in JOURNEYS.values() for step in steps}
    assert pages - reached == set()


def test_every_error_page_is_in_the_table() -> None:
    names = [step.page for step in JOURNEYS["errors"]] + [step.page for step in JOURNEYS["employer"]]
    for code in (400, 403, 404, 413, 503):
        assert any(str(code) in name for name in names), code


def test_step_names_are_unique() -> None:
    for steps in JOURNEYS.values():
        assert len({step.page for step in steps}) == len(steps)
