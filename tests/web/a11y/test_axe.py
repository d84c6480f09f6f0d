"""Every page of every journey, in Japanese and in English, checked in Debian's Chromium (issue 15):
no axe-core violation of impact serious or critical, no moderate one unless ``axe.ALLOWED_MODERATE``
says why, ``<html lang>`` in the page's language, and no sideways scrolling at 200 % zoom.

One browser context per actor keeps the run short; a failure names the page, the language, the rule,
its impact and the target selectors.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pki.devca import DevPki
from rokin.serve import context_for, make_https_server
from tests.fixtures.servers import serving

from ..revocation.conftest import fresh_request_numbers  # noqa: F401  (autouse: request numbers from 1)
from ..staff.conftest import shipped_branches  # noqa: F401  (a fixture: 団体登録 offers these branches)
from .axe import failing
from .journeys import ARRANGEMENTS, JOURNEYS
from .walk import Walk

pytestmark = pytest.mark.browser


@pytest.fixture
def unavailable_url(settings, session_dev_pki, tmp_path: Path) -> Iterator[str]:  # noqa: ANN001
    """A second ``rokin web`` with no Temporal and no CRL yet: its /crl answers 503."""
    from web import create_app

    data_dir = tmp_path / "unavailable"
    shutil.copytree(session_dev_pki.directory, data_dir / "pki")
    alone = replace(settings, data_dir=data_dir, temporal_address="127.0.0.1:1")
    (alone.pki_dir / "crl.der").unlink(missing_ok=True)
    app = create_app({"TESTING": True}, settings=alone)
    with serving(make_https_server(app, "127.0.0.1", 0, context_for(DevPki(alone.pki_dir)))) as server:
        yield f"https://127.0.0.1:{server.port}"


@pytest.mark.usefixtures("shipped_branches")
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("journey", list(JOURNEYS))
async def test_every_page_is_accessible(journey: str, language: str, app, browser, live_server: str,  # noqa: ANN001
                                        make_organization, unavailable_url: str, tmp_path: Path) -> None:
    walk = Walk(app, browser, live_server, language, tmp_path)
    walk.facts["unavailable_url"] = unavailable_url
    arrange = ARRANGEMENTS.get(journey)
    if arrange is not None:
        arrange(walk, make_organization)
    try:
        for step in JOURNEYS[journey]:
            await step.reach(walk)
            await walk.check(step.page, step.template, reflow=step.reflow, loads=step.loads)
    finally:
        await walk.close()
    for accepted in set(walk.findings) - set(failing(walk.findings)):  # minor or allowed: shown with -s / -rP
        print("accepted:", accepted)  # noqa: T201
    report = [str(finding) for finding in failing(walk.findings)] + walk.problems
    assert not report, f"{len(report)} accessibility problems:\n" + "\n".join(report)
    assert [error for error in walk.console_errors if "status of 4" not in error and "status of 5" not in error] == []
