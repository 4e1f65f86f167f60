"""Ladder: the values of an ordered field as rising steps, each with its count of studies."""

from __future__ import annotations

from typing import Any

from .bar import coded_note
from .bar import data as bar_data
from .drawing import INK, MUTED, PALETTE, wrap
from .model import FigureData, FigureInputs, FigureKind, FigureSpec, Setting


def data(spec: FigureSpec, inputs: FigureInputs) -> FigureData:
    figure = bar_data(spec, inputs)
    plot = {**figure.plot, "axis_label": spec.settings.get("axis_label", "")}
    alt = "Step diagram" + figure.alt.removeprefix("Bar chart")
    note = coded_note(plot["coded"], plot["total"] - plot["coded"], plot["total"])
    if plot.get("published_name"):
        note += f" Each step also gives the number of studies of the review as {plot['published_name']}."
    return FigureData(figure.key, figure.kind, figure.title, figure.caption, alt, figure.header, figure.rows,
                      plot, note, figure.dimension)


def draw(canvas: Any, figure: FigureData) -> None:
    ax = canvas.add_subplot()
    labels, values = figure.plot["labels"], figure.plot["values"]
    published = figure.plot.get("published") or [None] * len(labels)
    for index, (label, value, then) in enumerate(zip(labels, values, published, strict=True)):
        ax.bar(index, index + 1, width=0.92, color=PALETTE[0], alpha=min(1.0, 0.35 + 0.25 * index))
        beside = "" if then is None else f"\n({figure.plot['published_name']}: {then})"
        ax.annotate(f"{wrap(label, 18)}\n\n{value} stud{'y' if value == 1 else 'ies'}{beside}",
                    (index, (index + 1) / 2), ha="center", va="center", color=INK, fontsize=9)
    ax.annotate("", xy=(len(labels) - 0.5, len(labels) + 0.35), xytext=(-0.5, 0.35),
                arrowprops={"arrowstyle": "-|>", "color": MUTED, "linewidth": 1.2})
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylim(0, len(labels) + 0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_ylabel(figure.plot["axis_label"])
    ax.spines["bottom"].set_visible(False)


def size(figure: FigureData) -> tuple[float, float]:
    return 7.5, 4.0


KIND = FigureKind("ladder", "the values of an ordered field as rising steps, each with its count of studies",
                  (Setting("dimension", "dimension", accepts=("single",), help="a field of kind single, "
                           "whose values the codebook lists from the lowest step to the highest"),
                   Setting("axis_label", "text", required=False, help="what the steps rise in")),
                  data, draw, size)
