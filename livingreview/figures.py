"""The figures' data: what each declared figure shows, as a table, CSV and alt text.

Drawing is in `draw.py`; this module needs no matplotlib, so figure data can be
computed (and its cache key known) without importing it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .aggregate import Aggregates, format_percent, value_label
from .codebook import Codebook
from .content import FigureSpec


@dataclass(frozen=True)
class Cell:
    """A table cell; `studies` lists the study ids behind a count (for links)."""

    text: str
    studies: tuple[str, ...] | None = None
    row_value: Any = None
    column_value: Any = None


@dataclass(frozen=True)
class FigureData:
    key: str
    kind: str
    title: str
    caption: str
    alt: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    plot: Mapping[str, Any]
    note: str = ""
    dimension: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        for row in self.rows:
            writer.writerow([cell.text for cell in row])
        return out.getvalue().encode("utf-8")

    def cache_key(self, salt: str) -> str:
        """Changes whenever what is drawn changes (kind, title, data or drawing code)."""
        payload = json.dumps({"kind": self.kind, "title": self.title, "plot": self.plot, "salt": salt},
                             sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def figure_data(spec: FigureSpec, aggregates: Aggregates, codebook: Codebook,
                search: Mapping[str, Any], previous_total: int | None = None) -> FigureData:
    """The data of one declared figure, computed from the aggregates."""
    build = {"bar": _bar, "ladder": _bar, "stacked-by-year": _stacked, "gap-map": _gap_map}.get(spec.kind)
    if build is not None:
        return build(spec, aggregates, codebook)
    return _flow(spec, aggregates, codebook, search, previous_total)


def _coded_note(tally_coded: int, not_coded: int, total: int) -> str:
    if not not_coded:
        return f"All {total} studies are coded."
    return f"{tally_coded} of {total} studies are coded; {not_coded} not yet coded are not shown."


def _bar(spec: FigureSpec, aggregates: Aggregates, codebook: Codebook) -> FigureData:
    tally = aggregates.tally(spec.dimension or "")
    values = [(value, count) for value, count in tally.counts]
    labels = [value_label(tally.key, value, codebook) for value, _ in values]
    rows = tuple(
        (Cell(label), Cell(str(count), aggregates.members.get((tally.key, value), ()), value),
         Cell(format_percent(tally.percent(value))))
        for label, (value, count) in zip(labels, values)
    )
    if tally.multiple and tally.none:
        rows += ((Cell("None of these"), Cell(str(tally.none)), Cell(format_percent(100 * tally.none / tally.coded))),)
    rows += ((Cell("Not yet coded"), Cell(str(tally.not_coded)), Cell("")),)
    several = " A study may count under several values." if tally.multiple else ""
    note = _coded_note(tally.coded, tally.not_coded, tally.total) + several
    alt = (f"{'Step diagram' if spec.kind == 'ladder' else 'Bar chart'} of {spec.title.lower()}: "
           + "; ".join(f"{label} {count}" for label, (_, count) in zip(labels, values)) + f". {note}")
    plot = {"labels": labels, "values": [count for _, count in values],
            "orientation": "vertical" if tally.key == "year" else "horizontal"}
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt,
                      (tally.label, "Studies", "% of coded"), rows, plot, note, tally.key)


def _stacked(spec: FigureSpec, aggregates: Aggregates, codebook: Codebook) -> FigureData:
    dimension = spec.dimension or ""
    table = aggregates.crosstabs.get(f"{dimension}-by-year") or _require_crosstab(aggregates, dimension, "year")
    series = [value for value in table.row_values if any(table.count(value, y) for y in table.column_values)]
    labels = [value_label(dimension, value, codebook) for value in series]
    years = list(table.column_values)
    header = ("Year",) + tuple(labels)
    rows = tuple(
        (Cell(str(year)),) + tuple(Cell(str(table.count(value, year)), table.cells.get((value, year), ()), value, year)
                                   for value in series)
        for year in years
    )
    tally = aggregates.tally(dimension)
    note = _coded_note(tally.coded, tally.not_coded, tally.total) + " A study may count in several regions."
    alt = (f"Stacked bar chart of {spec.title.lower()}, {years[0] if years else ''}–{years[-1] if years else ''}: "
           + "; ".join(f"{label} {tally.count(value)}" for label, value in zip(labels, series)) + f". {note}")
    plot = {"years": years, "series": [{"label": label, "values": [table.count(value, y) for y in years]}
                                       for label, value in zip(labels, series)]}
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt, header, rows, plot, note, dimension)


def _require_crosstab(aggregates: Aggregates, rows: str, columns: str):
    for table in aggregates.crosstabs.values():
        if table.rows == rows and table.columns == columns:
            return table
    raise KeyError(f"no cross-tabulation of {rows} by {columns}")


def _gap_map(spec: FigureSpec, aggregates: Aggregates, codebook: Codebook) -> FigureData:
    table = aggregates.crosstabs[spec.key]
    row_labels = [value_label(table.rows, v, codebook) for v in table.row_values]
    column_labels = [value_label(table.columns, v, codebook) for v in table.column_values]
    rows = tuple(
        (Cell(label),) + tuple(Cell(str(table.count(r, c)), table.cells.get((r, c), ()), r, c)
                               for c in table.column_values)
        for label, r in zip(row_labels, table.row_values)
    )
    counts = [[table.count(r, c) for c in table.column_values] for r in table.row_values]
    note = (f"{table.coded} of {aggregates.total} studies are coded for both "
            f"{codebook.field(table.rows).label.lower()} and {codebook.field(table.columns).label.lower()}.")
    cells = "; ".join(f"{rl} × {cl}: {counts[i][j]}" for i, rl in enumerate(row_labels)
                      for j, cl in enumerate(column_labels))
    alt = (f"Evidence gap map of {codebook.field(table.rows).label.lower()} by "
           f"{codebook.field(table.columns).label.lower()}: {cells}. {note}")
    plot = {"rows": row_labels, "columns": column_labels, "counts": counts}
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt,
                      (codebook.field(table.rows).label,) + tuple(column_labels), rows, plot, note,
                      extra={"rows": table.rows, "columns": table.columns})


def _flow(spec: FigureSpec, aggregates: Aggregates, codebook: Codebook, search: Mapping[str, Any],
          previous_total: int | None) -> FigureData:
    found = aggregates.tally("found_through")
    by_route = [(value_label("found_through", v, codebook), c) for v, c in found.counts]
    database = found.count("database")
    other = [(label, count) for (value, _), (label, count) in zip(found.counts, by_route) if value != "database"]
    stages = [
        ("Records screened (title and abstract)", search.get("records_screened")),
        ("Full-text articles assessed", search.get("full_texts_assessed")),
        ("Full-text articles excluded", search.get("full_texts_excluded")),
        ("Included through the database search", database),
    ]
    stages += [(f"Included through other methods: {label.lower()}", count) for label, count in other]
    stages += [("Included, route not yet coded", found.not_coded)]
    if previous_total is not None:
        stages.insert(0, ("Studies included in the previous version", previous_total))
    stages.append(("Studies included in this edition", aggregates.total))
    rows = tuple((Cell(label), Cell("–" if value is None else str(value))) for label, value in stages)
    alt = "PRISMA flow diagram: " + "; ".join(f"{label} {value}" for label, value in stages) + "."
    plot = {"stages": [[label, value] for label, value in stages], "previous": previous_total,
            "screened": search.get("records_screened"), "assessed": search.get("full_texts_assessed"),
            "excluded": search.get("full_texts_excluded"), "database": database, "other": other,
            "not_coded": found.not_coded, "included": aggregates.total,
            "search_label": search.get("label", "")}
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt, ("Stage", "Records or studies"), rows,
                      plot, "Search and screening numbers come from content/search.yaml; included studies are "
                            "counted from the study files.")


def all_figures(specs: Sequence[FigureSpec], aggregates: Aggregates, codebook: Codebook,
                search: Mapping[str, Any], previous_total: int | None = None) -> list[FigureData]:
    return [figure_data(spec, aggregates, codebook, search, previous_total) for spec in specs]
