"""What changed in the evidence between two editions: studies added, removed, corrected and recoded,
and how every headline aggregate moved. Pure: editions in, a Changes value out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .aggregate import Aggregates, aggregate, dimension_kind, format_percent, value_label
from .codebook import Codebook
from .edition import Edition
from .named_tuple import NamedTuple
from .screening import Screening
from .study import Study

# What a reader sees of a study besides its coding: a correction to any of these is a change too.
BIBLIOGRAPHIC = (("title", "Title"), ("year", "Year"), ("authors", "Authors"), ("journal", "Journal"),
                 ("doi", "DOI"), ("url", "Web address"))


class Recoding(NamedTuple):
    """One field of a study whose value changed between two editions."""

    field: str
    label: str
    old: str
    new: str


class AggregateChange(NamedTuple):
    """One headline figure that changed between two editions, with its old and new value."""

    label: str
    old: str
    new: str


class ScreeningChanges(NamedTuple):
    """The searches and screening records (by id) added, changed and removed between two editions."""

    searches_added: tuple[str, ...] = ()
    searches_changed: tuple[str, ...] = ()
    searches_removed: tuple[str, ...] = ()
    records_added: tuple[str, ...] = ()
    records_changed: tuple[str, ...] = ()  # new decisions, corrected data, a duplicate or study named
    records_removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.searches_added or self.searches_changed or self.searches_removed or self.records_added
                    or self.records_changed or self.records_removed)

    def summary(self) -> str:
        """In a few words: "2 searches added; 40 screening records added, 3 changed"."""
        parts = []
        for one, many, lists in (
                ("search", "searches", (self.searches_added, self.searches_changed, self.searches_removed)),
                ("screening record", "screening records", (self.records_added, self.records_changed,
                                                           self.records_removed))):
            counts = [(len(ids), verb) for verb, ids in zip(("added", "changed", "removed"), lists, strict=True) if ids]
            if counts:
                n, verb = counts[0]
                parts.append(f"{n} {one if n == 1 else many} {verb}" + "".join(f", {m} {v}" for m, v in counts[1:]))
        return "; ".join(parts)


class Changes(NamedTuple):
    """What changed between two editions: studies added, removed and recoded, figures and screening."""

    added: tuple[Study, ...]
    removed: tuple[Study, ...]
    recoded: tuple[tuple[Study, tuple[Recoding, ...]], ...]
    aggregates: tuple[AggregateChange, ...]
    screening: ScreeningChanges = ScreeningChanges()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.recoded or self.aggregates) and self.screening.empty


def compare(old_studies: Sequence[Study], old_aggregates: Aggregates, old_codebook: Codebook,
            new_studies: Sequence[Study], new_aggregates: Aggregates, new_codebook: Codebook,
            old_screening: Screening | None = None, new_screening: Screening | None = None) -> Changes:
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
    return Changes(added, removed, tuple(recoded), _aggregate_changes(old_aggregates, new_aggregates, new_codebook),
                   compare_screening(old_screening, new_screening))


def compare_screening(old: Screening | None, new: Screening | None) -> ScreeningChanges:
    """What the searches and screening records of the newer edition add to, change in or remove from the older."""
    def by_id(items: Sequence[Any]) -> dict[str, Any]:
        return {item.id: item for item in items}

    before_searches, after_searches = by_id(old.searches if old else ()), by_id(new.searches if new else ())
    before_records, after_records = by_id(old.records if old else ()), by_id(new.records if new else ())

    def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
        return (tuple(sorted(after.keys() - before.keys())),
                tuple(sorted(k for k in after.keys() & before.keys() if after[k] != before[k])),
                tuple(sorted(before.keys() - after.keys())))

    return ScreeningChanges(*diff(before_searches, after_searches), *diff(before_records, after_records))


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
    for key, label in BIBLIOGRAPHIC:
        before, after = _bibliographic(old, key), _bibliographic(new, key)
        if before != after:
            changes.append(Recoding(key, label, before or "none", after or "none"))
    for field in new_codebook.fields:
        before = old.codes.get(field.key, old_codebook.not_coded)
        after = new.codes.get(field.key, new_codebook.not_coded)
        if _normal(before) != _normal(after):
            changes.append(Recoding(field.key, field.label, _show(field.key, before, old_codebook),
                                    _show(field.key, after, new_codebook)))
    return tuple(changes)


def _bibliographic(study: Study, key: str) -> str:
    if key == "authors":
        return "; ".join(f"{a.family}, {a.given}".rstrip(", ") for a in study.authors)
    return str(getattr(study, key))


def _normal(value: Any) -> Any:
    return sorted(map(str, value)) if isinstance(value, list) else value


def _aggregate_changes(old: Aggregates, new: Aggregates, codebook: Codebook) -> tuple[AggregateChange, ...]:
    changes = []
    if old.total != new.total:
        changes.append(AggregateChange("Included studies", str(old.total), str(new.total)))
    for key, tally in new.tallies.items():
        if dimension_kind(key, codebook) in ("year", "country") or key not in old.tallies:
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


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def _md(text: str) -> str:
    """Text from a study file, safe in Markdown: no formatting, no HTML, no @-mention, on one line."""
    text = re.sub(r"[ \t\r\n\f\v\x85\u2028\u2029]+", " ", str(text)).strip()  # keeps U+202F before %
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "@\u200b")  # a zero-width space after @ mentions nobody


def markdown(changes: Changes, base: str, head: str) -> str:
    """The changes as Markdown fit for a pull-request comment."""
    lines = [f"## Changes to the evidence: {_md(base)} → {_md(head)}", ""]
    if changes.empty:
        return "\n".join(lines + ["No change to the studies, their bibliographic data or their coding, the searches "
                                  "or the screening.", ""])
    if changes.added:
        lines += [f"### Studies added ({len(changes.added)})", ""]
        lines += [f"- {_md(s.short_citation)}: {_md(s.title)} (`{s.id}`)" for s in changes.added] + [""]
    if changes.removed:
        lines += [f"### Studies removed ({len(changes.removed)})", ""]
        lines += [f"- {_md(s.short_citation)}: {_md(s.title)} (`{s.id}`)" for s in changes.removed] + [""]
    if changes.recoded:
        lines += [f"### Studies corrected or recoded ({len(changes.recoded)})", ""]
        for study, recodings in changes.recoded:
            lines.append(f"- {_md(study.short_citation)} (`{study.id}`)")
            lines += [f"  - {_md(r.label)}: {_md(r.old)} → {_md(r.new)}" for r in recodings]
        lines.append("")
    if changes.aggregates:
        lines += ["### Headline figures", "", "| Figure | Before | After |", "|---|---|---|"]
        lines += [f"| {_md(c.label)} | {_md(c.old)} | {_md(c.new)} |" for c in changes.aggregates] + [""]
    if not changes.screening.empty:
        lines += ["### Searches and screening", "", f"{_md(changes.screening.summary())}.", ""]
        for label, ids in _screening_lists(changes.screening):
            lines.append(f"- {label} ({len(ids)}): {_ids(ids)}")
        lines.append("")
    return "\n".join(lines)


def _screening_lists(changes: ScreeningChanges) -> list[tuple[str, tuple[str, ...]]]:
    lists = [("Searches added", changes.searches_added), ("Searches changed", changes.searches_changed),
             ("Searches removed", changes.searches_removed), ("Screening records added", changes.records_added),
             ("Screening records changed", changes.records_changed),
             ("Screening records removed", changes.records_removed)]
    return [(label, ids) for label, ids in lists if ids]


def _ids(ids: Sequence[str], shown: int = 12) -> str:
    """Ids (slugs, checked by the loader) as code, the first few of a long list."""
    text = ", ".join(f"`{i}`" if re.fullmatch(r"[a-z0-9-]+", i) else _md(i) for i in ids[:shown])
    return text + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


class ChangelogEntry(NamedTuple):
    """One edition of the changelog, with the edition before it and what changed since."""

    edition: Edition
    previous: Edition | None
    changes: Changes


def changelog_entries(editions: Sequence[Edition]) -> list[ChangelogEntry]:
    """Newest first: the draft against the latest release, then each release against the one before."""
    entries = []
    for index, edition in enumerate(editions):
        previous = editions[index - 1] if index else None
        if previous is None:
            changes = compare((), aggregate((), edition.codebook), edition.codebook,
                              edition.studies, edition.aggregates, edition.codebook, None, edition.screening)
        else:
            changes = compare(previous.studies, previous.aggregates, previous.codebook,
                              edition.studies, edition.aggregates, edition.codebook,
                              previous.screening, edition.screening)
        entries.append(ChangelogEntry(edition, previous, changes))
    return entries[::-1]
