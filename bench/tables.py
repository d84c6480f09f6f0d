"""Markdown tables and the number formats the benches' reports share."""

from __future__ import annotations

from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, text_columns: int = 1) -> str:
    """A Markdown table; the first ``text_columns`` left-aligned, the others right-aligned (figures)."""
    alignments = [":---"] * text_columns + ["---:"] * (len(headers) - text_columns)
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(alignments[:len(headers)]) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ms(value: float) -> str:
    """Milliseconds, with a decimal below 100."""
    return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"


def per_second(value: float) -> str:
    return f"{value:.1f}/s" if value < 100 else f"{value:,.0f}/s"


def times(value: float) -> str:
    """A ratio, as "2.3×"."""
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def failures_note(summaries: dict[str, dict]) -> str:
    """One sentence per measured thing that had failed operations, with an example; "" if none."""
    notes = [f"{label}: {summary['failed']} failed (e.g. `{summary['failure_examples'][0]}`)."
             for label, summary in summaries.items() if summary.get("failed")]
    return ("**Failed operations** (left out of the latencies and rates): " + " ".join(notes)) if notes else ""
