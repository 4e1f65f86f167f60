"""Flow diagram (PRISMA 2020, for an updated review): the previous studies, the update's search and selection,
and the studies this edition holds in all. Every number is counted from the data or taken from the published
baseline, and the diagram says where the published numbers do not add up."""

from __future__ import annotations

from typing import Any

from .drawing import INK, MUTED, wrap
from .model import Cell, FigureData, FigureInputs, FigureKind, FigureSpec, Setting

PREVIOUS = ("previous_screened", "previous_assessed", "previous_excluded", "previous_included")


def data(spec: FigureSpec, inputs: FigureInputs) -> FigureData:
    published = {name: inputs.baseline.get(spec.settings[name]) for name in PREVIOUS if name in spec.settings}
    stages: list[tuple[str, str, Any]] = []  # (column, label, value)
    notes = []
    if published:
        stages += [("previous", "Records screened", published.get("previous_screened")),
                   ("previous", "Full-text reports assessed", published.get("previous_assessed")),
                   ("previous", "Full-text reports excluded", published.get("previous_excluded")),
                   ("previous", "Studies included in the published review", published.get("previous_included")),
                   ("previous", "of which entered in this edition so far", inputs.held)]
        assessed, excluded, included = (published.get(k) for k in PREVIOUS[1:])
        if assessed is not None and excluded is not None and included is not None and assessed - excluded != included:
            notes.append(f"The published numbers do not add up: {assessed:,} assessed less {excluded:,} excluded "
                         f"is {assessed - excluded:,}, not {included:,} (see the consistency page).")
    # The studies this edition started from: the previous version's, or (in the first) those of the published review.
    start = inputs.previous_total if inputs.previous_total is not None else inputs.held
    if inputs.previous_total is not None:
        stages.append(("previous", "Studies in the previous version", inputs.previous_total))
    arm = inputs.arm
    new = arm.included if arm else 0
    if arm is not None:
        stages += [("update", f"Records found: {route.lower()}", n) for route, n in arm.found]
        stages += [("update", "Removed before screening: not candidate articles", arm.not_listed),
                   ("update", "Candidate records listed", arm.identified),
                   ("update", "Duplicates removed", arm.duplicates),
                   ("update", "Records screened", arm.screened)]
        stages += [("update", f"Excluded at screening: {reason.lower()}", n) for reason, n in arm.excluded_screening]
        stages += [("update", "Full-text reports assessed", arm.assessed)]
        stages += [("update", f"Excluded at full text: {reason.lower()}", n) for reason, n in arm.excluded_full_text]
        if arm.awaiting:
            stages += [("update", "Full texts awaiting classification", arm.awaiting)]
        stages += [("update", "New studies included", new)]
        if arm.undecided:
            stages += [("update", "Records still being screened", arm.undecided)]
    total = inputs.aggregates.total
    other = total - start - new
    if other:
        stages.append(("total", "Studies added or removed otherwise" if inputs.previous_total is not None else
                       "Other studies held (neither in the published review nor from the update's screening)", other))
    stages.append(("total", "Studies in this edition", total))
    rows = tuple((Cell({"previous": "Previous studies", "update": "New studies (update)",
                        "total": "This edition"}[column]), Cell(label), Cell("–" if value is None else f"{value:,}"))
                 for column, label, value in stages)
    alt = "Flow diagram of an updated review: " + "; ".join(
        f"{label} {'–' if value is None else value}" for _, label, value in stages) + "."
    plot = {"stages": [[column, label, value] for column, label, value in stages], "notes": notes}
    note = " ".join(notes + ["Previous studies: the published review's own numbers; new studies: counted from "
                             "the update's search and screening records; totals: from this edition's study files."])
    return FigureData(spec.key, spec.kind, spec.title, spec.caption, alt, ("Part", "Stage", "Records or studies"),
                      rows, plot, note)


def draw(canvas: Any, figure: FigureData) -> None:
    ax = canvas.add_subplot()
    stages = figure.plot["stages"]
    columns = {"previous": [], "update": [], "total": []}  # type: dict[str, list[tuple[str, Any]]]
    for column, label, value in stages:
        columns[column].append((label, value))
    heights = max(len(columns["previous"]), len(columns["update"])) + len(columns["total"]) + 2
    ax.set_xlim(0, 10)
    ax.set_ylim(0, heights)
    ax.axis("off")

    def n(value: Any) -> str:
        return "–" if value is None else f"{value:,}"

    def box(x: float, y: float, text: str, width: int = 34) -> None:
        ax.text(x, y, wrap(text, width), ha="center", va="center", fontsize=8, color=INK,
                bbox={"boxstyle": "round,pad=0.4", "facecolor": "#f0f4f8", "edgecolor": MUTED})

    top = heights - 0.6
    for x, column, title in ((2.5, "previous", "Previous studies"), (7.5, "update", "New studies (update)")):
        if not columns[column]:
            continue
        ax.text(x, top, title, ha="center", va="center", fontsize=9, fontweight="bold", color=INK)
        for index, (label, value) in enumerate(columns[column]):
            box(x, top - 1 - index, f"{label}: n = {n(value)}")
    for index, (label, value) in enumerate(columns["total"]):
        box(5, 0.7 + (len(columns["total"]) - 1 - index), f"{label}: n = {n(value)}", 60)
    for note in figure.plot["notes"]:
        ax.text(5, heights - 0.05, wrap(note, 110), ha="center", va="top", fontsize=7, color=MUTED)


def size(figure: FigureData) -> tuple[float, float]:
    stages = figure.plot["stages"]
    longest = max(sum(1 for s in stages if s[0] == "previous"), sum(1 for s in stages if s[0] == "update"))
    return 8.5, 0.55 * (longest + 4) + 0.8


KIND = FigureKind("flow", "a PRISMA 2020 flow for an updated review: the published review's numbers, the update's "
                          "search and screening, and the studies of this edition",
                  tuple(Setting(name, "baseline", required=False,
                                help=f"the key of the published baseline figure for the {name.split('_')[1]} stage")
                        for name in PREVIOUS),
                  data, draw, size)
