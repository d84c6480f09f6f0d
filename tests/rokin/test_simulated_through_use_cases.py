"""``rokin simulate`` acts through the pages' own use-cases: a change to one shows up in its timeline."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.validity import TOKYO
from rokin.simulate import simulate

from .spies import spying_on_use_cases


async def test_the_simulated_year_issues_and_files_through_the_pages_use_cases():
    with spying_on_use_cases() as calls:
        entries = await simulate(datetime.now(TOKYO).date() + timedelta(days=2))
    texts = "\n".join(entry.text for entry in entries)
    assert len(calls.issued_serials) == 4  # the master's 3 (first, renewal, after the revocation), the general's 1
    assert all(f"serial {serial[:8]}…" in texts for serial in calls.issued_serials)
    [number] = calls.filed_numbers
    assert f"written revocation request {number}" in texts
