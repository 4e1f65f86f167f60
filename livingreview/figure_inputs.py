"""Foresee, before the studies are read, whether a rebuild will redraw a figure.

Importing matplotlib takes about half a second. A rebuild that will redraw starts that import at
once, on the other core, while studies are read and pages rendered; one that will not (an edited
title) starts no drawing process at all. A study can change a figure only through the values a figure
can show (its codes, year, baseline flag), never through its title, authors or notes. Each build records,
for every study file, a digest of its bytes and one of those values; the next build parses again only
the files whose bytes changed. Where nothing is known (no record; a file's first edit after a first build,
which reads no values) the build does not start early. A wrong guess costs time, never a wrong figure: a missed
redraw starts matplotlib once a figure is found missing, a needless start is stopped unused.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from .checked import file_digest

_RECORD = "figure-inputs.json"
# Fields of a study that no figure shows: bibliographic data and free text (see schema.py).
NOT_DRAWN = frozenset({"title", "authors", "journal", "volume", "issue", "pages", "doi", "url",
                       "no_doi_reason", "evidence", "notes"})


@dataclass
class FigureInputs:
    """Per study file: the digest of its bytes, and of its values a figure can show (None: not known)."""

    record: Path
    studies: dict[str, tuple[str, str | None]]
    changed: bool  # a study was added or removed, or shows differently in a figure than at the last build

    @classmethod
    def compare(cls, cache: Path, paths: Sequence[Path]) -> FigureInputs:
        """The study files as they are now, compared with the record of the last successful build."""
        record = cache / _RECORD
        before = _read(record)
        studies: dict[str, tuple[str, str | None]] = {}
        # A study added or removed changes the counts; a study edited counts only if what it showed is known.
        changed = before is not None and set(before) != {path.name for path in paths}
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError:
                continue  # the build reports it
            digest, earlier = file_digest(data).hex(), (before or {}).get(path.name)
            if earlier is not None and earlier[0] == digest:
                studies[path.name] = (digest, earlier[1])
                continue
            # A first build parses nothing here (it draws every figure anyway): a file's values become known
            # when a later build finds it edited, so its next edit can be judged.
            drawn = drawn_values_digest(path) if before is not None else None
            studies[path.name] = (digest, drawn)
            changed = changed or (earlier is not None and earlier[1] is not None and earlier[1] != drawn)
        return cls(record, studies, changed)

    def save(self) -> None:
        """Record the study files this build drew its figures from (written whole or not at all)."""
        partial = self.record.with_name(f"{_RECORD}.{os.getpid()}.tmp")
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(self.studies, sort_keys=True), encoding="utf-8")
            partial.replace(self.record)
        except OSError:  # a read-only checkout: the next build only guesses less well
            partial.unlink(missing_ok=True)


def _read(record: Path) -> dict[str, tuple[str, str | None]] | None:
    """The last build's record; None if there is none or it is damaged (then nothing is known)."""
    try:
        entries = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entries, dict) or not all(isinstance(e, list) and len(e) == 2 for e in entries.values()):
        return None
    return {name: (entry[0], entry[1]) for name, entry in entries.items()}


def drawn_values_digest(path: Path) -> str | None:
    """A digest of the study's values that a figure can show; None if the file cannot be read as a study."""
    from .load import read_yaml  # the same safe reading as the build's (size, depth and alias limits)

    loaded = read_yaml(path, path.name)
    if not loaded.ok or not isinstance(loaded.data, dict):
        return None
    shown: dict[Any, Any] = {key: value for key, value in loaded.data.items() if key not in NOT_DRAWN}
    try:
        text = json.dumps(shown, sort_keys=True, default=str, ensure_ascii=False)
    except (TypeError, ValueError):  # keys that are not text: an invalid study, which the build reports
        return None
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
