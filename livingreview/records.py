"""References as exports and Crossref give them, before they become study files."""

from __future__ import annotations

from dataclasses import dataclass, field

from .named_tuple import NamedTuple
from .study import Author


@dataclass
class Draft:
    """One reference as an export gives it: raw text values and where it starts."""

    where: str  # "file:line", the place a contributor looks at
    title: str = ""
    authors: list[Author] = field(default_factory=list)
    year: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    url: str = ""
    decision: str = ""  # the screening decision the export carries (see DECISIONS); "" when it carries none
    reason: str = ""    # why it was excluded, when the export says


# What a screening tool may have decided about a record: only "included" records (and those of an export that
# carries no decisions) become studies.
DECISIONS = {"included": "included", "excluded": "excluded", "maybe": "marked maybe",
             "conflict": "decided differently by its screeners", "undecided": "not yet decided"}


@dataclass(frozen=True)
class Record:
    """A checked reference, ready to become a study file."""

    where: str
    title: str
    authors: tuple[Author, ...]
    year: int
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    url: str = ""
    decision: str = ""
    reason: str = ""

    @property
    def included(self) -> bool:
        return self.decision in ("", "included")


class Rejection(NamedTuple):
    """A record (or a whole file) that could not be imported, and why."""

    where: str
    message: str
    record: bool = True  # False when a whole file is refused (not a record of it)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
