"""Evidence gap map: studies per cell of two dimensions, as bubbles and as a table of linked counts."""

from __future__ import annotations

from typing import Any

from ..aggregate import dimension_label, value_label
from .drawing import ACCENT, GRID, INK, MUTED, wrap
from .model import Cell, FigureData, FigureInputs, FigureKind, FigureSpec, Setting


def data(spec: FigureSpec, inputs: FigureInputs) -> FigureData:
    aggregates, codebook = inputs.aggregates, inputs.codebook
    table = aggregates.crosstab(spec.settings["rows"], spec.settings["columns"], spec.key)
    row_labels = [value_label(table.rows, v, codebook) for v in table.row_values]
    column_labels = [value_label(table.columns, v, codebook) for v in table.column_values]
    rows = tuple(
        (Cell(label),) + tuple(Cell(str(table.count(r, c)), table.cells.get((r, c), ()), r, c)
                               for c in table.column_values)
        for label, r in zip(row_labels, table.row_values, strict=True)
    )
    counts = [[table.count(r, c) for c in table.column_values] for r in table.row_values]
    rows_label, columns_label = dimension_label(table.rows, codebook), dimension_label(table.columns, codebook)
    note = (f"Rests on the {table.coded} of {aggregates.total} studies coded for both "
            f"{rows_label.lower()} and {columns_label.lower()}.")
    cells = "; ".join(f"{rl} × {cl}: {counts[i][j]}" for i, rl in enumerate(row_labels)
                      for j, cl in enumerate(column_labels))
    alt = f"Evidence gap map of {rows_label.lower()} by {columns_label.lower()}: {cells}. {note}"
    plot = {"rows": row_labels, "columns": column_labels, "counts": counts}
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt, (rows_label, *column_labels), rows, plot,
                      note, extra={"rows": table.rows, "columns": table.columns})


def draw(canvas: Any, figure: FigureData) -> None:
    ax = canvas.add_subplot()
    rows, columns, counts = figure.plot["rows"], figure.plot["columns"], figure.plot["counts"]
    largest = max([max(row) for row in counts if row] + [1])
    cells = [(j, len(rows) - 1 - i, count) for i, row in enumerate(counts) for j, count in enumerate(row)]
    filled = [(x, y, count / largest) for x, y, count in cells if count]
    if filled:  # one collection for every bubble
        red, green, blue = (int(ACCENT[k:k + 2], 16) / 255 for k in (1, 3, 5))
        ax.scatter([x for x, _, _ in filled], [y for _, y, _ in filled], s=[200 + 2200 * f for _, _, f in filled],
                   color=[(red, green, blue, 0.25 + 0.6 * f) for _, _, f in filled], linewidths=0)
    for x, y, count in cells:
        ax.annotate(str(count), (x, y), ha="center", va="center", color=INK if count else MUTED, fontsize=10)
    ax.set_xticks(range(len(columns)), [wrap(c, 14) for c in columns])
    ax.set_yticks(range(len(rows)), [wrap(r, 24) for r in rows][::-1])
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def size(figure: FigureData) -> tuple[float, float]:
    return max(5.0, 1.2 * len(figure.plot["columns"]) + 2.5), max(2.5, 0.8 * len(figure.plot["rows"]) + 1.2)


_TALLIED = ("year", "region", "derived", "single", "multiple", "boolean", "country")
KIND = FigureKind("gap-map", "studies per cell of two dimensions (rows × columns), each count linked to its studies",
                  (Setting("rows", "dimension", accepts=_TALLIED, help="the dimension of the rows"),
                   Setting("columns", "dimension", accepts=_TALLIED, help="the dimension of the columns")),
                  data, draw, size)
