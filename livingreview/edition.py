"""The plain data passed between the stages: a validated review, and the editions rendered from it."""

from __future__ import annotations

from collections.abc import Mapping

from .aggregate import Aggregates
from .codebook import Codebook
from .content import Content
from .named_tuple import NamedTuple
from .screening import Screening
from .study import Study


class Review(NamedTuple):
    """The validated inputs of one review."""

    codebook: Codebook
    studies: tuple[Study, ...]
    content: Content
    screening: Screening | None = None  # the searches and screening records, if the review keeps them
    texts: Mapping[str, str] = {}  # studies' records in data/studies.json, by id, as loaded


class Edition(NamedTuple):
    """One rendering of the review: a frozen release or the draft of unreleased changes."""

    label: str
    prefix: str  # where it lives in the site: "", "v/1.0.0/" or "draft/"
    codebook: Codebook
    studies: tuple[Study, ...]
    aggregates: Aggregates
    content: Content
    is_release: bool = False
    date: str = ""
    doi: str = ""
    notes: str = ""
    is_latest: bool = True
    previous_total: int | None = None
    citation: Mapping[str, str] = {}
    is_alias: bool = False  # the latest release again at the site root
    screening: Screening | None = None
    previous_searches: frozenset[str] | None = None  # the searches of the version before (None: no version before)
    texts: Mapping[str, str] = {}  # studies' records in data/studies.json, by id, as loaded
