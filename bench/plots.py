"""PNG plots for the report (matplotlib, Agg backend: no display needed). Labels stay ASCII: the
default font has no Japanese glyphs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter  # noqa: E402

Series = dict[str, tuple[Sequence[float], Sequence[float]]]  # label -> (x values, y values)
DPI = 110


def line_chart(path: Path, *, title: str, xlabel: str, ylabel: str, series: Series, log_y: bool = False,
               dashed: Sequence[str] = (), dotted: Sequence[str] = (), colors: dict[str, str] | None = None) -> str:
    """One line per series (``dashed``: the baselines; ``dotted``: tails; ``colors``: to pair a median
    with its tail), markers on the points, the legend below; the file name."""
    figure, axes = plt.subplots(figsize=(7, 4.8))
    chosen = dict(colors or {})
    spare = (color for color in (f"C{index}" for index in range(10)) if color not in chosen.values())
    for label, (xs, ys) in series.items():
        style = "--" if label in dashed else ":" if label in dotted else "-"
        axes.plot(xs, ys, marker="o", linestyle=style, label=label, color=chosen.get(label) or next(spare))
    xs_all = sorted({x for xs, _ in series.values() for x in xs})
    axes.set_xticks(xs_all)
    if log_y:
        axes.set_yscale("log")
        _plain_numbers(axes.yaxis)
    else:
        axes.set_ylim(bottom=0)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)
    return _save(figure, path)


def cdf_chart(path: Path, *, title: str, samples: dict[str, Sequence[float]], dashed: Sequence[str] = ()) -> str:
    """Cumulative distribution of each sample set's milliseconds (log x); the file name."""
    figure, axes = plt.subplots(figsize=(7, 4.2))
    for label, values in samples.items():
        ordered = sorted(values)
        fractions = [(index + 1) / len(ordered) for index in range(len(ordered))]
        axes.step(ordered, fractions, where="post", linestyle="--" if label in dashed else "-", label=label)
    axes.set_xscale("log")
    _plain_numbers(axes.xaxis)
    axes.set_ylim(0, 1.02)
    axes.set(title=title, xlabel="milliseconds (log scale)", ylabel="fraction of operations")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small", loc="lower right")
    return _save(figure, path)


def _plain_numbers(axis) -> None:  # noqa: ANN001
    """Log-scale ticks as 100, 200, 500 rather than 10^2."""
    formatter = ScalarFormatter()
    formatter.set_scientific(False)
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(formatter)
    axis.set_minor_formatter(NullFormatter())


def _save(figure, path: Path) -> str:  # noqa: ANN001
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path.name
