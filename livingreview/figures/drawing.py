"""Drawing a figure as deterministic SVG with matplotlib, which is imported only here, only when needed."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from .model import FigureData

INK, MUTED, ACCENT, GRID = "#1f2933", "#616e7c", "#2f6f8f", "#d9e2ec"
PALETTE = ("#2f6f8f", "#d08c3c", "#5b8c5a", "#a64d79", "#7a6fb0", "#c7584d", "#4f9fa6", "#8c7a5b")


def colours(values: Sequence[Any], declared: Sequence[str] = ()) -> list[str]:
    """A colour per value by its place in the codebook's order (or as the codebook declares it), so a
    value keeps its colour whichever other values happen to be coded."""
    return [declared[index] if index < len(declared) and declared[index] else PALETTE[index % len(PALETTE)]
            for index, _ in enumerate(values)]


def wrap(label: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def prepare_matplotlib() -> None:
    """Import and set up matplotlib now (about half a second), not when a figure is first drawn."""
    _matplotlib()


@lru_cache(maxsize=1)
def _matplotlib() -> Any:
    import matplotlib

    matplotlib.use("svg", force=True)
    import matplotlib.figure

    matplotlib.rcParams.update({
        "svg.hashsalt": "livingreview", "svg.fonttype": "none", "font.family": "DejaVu Sans",
        "font.size": 10, "axes.edgecolor": MUTED, "axes.labelcolor": INK, "xtick.color": MUTED,
        "ytick.color": MUTED, "text.color": INK, "axes.spines.top": False, "axes.spines.right": False,
    })
    return matplotlib


def svg(figure: FigureData, draw: Callable[[Any, FigureData], None], size: tuple[float, float]) -> bytes:
    """The figure drawn as SVG: the same data always gives the same bytes."""
    canvas = laid_out(figure, draw, size)
    # Cropped to what is drawn, measured before drawing: matplotlib's own "tight" option draws the figure
    # twice (once to measure), a tenth of the drawing time; this crop keeps a point or two more margin.
    crop = canvas.get_tightbbox().padded(0.12)
    out = io.BytesIO()
    canvas.savefig(out, format="svg", metadata={"Date": None, "Creator": None}, transparent=False,
                   facecolor="white", bbox_inches=crop)
    return out.getvalue()


def laid_out(figure: FigureData, draw: Callable[[Any, FigureData], None], size: tuple[float, float]) -> Any:
    """The figure on a matplotlib canvas, not yet drawn."""
    _matplotlib()
    from matplotlib.figure import Figure

    canvas = Figure(figsize=size)
    draw(canvas, figure)
    if figure.plot.get("footnote"):  # what the figure rests on travels with the image when it is shared alone
        canvas.text(0.0, -0.02, figure.plot["footnote"], ha="left", va="top", fontsize=8, color=MUTED)
    return canvas


def whole_numbers(axis: Any) -> None:
    """Ticks on a count axis at whole numbers only (no 0.25 of a study)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
