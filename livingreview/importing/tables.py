"""CSV exports: Rayyan (key, title, authors separated by " and ", ..., notes with its screening decisions),
Covidence (Title, Authors, Published Year, ..., Covidence #), Zotero (Item Type, Publication Year, Author,
Title, ...) and others with a title, author and year column. The csv module reads them, the delimiter told from the
header (a comma, a semicolon as spreadsheets write in many countries, or a tab); a value may span lines, so each
record's first line is tracked."""

from __future__ import annotations

import ast
import csv
import io
import re
import urllib.parse
from collections.abc import Iterator

from ..records import Draft, Rejection
from .cleaning import person
from .decisions import covidence_decision, rayyan_decision

# The columns each field may come from, in order of preference (lower case).
# Embase names its author column "Author Names"; a table written from rispy's fields (as ASReview's test data
# and scripts write them) has first_authors, primary_title and publication_year.
_COLUMNS = {
    "title": ("title", "article title", "document title", "primary_title"),
    "authors": ("authors", "author", "author full names", "author(s)", "author names", "first_authors"),
    "year": ("year", "publication year", "published year", "py", "date", "publication_year"),
    "journal": ("journal", "publication title", "source title", "secondary title", "journal/book",
                "secondary_title", "journal_name"),
    "volume": ("volume",),
    "issue": ("issue", "number"),
    "pages": ("pages", "page"),
    "doi": ("doi",),
    "url": ("url", "link"),
    "notes": ("notes", "note", "extra"),
    "source": ("source",),
    "open url": ("open url link",),
}
# Embase's Source column: "Cancer (2004) 102:4 (253-258). Date of Publication: 25 Aug 2004", the journal, the
# year, volume:issue and the pages; the year is in no other column.
_EMBASE_SOURCE = re.compile(r"^(?P<journal>.+?) \((?P<year>\d{4})\)(?: (?P<volume>[^\s:(]+)(?::(?P<issue>[^\s(]+))?)?"
                            r"(?: \((?P<pages>[^()]*)\))?(?:\.|$)")


def table_kind(text: str) -> str:
    """Which tool's CSV export this is, from its header: Rayyan, Covidence, Zotero, or "" for another."""
    header = {column.strip().strip('"').casefold() for column in re.split(r"[,;\t]", text.split("\n", 1)[0])}
    return "Covidence" if "covidence #" in header else "Zotero" if "item type" in header else \
        "Rayyan" if {"key", "notes"} <= header else ""


def looks_like_table(text: str) -> bool:
    first = text.split("\n", 1)[0].casefold()
    return "title" in first and any(d in first for d in ",;\t")


def read_table(text: str, name: str) -> Iterator[Draft | Rejection]:
    # The delimiter is the one the header line uses most (csv.Sniffer guesses quoting from the header alone,
    # which has none, and then misreads doubled quotes in the rows).
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        header = [column.strip().casefold() for column in next(reader)]
    except StopIteration:
        return
    except csv.Error as error:
        yield Rejection(f"{name}:1", f"cannot read the CSV header: {error}", record=False)
        return
    columns = {key: next((header.index(c) for c in names if c in header), None) for key, names in _COLUMNS.items()}
    missing = [key for key in ("title", "authors", "year")
               if columns[key] is None and not (key == "year" and columns["source"] is not None)]
    if missing:
        yield Rejection(f"{name}:1", f"a CSV export needs a title, an author and a year column; this one has no "
                                     f"{', '.join(missing)} column (its columns: {', '.join(header[:12])}); "
                                     f"export again with them, or export as RIS", record=False)
        return
    kind = table_kind(text)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Rejection(f"{name}:{start}", f"cannot read the CSV row: {error}; skipped")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield Rejection(f"{name}:{start}", f"row has {len(row)} columns, the header {len(header)}; skipped")
            continue
        value = {key: row[index].strip() if index is not None else "" for key, index in columns.items()}
        _from_source(value)
        if kind == "Covidence":
            decision, reason = covidence_decision(name, value["notes"])
            if decision == "undecided":
                reason = ("Covidence exports one list at a time and this file's name does not say which: export "
                          "the Included list (Covidence names the file ..._included_...), or put 'included' in "
                          "its name")
        else:
            decision, reason = rayyan_decision(value["notes"])
        yield Draft(
            where=f"{name}:{start}",
            title=value["title"],
            authors=[a for a in (person(n) for n in _names(value["authors"], kind)) if a is not None],
            year=value["year"],
            journal=value["journal"],
            volume=value["volume"],
            issue=value["issue"],
            pages=value["pages"],
            doi=value["doi"],
            url=value["url"],
            decision=decision,
            reason=reason,
        )


def _from_source(value: dict[str, str]) -> None:
    """The fields an Embase row gives only in its Source column and its Open URL link (doi:...), where the row
    has no column of their own; a source that is a journal's name alone is the journal."""
    source = _EMBASE_SOURCE.match(value["source"])
    if source:
        for key in ("journal", "year", "volume", "issue", "pages"):
            value[key] = value[key] or (source.group(key) or "").strip()
    elif not value["journal"]:
        value["journal"] = value["source"]
    if not value["doi"] and value["open url"]:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(value["open url"]).query)
        value["doi"] = next((v[4:] for v in query.get("id", []) if v.lower().startswith("doi:")), "")


def _names(text: str, kind: str) -> list[str]:
    """The names of an author column: Rayyan joins them with " and ", Zotero and Covidence with "; ", a
    reference list in APA style with ", " and ", & " ("Doleac, J. L., & Stein, L. C. D."); a list such as
    "Liu R., Adler D.G." (Scopus, Embase, PubMed) is split at its commas."""
    if re.fullmatch(r"\[\s*['\"].*['\"]\s*\]", text, re.DOTALL):  # a list written as Python writes it
        try:
            names = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            names = None
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            return names
    if ";" in text:
        return text.split(";")
    return [name for part in re.split(r"\s+and\s+|,\s*&\s+", text) for name in _comma_names(part.strip())]


def _comma_names(text: str) -> list[str]:
    pieces = [piece.strip() for piece in text.split(",")]
    if len(pieces) > 1 and all(re.search(r"\s\S*[A-Z]\.?$", piece) for piece in pieces if piece):
        return pieces  # "Liu R., Adler D.G."
    if len(pieces) > 2 and len(pieces) % 2 == 0 and \
            all(re.fullmatch(r"(?:[^\W\d_]{1,2}\.[\s-]*)+", given) for given in pieces[1::2]):
        # "Doleac, J. L., Stein, L.": family and initials in turn
        return [f"{family}, {given}" for family, given in zip(pieces[::2], pieces[1::2], strict=True)]
    return [text]
