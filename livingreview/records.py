"""References as exports and Crossref give them, before they become study files."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Rejection:
    """A record (or a whole file) that could not be imported, and why."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
