"""Bar chart: studies per value of one dimension."""

from __future__ import annotations

from typing import Any

from ..aggregate import dimension_kind, format_percent, value_label
from .drawing import ACCENT, INK, whole_numbers, wrap
from .model import Cell, FigureData, FigureInputs, FigureKind, FigureSpec, Setting


def coded_note(coded: int, not_coded: int, total: int) -> str:
    """What a figure rests on, in words."""
    if not total:
        return "No study is in this edition yet."
    if not not_coded:
        return f"Rests on all {total} studies, every one coded."
    return f"Rests on the {coded} of {total} studies coded so far; the {not_coded} not yet coded are not shown."


def data(spec: FigureSpec, inputs: FigureInputs) -> FigureData:
    aggregates, codebook = inputs.aggregates, inputs.codebook
    tally = aggregates.tally(spec.settings["dimension"])
    values = list(tally.counts)
    labels = [value_label(tally.key, value, codebook) for value, _ in values]
    rows = tuple(
        (Cell(label), Cell(str(count), aggregates.members.get((tally.key, value), ()), value),
         Cell(format_percent(tally.percent(value))))
        for label, (value, count) in zip(labels, values, strict=True)
    )
    if tally.multiple and tally.none:
        rows += ((Cell("None of these"), Cell(str(tally.none)), Cell(format_percent(100 * tally.none / tally.coded))),)
    rows += ((Cell("Not yet coded"), Cell(str(tally.not_coded)), Cell("")),)
    several = " A study may count under several values." if tally.multiple else ""
    note = coded_note(tally.coded, tally.not_coded, tally.total) + several
    alt = (f"Bar chart of {spec.title.lower()}: "
           + "; ".join(f"{label} {count}" for label, (_, count) in zip(labels, values, strict=True)) + f". {note}")
    vertical = dimension_kind(tally.key, codebook) == "year"
    plot = {"labels": labels, "values": [count for _, count in values],
            "orientation": "vertical" if vertical else "horizontal", "coded": tally.coded, "total": tally.total}
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt,
                      (tally.label, "Studies", "% of coded"), rows, plot, note, tally.key)


def draw(canvas: Any, figure: FigureData) -> None:
    ax = canvas.add_subplot()
    labels, values = figure.plot["labels"], figure.plot["values"]
    positions = list(range(len(labels)))
    if figure.plot["orientation"] == "vertical":
        ax.bar(positions, values, color=ACCENT)
        many = len(labels) > 8
        ax.set_xticks(positions, labels, rotation=45 if many else 0, ha="right" if many else "center")
        ax.set_ylabel("Studies")
        whole_numbers(ax.yaxis)
    else:
        positions.reverse()
        ax.barh(positions, values, color=ACCENT)
        ax.set_yticks(positions, [wrap(label) for label in labels])
        ax.set_xlabel(f"Studies (of {figure.plot['coded']} coded)")
        whole_numbers(ax.xaxis)
        for y, value in zip(positions, values, strict=True):
            ax.annotate(str(value), (value, y), xytext=(3, 0), textcoords="offset points", va="center", color=INK)


def size(figure: FigureData) -> tuple[float, float]:
    if figure.plot["orientation"] == "horizontal":
        return 7.0, max(2.0, 0.45 * len(figure.plot["labels"]) + 1.0)
    return 7.5, 4.0


KIND = FigureKind("bar", "studies per value of one dimension",
                  (Setting("dimension", "dimension", help="the field, derived fact, year or region to count by"),),
                  data, draw, size)
