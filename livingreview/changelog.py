"""What changed in the evidence between two editions: studies added, removed and recoded,
and how every headline aggregate moved. Pure: editions in, a Changes value out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .aggregate import Aggregates, format_percent, value_label
from .codebook import Codebook
from .study import Study


@dataclass(frozen=True)
class Recoding:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class AggregateChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Changes:
    added: tuple[Study, ...]
    removed: tuple[Study, ...]
    recoded: tuple[tuple[Study, tuple[Recoding, ...]], ...]
    aggregates: tuple[AggregateChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.recoded or self.aggregates)


def compare(old_studies: Sequence[Study], old_aggregates: Aggregates, old_codebook: Codebook,
            new_studies: Sequence[Study], new_aggregates: Aggregates, new_codebook: Codebook) -> Changes:
    """The changes from an older edition to a newer one."""
    old = {s.id: s for s in old_studies}
    new = {s.id: s for s in new_studies}
    added = tuple(new[i] for i in sorted(new.keys() - old.keys()))
    removed = tuple(old[i] for i in sorted(old.keys() - new.keys()))
    recoded = []
    for study_id in sorted(old.keys() & new.keys()):
        changes = _recodings(old[study_id], new[study_id], old_codebook, new_codebook)
        if changes:
            recoded.append((new[study_id], changes))
    return Changes(added, removed, tuple(recoded), _aggregate_changes(old_aggregates, new_aggregates, new_codebook))


def _show(field: str, value: Any, codebook: Codebook) -> str:
    if not codebook.is_coded(value) or value is None:
        return codebook.not_coded
    if isinstance(value, list):
        return ", ".join(_label(field, v, codebook) for v in value) or "none"
    return _label(field, value, codebook)


def _label(field: str, value: Any, codebook: Codebook) -> str:
    try:
        return value_label(field, value, codebook)
    except KeyError:
        return str(value)


def _recodings(old: Study, new: Study, old_codebook: Codebook, new_codebook: Codebook) -> tuple[Recoding, ...]:
    changes = []
    for field in new_codebook.fields:
        before = old.codes.get(field.key, old_codebook.not_coded)
        after = new.codes.get(field.key, new_codebook.not_coded)
        if _normal(before) != _normal(after):
            changes.append(Recoding(field.key, field.label, _show(field.key, before, old_codebook),
                                    _show(field.key, after, new_codebook)))
    return tuple(changes)


def _normal(value: Any) -> Any:
    return sorted(map(str, value)) if isinstance(value, list) else value


def _aggregate_changes(old: Aggregates, new: Aggregates, codebook: Codebook) -> tuple[AggregateChange, ...]:
    changes = []
    if old.total != new.total:
        changes.append(AggregateChange("Included studies", str(old.total), str(new.total)))
    for key, tally in new.tallies.items():
        if key in ("year", "country") or key not in old.tallies:
            continue
        before = old.tallies[key]
        if before.coded != tally.coded:
            changes.append(AggregateChange(f"{tally.label}: studies coded", str(before.coded), str(tally.coded)))
        for value, count in tally.counts:
            if isinstance(value, bool) and not value:
                continue
            old_text = f"{before.count(value)} ({format_percent(before.percent(value))})"
            new_text = f"{count} ({format_percent(tally.percent(value))})"
            if old_text != new_text:
                name = tally.label if isinstance(value, bool) else f"{tally.label}: {_label(key, value, codebook)}"
                changes.append(AggregateChange(name, old_text, new_text))
    return tuple(changes)


def markdown(changes: Changes, base: str, head: str) -> str:
    """The changes as Markdown fit for a pull-request comment."""
    lines = [f"## Changes to the evidence: {base} → {head}", ""]
    if changes.empty:
        return "\n".join(lines + ["No change to the studies or their coding.", ""])
    if changes.added:
        lines += [f"### Studies added ({len(changes.added)})", ""]
        lines += [f"- {s.short_citation}: {s.title} (`{s.id}`)" for s in changes.added] + [""]
    if changes.removed:
        lines += [f"### Studies removed ({len(changes.removed)})", ""]
        lines += [f"- {s.short_citation}: {s.title} (`{s.id}`)" for s in changes.removed] + [""]
    if changes.recoded:
        lines += [f"### Studies recoded ({len(changes.recoded)})", ""]
        for study, recodings in changes.recoded:
            lines.append(f"- {study.short_citation} (`{study.id}`)")
            lines += [f"  - {r.label}: {r.old} → {r.new}" for r in recodings]
        lines.append("")
    if changes.aggregates:
        lines += ["### Headline figures", "", "| Figure | Before | After |", "|---|---|---|"]
        lines += [f"| {c.label} | {c.old} | {c.new} |" for c in changes.aggregates] + [""]
    return "\n".join(lines)
