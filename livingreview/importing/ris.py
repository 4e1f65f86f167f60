"""RIS as EndNote, Zotero, Mendeley, Citavi, Rayyan and the databases (Ovid, Embase, Scopus, Web of Science,
ProQuest) write it: TY starts a record, ER ends it. What some of them write between records (Ovid's numbers,
its NL line and link text after ER) is not a record; tagged lines with a title or an author outside TY...ER
are a record without its TY line. Each record is read by rispy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import rispy

from ..records import Draft, Rejection
from .cleaning import doi_from_url, person, shorten
from .decisions import rayyan_decision

_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_RECORD_TAGS = ("TI", "T1", "AU", "A1")  # a block outside TY...ER with one of these was meant as a record


def looks_like_ris(text: str) -> bool:
    return bool(re.search(r"^TY  - ?\S", text, re.MULTILINE))


def read_ris(text: str, name: str) -> Iterator[Draft | Rejection]:
    start: int | None = None  # line of the open record's TY
    lines: list[str] = []
    stray: int | None = None  # first line of tagged lines outside any record
    stray_lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.rstrip()
        match = _TAG.match(line)
        tag = match.group(1) if match else None
        if tag == "TY":
            if start is not None:
                yield Rejection(f"{name}:{start}", f"record{_title(lines)} has no ER line (end of record) "
                                                   f"before the next TY at line {number}; skipped")
            yield from _stray(name, stray, stray_lines)
            stray, stray_lines = None, []
            start, lines = number, [line]
        elif start is not None:
            lines.append(line)
            if tag == "ER":
                yield _record(lines, f"{name}:{start}")
                start, lines = None, []
        elif tag == "ER":
            stray_lines.append(line)
            yield from _stray(name, stray if stray is not None else number, stray_lines)
            stray, stray_lines = None, []
        elif tag is not None:
            if stray is None:
                stray = number
            stray_lines.append(line)
        elif stray is not None:
            stray_lines.append(line)
    if start is not None:
        yield Rejection(f"{name}:{start}", f"record{_title(lines)} has no ER line (end of record) "
                                           f"before the end of the file; skipped")
    yield from _stray(name, stray, stray_lines)


def _stray(name: str, line: int | None, lines: list[str]) -> Iterator[Rejection]:
    """Tagged lines outside TY...ER: a record without its TY line if they hold a title or an author, else
    what a database writes after a record (Ovid's NL - journal abbreviation), which is no record."""
    if line is None:
        return
    if any((match := _TAG.match(text)) and match.group(1) in _RECORD_TAGS for text in lines):
        yield Rejection(f"{name}:{line}", f"record{_title(lines)} has no TY line (type of reference) "
                                          f"before its tags; skipped")


def _title(lines: list[str]) -> str:
    for line in lines:
        match = _TAG.match(line)
        if match and match.group(1) in ("TI", "T1") and match.group(2):
            return f" “{shorten(match.group(2))}”"
    return ""


def _record(lines: list[str], where: str) -> Draft | Rejection:
    try:
        entries = rispy.loads("\n".join(lines) + "\n")
    except Exception as error:  # noqa: BLE001 - rispy raises plain IOError/ValueError on what it cannot read
        return Rejection(where, f"cannot read the record as RIS: {error}; skipped")
    if len(entries) != 1:
        return Rejection(where, "cannot read the record as RIS; skipped")
    entry = entries[0]
    urls = _all(entry, "urls", "file_attachments2")
    first_page, last_page = _first(entry, "start_page"), _first(entry, "end_page")
    names = entry.get("authors") or entry.get("first_authors") or []
    doi = _first(entry, "doi") or next((d for d in map(doi_from_url, urls) if d), "")
    decision, reason = rayyan_decision(" ".join(_all(entry, "notes", "note", "research_notes")))
    return Draft(
        where=where,
        title=_first(entry, "title", "primary_title"),
        authors=[a for a in (person(name) for name in names if isinstance(name, str)) if a is not None],
        year=_first(entry, "year", "publication_year", "date"),
        journal=_first(entry, "secondary_title", "alternate_title3", "journal_name", "alternate_title2",
                       "alternate_title1"),
        volume=_first(entry, "volume"),
        issue=_first(entry, "number"),
        pages=f"{first_page}-{last_page}" if first_page and last_page and first_page != last_page
        else first_page or last_page,
        doi=doi,
        url=next((u for u in urls if not doi_from_url(u)), ""),
        decision=decision,
        reason=reason,
    )


def _first(entry: dict, *keys: str) -> str:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value and str(value).strip():
            return str(value).strip()
    return ""


def _all(entry: dict, *keys: str) -> list[str]:
    values: list[str] = []
    for key in keys:
        value = entry.get(key)
        values += [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []
    return values
