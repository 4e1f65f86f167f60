"""The process that draws a build's changed figures on the other core.

It is started as soon as a build knows it has work to do, before the pipeline and its libraries are
imported, so that its own import of matplotlib (about half a second) overlaps with theirs and with loading
the review (a large review's, or one whose edit cannot change a figure, only once it has figures to draw:
see `start_drawer`). Nothing of the engine but what starts it is imported here: the process imports the
figures when it gets ready, the build sends it the figures to draw once it has computed them.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .cache import Cache, Inputs, StudyCodings
from .parallel import Companion, Standby, aside

if TYPE_CHECKING:
    from .figures import FigureData


class Drawer(Protocol):
    """What draws a build's changed figures: a Standby (a process of the build's own), or a turn of serve's
    companion."""

    def get_ready(self) -> None: ...

    def give(self, task: dict[str, FigureData] | None) -> None: ...

    def done(self) -> bool: ...

    def result(self) -> dict[str, bytes]: ...

    def cancel(self) -> None: ...


def start_drawer(cache: Cache, inputs: Inputs | None = None, studies: Path | None = None) -> Drawer:
    """A process getting ready to draw (in this process, where none may be forked). It imports matplotlib
    at once only if the figures may change (`StudyCodings`) and the review is small (`is_large`: counted in
    `inputs`, under `studies`); otherwise once it is given figures to draw. A title edit draws none, and the
    import on the other core slows this one's work (the repository's review, a title edit, alternated
    rounds: 0.80 s with it, 0.63 s without; at 10,000 studies, a tenth of a second); a large review loads
    for longer than the import takes, so a coding edit's drawings are still ready in time."""
    large = inputs is not None and studies is not None and is_large(inputs, studies)
    soon = not large and (inputs is None or studies is None or StudyCodings(cache, studies).may_change_figures(inputs))
    return Standby(_prepare if large else _prepare_aside, partial(draw, cache, apart=not large), prepare_now=soon)


def is_large(inputs: Inputs, studies: Path) -> bool:
    """Whether the review has LATE_FROM study files or more (its input files under `studies`)."""
    return inputs.count_under(studies) >= LATE_FROM


LATE_FROM = 1000  # studies: a review this large loads for longer than matplotlib takes to import


def start_companion(cache_folder: Path) -> Companion[dict[str, FigureData], dict[str, bytes]]:
    """serve's drawing process: it imports matplotlib once, and every rebuild's changed figures are drawn
    there, on the other core, while the rebuild renders its pages (serve has threads: it may not fork)."""
    return Companion(_prepare, partial(_draw_in, str(cache_folder)))


def _draw_in(cache_folder: str, figures: dict[str, FigureData]) -> dict[str, bytes]:
    return draw(Cache(Path(cache_folder)), figures)


def _prepare() -> None:
    from .figures.drawing import prepare_matplotlib

    prepare_matplotlib()


def _prepare_aside() -> None:
    """Get ready at the lowest priority: the import is made in case a figure changed, which most edits do
    not, and must not take a core from the build's own processes (loading the review, linking the old
    site's files) meanwhile. Measured on the repository's review (2 cores, three runs of 6 to 8 rounds): a
    title edit 5-11 % faster, a coding edit 1-6 % slower (its drawings then wait a little for a core)."""
    os.nice(_ASIDE)
    _prepare()


_ASIDE = 19  # the niceness of a drawing process that gets ready before it has anything to draw


def draw(cache: Cache, figures: dict[str, FigureData], apart: bool = False) -> dict[str, bytes]:
    """Draw each figure and keep it in the cache, where the build takes it from; give back only those the
    cache could not keep. So the drawing process, which holds matplotlib, answers in a few bytes and ends as
    soon as it is done, not when the build next asks for its answer.

    With `apart`, every other figure is drawn by a process forked from this one, which shares its import of
    matplotlib: a cold build of the repository's review draws 17 figures (about a second), and the build,
    done with its pages, waited for them. A large review's build is not waiting for its drawings, and a
    third process would take the cores from its own two."""
    from .figures import figure_svg

    names = sorted(figures)  # a figure's editions are neighbours: each process draws some of each

    elsewhere = names[1::2] if apart and len(names) >= DRAWN_APART_FROM else []

    def keep_elsewhere() -> None:
        for name in elsewhere:
            cache.keep_drawing(name, figure_svg(figures[name]))

    with aside(keep_elsewhere):
        drawn = {name: figure_svg(figures[name]) for name in names if name not in elsewhere}
    # what the other process did not keep (it failed, or the cache would not take it) is drawn here
    drawn |= {name: figure_svg(figures[name]) for name in elsewhere if cache.drawing(name) is None}
    return {name: svg for name, svg in drawn.items() if not cache.keep_drawing(name, svg)}


DRAWN_APART_FROM = 2  # figures: a figure takes about 60 ms to draw, a fork of this process a few
