"""Drawing a figure as deterministic SVG with matplotlib, which is imported only here, only when needed."""

from __future__ import annotations

import io
import re
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
    """The figure drawn as SVG: the same data always gives the same bytes.

    Drawn once, by the renderer that measured it: matplotlib's own crop (`bbox_inches`) measures every text
    with one renderer, then lays the figure out again and measures it all once more with another (a sixth
    of the drawing time, on the repository's figures). Here the crop is the image's viewBox, with the
    background drawn under it."""
    from matplotlib.backends.backend_svg import RendererSVG

    canvas = laid_out(figure, draw, size)
    width, height = size
    out = io.StringIO()
    renderer = RendererSVG(width * POINTS, height * POINTS, out, metadata={"Date": None, "Creator": None})
    crop = canvas.get_tightbbox(renderer).padded(0.12)  # inches, from the figure's lower left corner
    canvas.patch.set_bounds(crop.x0 / width, crop.y0 / height, crop.width / width, crop.height / height)
    canvas.patch.set_facecolor("white")
    canvas.draw(renderer)
    renderer.finalize()
    box = [crop.x0, height - crop.y1, crop.width, crop.height]  # SVG's y runs down from the top
    view = " ".join(_number(side * POINTS) for side in box)
    cropped, found = _VIEW.subn(f'width="{_number(box[2] * POINTS)}pt" height="{_number(box[3] * POINTS)}pt" '
                                f'viewBox="{view}"', out.getvalue(), count=1)
    if not found:
        raise RuntimeError("matplotlib's SVG header has no width, height and viewBox to crop")
    return cropped.encode("utf-8")


POINTS = 72  # per inch: a figure is laid out in the units its SVG is drawn in
_VIEW = re.compile(r'width="[^"]*" height="[^"]*" viewBox="[^"]*"')


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def laid_out(figure: FigureData, draw: Callable[[Any, FigureData], None], size: tuple[float, float]) -> Any:
    """The figure on a matplotlib canvas, not yet drawn."""
    _matplotlib()
    from matplotlib.figure import Figure

    canvas = Figure(figsize=size, dpi=POINTS)
    draw(canvas, figure)
    if figure.plot.get("footnote"):  # what the figure rests on travels with the image when it is shared alone
        canvas.text(0.0, -0.02, figure.plot["footnote"], ha="left", va="top", fontsize=8, color=MUTED)
    return canvas


def whole_numbers(axis: Any) -> None:
    """Ticks on a count axis at whole numbers only (no 0.25 of a study)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))
