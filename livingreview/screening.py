"""Searches and screening as data: each search run in `searches/`, each candidate record and the decisions on
it in `screening/`, against the stages, routes and exclusion reasons that `content/screening.yaml` declares.

From these the update's PRISMA arm is counted (records found by route, duplicates, screened, excluded with
reasons, full texts assessed, new studies included), and the agreement of screeners who screened the same
records is computed as it is for coders.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .agreement import Kappa, cohen_kappa
from .diagnostics import Diagnostic
from .load import LoadedFile
from .named_tuple import NamedTuple
from .schema import DOI_PATTERN, URL_PATTERN
from .sources import Sources

DECISIONS = ("include", "exclude", "maybe")
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class Term(NamedTuple):
    """One word of the screening vocabulary (a stage, a route or a reason): its key, label and definition."""

    key: str
    label: str
    definition: str = ""


class Vocabulary(NamedTuple):
    """content/screening.yaml: the stages of screening, in order, the routes of searches, the reasons."""

    stages: tuple[Term, ...]
    routes: tuple[Term, ...]
    reasons: tuple[Term, ...]

    def label(self, terms: Sequence[Term], key: str) -> str:
        return next((t.label for t in terms if t.key == key), key)


class Search(NamedTuple):
    """One search that was run: where, when, with which query and limits, and how many records it found."""

    id: str
    date: str
    route: str
    source: str
    query: str
    limits: str
    found: int
    notes: str = ""
    url: str = ""  # the request that ran the search, when a bibliographic API ran it


class Decision(NamedTuple):
    """One screening decision on a record: at which stage, by whom, when, and why."""

    stage: str
    decision: str
    screener: str
    date: str
    reason: str = ""
    note: str = ""


class Record(NamedTuple):
    """One record a search found, and the decisions taken on it."""

    id: str
    search: str
    title: str
    year: int
    authors: str = ""
    journal: str = ""
    doi: str = ""
    url: str = ""
    duplicate_of: str = ""
    decisions: tuple[Decision, ...] = ()
    study: str = ""
    pmid: str = ""

    def final(self, stage: str) -> str | None:
        """The decision at a stage: the first screener's (the one listed first), or None if not screened."""
        decided = [d for d in self.decisions if d.stage == stage]
        return decided[0].decision if decided else None

    def reason(self, stage: str) -> str:
        decided = [d for d in self.decisions if d.stage == stage]
        return decided[0].reason if decided else ""


class Screening(NamedTuple):
    """The screening files, validated: their vocabulary, the searches run and the records screened."""

    vocabulary: Vocabulary
    searches: tuple[Search, ...]
    records: tuple[Record, ...]

    @property
    def last_search(self) -> str:
        return max((s.date for s in self.searches), default="")


class Arm(NamedTuple):
    """The counts of one update's arm of a PRISMA 2020 flow diagram."""

    found: tuple[tuple[str, int], ...]  # route label, records found
    not_listed: int  # found by the searches, but no candidate (not an article, plainly off topic): not listed
    identified: int  # the candidate records listed in screening/
    duplicates: int
    screened: int
    excluded_screening: tuple[tuple[str, int], ...]  # reason label, records
    assessed: int
    excluded_full_text: tuple[tuple[str, int], ...]
    included: int
    undecided: int  # screened records not yet decided at the first stage (no decision, or maybe, and no later one)
    awaiting: int = 0  # full texts assessed but not yet decided (maybe): awaiting classification
    agreement: tuple[tuple[str, Kappa, int, int], ...] = ()  # stage label, kappa, n, same


def vocabulary_from(loaded: LoadedFile, problems: list[Diagnostic]) -> Vocabulary | None:
    data = loaded.data
    if not isinstance(data, dict):
        return None
    terms: dict[str, tuple[Term, ...]] = {}
    for name in ("stages", "routes", "reasons"):
        items = data.get(name)
        if not isinstance(items, list) or not items:
            _problem(loaded, f"screening.yaml needs a list `{name}:` of entries with key and label", [name], problems)
            continue
        found = []
        for index, item in enumerate(items):
            if not (isinstance(item, dict) and isinstance(item.get("key"), str) and _ID.fullmatch(item["key"])
                    and isinstance(item.get("label"), str)):
                _problem(loaded, f"each of `{name}:` needs a key (a slug) and a label", [name, index], problems)
                continue
            found.append(Term(item["key"], item["label"], str(item.get("definition", ""))))
        terms[name] = tuple(found)
    for extra in sorted(set(data) - {"stages", "routes", "reasons"}, key=str):
        _problem(loaded, f"unknown setting '{extra}'; screening.yaml holds stages, routes and reasons", [extra],
                 problems, key=True)
    if len(terms) < 3:
        return None
    return Vocabulary(terms["stages"], terms["routes"], terms["reasons"])


def search_from(loaded: LoadedFile, vocabulary: Vocabulary, problems: list[Diagnostic]) -> Search | None:
    data = loaded.data
    if not isinstance(data, dict):
        _problem(loaded, "a search file is a mapping: id, date, route, source, query, limits, found", [], problems)
        return None
    before = len(problems)
    required = ("id", "date", "route", "source", "query", "limits", "found")
    for key in required:
        if key not in data:
            _problem(loaded, f"missing '{key}'; a search records {', '.join(required)}", [], problems)
    for extra in sorted(set(data) - {*required, "notes", "url"}, key=str):
        _problem(loaded, f"unknown key '{extra}'; a search records {', '.join(required)}, notes and url", [extra],
                 problems, key=True)
    if len(problems) > before:
        return None
    stem = loaded.path.stem
    if data["id"] != stem:
        _problem(loaded, f"id '{data['id']}' differs from the file name; write id: {stem}", ["id"], problems)
    _date(loaded, data["date"], ["date"], problems)
    routes = [r.key for r in vocabulary.routes]
    if data["route"] not in routes:
        _problem(loaded, f"'{data['route']}' is not a route of content/screening.yaml; routes: {', '.join(routes)}",
                 ["route"], problems)
    if not isinstance(data["found"], int) or isinstance(data["found"], bool) or data["found"] < 0:
        _problem(loaded, "found must be a whole number: how many records the search gave", ["found"], problems)
    for key in ("source", "query", "limits", "notes"):
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            _problem(loaded, f"{key} must be text", [key], problems)
    if "url" in data and not (isinstance(data["url"], str) and re.search(URL_PATTERN, data["url"])):
        _problem(loaded, "url is the http(s) address of the request that ran the search", ["url"], problems)
    if len(problems) > before:
        return None
    return Search(data["id"], str(data["date"]), data["route"], data["source"], data["query"], data["limits"],
                  data["found"], data.get("notes", ""), data.get("url", ""))


def records_from(loaded: LoadedFile, vocabulary: Vocabulary, problems: list[Diagnostic]) -> list[Record]:
    data = loaded.data
    if not (isinstance(data, dict) and isinstance(data.get("records"), list) and isinstance(data.get("search"), str)):
        _problem(loaded, "a screening file is a mapping: search: ID (of a file in searches/), records: [...]", [],
                 problems)
        return []
    records = []
    for index, item in enumerate(data["records"]):
        record = _record(loaded, item, ["records", index], data["search"], vocabulary, problems)
        if record is not None:
            records.append(record)
    return records


def _record(loaded: LoadedFile, item: Any, where: list[Any], search: str, vocabulary: Vocabulary,
            problems: list[Diagnostic]) -> Record | None:
    allowed = {"id", "title", "authors", "year", "journal", "doi", "pmid", "url", "duplicate_of", "decisions", "study"}
    if not isinstance(item, dict):
        _problem(loaded, "each record is a mapping: id, title, year, ...", where, problems)
        return None
    before = len(problems)
    for key in ("id", "title", "year"):
        if key not in item:
            _problem(loaded, f"a record needs '{key}'", where, problems)
    for extra in sorted(set(item) - allowed, key=str):
        _problem(loaded, f"unknown key '{extra}' in a record; allowed: {', '.join(sorted(allowed))}", [*where, extra],
                 problems, key=True)
    if len(problems) > before:
        return None
    if not (isinstance(item["id"], str) and _ID.fullmatch(item["id"])):
        _problem(loaded, "a record's id is a lower-case slug, such as smith-2023", [*where, "id"], problems)
    if not isinstance(item["year"], int) or isinstance(item["year"], bool):
        _problem(loaded, "year must be a whole number", [*where, "year"], problems)
    for key, pattern in (("doi", DOI_PATTERN), ("url", URL_PATTERN)):
        if key in item and not (isinstance(item[key], str) and re.search(pattern, item[key])):
            _problem(loaded, f"'{item[key]}' is not a {'DOI (10.xxxx/...)' if key == 'doi' else 'http(s) address'}",
                     [*where, key], problems)
    for key in ("title", "authors", "journal", "duplicate_of", "study"):
        if key in item and not (isinstance(item[key], str) and item[key].strip()):
            _problem(loaded, f"{key} must be text", [*where, key], problems)
    if "pmid" in item and not (isinstance(item["pmid"], str) and re.fullmatch(r"[1-9][0-9]{0,9}", item["pmid"])):
        _problem(loaded, "a PMID is the PubMed id in quotes, digits only, such as \"35912345\"", [*where, "pmid"],
                 problems)
    decisions = _decisions(loaded, item.get("decisions", []), [*where, "decisions"], vocabulary, problems)
    if item.get("duplicate_of") and decisions:
        _problem(loaded, "a duplicate is not screened again: leave out its decisions", [*where, "decisions"], problems)
    last = [d for d in decisions if d.stage == vocabulary.stages[-1].key]
    if "study" in item and not (last and last[0].decision == "include"):  # the first screener's decision counts
        _problem(loaded, f"`study:` names the study file of a record included at the last stage "
                         f"({vocabulary.stages[-1].label.lower()}) only", [*where, "study"], problems)
    if len(problems) > before:
        return None
    return Record(item["id"], search, item["title"], item["year"], item.get("authors", ""), item.get("journal", ""),
                  item.get("doi", ""), item.get("url", ""), item.get("duplicate_of", ""), tuple(decisions),
                  item.get("study", ""), item.get("pmid", ""))


def _decisions(loaded: LoadedFile, items: Any, where: list[Any], vocabulary: Vocabulary,
               problems: list[Diagnostic]) -> list[Decision]:
    if not isinstance(items, list):
        _problem(loaded, "decisions is a list of {stage, decision, screener, date, reason}", where, problems)
        return []
    stages, reasons = [s.key for s in vocabulary.stages], [r.key for r in vocabulary.reasons]
    decisions = []
    for index, item in enumerate(items):
        at = [*where, index]
        if not (isinstance(item, dict) and {"stage", "decision", "screener", "date"} <= set(item)):
            _problem(loaded, "a decision needs stage, decision, screener and date (and a reason to exclude)", at,
                     problems)
            continue
        before = len(problems)
        if item["stage"] not in stages:
            _problem(loaded, f"'{item['stage']}' is not a stage; stages: {', '.join(stages)}", [*at, "stage"], problems)
        if item["decision"] not in DECISIONS:
            _problem(loaded, f"decision must be one of {', '.join(DECISIONS)}", [*at, "decision"], problems)
        if item["decision"] == "exclude" and item.get("reason") not in reasons:
            _problem(loaded, f"an exclusion needs a reason of content/screening.yaml: {', '.join(reasons)}",
                     [*at, "reason"] if "reason" in item else at, problems)
        if item["decision"] != "exclude" and "reason" in item:
            _problem(loaded, "only an exclusion has a reason", [*at, "reason"], problems)
        _date(loaded, item["date"], [*at, "date"], problems)
        if "note" in item and not (isinstance(item["note"], str) and item["note"].strip()):
            _problem(loaded, "a decision's note must be text", [*at, "note"], problems)
        for extra in sorted(set(item) - {"stage", "decision", "screener", "date", "reason", "note"}, key=str):
            _problem(loaded, f"unknown key '{extra}' in a decision", [*at, extra], problems, key=True)
        if len(problems) == before:
            decisions.append(Decision(item["stage"], item["decision"], str(item["screener"]), str(item["date"]),
                                      item.get("reason", ""), item.get("note", "")))
    return decisions


def _date(loaded: LoadedFile, value: Any, where: list[Any], problems: list[Diagnostic]) -> None:
    try:
        datetime.date.fromisoformat(str(value))
    except ValueError:
        _problem(loaded, f"'{value}' is not a date; write it YYYY-MM-DD", where, problems)


def check_across(screening: Screening, study_ids: set[str], shown: dict[str, str]) -> list[Diagnostic]:
    """What no single file can say: unknown searches, duplicate ids, duplicates of nothing, missing studies,
    and a later stage decided for a record excluded earlier."""
    problems = []
    searches = {s.id for s in screening.searches}
    listed = Counter(r.search for r in screening.records)
    for search in screening.searches:
        if listed[search.id] > search.found:
            problems.append(Diagnostic(shown.get(search.id, "searches"), 1, 1,
                                       f"search {search.id} lists {listed[search.id]} records but says it found "
                                       f"{search.found}; correct `found:` in searches/{search.id}.yaml"))
    seen: set[str] = set()
    stages = [s.key for s in screening.vocabulary.stages]
    for record in screening.records:
        where = shown.get(record.search, "screening")
        if record.search not in searches:
            problems.append(Diagnostic(where, 1, 1, f"search '{record.search}' has no file in searches/"))
        if record.id in seen:
            problems.append(Diagnostic(where, 1, 1, f"record id '{record.id}' is used twice; give each record its own"))
        if record.duplicate_of and record.duplicate_of not in seen and record.duplicate_of not in study_ids:
            problems.append(Diagnostic(where, 1, 1, f"record {record.id} is a duplicate of '{record.duplicate_of}', "
                                                    f"which is no earlier record and no study"))
        if record.study and record.study not in study_ids:
            problems.append(Diagnostic(where, 1, 1, f"record {record.id} is included as study '{record.study}', but "
                                                    f"studies/{record.study}.yaml does not exist; write it with "
                                                    f"livingreview include {record.id}"))
        decided = [stage for stage in stages if record.final(stage)]
        for earlier, later in zip(decided, decided[1:], strict=False):
            if record.final(earlier) == "exclude":
                problems.append(Diagnostic(where, 1, 1, f"record {record.id} was excluded at {earlier} but has a "
                                                        f"decision at {later}"))
        seen.add(record.id)
    return problems


def search_ids(screening: Screening | None) -> frozenset[str]:
    return frozenset(s.id for s in screening.searches) if screening else frozenset()


def since(screening: Screening, previous: frozenset[str] | None) -> Screening | None:
    """The searches run since the version before (all of them if there is none) and their records, as the flow
    diagram of an updated review counts them; None if no search is new (the diagram then has no update)."""
    if previous is None:
        return screening
    searches = tuple(s for s in screening.searches if s.id not in previous)
    ids = {s.id for s in searches}
    return Screening(screening.vocabulary, searches, tuple(r for r in screening.records if r.search in ids)) \
        if searches else None


def arm(screening: Screening) -> Arm:
    """The update's PRISMA arm, counted from the searches and the records' first-listed decisions."""
    vocabulary = screening.vocabulary
    found: Counter[str] = Counter()
    for search in screening.searches:
        found[search.route] += search.found
    unique = [r for r in screening.records if not r.duplicate_of]
    reasons = vocabulary.reasons
    first, last = vocabulary.stages[0].key, vocabulary.stages[-1].key
    excluded_first = Counter(r.reason(first) for r in unique if r.final(first) == "exclude")
    assessed = [r for r in unique if r.final(last) is not None]
    excluded_last = Counter(r.reason(last) for r in assessed if r.final(last) == "exclude")
    included = sum(r.final(last) == "include" for r in assessed)
    undecided = sum(1 for r in unique if r.final(first) is None or r.final(first) == "maybe" and r.final(last) is None)
    awaiting = sum(r.final(last) == "maybe" for r in assessed)
    return Arm(
        found=tuple((vocabulary.label(vocabulary.routes, route), n) for route, n in sorted(found.items())),
        not_listed=sum(found.values()) - len(screening.records), identified=len(screening.records),
        duplicates=len(screening.records) - len(unique), screened=len(unique),
        excluded_screening=tuple((vocabulary.label(reasons, k), n) for k, n in sorted(excluded_first.items())),
        assessed=len(assessed),
        excluded_full_text=tuple((vocabulary.label(reasons, k), n) for k, n in sorted(excluded_last.items())),
        included=included, undecided=undecided, awaiting=awaiting, agreement=_agreement(screening))


def _agreement(screening: Screening) -> tuple[tuple[str, Kappa, int, int], ...]:
    """Per stage: the records two screeners decided, their agreement and Cohen's kappa."""
    found = []
    for stage in screening.vocabulary.stages:
        pairs = []
        for record in screening.records:
            decided = [d.decision for d in record.decisions if d.stage == stage.key]
            if len(decided) >= 2:
                pairs.append((decided[0], decided[1]))
        if pairs:
            found.append((stage.label, cohen_kappa(pairs), len(pairs), sum(a == b for a, b in pairs)))
    return tuple(found)


def _problem(loaded: LoadedFile, message: str, where: list[Any], problems: list[Diagnostic], key: bool = False) -> None:
    before = len(loaded.diagnostics)
    loaded.error(message, where, key=key)
    problems.extend(loaded.diagnostics[before:])
    del loaded.diagnostics[before:]




def load_screening(content: Sources, data: Sources, study_ids: set[str]) -> tuple[Screening | None, list[Diagnostic]]:
    """The searches and screening records of a review (None if it keeps none), and every problem found."""
    return read_screening(content, data).checked(study_ids)


class ScreeningRead(NamedTuple):
    """A review's searches and screening records as their files say, not yet checked against its studies."""

    screening: Screening | None
    problems: list[Diagnostic]
    shown: dict[str, str]  # the file of each search's records, by search

    def checked(self, study_ids: set[str]) -> tuple[Screening | None, list[Diagnostic]]:
        """The screening (None if it has a problem) and every problem, those across files and studies too."""
        if self.screening is None:
            return None, self.problems
        problems = self.problems + check_across(self.screening, study_ids, self.shown)
        return (None if problems else self.screening), problems


def read_screening(content: Sources, data: Sources) -> ScreeningRead:
    """The searches and screening records of a review, each file checked on its own."""
    problems: list[Diagnostic] = []
    vocabulary_file = content.yaml("screening.yaml")
    search_names, record_names = data.names("searches"), data.names("screening")
    if vocabulary_file is None:
        if search_names or record_names:
            problems.append(Diagnostic(content.shown("screening.yaml"), 1, 1, "searches/ and screening/ need "
                                       "content/screening.yaml: the stages, routes and exclusion reasons"))
        return ScreeningRead(None, problems, {})
    problems.extend(vocabulary_file.diagnostics)
    vocabulary = vocabulary_from(vocabulary_file, problems) if vocabulary_file.ok else None
    if vocabulary is None:
        return ScreeningRead(None, problems, {})
    searches, records, shown = [], [], {}
    for name in search_names:
        loaded = data.yaml(name)
        if loaded is not None:
            problems.extend(loaded.diagnostics)
            search = search_from(loaded, vocabulary, problems) if loaded.ok else None
            if search is not None:
                searches.append(search)
    for name in record_names:
        loaded = data.yaml(name)
        if loaded is not None:
            problems.extend(loaded.diagnostics)
            found = records_from(loaded, vocabulary, problems) if loaded.ok else []
            records.extend(found)
            if found:
                shown[found[0].search] = data.shown(name)
    screening = Screening(vocabulary, tuple(sorted(searches, key=lambda s: (s.date, s.id))), tuple(records))
    return ScreeningRead(screening, problems, shown)
