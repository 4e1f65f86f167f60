"""References: studies and `content/references.bib` entries in an APA-like style, and BibTeX and RIS exports.

HTML is built with markupsafe, which escapes every value (a link's address too); BibTeX values are
escaped here because BibTeX counts every brace, escaped or not, so one unbalanced brace in a title
would end the entry and let the rest of the title be read as new entries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from .study import Author, Study

_BIBTEX_SPECIAL = re.compile(r"[\\{}%&$#_^~]")
_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
                   "^": r"\^{}", "~": r"\~{}"}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def bibtex_value(text: str) -> str:
    """Text as the inside of a braced BibTeX value: on one line, LaTeX's special characters escaped."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES.get(m.group(), "\\" + m.group()), _one_line(text))


def _bibtex_address(text: str) -> str:
    """A DOI or web address kept verbatim (BibTeX styles print it as it is), its braces percent-encoded."""
    return _one_line(text).replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def _bibtex_name(author: Author) -> str:
    family = "{" + bibtex_value(author.family) + "}"  # braced: " and ", commas and particles stay in the name
    given = bibtex_value(author.given)
    if "," in given or " and " in f" {given} ":
        given = "{" + given + "}"
    return f"{family}, {given}" if given else family


def bibtex(studies: Iterable[Study]) -> str:
    """All studies as one BibTeX file (keys are the study ids, which are slugs)."""
    entries = []
    for study in studies:
        fields = [("author", " and ".join(_bibtex_name(a) for a in study.authors)),
                  ("title", bibtex_value(study.title)), ("journal", bibtex_value(study.journal)),
                  ("year", str(study.year)), ("volume", bibtex_value(study.volume)),
                  ("number", bibtex_value(study.issue)), ("pages", bibtex_value(study.pages.replace("–", "--"))),
                  ("doi", _bibtex_address(study.doi)), ("url", _bibtex_address(study.url))]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        entries.append(f"@article{{{study.id},\n{body}\n}}\n")
    return "\n".join(entries)


def ris(studies: Iterable[Study]) -> str:
    """All studies as RIS, the exchange format of EndNote, Zotero and Rayyan; each value on one line,
    so that no value can end a record or start another."""
    records = []
    for study in studies:
        record: dict[str, Any] = {"type_of_reference": "JOUR", "id": study.id, "title": _one_line(study.title),
                                  "authors": [_one_line(f"{a.family}, {a.given}".rstrip(", ")) for a in study.authors],
                                  "year": str(study.year)}
        for key, value in (("secondary_title", study.journal), ("volume", study.volume), ("number", study.issue),
                           ("doi", study.doi)):
            if value:
                record[key] = _one_line(value)
        if study.url:
            record["urls"] = [_one_line(study.url)]
        if study.pages:
            first, _, last = _one_line(study.pages).replace("–", "-").partition("-")
            record["start_page"] = first
            if last:
                record["end_page"] = last
        records.append(record)
    return _ris_writer().formats(records)


@lru_cache(maxsize=1)
def _ris_writer() -> Any:
    """One writer for every record (it holds only its settings; made anew, it inverts its tag map again), of
    RIS without rispy's numbered header line before each record, which other readers do not expect. rispy is
    imported when RIS is written (a check writes none)."""
    import rispy

    class PlainRisWriter(rispy.RisWriter):
        def set_header(self, count: int) -> str:
            return ""

    return PlainRisWriter()


# --- reading as a reader sees them ------------------------------------------------------------------

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


def _link(doi: str, url: str) -> Markup:
    address = f"https://doi.org/{doi}" if doi else url
    if not address.startswith(("https://", "http://")):
        return Markup("")
    shown = escape(address)
    return Markup(f'<a href="{shown}">{shown}</a>')


def format_study(study: Study) -> str:
    """A study's reference as HTML (APA-like), joined from parts each escaped: `Markup.format` goes through
    Python's string.Formatter, and made study pages a fifth slower."""
    parts: list[str] = [escape(f"{_names(study.authors)} ({study.year}). {study.title.rstrip('.')}. ")]
    if study.journal:
        parts.append(f"<em>{escape(study.journal)}</em>")
        if study.volume:
            parts.append(f", <em>{escape(study.volume)}</em>")
        if study.issue:
            parts.append(escape(f"({study.issue})"))
        if study.pages:
            parts.append(escape(f", {study.pages}"))
        parts.append(". ")
    parts.append(_link(study.doi, study.url))
    return "".join(parts)


def _plain(text: str) -> str:
    """BibTeX braces that protect capitals are not shown to readers."""
    return text.replace("{", "").replace("}", "").replace("\\&", "&").replace("--", "–")


def _people(entry: Any, role: str) -> tuple[Author, ...]:
    people = []
    for person in entry.persons.get(role, []):
        family = _plain(" ".join(person.prelast_names + person.last_names))
        people.append(Author("et al.") if family.lower() == "others"
                      else Author(family, _plain(" ".join(person.first_names + person.middle_names))))
    return tuple(people)


def year_labels(bibliography: Any) -> dict[str, str]:
    """Each entry's year as cited: works by the same authors in the same year get a, b, ... by title."""
    groups: dict[tuple[Any, ...], list[tuple[str, str]]] = defaultdict(list)
    for key, entry in bibliography.entries.items():
        families = tuple(a.family.casefold() for a in _people(entry, "author"))
        groups[(families, entry.fields.get("year", "n.d."))].append((_plain(entry.fields.get("title", "")), key))
    labels = {}
    for (_, year), members in groups.items():
        for index, (_, key) in enumerate(sorted(members)):
            labels[key] = year + ("abcdefghijklmnopqrstuvwxyz"[index] if len(members) > 1 and index < 26 else "")
    return labels


def reference_list(bibliography: Any) -> list[tuple[str, str]]:
    """Every entry as (key, HTML), sorted by authors, then year, as a reference list is."""
    years = year_labels(bibliography)

    def order(item: tuple[str, Any]) -> tuple[Any, ...]:
        key, entry = item
        return tuple(a.family.casefold() for a in _people(entry, "author")), years[key], key

    return [(key, format_entry(entry, years[key])) for key, entry in sorted(bibliography.entries.items(), key=order)]


def format_entry(entry: Any, year: str) -> str:
    """A BibTeX entry as HTML in the same style: articles, books, chapters and reports."""
    fields, kind = entry.fields, entry.type.lower()
    authors = _people(entry, "author") or _people(entry, "editor")
    title = _plain(fields.get("title", "")).rstrip(".")
    html = escape(f"{_names(authors)} ({year}). ")
    publisher = _plain(fields.get("publisher", "") or fields.get("institution", "") or fields.get("howpublished", ""))
    if kind == "article":
        html += escape(f"{title}. ") + Markup("<em>{}</em>").format(_plain(fields.get("journal", "")))
        if fields.get("volume"):
            html += Markup(", <em>{}</em>").format(fields["volume"])
        if fields.get("number"):
            html += escape(f"({fields['number']})")
        if fields.get("pages"):
            html += escape(f", {_plain(fields['pages'])}")
        html += Markup(". ")
    elif kind in ("incollection", "inbook", "inproceedings"):
        editors = _people(entry, "editor")
        html += escape(f"{title}. In ")
        if editors:
            html += escape(f"{_names(editors)} ({'Ed.' if len(editors) == 1 else 'Eds.'}), ")
        html += Markup("<em>{}</em>").format(_plain(fields.get("booktitle", "")))
        if fields.get("pages"):
            html += escape(f" (pp. {_plain(fields['pages'])})")
        html += escape(f". {publisher}. " if publisher else ". ")
    else:  # a book, report or other stand-alone work: its title in italics
        html += Markup("<em>{}</em>. ").format(title)
        if publisher:
            html += escape(f"{publisher}. ")
    return str(html + _link(fields.get("doi", ""), fields.get("url", "")))
