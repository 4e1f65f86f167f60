"""Candidate records for screening, as `search` and `decisions` write them: matched against what the review
already holds (its screening records and its studies), given ids, written as YAML in the layout screening.py
reads, and checked with the same code as hand-written files before anything is written.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .diagnostics import Diagnostic
from .importing.cleaning import extract_doi, plain_title
from .importing.study_files import slug
from .load import CONTROL_CHARACTER, MAX_FILE_BYTES, LoadedFile, parse_yaml_text, read_yaml
from .named_tuple import NamedTuple
from .project import Project
from .records import Draft
from .schema import DOI_PATTERN, URL_PATTERN
from .screening import load_screening
from .sources import Folder as SourceFolder
from .validate import TITLE_SIMILARITY, normalise_title
from .write import Folder

FILE_BUDGET = MAX_FILE_BYTES * 3 // 4  # a written screening file stays well below the size an input may have


class Candidate(NamedTuple):
    """One record as a screening file holds it (before any decision)."""

    id: str
    title: str
    year: int
    authors: str = ""
    journal: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    duplicate_of: str = ""


def plain_text(text: str) -> str:
    """Text from an API or an export on one line: markup tags and control characters removed, entities decoded."""
    text = html.unescape(re.sub(r"</?[a-zA-Z][^>]*>", "", str(text)))
    return " ".join(CONTROL_CHARACTER.sub(" ", text).split())


def from_draft(draft: Draft, pmid: str = "") -> tuple[Candidate | None, str]:
    """A candidate without an id yet (or None, and why it cannot be listed: no title or no year)."""
    title = plain_text(plain_title(draft.title))
    year = re.search(r"(?<!\d)(\d{4})(?!\d)", draft.year or "")
    if not title or not year:
        return None, "no title" if not title else "no year"
    names = [", ".join(p for p in (plain_text(a.family), plain_text(a.given)) if p).replace(";", ",")
             for a in draft.authors if plain_text(a.family)]
    doi = extract_doi(draft.doi)
    url = draft.url.strip()
    return Candidate("", title, int(year.group(1)), "; ".join(names), plain_text(draft.journal),
                     doi if re.search(DOI_PATTERN, doi) else "", pmid if pmid.isdigit() else "",
                     url if re.search(URL_PATTERN, url) else ""), ""


@dataclass
class _Held:
    id: str
    doi: str
    pmid: str
    title: str  # normalised
    year: int | None
    is_study: bool


class Holdings:
    """The review's screening records and studies a candidate may duplicate, and every id already taken."""

    def __init__(self, project: Project):
        self.held: list[_Held] = []
        self.ids: set[str] = set()
        for name in SourceFolder(project.root, "").names("screening"):
            data = read_yaml(project.root / name, name).data
            for item in data.get("records", []) if isinstance(data, dict) else []:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    self._hold(item, is_study=False)
        for path in project.study_files()[0]:
            data = read_yaml(path, project.display(path)).data
            self.ids.add(path.stem)
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                self._hold(data, is_study=True)

    def _hold(self, item: Mapping, is_study: bool) -> None:
        self.ids.add(item["id"])
        if item.get("duplicate_of"):
            return  # a duplicate's original is held already
        text = lambda key: item[key] if isinstance(item.get(key), str) else ""  # noqa: E731
        self.held.append(_Held(item["id"], extract_doi(text("doi")).casefold(),
                               str(item.get("pmid", "")), normalise_title(text("title")),
                               item["year"] if isinstance(item.get("year"), int) else None, is_study))

    def match(self, candidate: Candidate) -> tuple[str, str] | None:
        """The id of the record (else the study) the candidate duplicates, and how they match."""
        for key, value, what in (("doi", candidate.doi.casefold(), "same DOI"), ("pmid", candidate.pmid, "same PMID")):
            if value:
                found = sorted((h for h in self.held if getattr(h, key) == value), key=lambda h: h.is_study)
                if found:
                    return found[0].id, f"{what} {value}"
        same_year = sorted((h for h in self.held if h.year == candidate.year and h.title), key=lambda h: h.is_study)
        best = process.extractOne(normalise_title(candidate.title), [h.title for h in same_year],
                                  scorer=fuzz.ratio, score_cutoff=TITLE_SIMILARITY) if same_year else None
        return (same_year[best[2]].id, f"same year, title {best[1]:.0f} % similar") if best else None

    def add(self, candidate: Candidate) -> None:
        self._hold({"id": candidate.id, "doi": candidate.doi, "pmid": candidate.pmid, "title": candidate.title,
                    "year": candidate.year, "duplicate_of": candidate.duplicate_of}, is_study=False)

    def new_id(self, candidate: Candidate) -> str:
        """family-year of the first author (anon-year without one); a, b, c... when taken."""
        family = candidate.authors.split(";")[0].split(",")[0]
        base = f"{slug(family) or 'anon'}-{candidate.year}"
        for suffix in ["", *"abcdefghijklmnopqrstuvwxyz"]:
            if base + suffix not in self.ids:
                return base + suffix
        number = 2
        while f"{base}-{number}" in self.ids:
            number += 1
        return f"{base}-{number}"


def scalar(value: str | int) -> str:
    """A value as YAML reads it back unchanged: numbers bare, text in double quotes (JSON's escapes are YAML's)."""
    return str(value) if isinstance(value, int) else json.dumps(value, ensure_ascii=False)


def record_lines(candidate: Candidate) -> list[str]:
    lines = [f"  - id: {candidate.id}", f"    title: {scalar(candidate.title)}"]
    for key in ("authors", "year", "journal", "doi", "pmid", "url", "duplicate_of"):
        value = getattr(candidate, key)
        if value:
            lines.append(f"    {key}: {scalar(value)}")
    return lines


def screening_texts(search: str, candidates: Sequence[Candidate], header: str) -> list[str]:
    """The screening file(s) of one search: split so that no file nears the size an input may have (the
    parts named ID-01, ID-02, ... so that they sort in order)."""
    texts, lines = [], [f"# {header}", f"search: {search}", "records:"]
    size = sum(len(line) + 1 for line in lines)
    for candidate in candidates:
        record = record_lines(candidate)
        length = sum(len(line.encode("utf-8")) + 1 for line in record)
        if size + length > FILE_BUDGET and lines[-1] != "records:":
            texts.append("\n".join(lines) + "\n")
            lines, size = [f"# {header} (continued)", f"search: {search}", "records:"], 0
        lines += record
        size += length
    return [*texts, "\n".join(lines) + "\n"]


class Overlay:
    """The review's searches/ and screening/ as they would be with some files added or changed (in memory)."""

    def __init__(self, project: Project, changed: Mapping[str, str]):
        self.folder, self.changed = SourceFolder(project.root, ""), dict(changed)

    def shown(self, name: str) -> str:
        return name

    def yaml(self, name: str) -> LoadedFile | None:
        if name in self.changed:
            return parse_yaml_text(self.changed[name], name)
        return self.folder.yaml(name)

    def text(self, name: str) -> tuple[str, str] | None | Diagnostic:
        return (self.changed[name], name) if name in self.changed else self.folder.text(name)

    def page_names(self) -> list[str]:
        return []

    def names(self, folder: str) -> list[str]:
        new = [name for name in self.changed if name.startswith(f"{folder}/")]
        return sorted(set(self.folder.names(folder)) | set(new))


def check_changes(project: Project, changed: Mapping[str, str]) -> list[Diagnostic]:
    """Every problem `check` would find in searches/ and screening/ once the changed files are written."""
    problems = [Diagnostic(name, 1, 1, f"would be {len(text.encode()) // 1024} KiB, more than an input file may be")
                for name, text in changed.items() if len(text.encode("utf-8")) > MAX_FILE_BYTES]
    content = SourceFolder(project.content, project.display(project.content))
    study_ids = {path.stem for path in project.study_files()[0]}
    _, found = load_screening(content, Overlay(project, changed), study_ids)
    return problems + found


def write_changes(project: Project, created: Mapping[str, str], replaced: Mapping[str, str] | None = None
                  ) -> list[str]:
    """Write new files (never over an existing one) and replace changed ones, each whole or not at all."""
    folder = Folder(project.root)
    for name, text in created.items():
        folder.create(name, text.encode("utf-8"))
    for name, text in (replaced or {}).items():
        folder.write(name, text.encode("utf-8"))
    return [*created, *(replaced or {})]


def search_id(project: Project, date: str, key: str, taken: Iterable[str] = ()) -> str:
    """DATE-NN-KEY, numbered so that a later search of the same day sorts after an earlier one (a record may
    only be a duplicate of a record listed before it)."""
    used = set(taken)
    number = 1
    while True:
        name = f"{date}-{number:02d}-{key}"
        if name not in used and not any((project.root / folder / f"{name}{part}.yaml").exists()
                                         for folder in ("searches", "screening") for part in ("", "-01")):
            return name
        number += 1
