"""Flow diagram (PRISMA): records through search and screening, then the studies included, by route."""

from __future__ import annotations

from typing import Any

from ..aggregate import value_label
from .drawing import INK, MUTED, wrap
from .model import Cell, FigureData, FigureInputs, FigureKind, FigureSpec, Setting


def data(spec: FigureSpec, inputs: FigureInputs) -> FigureData:
    aggregates, codebook, search = inputs.aggregates, inputs.codebook, inputs.search
    route, main = spec.settings.get("route"), spec.settings.get("main_route")
    stages: list[tuple[str, Any]] = [
        ("Records screened (title and abstract)", search.get("records_screened")),
        ("Full-text articles assessed", search.get("full_texts_assessed")),
        ("Full-text articles excluded", search.get("full_texts_excluded")),
    ]
    main_count, other, not_coded = None, [], 0
    if route:
        tally = aggregates.tally(route)
        main_label = value_label(route, main, codebook) if main is not None else ""
        main_count = tally.count(main) if main is not None else None
        other = [(value_label(route, value, codebook), count) for value, count in tally.counts if value != main]
        not_coded = tally.not_coded
        if main is not None:
            stages.append((f"Included: {main_label.lower()}", main_count))
        stages += [(f"Included: {label.lower()}", count) for label, count in other]
        stages.append(("Included, route not yet coded", not_coded))
    if inputs.previous_total is not None:
        stages.insert(0, ("Studies included in the previous version", inputs.previous_total))
    stages.append(("Studies included in this edition", aggregates.total))
    rows = tuple((Cell(label), Cell("–" if value is None else str(value))) for label, value in stages)
    alt = "Flow diagram: " + "; ".join(f"{label} {'–' if value is None else value}" for label, value in stages) + "."
    plot = {"stages": [[label, value] for label, value in stages], "previous": inputs.previous_total,
            "screened": search.get("records_screened"), "assessed": search.get("full_texts_assessed"),
            "excluded": search.get("full_texts_excluded"), "main": main_count,
            "main_label": value_label(route, main, codebook) if route and main is not None else "",
            "other": other, "not_coded": not_coded, "included": aggregates.total,
            "search_label": str(search.get("label", ""))}
    note = "Search and screening numbers are those the review's search records; included studies are counted " \
           "from this edition's study files."
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt, ("Stage", "Records or studies"), rows,
                      plot, note)


def draw(canvas: Any, figure: FigureData) -> None:
    ax = canvas.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    plot = figure.plot

    def box(x: float, y: float, text: str) -> None:
        ax.text(x, y, wrap(text, 40), ha="center", va="center", fontsize=8.5, color=INK,
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "#f0f4f8", "edgecolor": MUTED})

    def arrow(x1: float, y1: float, x2: float, y2: float) -> None:
        ax.annotate("", xy=(x2, y2), xytext=(x1, y1), arrowprops={"arrowstyle": "-|>", "color": MUTED})

    def n(value: Any) -> str:
        return "–" if value is None else f"{value:,}"

    box(3, 9.2, f"{plot['search_label']}\nrecords screened: n = {n(plot['screened'])}")
    arrow(3, 8.6, 3, 7.4)
    box(3, 6.8, f"Full-text articles assessed\nn = {n(plot['assessed'])}")
    arrow(5.3, 6.8, 6.3, 6.8)
    box(8.2, 6.8, f"Full-text articles excluded\nn = {n(plot['excluded'])}")
    arrow(3, 6.2, 3, 5.0)
    if plot["main_label"]:
        box(3, 4.4, f"Included: {plot['main_label'].lower()}\nn = {n(plot['main'])}")
        other = "\n".join(f"{label}: n = {count}" for label, count in plot["other"]) or "none"
        box(8.2, 4.4, f"Other routes\n{other}")
        arrow(3, 3.8, 3, 2.2)
        arrow(8.2, 3.6, 4.8, 1.9)
    lines = [f"Studies included in this edition\nn = {plot['included']}"]
    if plot["not_coded"]:
        lines.append(f"(route not yet coded: n = {plot['not_coded']})")
    if plot.get("previous") is not None:
        lines.append(f"in the previous version: n = {plot['previous']}")
    box(3, 1.4, "\n".join(lines))


def size(figure: FigureData) -> tuple[float, float]:
    return 7.5, 6.0


KIND = FigureKind("flow", "the flow of records through search and screening to the included studies (PRISMA)",
                  (Setting("route", "dimension", required=False, accepts=("single",),
                           help="a field of kind single giving the route by which each study was found"),
                   Setting("main_route", "value", required=False, of="route",
                           help="the value of the route field for the main (database) search")),
                  data, draw, size)
