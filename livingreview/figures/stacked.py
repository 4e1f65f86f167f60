"""Stacked bars: studies per year of publication, stacked by the values of one dimension."""

from __future__ import annotations

from typing import Any

from ..aggregate import value_label
from .bar import coded_note, rests_on
from .drawing import colours, whole_numbers
from .model import Cell, FigureData, FigureInputs, FigureKind, FigureSpec, Setting


def data(spec: FigureSpec, inputs: FigureInputs) -> FigureData:
    aggregates, codebook = inputs.aggregates, inputs.codebook
    dimension = spec.settings["dimension"]
    table = aggregates.crosstab(dimension, "year")
    order = list(table.row_values)
    palette = colours(order, _declared(dimension, inputs))
    series = [value for value in order if any(table.cell_count(value, year) for year in table.column_values)]
    labels = [value_label(dimension, value, codebook) for value in series]
    years = list(table.column_values)
    rows = tuple(
        (Cell(str(year)),) + tuple(Cell(str(table.cell_count(value, year)), table.cells.get((value, year), ()), value,
                                        year) for value in series)
        for year in years
    )
    tally = aggregates.tally(dimension)
    several = " A study may count under several values." if tally.multiple else ""
    note = coded_note(tally.coded, tally.not_coded, tally.total) + several
    span = f"{years[0]}–{years[-1]}" if years else "no years yet"
    alt = (f"Stacked bar chart of {spec.title.lower()}, {span}: "
           + "; ".join(f"{label} {tally.count(value)}" for label, value in zip(labels, series, strict=True))
           + f". {note}")
    plot = {"years": years, "series": [{"label": label, "colour": palette[order.index(value)],
                                        "values": [table.cell_count(value, year) for year in years]}
                                       for label, value in zip(labels, series, strict=True)],
            "footnote": rests_on(tally.coded, tally.total, tally.multiple)}
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt, ("Year", *labels), rows, plot, note,
                      dimension)


def _declared(dimension: str, inputs: FigureInputs) -> list[str]:
    codebook = inputs.codebook
    if dimension in codebook.field_keys():
        return [value.colour for value in codebook.field(dimension).values]
    return []


def draw(canvas: Any, figure: FigureData) -> None:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Patch, Rectangle

    ax = canvas.add_subplot()
    years = figure.plot["years"]
    bottom = [0] * len(years)
    for series in figure.plot["series"]:
        # One collection per series: `ax.bar` adds its bars one by one, each updating the axes' limits (half the
        # figure's drawing time for a hundred bars).
        bars = [Rectangle((x - 0.4, low), 0.8, value)
                for x, (low, value) in enumerate(zip(bottom, series["values"], strict=True)) if value]
        collection = PatchCollection(bars, facecolor=series["colour"], edgecolor="none")
        collection.sticky_edges.y.append(0)  # as a bar's: the count axis starts at 0, with no margin below it
        ax.add_collection(collection)
        bottom = [b + v for b, v in zip(bottom, series["values"], strict=True)]
    ax.autoscale_view()
    ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=45 if len(years) > 8 else 0)
    ax.set_ylabel("Studies")
    whole_numbers(ax.yaxis)
    if figure.plot["series"]:
        ax.legend(handles=[Patch(facecolor=series["colour"], label=series["label"])
                           for series in figure.plot["series"]], frameon=False, fontsize=8, loc="upper left")


def size(figure: FigureData) -> tuple[float, float]:
    return 7.5, 4.0


KIND = FigureKind("stacked-by-year", "studies per year of publication, stacked by the values of one dimension",
                  (Setting("dimension", "dimension", accepts=("region", "derived", "single", "multiple", "boolean",
                                                              "country"),
                           help="the field, derived fact or region to stack by"),),
                  data, draw, size)
