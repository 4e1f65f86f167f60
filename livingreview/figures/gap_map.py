"""Evidence gap map: studies per cell of two dimensions, as bubbles.

Pages show the map as an HTML table whose bubbles link to the study table filtered to each cell's studies,
with a legend and a choice of one value of any other field to narrow the map to (site.js applies it, from
data the page holds). The SVG drawing is the same map for downloading. A cell that the codebook's rules
make impossible is hatched, not counted as a gap; studies not yet coded for either dimension are counted
apart and said so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..aggregate import Aggregates, CrossTab, dimension_label, filter_value, value_label
from ..codebook import Codebook
from ..definitions import ruled_out
from ..named_tuple import NamedTuple
from .drawing import ACCENT, GRID, INK, MUTED, wrap
from .model import Cell, FigureData, FigureInputs, FigureKind, FigureSpec, Setting

HATCH = "#9aa5b1"  # the lines of a cell that is not possible by definition
RULED_OUT = "not possible"  # what the data table says of a cell the codebook's rules make impossible
UNFILTERED = ("year",)  # dimensions the study table cannot filter by: their cells link to the cell's list
# A cell lists its studies on the figure's page up to this many; a larger one links to them in the study
# table (filtered to the cell), so that the page stays short however many studies the review holds.
LISTED = 50


@dataclass(frozen=True)
class MapCell:
    """One cell of the map as pages show it."""

    row: str  # the row's label
    column: str  # the column's label
    anchor: str  # the id of the cell's list of studies on the figure's page
    studies: tuple[str, ...]
    query: str  # the study table's filters for exactly this cell ("" when the table cannot filter so)
    bubble: str  # the bubble's diameter as a share of the largest, "0.000" to "1.000"
    index: int  # the cell's place in the page's data (for site.js)
    ruled_out: str = ""  # why the codebook makes the cell impossible, in its own words

    @property
    def count(self) -> int:
        return len(self.studies)

    @property
    def listed(self) -> bool:
        """Whether the figure's page lists the cell's studies (when the table cannot show them, it always does)."""
        return self.count <= LISTED or not self.query

    @property
    def name(self) -> str:
        """What a screen reader says for the cell's link."""
        return f"{self.count} {'study' if self.count == 1 else 'studies'}: {self.row}, {self.column}"


@dataclass(frozen=True)
class Segment:
    """One value of another field the map can be narrowed to."""

    query: str  # its filter in the study table, added to each cell's link
    label: str
    count: int  # studies on the map with the value


class SegmentField(NamedTuple):
    """A field the gap map can be narrowed by, with its values as segments."""

    key: str
    label: str
    segments: tuple[Segment, ...]


class MapView(NamedTuple):
    """Everything a page needs to show the map; `data` is what site.js reads to narrow it."""

    rows_label: str
    columns_label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[MapCell, ...]], ...]
    legend: tuple[tuple[int, str], ...]  # (studies, bubble share) for a few sizes
    segment_fields: tuple[SegmentField, ...]
    ruled_out: tuple[tuple[str, tuple[str, ...]], ...]  # (reason, the cells it rules out, as "row × column")
    coded: int
    not_coded: int
    data: dict[str, Any]


def bubble(count: int, largest: int) -> str:
    """A bubble's diameter as a share of the largest one: its area grows with the number of studies.
    site.js computes the same for a narrowed map (Math.sqrt(n / largest).toFixed(3))."""
    return f"{math.sqrt(count / largest):.3f}" if count and largest else "0.000"


def legend_counts(largest: int) -> list[int]:
    """A few bubble sizes worth showing in the legend: one study, the largest cell, and half-way."""
    return sorted({1, max(1, round(largest / 2)), max(1, largest)})


def data(spec: FigureSpec, inputs: FigureInputs) -> FigureData:
    aggregates, codebook = inputs.aggregates, inputs.codebook
    table = aggregates.crosstab(spec.settings["rows"], spec.settings["columns"], spec.key)
    excluded = ruled_out(codebook, table.rows, table.columns, table.row_values, table.column_values)
    row_labels = [value_label(table.rows, v, codebook) for v in table.row_values]
    column_labels = [value_label(table.columns, v, codebook) for v in table.column_values]
    rows = tuple(
        (Cell(label),) + tuple(Cell(RULED_OUT if (r, c) in excluded else str(table.cell_count(r, c)),
                                    table.cells.get((r, c), ()), r, c) for c in table.column_values)
        for label, r in zip(row_labels, table.row_values, strict=True)
    )
    counts = [[table.cell_count(r, c) for c in table.column_values] for r in table.row_values]
    impossible = [[(r, c) in excluded for c in table.column_values] for r in table.row_values]
    rows_label, columns_label = dimension_label(table.rows, codebook), dimension_label(table.columns, codebook)
    note = _note(table.coded, aggregates.total, rows_label, columns_label, bool(excluded))
    cells = "; ".join(f"{rl} × {cl}: {'not possible by definition' if impossible[i][j] else counts[i][j]}"
                      for i, rl in enumerate(row_labels) for j, cl in enumerate(column_labels))
    alt = f"Evidence gap map of {rows_label.lower()} by {columns_label.lower()}: {cells}. {note}"
    largest = max([count for row in counts for count in row] + [0])
    plot = {"rows": row_labels, "columns": column_labels, "counts": counts, "impossible": impossible,
            "legend": legend_counts(largest) if largest else [], "note": note}
    kept = inputs.earlier.kept if inputs.earlier is not None else None
    view, kept = _view(table, aggregates, codebook, excluded, row_labels, column_labels,
                       kept if isinstance(kept, _Segmented) else None)
    listed = tuple(sid for _, cells in view.rows for cell in cells if cell.listed for sid in cell.studies)
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt, (rows_label, *column_labels), rows, plot,
                      note, extra={"rows": table.rows, "columns": table.columns, "map": view}, listed=listed,
                      kept=kept)


def _note(coded: int, total: int, rows_label: str, columns_label: str, excluded: bool) -> str:
    both = f"{rows_label.lower()} and {columns_label.lower()}"
    if not total:
        note = "No study is in this edition yet."
    elif coded == total:
        note = f"Rests on all {total} studies, every one coded for both {both}."
    else:
        missing = total - coded
        note = (f"Rests on the {coded} of {total} studies coded for both {both}; {missing} "
                f"{'study' if missing == 1 else 'studies'} not yet coded for {rows_label.lower()} or "
                f"{columns_label.lower()} {'is' if missing == 1 else 'are'} not shown.")
    if excluded:
        note += " Hatched cells are not possible by the codebook's definitions, so they are not gaps."
    return note


def _view(table: CrossTab, aggregates: Aggregates, codebook: Codebook, excluded: dict[tuple[Any, Any], str],
          row_labels: Sequence[str], column_labels: Sequence[str], earlier: _Segmented | None
          ) -> tuple[MapView, _Segmented]:
    on_map = [sid for sid, values in aggregates.values[table.rows].items()
              if values is not None and aggregates.values[table.columns][sid] is not None]
    largest = max([len(ids) for ids in table.cells.values()] + [0])
    linked = table.rows not in UNFILTERED and table.columns not in UNFILTERED
    rows: list[tuple[str, tuple[MapCell, ...]]] = []
    cells: list[tuple[str, ...]] = []
    for r, row_label in zip(table.row_values, row_labels, strict=True):
        shown = []
        for c, column_label in zip(table.column_values, column_labels, strict=True):
            ids = table.cells.get((r, c), ())
            query = urlencode([(table.rows, filter_value(r)), (table.columns, filter_value(c))]) if linked else ""
            shown.append(MapCell(row_label, column_label, f"cell-{filter_value(r)}-{filter_value(c)}", ids, query,
                                 bubble(len(ids), largest), len(cells), excluded.get((r, c), "")))
            cells.append(ids)
        rows.append((row_label, tuple(shown)))
    reasons: dict[str, list[str]] = {}
    for _, row in rows:
        for cell in row:
            if cell.ruled_out:
                reasons.setdefault(cell.ruled_out, []).append(f"{cell.row} × {cell.column}")
    fields, segments, kept = _segment_fields(table, aggregates, codebook, on_map, cells, earlier)
    data = {"largest": largest, "segments": segments}
    return MapView(dimension_label(table.rows, codebook), dimension_label(table.columns, codebook),
                   tuple(column_labels), tuple(rows),
                   tuple((n, bubble(n, largest)) for n in legend_counts(largest)) if largest else (),
                   fields, tuple((reason, tuple(where)) for reason, where in reasons.items()),
                   len(on_map), aggregates.total - len(on_map), data), kept


class _Segmented(NamedTuple):
    """What counting the segments found, kept with the figure: after a change that moves studies between
    cells and leaves another dimension's values (the very objects counted) alone, that dimension's counts
    are those found, moved for the studies that moved, instead of counted again over every study on the map."""

    codebook: Codebook
    on_map: Sequence[str]
    cells: Sequence[tuple[str, ...]]
    values: dict[str, Any]  # each dimension's values by study, as counted
    order: dict[str, Sequence[Any]]
    fields: dict[str, SegmentField]
    queries: dict[str, dict[Any, str]]  # each dimension's values' queries
    segments: dict[str, dict[str, dict[str, Any]]]  # each dimension's segments' data, by query

    def moved(self, codebook: Codebook, on_map: Sequence[str], cells: Sequence[tuple[str, ...]]
              ) -> dict[str, list[tuple[int, int]]] | None:
        """Each study that left a cell (-1) or joined one (+1) since, by cell index; None if the map's studies
        or its cells are others."""
        if len(cells) != len(self.cells) or on_map != self.on_map or codebook != self.codebook:
            return None
        steps: dict[str, list[tuple[int, int]]] = {}
        for index, (before, now) in enumerate(zip(self.cells, cells, strict=True)):
            if before != now:
                was, is_ = set(before), set(now)
                for sid in was - is_:
                    steps.setdefault(sid, []).append((index, -1))
                for sid in is_ - was:
                    steps.setdefault(sid, []).append((index, 1))
        return steps


def _segment_fields(table: CrossTab, aggregates: Aggregates, codebook: Codebook, on_map: Sequence[str],
                    cells: Sequence[tuple[str, ...]], earlier: _Segmented | None
                    ) -> tuple[tuple[SegmentField, ...], dict[str, Any], _Segmented]:
    """Every other dimension the study table filters by, with the values studies on the map have; and for
    each value, what site.js shows when the map is narrowed to it: its studies in each cell (in the order of
    `cells`), how many of the map's studies have it and how many are not yet coded for its field. Counts, not
    the studies themselves: the page stays the same size however many studies the review holds."""
    moved = earlier.moved(codebook, on_map, cells) if earlier is not None else None
    cells_at: list[list[int]] | None = None
    kept = _Segmented(codebook, on_map, cells, {}, {}, {}, {}, {})
    for dimension in aggregates.tallies:
        if dimension in (*UNFILTERED, table.rows, table.columns):
            continue
        values, order = aggregates.values[dimension], aggregates.order[dimension]
        if earlier is not None and moved is not None and earlier.values.get(dimension) is values \
                and earlier.order[dimension] == order:
            found: tuple[SegmentField | None, dict[Any, str], dict[str, dict[str, Any]]] = (
                earlier.fields.get(dimension), earlier.queries[dimension],
                _moved(earlier.segments[dimension], earlier.queries[dimension], values, moved))
        else:
            if cells_at is None:
                cells_at = _cells_of(cells, on_map)
            found = _segments(dimension, values, order, codebook, on_map, len(cells), cells_at)
        kept.values[dimension], kept.order[dimension] = values, order
        field, kept.queries[dimension], kept.segments[dimension] = found
        if field is not None:
            kept.fields[dimension] = field
    segments = {query: data for by_query in kept.segments.values() for query, data in by_query.items()}
    return tuple(kept.fields.values()), segments, kept


def _cells_of(cells: Sequence[tuple[str, ...]], on_map: Sequence[str]) -> list[list[int]]:
    """The cells of each study on the map, in the order of `on_map`, found once: counted study by study, a
    value's cells cost what its studies are, not what the map holds (a review's rarer values, countries, grow
    in number with it)."""
    found: dict[str, list[int]] = {}
    for index, ids in enumerate(cells):
        for sid in ids:
            found.setdefault(sid, []).append(index)
    return [found.get(sid, []) for sid in on_map]


def _segments(dimension: str, values: Mapping[str, Any], order: Sequence[Any], codebook: Codebook,
              on_map: Sequence[str], size: int, cells_at: Sequence[Sequence[int]]
              ) -> tuple[SegmentField | None, dict[Any, str], dict[str, dict[str, Any]]]:
    """One dimension's values on the map: its field of choices (None if no study on the map has a value),
    each value's query, and each query's data. Each value's studies are counted, and their cells, in one pass
    over the map's studies (with sets of their ids, a map of 100,000 studies took 24 times as long as one of
    10,000)."""
    uncoded = 0
    studies: dict[Any, int] = {}  # each value's number of studies on the map
    counted: dict[Any, list[int]] = {}  # each value's studies in each cell
    for sid, cells in zip(on_map, cells_at, strict=True):
        found = values[sid]
        if found is None:
            uncoded += 1
            continue
        for value in found if len(found) < 2 else dict.fromkeys(found):  # a value listed twice counts once
            studies[value] = studies.get(value, 0) + 1
            counts = counted.get(value)
            if counts is None:
                counts = counted[value] = [0] * size
            for index in cells:
                counts[index] += 1
    shown, queries, segments = [], {}, {}
    for value in order:
        having = studies.get(value)
        if not having:
            continue
        query = queries[value] = urlencode([(dimension, filter_value(value))])
        shown.append(Segment(query, value_label(dimension, value, codebook), having))
        segments[query] = {"cells": counted[value], "studies": having, "uncoded": uncoded}
    field = SegmentField(dimension, dimension_label(dimension, codebook), tuple(shown)) if shown else None
    return field, queries, segments


def _moved(segments: dict[str, dict[str, Any]], queries: Mapping[Any, str], values: Mapping[str, Any],
           moved: Mapping[str, list[tuple[int, int]]]) -> dict[str, dict[str, Any]]:
    """The segments' data after the studies `moved` left or joined cells, their values being those counted;
    the data of a segment no such study has is the very object found before (none is changed in place)."""
    changed: dict[str, dict[str, Any]] = {}
    for sid, steps in moved.items():
        for value in values[sid] or ():
            query = queries[value]
            if query not in changed:
                changed[query] = {**segments[query], "cells": list(segments[query]["cells"])}
            counts = changed[query]["cells"]
            for index, step in steps:
                counts[index] += step
    return {query: changed.get(query, data) for query, data in segments.items()}


def draw(canvas: Any, figure: FigureData) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    ax = canvas.add_subplot()
    rows, columns, counts = figure.plot["rows"], figure.plot["columns"], figure.plot["counts"]
    impossible = figure.plot["impossible"]
    largest = max([max(row) for row in counts if row] + [1])
    cells = [(j, len(rows) - 1 - i, count, impossible[i][j]) for i, row in enumerate(counts)
             for j, count in enumerate(row)]
    filled = [(x, y, count) for x, y, count, ruled in cells if count]
    if filled:  # one collection for every bubble
        ax.scatter([x for x, _, _ in filled], [y for _, y, _ in filled],
                   s=[_marker(count, largest) ** 2 for _, _, count in filled], color=_fill(), linewidths=0)
    for x, y, count, ruled in cells:
        if ruled:
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, hatch="///", fill=False, edgecolor=HATCH, linewidth=0))
        else:
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
    handles: list[Any] = [Line2D([], [], marker="o", linestyle="", markersize=_marker(n, largest), color=_fill(),
                      label=f"{n} {'study' if n == 1 else 'studies'}") for n in figure.plot["legend"]]
    if any(any(row) for row in impossible):
        handles.append(Patch(hatch="///", fill=False, edgecolor=HATCH, label="Not possible by definition"))
    if handles:  # each entry as tall as the largest bubble (sizes in units of the legend's 8-point font)
        room = _marker(largest, largest) / 8
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8,
                  handlelength=room, handleheight=room, labelspacing=room / 2, handletextpad=0.8)
    canvas.text(0.0, 0.0, wrap(figure.plot["note"], 110), ha="left", va="top", fontsize=8, color=MUTED,
                transform=canvas.transFigure)


def _marker(count: int, largest: int) -> float:
    """A bubble's diameter in points, as the pages' bubbles: its share of the largest, with a visible least."""
    return 12 + 36 * float(bubble(count, largest))


def _fill() -> tuple[float, float, float, float]:
    red, green, blue = (int(ACCENT[k:k + 2], 16) / 255 for k in (1, 3, 5))
    return red, green, blue, 0.45


def size(figure: FigureData) -> tuple[float, float]:
    return max(5.0, 1.2 * len(figure.plot["columns"]) + 2.5), max(2.5, 0.8 * len(figure.plot["rows"]) + 1.2)


_TALLIED = ("year", "region", "derived", "single", "multiple", "boolean", "country")
KIND = FigureKind("gap-map", "studies per cell of two dimensions (rows × columns), each count linked to its studies; "
                             "cells the codebook's rules make impossible are hatched",
                  (Setting("rows", "dimension", accepts=_TALLIED, help="the dimension of the rows"),
                   Setting("columns", "dimension", accepts=_TALLIED, help="the dimension of the columns")),
                  data, draw, size)
