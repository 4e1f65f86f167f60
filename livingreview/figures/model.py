"""What a figure kind declares, and what its data function returns (no matplotlib here)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..aggregate import Aggregates
from ..codebook import Codebook
from ..named_tuple import NamedTuple
from ..screening import Arm


class FigureSpec(NamedTuple):
    """One figure the site shows, as content/figures.yaml declares it."""

    key: str
    kind: str
    title: str
    caption: str
    settings: Mapping[str, Any] = {}


class Cell(NamedTuple):
    """A table cell; `studies` lists the study ids behind a count (for links)."""

    text: str
    studies: tuple[str, ...] | None = None
    row_value: Any = None
    column_value: Any = None


_NOTHING: Mapping[Any, Any] = MappingProxyType({})  # an empty mapping, shared as a default: nothing changes it


@dataclass(frozen=True)
class FigureData:
    """One figure computed from an edition: the table it shows, its words, and what its drawing shows."""

    key: str
    kind: str
    title: str
    caption: str
    alt: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    plot: Mapping[str, Any]  # everything the drawing shows, and nothing else: what its cache key is made of
    note: str = ""
    dimension: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    listed: tuple[str, ...] = ()  # the studies its page lists by citation and title (a change to them changes it)
    # what its kind keeps of the work, to do again only what a change asks for when `FigureInputs.earlier`
    # hands this figure back (in serve); never shown, and no part of the figure's value
    kept: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (for the drawing process) without what the kind kept, which may hold the review's tallies."""
        return {name: value for name, value in self.__dict__.items() if name != "kept"}

    def csv_bytes(self) -> bytes:
        from ..downloads import csv_cell

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([csv_cell(text) for text in self.header])
        for row in self.rows:
            writer.writerow([csv_cell(cell.text) for cell in row])
        return out.getvalue().encode("utf-8")

    def drawing_key(self) -> str:
        """Everything that decides the drawing, as text: equal keys, equal drawings."""
        return json.dumps({"kind": self.kind, "plot": self.plot}, sort_keys=True, default=str)


class FigureInputs(NamedTuple):
    """What a figure's data may be computed from."""

    aggregates: Aggregates
    codebook: Codebook
    search: Mapping[str, Any]
    previous_total: int | None = None
    baseline: Mapping[str, int] = _NOTHING  # the published baseline's figures, by key
    arm: Arm | None = None  # the update's searches and screening, counted
    held: int = 0  # studies of the published review this edition holds
    # the published review's counts by (dimension, value), where its baseline links a figure to a value
    published: Mapping[tuple[str, str], int] = _NOTHING
    published_label: str = ""  # how the published review is named on figures ("published 2022")
    published_total: int | None = None  # the published review's number of included studies
    # the figure as the last build of this process computed it (serve), or None: what its kind kept then
    # may spare it work; the figure computed must be the same as without it
    earlier: FigureData | None = None


class Setting(NamedTuple):
    """A setting a figure kind reads from its entry in content/figures.yaml."""

    name: str
    role: str  # "dimension": a dimension's name; "value": a value of the dimension named `of`; "text";
    # "baseline": the key of a figure of the published baseline; "percent": a number from 0 to 100
    required: bool = True
    accepts: tuple[str, ...] = ()  # for a dimension: the kinds it may be ('year', 'region', 'derived', field kinds)
    of: str = ""  # for a value: the setting naming its dimension
    help: str = ""


class FigureKind(NamedTuple):
    """A kind of figure (FIGURE_KINDS): the settings it declares, how its data is made and how it is drawn."""

    name: str
    summary: str
    settings: tuple[Setting, ...]
    data: Callable[[FigureSpec, FigureInputs], FigureData]
    draw: Callable[[Any, FigureData], None]  # (a matplotlib Figure, the data)
    size: Callable[[FigureData], tuple[float, float]]
