"""Studies an earlier run found valid, kept in .cache/ so that an unchanged file is not parsed again.

A study is reused only while its file's bytes, the codebook and the engine are exactly as they
were when it was checked; anything else is read and checked again. Files with problems are
never kept: their problems are found again, each at its line, on every run. Checks across
files (the same DOI in two files) always run over every study.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .study import Study

_FILE = "studies-checked.pickle"
REWRITE_FROM = 20  # files read afresh above which the cache is written again (or one in a hundred)


def file_digest(data: bytes) -> bytes:
    """What identifies a study file's content."""
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclass
class CheckedStudies:
    """Valid studies by file name, each with the digest of the bytes it was read from."""

    folder: Path | None
    key: str
    entries: dict[str, tuple[bytes, Study]] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def load(cls, folder: Path | None, key: str) -> CheckedStudies:
        """What an earlier run kept under the same key; nothing if it kept none, or kept it for other inputs."""
        kept = cls(folder, key)
        if folder is None:
            return kept
        try:
            with open(folder / _FILE, "rb") as file:
                stored_key, entries = pickle.load(file)  # noqa: S301 - the review's own cache, as .pyc files are
        except Exception:  # noqa: BLE001 - missing, damaged or from another engine: check everything again
            return kept
        if stored_key == key and isinstance(entries, dict):
            kept.entries = entries
        return kept

    def unchanged(self, paths: list[Path]) -> dict[str, Study]:
        """The kept study of every file among `paths` whose bytes are those it was checked from."""
        if not self.entries:
            return {}  # a first run: no file need be read twice
        reusable = {}
        for path in paths:
            entry = self.entries.get(path.name)
            if entry is None:
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue  # the parse reports it
            if file_digest(data) == entry[0]:
                reusable[path.name] = entry[1]
        return reusable

    def update(self, reused: dict[str, Study], fresh: dict[str, tuple[bytes, Study]]) -> None:
        """Keep the entries still reused and the studies checked afresh; forget the rest (files gone,
        changed, or now with problems).

        Writing the cache costs time in proportion to the whole review, reading a changed file again
        only that file: after a few edits the cache is left as it is (the next run reads those few again)."""
        if len(fresh) <= max(REWRITE_FROM, len(reused) // 100):
            return
        entries = {name: self.entries[name] for name in reused} | fresh
        self.entries, self.changed = {name: entries[name] for name in sorted(entries)}, True

    def save(self) -> None:
        """Write the entries if they changed (atomically: a concurrent run reads the old file or the new)."""
        if self.folder is None or not self.changed:
            return
        partial = self.folder / f"{_FILE}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as file:
                pickle.dump((self.key, self.entries), file, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(self.folder / _FILE)
        except OSError:  # a read-only checkout, a full disk: the review is still checked, only not remembered
            with contextlib.suppress(OSError):
                partial.unlink()
        self.changed = False
