"""BibTeX as Zotero, JabRef, Europe PMC, Scopus or a publisher's site writes it, read by pybtex one entry at
a time, so that one malformed entry does not hide the others. An entry without a key is read too."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pybtex.database import Person, parse_string
from pybtex.scanner import PybtexError, PybtexSyntaxError

from ..records import Draft, Rejection
from ..study import Author
from .cleaning import initials, is_placeholder, latex_text

_START = re.compile(r"^\s*@\s*(\w+)\s*([{(])\s*([^,\s]*)")


def looks_like_bibtex(text: str) -> bool:
    return bool(re.search(r"^\s*@\s*\w+\s*[{(]", text, re.MULTILINE))


def read_bibtex(text: str, name: str) -> Iterator[Draft | Rejection]:
    strings: list[str] = []  # @string definitions, which later entries may use
    for start, chunk in _chunks(text):
        header = _START.match(chunk)
        kind = header.group(1).lower() if header else ""
        if kind in ("comment", "preamble"):
            continue
        if kind == "string":
            strings.append(chunk)
            continue
        key = header.group(3) if header and header.group(3) else ""
        if header and not key:  # @article{, ...: pybtex needs a key; the entry is named by its line
            chunk = chunk[:header.end(2)] + f"line{start}" + chunk[header.end(2):]
        prefix = "\n".join(strings) + "\n" if strings else ""
        shown = f"entry {key}" if key else "entry (no key)"
        try:
            data = parse_string(prefix + chunk, "bibtex")
        except PybtexSyntaxError as error:
            line = start + (error.lineno or 1) - 1 - prefix.count("\n")
            problem = re.sub(r"^syntax error in line \d+: ", "", str(error).splitlines()[0])
            yield Rejection(f"{name}:{start}", f"{shown}: BibTeX syntax error at line {line}: {problem}; skipped")
            continue
        except PybtexError as error:
            yield Rejection(f"{name}:{start}", f"{shown}: {error}; skipped")
            continue
        for entry in data.entries.values():
            yield _draft(entry, f"{name}:{start}")


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each @entry; text before the first @ is a comment in BibTeX."""
    start: int | None = None
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("@"):
            if start is not None:
                yield start, "\n".join(lines) + "\n"
            start, lines = number, []
        if start is not None:
            lines.append(line)
    if start is not None:
        yield start, "\n".join(lines) + "\n"


def _draft(entry, where: str) -> Draft:
    fields = entry.fields
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    return Draft(
        where=where,
        title=fields.get("title", ""),
        authors=[a for a in map(_author, persons) if a is not None],
        year=fields.get("year", "") or fields.get("date", ""),
        journal=latex_text(fields.get("journal", "") or fields.get("journaltitle", "") or fields.get("booktitle", "")),
        volume=latex_text(fields.get("volume", "")),
        issue=latex_text(fields.get("number", "") or fields.get("issue", "")),
        pages=latex_text(fields.get("pages", "")),
        doi=_unescaped(fields.get("doi", "")),
        url=_unescaped(fields.get("url", "")),
    )


def _unescaped(text: str) -> str:
    """A DOI or web address as BibTeX writers escape it (Web of Science: 10.1007/978-3-319-1\\_3, JabRef:
    {\\_}) made literal again; nothing else in it is LaTeX."""
    return re.sub(r"\{?\\([_%&#$])\}?", r"\1", text)


def _author(person: Person) -> Author | None:
    """A BibTeX name; one wholly in braces ({World Health Organization}) is an organisation, kept whole."""
    last = person.prelast_names + person.last_names
    if not person.first_names and not person.middle_names and len(last) == 1 and last[0].startswith("{") \
            and " " in last[0]:
        return Author(latex_text(last[0]), "", True)
    family = latex_text(" ".join(last))
    given = initials(latex_text(" ".join(person.first_names + person.middle_names)))
    if not family or family.lower() == "others" or (is_placeholder(family) and not given):
        return None
    return Author(family, given)
