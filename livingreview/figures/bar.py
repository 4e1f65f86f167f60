"""Bar chart: studies per value of one dimension, beside the published review's counts where it has them."""

from __future__ import annotations

from typing import Any

from ..aggregate import Tally, dimension_kind, format_percent, value_label
from .drawing import ACCENT, INK, MUTED, whole_numbers, wrap
from .model import Cell, FigureData, FigureInputs, FigureKind, FigureSpec, Setting

LEADS_BELOW = 50  # % of studies coded: below it, the published distribution leads a comparison


def coded_note(coded: int, not_coded: int, total: int) -> str:
    """What a figure rests on, in words."""
    if not total:
        return "No study is in this edition yet."
    if not not_coded:
        return f"Rests on all {total} studies, every one coded."
    return f"Rests on the {coded} of {total} studies coded so far; the {not_coded} not yet coded are not shown."


def rests_on(coded: int, total: int, multiple: bool = False) -> str:
    """The same, short enough to print on the figure itself."""
    shown = f"All {total} studies coded" if coded == total else f"Coded for {coded} of {total} studies"
    return shown + ("; a study may count under several values" if multiple else "")


def data(spec: FigureSpec, inputs: FigureInputs) -> FigureData:
    aggregates, codebook = inputs.aggregates, inputs.codebook
    tally = aggregates.tally(spec.settings["dimension"])
    values = list(tally.counts)
    labels = [value_label(tally.key, value, codebook) for value, _ in values]
    published = [inputs.published.get((tally.key, str(value))) for value, _ in values]
    compared = inputs.published_total is not None and any(n is not None for n in published)
    rows = tuple(
        (Cell(label), Cell(str(count), aggregates.members(tally.key, value), value),
         Cell(format_percent(tally.percent(value))))
        + ((Cell("" if then is None else str(then)), Cell(_share(then, inputs.published_total))) if compared else ())
        for label, (value, count), then in zip(labels, values, published, strict=True)
    )
    blank = (Cell(""), Cell("")) if compared else ()
    if tally.multiple and tally.none:
        rows += ((Cell("None of these"), Cell(str(tally.none)), Cell(format_percent(100 * tally.none / tally.coded)),
                  *blank),)
    rows += ((Cell("Not yet coded"), Cell(str(tally.not_coded)), Cell(""), *blank),)
    several = " A study may count under several values." if tally.multiple else ""
    note = coded_note(tally.coded, tally.not_coded, tally.total) + several
    header: tuple[str, ...] = (tally.label, "Studies", "% of coded")
    plot: dict[str, Any] = {"labels": labels, "values": [count for _, count in values], "coded": tally.coded,
                            "total": tally.total, "footnote": rests_on(tally.coded, tally.total, tally.multiple)}
    alt = (f"Bar chart of {spec.title.lower()}: "
           + "; ".join(f"{label} {count}" for label, (_, count) in zip(labels, values, strict=True)) + f". {note}")
    if compared:
        name, total = inputs.published_label, inputs.published_total
        header += (f"Studies, {name}", f"% of {total}, {name}")
        leads = "published" if 100 * tally.coded < _threshold(spec) * max(tally.total, 1) else "edition"
        plot |= {"orientation": "compared", "percents": [tally.percent(value) or 0.0 for value, _ in values],
                 "published": [then for then in published],
                 "published_percents": [100 * then / total if then is not None and total else None
                                        for then in published],
                 "leads": leads, "published_name": name, "published_label": f"{name.capitalize()} ({total} studies)",
                 "edition_label": _edition_label(tally, leads)}
        note += (f" Beside each value it counted, the share of the {total} studies of the review as {name}"
                 + (", which leads while fewer than half of this edition's studies are coded." if leads == "published"
                    else "."))
        alt += f" The review as {name}: " + "; ".join(
            f"{label} {then}" for label, then in zip(labels, published, strict=True) if then is not None) + "."
    else:
        vertical = dimension_kind(tally.key, codebook) == "year"
        plot["orientation"] = "vertical" if vertical else "horizontal"
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt, header, rows, plot, note, tally.key)


def _threshold(spec: FigureSpec) -> float:
    return float(spec.settings.get("coverage_threshold", LEADS_BELOW))


def _share(count: int | None, total: int | None) -> str:
    return format_percent(100 * count / total) if count is not None and total else ""


def _edition_label(tally: Tally, leads: str) -> str:
    so_far = "coded so far: " if leads == "published" else ""
    return f"This edition, {so_far}{tally.coded} of {tally.total} studies"


def draw(canvas: Any, figure: FigureData) -> None:
    ax = canvas.add_subplot()
    labels, values = figure.plot["labels"], figure.plot["values"]
    positions = list(range(len(labels)))
    if figure.plot["orientation"] == "compared":
        _draw_compared(ax, figure)
    elif figure.plot["orientation"] == "vertical":
        ax.bar(positions, values, color=ACCENT)
        many = len(labels) > 8
        ax.set_xticks(positions, labels, rotation=45 if many else 0, ha="right" if many else "center")
        ax.set_ylabel("Studies")
        whole_numbers(ax.yaxis)
    else:
        positions.reverse()
        ax.barh(positions, values, color=ACCENT)
        ax.set_yticks(positions, [wrap(label) for label in labels])
        ax.set_xlabel("Studies")
        whole_numbers(ax.xaxis)
        for y, value in zip(positions, values, strict=True):
            ax.annotate(str(value), (value, y), xytext=(3, 0), textcoords="offset points", va="center", color=INK)


def _draw_compared(ax: Any, figure: FigureData) -> None:
    """Two bars per value, as shares: the published review's and this edition's. The one that leads is
    drawn solid and on top; the other lighter."""
    plot = figure.plot
    count = len(plot["labels"])
    series = [(plot["published_percents"], plot["published"], plot["published_label"], MUTED),
              (plot["percents"], plot["values"], plot["edition_label"], ACCENT)]
    if plot["leads"] == "edition":
        series.reverse()
    height = 0.38
    for rank, (percents, counts, label, colour) in enumerate(series):
        lead = rank == 0
        ys = [count - 1 - index + (height / 2 if lead else -height / 2) for index in range(count)]
        shown = [(y, p, n) for y, p, n in zip(ys, percents, counts, strict=True) if p is not None]
        ax.barh([y for y, _, _ in shown], [p for _, p, _ in shown], height=height, label=label,
                color=colour, alpha=1.0 if lead else 0.45, hatch=None if lead else "//", edgecolor="white")
        for y, percent, n in shown:
            ax.annotate(f"{percent:.0f} % ({n})", (percent, y), xytext=(3, 0), textcoords="offset points",
                        va="center", color=INK, fontsize=8)
    ax.set_yticks([count - 1 - index for index in range(count)], [wrap(label) for label in plot["labels"]])
    ax.set_xlabel("% of studies (number of studies)")
    ax.set_xlim(0, 112)
    ax.legend(frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2)


def size(figure: FigureData) -> tuple[float, float]:
    if figure.plot["orientation"] == "compared":
        return 7.0, max(2.6, 0.8 * len(figure.plot["labels"]) + 1.4)
    if figure.plot["orientation"] == "horizontal":
        return 7.0, max(2.0, 0.45 * len(figure.plot["labels"]) + 1.0)
    return 7.5, 4.0


KIND = FigureKind("bar", "studies per value of one dimension, beside the published review's counts where the "
                  "baseline links them to the values",
                  (Setting("dimension", "dimension", help="the field, derived fact, year or region to count by"),
                   Setting("coverage_threshold", "percent", required=False,
                           help=f"the share of studies coded below which the published counts lead "
                                f"(default {LEADS_BELOW})")),
                  data, draw, size)
