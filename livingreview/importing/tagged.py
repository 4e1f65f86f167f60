"""The tagged plain-text exports of Web of Science ("Plain text file": PT starts a record, ER ends it,
continuation lines indented), of PubMed ("PubMed" format, MEDLINE: PMID- starts a record, a blank line ends
it, tags of up to four letters) and of Ovid (its own "Fields" output, which Ovid's direct export to EndNote
or Citavi saves as .cgi or .ovd: "<1. >" starts a record, RIS-like "TI  - " tags, no TY or ER). rispy reads
the first two: Web of Science with its own mapping, MEDLINE with the mapping below (rispy's documented way of
reading another tagged format); Ovid's lines are read here, as they are simpler."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

import rispy

from ..records import Draft, Rejection
from .cleaning import extract_doi, person


def looks_like_wos(text: str) -> bool:
    return bool(re.search(r"^(FN (Clarivate|Thomson|ISI)|PT [A-Z]\s*$)", text, re.MULTILINE)) and \
        bool(re.search(r"^(TI|AU|SO) \S", text, re.MULTILINE))


def looks_like_medline(text: str) -> bool:
    return bool(re.search(r"^PMID- *\d", text, re.MULTILINE))


_OVID_START = re.compile(r"^<\d+\.\s*>\s*$")
_OVID_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")


def looks_like_ovid(text: str) -> bool:
    return bool(re.search(r"^<\d+\.\s*>\s*\n[A-Z][A-Z0-9]  - ", text, re.MULTILINE)) and \
        bool(re.search(r"^(TI|AU)  - \S", text, re.MULTILINE))


def read_ovid(text: str, name: str) -> Iterator[Draft | Rejection]:
    for start, lines in _chunks(text, lambda line: bool(_OVID_START.match(line)), lambda line: False):
        fields = _ovid_fields(lines[1:])
        yield Draft(
            where=f"{name}:{start}",
            title=_ovid_first(fields, "TI"),
            authors=[a for a in (person(n) for n in fields.get("AU", []) or fields.get("FA", [])) if a],
            year=_ovid_first(fields, "YR", "DP"),
            journal=_ovid_first(fields, "JN", "JT"),
            volume=_ovid_first(fields, "VO"),
            issue=_ovid_first(fields, "IP"),
            pages=_ovid_first(fields, "PG"),
            doi=_ovid_first(fields, "DO", "DI"),
            url=_ovid_first(fields, "UR"),
        )


def _ovid_fields(lines: list[str]) -> dict[str, list[str]]:
    """Each tag's values; a line without a tag (indented, or a new paragraph of an abstract) continues the
    value before it."""
    fields: dict[str, list[str]] = {}
    tag = ""
    for line in lines:
        match = _OVID_TAG.match(line)
        if match:
            tag = match.group(1)
            fields.setdefault(tag, []).append(match.group(2).strip())
        elif tag and line.strip():
            fields[tag][-1] = f"{fields[tag][-1]} {line.strip()}"
    return fields


def _ovid_first(fields: dict[str, list[str]], *tags: str) -> str:
    return next((fields[t][0] for t in tags if fields.get(t) and fields[t][0]), "")


def read_wos(text: str, name: str) -> Iterator[Draft | Rejection]:
    for start, lines in _chunks(text, lambda line: line.startswith("PT "), lambda line: line.rstrip() == "ER"):
        where = f"{name}:{start}"
        try:
            entries = rispy.loads("\n".join(lines) + "\n", implementation=rispy.WokParser)
        except Exception as error:  # noqa: BLE001 - rispy raises plain exceptions on what it cannot read
            yield Rejection(where, f"cannot read the record as Web of Science tagged text: {error}; skipped")
            continue
        if len(entries) != 1:
            yield Rejection(where, "record has no ER line (end of record); skipped")
            continue
        entry = entries[0]
        names = entry.get("author_full_name") or entry.get("authors") or []
        groups = entry.get("group_authors") or []
        first, last = entry.get("beginning_page", ""), entry.get("ending_page", "")
        yield Draft(
            where=where,
            title=entry.get("document_title", ""),
            authors=[a for a in [*(person(n) for n in names), *(person(n, corporate=True) for n in groups)] if a],
            year=entry.get("publication_year", "") or entry.get("early_access_year", ""),
            journal=entry.get("publication_name", ""),
            volume=entry.get("volume", ""),
            issue=entry.get("issue", ""),
            pages=f"{first}-{last}" if first and last else first or entry.get("article_number", ""),
            doi=entry.get("doi", ""),
        )


class MedlineParser(rispy.RisParser):
    """MEDLINE as PubMed writes it: a tag padded to four characters, "- ", the value; continuation lines
    indented by six spaces. Each record is given to the parser alone, closed by an ER line."""

    START_TAG = "PMID"
    DEFAULT_MAPPING: ClassVar[dict] = {
        "PMID": "pmid", "TI": "title", "FAU": "full_authors", "AU": "authors", "CN": "corporate_authors",
        "DP": "date", "JT": "journal", "TA": "journal_abbreviation", "VI": "volume", "IP": "issue", "PG": "pages",
        "AID": "article_ids", "LID": "location_ids", "ER": "end_of_reference", "UK": "unknown_tag"}
    DEFAULT_LIST_TAGS: ClassVar[list[str]] = ["FAU", "AU", "CN", "AID", "LID"]
    DEFAULT_DELIMITER_MAPPING: ClassVar[dict] = {}

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        if line[4:6] == "- " or line.rstrip() == f"{line[:4]}-":
            return line[:4].strip(), line[6:].strip()
        return None, line.strip()


def read_medline(text: str, name: str) -> Iterator[Draft | Rejection]:
    for start, lines in _chunks(text, lambda line: line.startswith("PMID-"), lambda line: not line.strip()):
        where = f"{name}:{start}"
        try:
            entries = rispy.loads("\n".join([*lines, "ER  - "]) + "\n", implementation=MedlineParser,
                                  skip_unknown_tags=True)
        except Exception as error:  # noqa: BLE001 - rispy raises plain exceptions on what it cannot read
            yield Rejection(where, f"cannot read the record as MEDLINE: {error}; skipped")
            continue
        entry = entries[0] if entries else {}
        names = entry.get("full_authors") or entry.get("authors") or []
        ids = [*entry.get("article_ids", []), *entry.get("location_ids", [])]
        yield Draft(
            where=where,
            title=entry.get("title", ""),
            authors=[a for a in [*(person(n) for n in names),
                                 *(person(n, corporate=True) for n in entry.get("corporate_authors", []))] if a],
            year=entry.get("date", ""),
            journal=entry.get("journal", "") or entry.get("journal_abbreviation", ""),
            volume=entry.get("volume", ""),
            issue=entry.get("issue", ""),
            pages=entry.get("pages", ""),
            doi=next((extract_doi(i) for i in ids if i.rstrip().endswith("[doi]")), ""),
        )


def _chunks(text: str, starts, ends) -> Iterator[tuple[int, list[str]]]:
    """(first line, lines) of each record: from a line `starts` accepts to one `ends` accepts (or the next
    start, or the end of the file). Lines outside records (a file header) are passed over."""
    start: int | None = None
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if starts(line):
            if start is not None:
                yield start, lines
            start, lines = number, [line]
        elif start is not None:
            if ends(line):
                if line.strip():
                    lines.append(line)
                yield start, lines
                start, lines = None, []
            else:
                lines.append(line)
    if start is not None:
        yield start, lines
