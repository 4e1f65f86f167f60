"""Figure kinds, as a registry: a kind is one module here, declaring its settings, data and drawing.

`check` validates each figure of content/figures.yaml against its kind's declared settings; the build
computes each figure's data (and table) from the aggregates and draws it, as SVG, only when that data
changed since it was last drawn.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import bar, flow, gap_map, ladder, stacked
from .drawing import svg
from .model import Cell, FigureData, FigureInputs, FigureKind, FigureSpec, Setting

KINDS: Mapping[str, FigureKind] = {kind.name: kind for kind in (
    bar.KIND, stacked.KIND, gap_map.KIND, ladder.KIND, flow.KIND)}

__all__ = ["KINDS", "Cell", "FigureData", "FigureInputs", "FigureKind", "FigureSpec", "Setting", "figure_data",
           "figure_svg"]


def figure_data(spec: FigureSpec, inputs: FigureInputs) -> FigureData:
    return KINDS[spec.kind].data(spec, inputs)


def figure_svg(figure: FigureData) -> bytes:
    kind = KINDS[figure.kind]
    return svg(figure, kind.draw, kind.size(figure))
