"""One walk through the product in Chromium, in one language: a browser context per actor, and at each
page of the journey the checks every page must pass (axe-core, ``lang``, 200 % zoom reflow).

The journeys themselves are tables (``journeys.py``): page → how to reach it → which template it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Flask, template_rendered

from tests.fixtures.browser import PAGE_TIMEOUT_MS

from ..client_certificates import watch_for_errors
from .axe import Finding, violations

WIDE = {"width": 1280, "height": 900}
ZOOMED = {"width": 640, "height": 900}  # 1280 CSS px at 200 % zoom (WCAG 1.4.10 Reflow)
# The innermost elements that stick out to the right, named like selectors (for the failure message).
STICKING_OUT = """() => {
  const limit = document.documentElement.clientWidth;
  const out = [...document.body.querySelectorAll("*")].filter(e => e.getBoundingClientRect().right > limit + 1);
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + [...e.classList].map(c => "." + c).join("");
  return out.filter(e => ![...e.children].some(c => out.includes(c))).slice(0, 5)
    .map(e => (e.parentElement ? name(e.parentElement) + " > " : "") + name(e)
         + " (right " + Math.round(e.getBoundingClientRect().right) + ")");
}"""


@dataclass(frozen=True)
class Step:
    """One row of a journey's table (``journeys``)."""

    page: str
    template: str
    reach: Callable[[Walk], Awaitable[None]]
    reflow: bool = True  # checked for sideways scrolling at 200 % zoom
    loads: bool = True  # False: the step changes the page in place (no template is rendered)


@dataclass
class Walk:
    """The state of one walk: the live server, the language, the actors' pages, facts met on the way
    (IDs, passwords, request numbers) and what the checks found."""

    app: Flask
    browser: Any
    base_url: str
    language: str
    tmp_path: Path
    facts: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # lang, reflow, template and script problems
    console_errors: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)  # templates rendered since the last check
    current: str = ""  # the actor whose page is checked next
    last_status: int = 0  # of the last page (document) any actor loaded
    contexts: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        template_rendered.connect(self._rendered)  # any app: the 503 page comes from a second one

    def _rendered(self, _sender: Flask, template, **_extra: Any) -> None:  # noqa: ANN001
        self.rendered.append(template.name)

    async def actor(self, name: str, *, certificate: dict | None = None):  # noqa: ANN201
        """The page of actor ``name`` (made on first use, with ``certificate`` if given); the page
        checked next."""
        if name not in self.pages:
            options: dict[str, Any] = {"ignore_https_errors": True, "viewport": WIDE,
                                       "locale": "ja-JP" if self.language == "ja" else "en-US"}
            if certificate is not None:
                options["client_certificates"] = [{"origin": self.base_url, **certificate}]
            context = await self.browser.new_context(**options)
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            self.contexts.append(context)
            page = await context.new_page()
            watch_for_errors(page, self.console_errors)
            page.on("response", self._note_status)
            self.pages[name] = page
        self.current = name
        return self.pages[name]

    def _note_status(self, response) -> None:  # noqa: ANN001
        if response.request.is_navigation_request():
            self.last_status = response.status

    @property
    def page(self):  # noqa: ANN201
        return self.pages[self.current]

    def url(self, path: str) -> str:
        """``path`` on the live server, asking for the walk's language (``web.i18n``: ``?lang=``)."""
        parts = urlsplit(path)
        query = "&".join(filter(None, [parts.query, urlencode({"lang": self.language})]))
        return self.base_url + urlunsplit(("", "", parts.path, query, parts.fragment))

    async def goto(self, path: str):  # noqa: ANN201
        return await self.page.goto(self.url(path))

    async def check(self, name: str, template: str, *, reflow: bool = True, loads: bool = True) -> None:
        """The checks of page ``name``, which the step declared to be rendered from ``template`` (unless
        it changed the page in place: ``loads``)."""
        page, rendered, self.rendered = self.page, self.rendered, []
        await page.wait_for_load_state("load")
        where = f"{name} [{self.language}]"
        if loads and template not in rendered:
            self.problems.append(f"{where}: expected template {template}, rendered {rendered} ({page.url})")
        lang = await page.evaluate("document.documentElement.lang")
        if lang != self.language:
            self.problems.append(f"{where}: <html lang={lang!r}>, expected {self.language!r}")
        self.findings.extend(await violations(page, name, self.language))
        if reflow:
            await page.set_viewport_size(ZOOMED)
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            culprits = await page.evaluate(STICKING_OUT) if widths[0] > widths[1] else []
            await page.set_viewport_size(WIDE)
            if widths[0] > widths[1]:
                self.problems.append(f"{where}: scrolls sideways at 200 % zoom (scrollWidth {widths[0]} > "
                                     f"clientWidth {widths[1]}): {', '.join(culprits)}")

    async def close(self) -> None:
        template_rendered.disconnect(self._rendered)
        for context in self.contexts:
            await context.close()
