"""The error pages 400, 404, 413 and 503, by a visitor (403 is on the employer's and the staff's journeys)."""

from __future__ import annotations

from .walk import Step, Walk


async def _not_found(walk: Walk) -> None:
    await walk.actor("visitor")
    await walk.goto("/no-such-page")
    assert walk.last_status == 404


async def _bad_request(walk: Walk) -> None:
    """400: a form sent with a CSRF token that the server never gave (画面の有効期限切れ)."""
    await walk.goto("/register/master")
    await walk.page.evaluate("document.querySelector('[name=csrf_token]').value = 'stale'")
    async with walk.page.expect_navigation():
        await walk.page.click("#submit")
    assert walk.last_status == 400


async def _too_large(walk: Walk) -> None:
    """413: a form bigger than the app accepts (MAX_CONTENT_LENGTH)."""
    await walk.goto("/register/master")
    await walk.page.evaluate("document.querySelector('#user_id').removeAttribute('maxlength');"
                             "document.querySelector('#user_id').value = 'x'.repeat(100000)")
    async with walk.page.expect_navigation():
        await walk.page.click("#submit")
    assert walk.last_status == 413


async def _unavailable(walk: Walk) -> None:
    """503: /crl when there is no CRL yet and none can be made (``error_app``: no Temporal)."""
    await walk.page.goto(walk.facts["unavailable_url"] + walk.url("/crl")[len(walk.base_url):])
    assert walk.last_status == 503


ERRORS = (
    Step("エラー404", "errors/error.html", _not_found),
    Step("エラー400", "errors/error.html", _bad_request),
    Step("エラー413", "errors/error.html", _too_large),
    Step("エラー503", "errors/error.html", _unavailable),
)
