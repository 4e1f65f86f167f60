"""References: studies as pybtex entries, an APA-like style, and BibTeX and RIS exports.

The style builds pybtex rich text directly rather than through pybtex's template
language, which is about ten times slower and would dominate a large build.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import re
from functools import lru_cache

import rispy
from pybtex.backends.html import Backend as HtmlBackend
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer as BibtexWriter
from pybtex.richtext import HRef, Tag, Text

from .study import Author, Study

_HTML = HtmlBackend()


_LATEX_SPECIAL = re.compile(r"[\\{}%&$#_^~]")


class _Utf8BibtexWriter(BibtexWriter):
    """pybtex's BibTeX writer, keeping UTF-8 as it is: LaTeX encoding runs only where needed.

    The LaTeX codec costs about two milliseconds an entry, which dominates large exports;
    text without LaTeX's special characters is returned unchanged, as the codec would.
    """

    def __init__(self) -> None:
        super().__init__(encoding="UTF-8")

    def _encode(self, text: str) -> str:
        return _latex(text) if _LATEX_SPECIAL.search(text) else text

    def quote(self, s: str) -> str:
        # pybtex checks brace balance with a slow tokenizer; without braces there is nothing to check.
        if "{" in s or "}" in s:
            return super().quote(s)
        return f'"{s}"' if '"' not in s else f"{{{s}}}"


@lru_cache(maxsize=4096)  # journal names and author lists repeat across entries
def _latex(text: str) -> str:
    return BibtexWriter(encoding="UTF-8")._encode(text)


class _PlainRisWriter(rispy.RisWriter):
    """RIS without rispy's numbered header line before each record, which other readers do not expect."""

    def set_header(self, count: int) -> str:
        return ""


def study_entry(study: Study) -> Entry:
    """A study as a pybtex `article` entry."""
    fields = {"title": study.title, "year": str(study.year)}
    for name, value in (("journal", study.journal), ("volume", study.volume), ("number", study.issue),
                        ("pages", study.pages.replace("–", "--")), ("doi", study.doi), ("url", study.url)):
        if value:
            fields[name] = value
    entry = Entry("article", fields=fields)
    entry.persons["author"] = [_person(a) for a in study.authors]
    return entry


def _person(author: Author) -> Person:
    """A pybtex Person from names that are already split.

    Person() splits five (empty) name strings on construction, most of the cost of writing a
    large BibTeX file; the parts are set directly instead.
    """
    person = Person.__new__(Person)
    person.first_names = [author.given] if author.given else []
    person.middle_names, person.prelast_names, person.lineage_names = [], [], []
    person.last_names = [author.family]
    return person


def format_study(study: Study) -> str:
    """The study's reference as HTML in an APA-like style (escaped by pybtex's HTML backend)."""
    return _apa(study.authors, str(study.year), study.title, study.journal, study.volume, study.issue,
                study.pages, study.doi, study.url).render(_HTML)


def format_entry(entry: Entry) -> str:
    """A BibTeX entry from content/references.bib as HTML in the same style."""
    fields = entry.fields
    authors = tuple(_author(p) for p in entry.persons.get("author", []))
    container = fields.get("journal") or fields.get("booktitle") or fields.get("publisher", "")
    return _apa(authors, fields.get("year", "n.d."), _plain(fields.get("title", "")), _plain(container),
                fields.get("volume", ""), fields.get("number", ""), fields.get("pages", "").replace("--", "–"),
                fields.get("doi", ""), fields.get("url", "")).render(_HTML)


def _author(person: Person) -> Author:
    family = " ".join(person.prelast_names + person.last_names)
    if family.lower() == "others":
        return Author("et al.")
    given = " ".join(person.first_names + person.middle_names)
    return Author(_plain(family), _plain(given))


def _plain(text: str) -> str:
    """BibTeX braces that protect capitals are not shown to readers."""
    return text.replace("{", "").replace("}", "").replace("\\&", "&")


def _initials(given: str) -> str:
    parts = given.replace(".", ". ").split()
    return " ".join(p if p.endswith(".") else (f"{p[0]}." if len(p) > 1 and "-" not in p else p) for p in parts)


def _names(authors: Sequence[Author]) -> str:
    names = [f"{a.family}, {_initials(a.given)}" if a.given else a.family for a in authors]
    if names and names[-1] == "et al.":
        return ", ".join(names[:-1]) + ", et al."
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _apa(authors: Sequence[Author], year: str, title: str, container: str, volume: str, issue: str,
         pages: str, doi: str, url: str) -> Text:
    parts: list = [Text(f"{_names(authors)} ({year}). ", title.rstrip("."), ". ")]
    if container:
        parts.append(Tag("em", container))
        if volume:
            parts += [Text(", "), Tag("em", volume)]
        if issue:
            parts.append(Text(f"({issue})"))
        if pages:
            parts.append(Text(f", {pages}"))
        parts.append(Text(". "))
    link = f"https://doi.org/{doi}" if doi else url
    if link:
        parts.append(HRef(link, link))
    return Text(*parts)


def bibtex(studies: Iterable[Study]) -> str:
    """All studies as one BibTeX file (keys are the study ids)."""
    return _Utf8BibtexWriter().to_string(BibliographyData({s.id: study_entry(s) for s in studies}))


def ris(studies: Iterable[Study]) -> str:
    """All studies as RIS, the exchange format of EndNote, Zotero and Rayyan."""
    records = []
    for study in studies:
        record = {"type_of_reference": "JOUR", "id": study.id, "title": study.title,
                  "authors": [f"{a.family}, {a.given}".rstrip(", ") for a in study.authors],
                  "year": str(study.year)}
        for key, value in (("secondary_title", study.journal), ("volume", study.volume),
                           ("number", study.issue), ("doi", study.doi), ("urls", [study.url] if study.url else [])):
            if value:
                record[key] = value
        if study.pages:
            first, _, last = study.pages.replace("–", "-").partition("-")
            record["start_page"] = first
            if last:
                record["end_page"] = last
        records.append(record)
    return rispy.dumps(records, implementation=_PlainRisWriter)
