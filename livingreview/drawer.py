"""The process that draws a build's changed figures on the other core.

It is started as soon as a build knows it has work to do, before the pipeline and its libraries are
imported, so that its own import of matplotlib (about half a second) overlaps with theirs and with loading
the review. Nothing of the engine but what starts it is imported here: the process imports the figures
when it gets ready, the build sends it the figures to draw once it has computed them.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from .cache import Cache
from .parallel import Standby

if TYPE_CHECKING:
    from .figures import FigureData

Drawer = Standby[dict[str, "FigureData"], dict[str, bytes]]


def start_drawer(cache: Cache) -> Drawer:
    """A process getting ready to draw (in this process, where none may be forked)."""
    return Standby(_prepare, partial(draw, cache))


def _prepare() -> None:
    from .figures.drawing import prepare_matplotlib

    prepare_matplotlib()


def draw(cache: Cache, figures: dict[str, FigureData]) -> dict[str, bytes]:
    """Draw each figure and keep it in the cache, where the build takes it from; give back only those the
    cache could not keep. So the drawing process, which holds matplotlib, answers in a few bytes and ends as
    soon as it is done, not when the build next asks for its answer."""
    from .figures import figure_svg

    drawn = {name: figure_svg(figure) for name, figure in figures.items()}
    return {name: svg for name, svg in drawn.items() if not cache.keep_drawing(name, svg)}
