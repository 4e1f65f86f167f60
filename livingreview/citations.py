"""Errors of citation and of the reference list in a published review, met while entering its studies.

Each kind of error is declared once in CITATION_KINDS: what it needs (the entry of the reference list, a note) and
how the engine reads the two texts to confirm it (a different year, a differently spelled name, "et al." for
an entry of two authors). A recorded error the texts do not show is reported by `check`, not shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from .named_tuple import NamedTuple

MAX_QUOTE_WORDS = 25
_YEAR = re.compile(r"(?<!\d)((?:1[5-9]|20)\d\d)[a-z]?(?!\d)")
_LISTED_YEAR = re.compile(r"\(((?:1[5-9]|20)\d\d)[a-z]?\)")
# ", J. M., & " between two authors of an entry: a family name is what stands between two of these.
_INITIALS = re.compile(r",\s*(?:[^\W\d_]\.[\s-]*)+(?:,\s*)?(?:&\s*)?")
_AUTHOR_SEPARATOR = re.compile(r",\s*(?:&\s*)?|\s+&\s+|\s+and\s+")
Problem = Callable[[str, Sequence[Any], bool], None]


def citation_year(cited: str) -> int | None:
    """The year of an in-text citation ('Doe et al., 2019', 'Doe (2019a)'); None unless it names exactly one."""
    years = _YEAR.findall(cited)
    return int(years[0]) if len(years) == 1 else None


def listed_year(entry: str) -> int | None:
    """The year of an entry of a reference list, the first '(YYYY)' in it."""
    found = _LISTED_YEAR.search(entry)
    return int(found.group(1)) if found else None


def cited_authors(cited: str) -> tuple[list[str], bool]:
    """The family names of an in-text citation, and whether it ends them with 'et al.'."""
    names = _YEAR.split(cited, maxsplit=1)[0].strip(" ,(")
    et_al = names.endswith("et al.")
    names = names.removesuffix("et al.").strip(" ,")
    return [name for name in _AUTHOR_SEPARATOR.split(names) if name.strip()], et_al


def listed_authors(entry: str) -> tuple[list[str], bool]:
    """The family names of an entry of a reference list ('Doe, J., & Roe, A. B. (2019). Title...'), and whether it
    ends them with 'et al.'."""
    found = re.search(r"\(\s*(?:1[5-9]|20)\d\d", entry)
    names = entry[: found.start()] if found else entry
    et_al = "et al." in names
    pieces = [piece.strip(" ,&") for piece in _INITIALS.split(names.replace("et al.", ""))]
    return [piece for piece in pieces if sum(c.isalpha() for c in piece) >= 2], et_al


def _name_differs(cited: str, listed: str) -> str | None:
    names, _ = cited_authors(cited)
    entry_names, _ = listed_authors(listed)
    for said, filed in zip(names, entry_names, strict=False):
        if said != filed:
            return f"cited as {said}, listed as {filed}"
    return None


def _year_differs(cited: str, listed: str) -> str | None:
    said, filed = citation_year(cited), listed_year(listed)
    return f"cited as {said}, listed as {filed}" if said and filed and said != filed else None


def _authors_differ(cited: str, listed: str) -> str | None:
    names, et_al = cited_authors(cited)
    entry_names, entry_et_al = listed_authors(listed)
    listed_count = "more than " + str(len(entry_names)) if entry_et_al else str(len(entry_names))
    if et_al and len(entry_names) < 3 and not entry_et_al:
        return f"'et al.' stands for three or more authors; the entry lists {listed_count}"
    if not et_al and (entry_et_al or len(names) != len(entry_names)):
        return f"cited with {len(names)} {'author' if len(names) == 1 else 'authors'}; the entry lists {listed_count}"
    return None


class CitationKind(NamedTuple):
    """A kind of mismatch between a citation in published text and the reference list (CITATION_KINDS)."""

    name: str
    summary: str  # what is wrong, in words, as the page shows it
    listed: bool  # whether the error names its entry in the reference list (required), or has none (forbidden)
    confirm: Callable[[str, str], str | None] | None  # the difference the two texts show; None if they do not
    needs_note: bool = False


CITATION_KINDS: dict[str, CitationKind] = {kind.name: kind for kind in (
    CitationKind("no-entry", "cited, with no entry in the reference list", False, None),
    CitationKind("name", "an author's name spelled differently in the text and in the reference list", True,
                 _name_differs),
    CitationKind("year", "a different year in the text and in the reference list", True, _year_differs),
    CitationKind("authors", "cited with a different number of authors than its entry lists", True, _authors_differ),
    CitationKind("entry", "an entry of the reference list that is itself in error", True, None, needs_note=True),
)}


class CitationProblem(NamedTuple):
    """One error of citation or of the reference list, as content/baseline.yaml's `citations:` records it."""

    kind: str
    cited: str
    quote: str
    where: str
    listed: str = ""
    note: str = ""
    finding: str = ""  # the difference the engine reads in the two texts

    @property
    def summary(self) -> str:
        return CITATION_KINDS[self.kind].summary


def read_citations(items: Any, problem: Problem) -> tuple[CitationProblem, ...]:
    """The errors of content/baseline.yaml's `citations:`, each confirmed from its texts; every problem reported."""
    if items is None:
        return ()
    if not isinstance(items, list):
        problem("`citations:` must be a list, each entry starting with '- kind: ...'", ["citations"], False)
        return ()
    read = [_read_citation(item, ["citations", index], problem) for index, item in enumerate(items)]
    return tuple(problem for problem in read if problem is not None)


def _read_citation(item: Any, where: list, problem: Problem) -> CitationProblem | None:
    kinds = "; ".join(f"{name} ({kind.summary})" for name, kind in CITATION_KINDS.items())
    if not isinstance(item, dict):
        problem(f"each citation error is a mapping: kind, cited, quote, where, and listed or note as its kind needs. "
               f"Kinds: {kinds}", where, False)
        return None
    kind = CITATION_KINDS.get(item["kind"]) if isinstance(item.get("kind"), str) else None
    if kind is None:
        problem(f"unknown kind of citation error '{item.get('kind')}'. Kinds: {kinds}", [*where, "kind"], False)
        return None
    problems = _citation_problems(item, kind)
    for message, at, key in problems:
        problem(message, [*where, *at], key)
    if problems:
        return None
    finding = kind.confirm(item["cited"], item["listed"]) if kind.confirm else None
    return CitationProblem(kind.name, item["cited"].strip(), item["quote"].strip(), item["where"].strip(),
                           (item.get("listed") or "").strip(), (item.get("note") or "").strip(), finding or "")


def _citation_problems(item: dict, kind: CitationKind) -> list[tuple[str, list, bool]]:
    allowed = {"kind", "cited", "quote", "where", "note"} | ({"listed"} if kind.listed else set())
    problems = [(f"a citation error of kind {kind.name} has no setting '{extra}'; it has "
                 f"{', '.join(sorted(allowed))}", [extra], True) for extra in sorted(set(item) - allowed, key=str)]
    for name in ("cited", "quote", "where") + (("listed",) if kind.listed else ()) + (
            ("note",) if kind.needs_note else ()):
        if not isinstance(item.get(name), str) or not item[name].strip():
            problems.append((f"a citation error of kind {kind.name} needs `{name}:` as text, such as "
                             f"{name}: {_EXAMPLES[name]}", [name] if name in item else [], False))
    if "note" in item and not isinstance(item["note"], str):
        problems.append(("`note:` must be text", ["note"], False))
    if problems:
        return problems
    if citation_year(item["cited"]) is None:
        problems.append((f"'{item['cited']}' is not a citation with one year, such as 'Doe et al., 2019'",
                         ["cited"], False))
    elif item["cited"] not in item["quote"]:
        problems.append(("the quotation must contain the citation exactly as `cited:` gives it", ["quote"], False))
    if len(item["quote"].split()) > MAX_QUOTE_WORDS:
        problems.append((f"the quotation has {len(item['quote'].split())} words; quote at most {MAX_QUOTE_WORDS}",
                         ["quote"], False))
    if not problems and kind.confirm is not None and kind.confirm(item["cited"], item["listed"]) is None:
        problems.append((f"the citation and the entry do not show this error ({kind.summary}); check the kind and "
                         f"both texts", ["kind"], False))
    return problems


_EXAMPLES = {"cited": "'Doe et al., 2019'", "quote": "'as shown before (Doe et al., 2019)'",
             "where": "'Findings, Outcomes'", "listed": "'Doe, J., Roe, A., & Poe, B. (2020). Title. Journal.'",
             "note": "'the second author is given as a first name only'"}
