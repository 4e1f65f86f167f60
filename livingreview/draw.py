"""Draw figures as deterministic SVG with matplotlib, reusing cached drawings.

matplotlib is imported only when a figure's data has changed since it was last
drawn: a figure is cached under a hash of everything that is drawn.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:  # importing this module must stay cheap: a build forks the drawing process first
    from .figures import FigureData

DRAWING_VERSION = "5"  # bump when the drawing code changes, to invalidate cached figures
INK, MUTED, ACCENT = "#1f2933", "#616e7c", "#2f6f8f"
PALETTE = ("#2f6f8f", "#d08c3c", "#5b8c5a", "#a64d79", "#7a6fb0", "#c7584d", "#4f9fa6", "#8c7a5b")


def svg_for(figure: FigureData, cache: Path | None) -> tuple[bytes, bool]:
    """The figure's SVG, and whether it had to be drawn (False: taken from the cache)."""
    cached = _cache_path(figure, cache)
    if cached and cached.exists():
        return cached.read_bytes(), False
    svg = _draw(figure)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(svg)
        partial.replace(cached)  # a reader never sees half a drawing
    return svg, True


def _cache_path(figure: FigureData, cache: Path | None) -> Path | None:
    if cache is None:
        return None
    return cache / f"{figure.key}-{figure.cache_key(DRAWING_VERSION + _matplotlib_version())[:16]}.svg"


@lru_cache(maxsize=1)
def _matplotlib_version() -> str:
    from importlib.metadata import version

    return version("matplotlib")  # reads package metadata from disk: slow enough to ask once


class Drawer:
    """A process that imports matplotlib as soon as a build starts, then draws the figures it is sent.

    matplotlib's import (about half a second) then overlaps loading and validation, and drawing
    overlaps rendering the pages. Given a drawing server's address, a running server (already past
    that import) draws instead, and a drawing process that had to import matplotlib is left running
    as the server for the next builds. Without fork (or without a cache) figures are drawn in-process.
    """

    def __init__(self, cache: Path | None, start_now: bool = True, server: Path | None = None):
        self.cache = cache
        self.process: Any = None
        self.connection: Any = None
        self.sent_any = False
        self.server, self.client = server if cache is not None and hasattr(os, "fork") else None, None
        if self.server is not None:
            from .drawing_server import Client

            self.client = Client.connect(self.server, server_signature())
        if self.client is None and start_now and (os.cpu_count() or 1) >= 2:
            self._start()  # on one core, importing early would only compete

    def _start(self) -> None:
        if self.cache is not None and hasattr(os, "fork") and self.process is None:
            import multiprocessing

            context = multiprocessing.get_context("fork")
            self.connection, child_end = context.Pipe()
            server = (self.server, server_signature()) if self.server is not None else None
            self.process = context.Process(target=_drawing_process, args=(child_end, self.cache, server))
            self.process.start()
            child_end.close()

    def draw(self, figures: Sequence[FigureData]) -> Callable[[FigureData], bytes]:
        """Send the figures not yet cached to be drawn; return a function giving a figure's SVG."""
        missing = [f for f in figures if not (_cache_path(f, self.cache) and _cache_path(f, self.cache).exists())]
        if self.client is not None:
            self.client.send(missing)
        elif missing:
            self._start()
        self._send(missing)

        def svg_of(figure: FigureData) -> bytes:
            self.close()  # waits for the drawing; whatever was not drawn (it failed) is drawn here
            return svg_for(figure, self.cache)[0]

        return svg_of

    def close(self) -> None:
        if self.client is not None:
            self.client.wait()  # a build that failed before drawing sent nothing: it is not waited for
            self.client = None
        self._send([])
        if self.process is not None:
            if not self.sent_any:
                self.process.terminate()  # nothing to draw: no need to wait for matplotlib's import
            self.process.join()
            self.process = None

    def _send(self, figures: list[FigureData]) -> None:
        if self.connection is not None:
            self.sent_any = bool(figures)
            self.connection.send(figures)
            self.connection.close()
            self.connection = None


def server_signature() -> str:
    """What a drawing server must match to draw for this engine (see drawing_server.py)."""
    from .drawing_server import signature

    return signature(DRAWING_VERSION + _matplotlib_version())


def import_matplotlib() -> None:
    """Import matplotlib for SVG output (about half a second, the larger part of drawing a few figures).

    A long-running process (`serve`) does it once, so that every drawing process it forks starts ready.
    """
    import matplotlib

    matplotlib.use("svg", force=True)
    import matplotlib.figure  # noqa: F401


def _drawing_process(connection: Any, cache: Path, server: tuple[Path, str] | None) -> None:
    # Not lowered in priority: once figures arrive, drawing is what the build waits for last.
    import_matplotlib()  # the slow import, done while the build loads its inputs

    try:
        figures = connection.recv()
    except EOFError:
        return
    _draw_all(figures, cache)
    connection.close()
    if server is not None and figures:
        from .drawing_server import detach

        detach(*server, lambda more: _draw_all(more, cache))


def prune_cache(figures: Sequence[FigureData], cache: Path | None) -> None:
    """Forget drawings that no figure of this build uses (editions may share a key with other data)."""
    if cache is None or not cache.is_dir():
        return
    used = {_cache_path(figure, cache) for figure in figures}
    for path in cache.glob("*.svg"):
        if path not in used:
            path.unlink()


def _draw_all(figures: Sequence[FigureData], cache: Path) -> None:
    for figure in figures:
        svg_for(figure, cache)


def _draw(figure: FigureData) -> bytes:
    import matplotlib

    matplotlib.use("svg", force=True)
    from matplotlib.figure import Figure

    matplotlib.rcParams.update({
        "svg.hashsalt": "living-review", "svg.fonttype": "none", "font.family": "DejaVu Sans",
        "font.size": 10, "axes.edgecolor": MUTED, "axes.labelcolor": INK, "xtick.color": MUTED,
        "ytick.color": MUTED, "text.color": INK, "axes.spines.top": False, "axes.spines.right": False,
    })
    drawer: Callable[[Any, FigureData], None] = {
        "bar": _bars, "ladder": _ladder, "stacked-by-year": _stacked, "gap-map": _gap_map, "flow": _flow,
    }[figure.kind]
    fig = Figure(figsize=_size(figure))
    drawer(fig, figure)
    out = io.BytesIO()
    # A tight bounding box keeps every label on the canvas in one layout pass; constrained layout
    # takes two (the nine figures drew about a fifth slower with it).
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None}, transparent=False,
                facecolor="white", bbox_inches="tight", pad_inches=0.12)
    return out.getvalue()


def _size(figure: FigureData) -> tuple[float, float]:
    if figure.kind == "flow":
        return 7.5, 6.0
    if figure.kind == "bar" and figure.plot["orientation"] == "horizontal":
        return 7.0, max(2.0, 0.45 * len(figure.plot["labels"]) + 1.0)
    return 7.5, 4.0


def _wrap(label: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _bars(fig: Any, figure: FigureData) -> None:
    ax = fig.add_subplot()
    labels, values = figure.plot["labels"], figure.plot["values"]
    if figure.plot["orientation"] == "vertical":
        positions = range(len(labels))
        ax.bar(positions, values, color=ACCENT)
        ax.set_xticks(list(positions), labels, rotation=45 if len(labels) > 8 else 0, ha="right" if len(labels) > 8 else "center")
        ax.set_ylabel("Studies")
    else:
        positions = range(len(labels))[::-1]
        ax.barh(list(positions), values, color=ACCENT)
        ax.set_yticks(list(positions), [_wrap(label) for label in labels])
        ax.set_xlabel("Studies")
        for y, value in zip(positions, values):
            ax.annotate(str(value), (value, y), xytext=(3, 0), textcoords="offset points", va="center", color=INK)
    ax.set_title(figure.title, loc="left", fontsize=11)


def _stacked(fig: Any, figure: FigureData) -> None:
    ax = fig.add_subplot()
    years = figure.plot["years"]
    bottom = [0] * len(years)
    for index, series in enumerate(figure.plot["series"]):
        ax.bar(range(len(years)), series["values"], bottom=bottom, label=series["label"],
               color=PALETTE[index % len(PALETTE)])
        bottom = [b + v for b, v in zip(bottom, series["values"])]
    ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=45 if len(years) > 8 else 0)
    ax.set_ylabel("Studies")
    if figure.plot["series"]:
        ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax.set_title(figure.title, loc="left", fontsize=11)


def _gap_map(fig: Any, figure: FigureData) -> None:
    ax = fig.add_subplot()
    rows, columns, counts = figure.plot["rows"], figure.plot["columns"], figure.plot["counts"]
    largest = max([max(row) for row in counts if row] + [1])
    cells = [(j, len(rows) - 1 - i, count) for i, row in enumerate(counts) for j, count in enumerate(row)]
    filled = [(x, y, count / largest) for x, y, count in cells if count]
    if filled:  # one collection for every bubble: a scatter per cell made the map the slowest figure to draw
        red, green, blue = (int(ACCENT[k:k + 2], 16) / 255 for k in (1, 3, 5))
        ax.scatter([x for x, _, _ in filled], [y for _, y, _ in filled], s=[200 + 2200 * f for _, _, f in filled],
                   color=[(red, green, blue, 0.25 + 0.6 * f) for _, _, f in filled], linewidths=0)
    for x, y, count in cells:
        ax.annotate(str(count), (x, y), ha="center", va="center", color=INK if count else MUTED, fontsize=10)
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(rows)), [_wrap(r, 24) for r in rows][::-1])
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(color="#d9e2ec", linewidth=0.6)
    ax.set_axisbelow(True)


def _ladder(fig: Any, figure: FigureData) -> None:
    ax = fig.add_subplot()
    labels, values = figure.plot["labels"], figure.plot["values"]
    for index, (label, value) in enumerate(zip(labels, values)):
        ax.bar(index, index + 1, width=0.92, color=PALETTE[0], alpha=0.35 + 0.25 * index)
        ax.annotate(f"{_wrap(label, 18)}\n\n{value} stud{'y' if value == 1 else 'ies'}", (index, (index + 1) / 2),
                    ha="center", va="center", color=INK, fontsize=9)
    ax.annotate("", xy=(len(labels) - 0.5, len(labels) + 0.35), xytext=(-0.5, 0.35),
                arrowprops={"arrowstyle": "-|>", "color": MUTED, "linewidth": 1.2})
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylim(0, len(labels) + 0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_ylabel("Potential to influence and transform services")
    ax.spines["bottom"].set_visible(False)


def _flow(fig: Any, figure: FigureData) -> None:
    ax = fig.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    plot = figure.plot

    def box(x: float, y: float, text: str, width: float = 4.4) -> None:
        ax.text(x, y, _wrap(text, 40), ha="center", va="center", fontsize=8.5, color=INK,
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "#f0f4f8", "edgecolor": MUTED})

    def arrow(x1: float, y1: float, x2: float, y2: float) -> None:
        ax.annotate("", xy=(x2, y2), xytext=(x1, y1), arrowprops={"arrowstyle": "-|>", "color": MUTED})

    def n(value: Any) -> str:
        return "–" if value is None else f"{value:,}"

    box(3, 9.2, f"{plot['search_label']}\nrecords screened: n = {n(plot['screened'])}")
    arrow(3, 8.6, 3, 7.4)
    box(3, 6.8, f"Full-text articles assessed\nn = {n(plot['assessed'])}")
    arrow(5.3, 6.8, 6.3, 6.8)
    box(8.2, 6.8, f"Full-text articles excluded\nn = {n(plot['excluded'])}", 3.4)
    arrow(3, 6.2, 3, 5.0)
    box(3, 4.4, f"Included through the database search\nn = {n(plot['database'])}")
    other = "\n".join(f"{label}: n = {count}" for label, count in plot["other"]) or "none"
    box(8.2, 4.4, f"Other methods\n{other}", 3.4)
    arrow(3, 3.8, 3, 2.2)
    arrow(8.2, 3.6, 4.8, 1.9)
    lines = [f"Studies included in this edition\nn = {plot['included']}"]
    if plot["not_coded"]:
        lines.append(f"(route not yet coded: n = {plot['not_coded']})")
    if plot.get("previous") is not None:
        lines.append(f"of which in the previous version: n = {plot['previous']}")
    box(3, 1.4, "\n".join(lines))
