"""axe-core (bundled by the PyPI package ``axe-playwright-python``) run on a Playwright page, and what
the a11y tests accept of its findings.

Serious and critical violations always fail. A moderate one fails unless ``ALLOWED_MODERATE`` names its
rule with the reason it stays; minor ones are best-practice hints and are reported, not failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from axe_playwright_python.async_playwright import Axe

FAILING_IMPACTS = ("critical", "serious", "moderate")

# rule id → why a moderate finding of it is accepted (empty: every moderate finding is fixed).
ALLOWED_MODERATE: dict[str, str] = {}

_AXE = Axe()


@dataclass(frozen=True)
class Finding:
    """One axe violation on one page in one language."""

    page: str
    language: str
    rule: str
    impact: str
    targets: tuple[str, ...]
    help: str

    def __str__(self) -> str:
        return (f"{self.page} [{self.language}] {self.rule} ({self.impact}): {self.help}\n"
                + "\n".join(f"    {target}" for target in self.targets))


async def violations(page, name: str, language: str) -> list[Finding]:  # noqa: ANN001
    """Every violation axe finds on ``page`` as it is now."""
    results = await _AXE.run(page)
    return [Finding(name, language, violation["id"], violation["impact"] or "minor",
                    tuple(" ".join(map(str, node["target"])) for node in violation["nodes"]), violation["help"])
            for violation in results.response["violations"]]


def failing(findings: list[Finding]) -> list[Finding]:
    """The findings that fail the test."""
    return [finding for finding in findings if finding.impact in FAILING_IMPACTS
            and not (finding.impact == "moderate" and finding.rule in ALLOWED_MODERATE)]
