"""`livingreview decisions`: screening decisions exported by Rayyan, Covidence or ASReview, recorded in screening/.

Each row of an export is matched to a record of screening/ (same DOI or PMID, else a near-identical title of the
same year) and its decisions are added to that record: one decision per screener where the tool names them
(Rayyan), else one under the name given with --screener. The tool's exclusion reasons are mapped to the reasons of
content/screening.yaml (by key or label, or as --reason TEXT=KEY says); a reason that maps to none is reported
for the user to map, never dropped. A decision already recorded is not added twice, and one that contradicts a
recorded decision is reported, never overwritten. Nothing is written unless every row can be recorded and the
result passes the checks of `check`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from .candidates import Candidate, Holdings, check_changes, from_draft, record_lines, scalar, search_id, write_changes
from .diagnostics import BuildError, Diagnostic
from .importing.cleaning import person as author_of
from .load import InputRefused, read_input, read_yaml
from .named_tuple import NamedTuple
from .project import Project
from .records import Draft
from .screening import Record, Vocabulary, records_from, vocabulary_from
from .sources import Folder as SourceFolder
from .validate import normalise_title

MAX_EXPORT_BYTES = 64 * 1024 * 1024
FIRST, LAST = "first", "last"  # the first and the last stage of content/screening.yaml


class Vote(NamedTuple):
    """One screener's decision on one record, as the tool gives it."""

    decision: str  # include, exclude or maybe
    screener: str
    stage: str = ""  # FIRST, LAST, or "" for the stage given with --stage
    reasons: tuple[str, ...] = ()  # the tool's own words


@dataclass
class Row:
    where: str  # file:line
    draft: Draft
    pmid: str = ""
    votes: list[Vote] = field(default_factory=list)


class Settings(NamedTuple):
    stage: str
    screener: str
    date: str
    reasons: Mapping[str, str]  # the tool's words, normalised -> a reason key
    no_reason: str
    search: str


# --- reading the exports ---------------------------------------------------------------------------------

def _table(text: str, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a CSV export; column names in lower case; a semicolon-separated file is read as such."""
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
    try:
        header = [column.strip().lower() for column in next(reader)]
    except (StopIteration, csv.Error):
        return
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BuildError([Diagnostic(name, start, 1, f"cannot read the CSV row: {error}")]) from None
        if any(cell.strip() for cell in row):
            yield start, dict(zip(header, (cell.strip() for cell in row), strict=False))


def _draft(where: str, row: Mapping[str, str], authors: list[str], *year_columns: str) -> Draft:
    year = next((row[c] for c in year_columns if row.get(c)), "")
    doi = (row.get("doi") or "").split()
    return Draft(where, title=row.get("title", ""), authors=[a for a in map(author_of, authors) if a], year=year,
                 journal=row.get("journal", ""), doi=doi[0] if doi else "", url=row.get("url", "").split(" ")[0])


_RAYYAN_VOTES = re.compile(r"RAYYAN-INCLUSION:\s*\{(.*?)\}")
_RAYYAN_VOTE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*"((?:[^"\\]|\\.)*)"')
_RAYYAN_REASONS = re.compile(r"RAYYAN-EXCLUSION-REASONS:\s*([^|]*)")
_RAYYAN_DECISIONS = {"included": "include", "excluded": "exclude", "maybe": "maybe"}


def read_rayyan(text: str, name: str, screener: str) -> Iterator[Row]:
    """Rayyan's CSV export: each screener's decision in the notes, as RAYYAN-INCLUSION: {"Name"=>"Included", ...},
    and the record's exclusion reasons as RAYYAN-EXCLUSION-REASONS: a,b."""
    for line, row in _table(text, name):
        notes = row.get("notes", "")
        reasons = _RAYYAN_REASONS.search(notes)
        texts = tuple(r.strip() for r in reasons.group(1).split(",") if r.strip()) if reasons else ()
        votes = []
        for block in _RAYYAN_VOTES.findall(notes):
            for person, said in _RAYYAN_VOTE.findall(block):
                decision = _RAYYAN_DECISIONS.get(said.strip().lower())
                if decision:
                    votes.append(Vote(decision, person.strip() or screener, "",
                                      texts if decision == "exclude" else ()))
        pmid = row.get("pubmed_id", "")
        yield Row(f"{name}:{line}", _draft(f"{name}:{line}", row, re.split(r"\s+and\s+", row.get("authors", "")),
                                           "year"), pmid if pmid.isdigit() else "", votes)


# Covidence exports one list at a time; its name is in the file name (review_123_irrelevant_csv_...) or a column.
_COVIDENCE_LISTS: dict[str, tuple[tuple[str, str], ...]] = {
    "irrelevant": ((FIRST, "exclude"),),
    "excluded": ((FIRST, "include"), (LAST, "exclude")),
    "included": ((FIRST, "include"), (LAST, "include")),
    "fulltext": ((FIRST, "include"),), "full_text": ((FIRST, "include"),), "select": ((FIRST, "include"),),
    "screen": (),
}


def read_covidence(text: str, name: str, screener: str) -> Iterator[Row]:
    """Covidence's CSV export of one list (irrelevant, full text review, excluded, included); the full-text
    exclusion reason in an `Exclusion reason` column if the export has one."""
    named = [key for key in _COVIDENCE_LISTS if re.search(rf"(?<![a-z]){key}(?![a-z])", Path(name).name.lower())]
    for line, row in _table(text, name):
        listed = (row.get("stage") or row.get("status") or (named[0] if named else "")).lower().replace(" ", "_")
        if listed not in _COVIDENCE_LISTS:
            raise BuildError([Diagnostic(name, line, 1, "cannot tell which Covidence list this export holds: name "
                                         "the file as Covidence does (review_..._irrelevant_csv_....csv, excluded, "
                                         "included) or give a Stage column")])
        reason = row.get("exclusion reason") or row.get("reason for exclusion") or ""
        votes = [Vote(decision, screener, stage, (reason,) if reason and decision == "exclude" else ())
                 for stage, decision in _COVIDENCE_LISTS[listed]]
        yield Row(f"{name}:{line}", _draft(f"{name}:{line}", row, row.get("authors", "").split(";"),
                                           "published year", "year"), "", votes)


_ASREVIEW_LABELS = ("included", "label_included", "asreview_label")


def read_asreview(text: str, name: str, screener: str) -> Iterator[Row]:
    """ASReview's CSV export: `included` (or label_included) 1 for relevant, 0 for irrelevant, empty if unseen."""
    for line, row in _table(text, name):
        label = next((row[c] for c in _ASREVIEW_LABELS if c in row), "").strip()
        decision = {"1": "include", "1.0": "include", "0": "exclude", "0.0": "exclude"}.get(label)
        authors = row.get("authors", "")
        names = re.findall(r"'((?:[^'\\]|\\.)*)'", authors) if authors.startswith("[") else authors.split(";")
        yield Row(f"{name}:{line}", _draft(f"{name}:{line}", row, names, "year", "publication_year"), "",
                  [Vote(decision, screener)] if decision else [])


READERS: dict[str, Callable[[str, str, str], Iterator[Row]]] = {
    "rayyan": read_rayyan, "covidence": read_covidence, "asreview": read_asreview}
DEFAULT_SCREENERS = {"rayyan": "Rayyan screener", "covidence": "Covidence (consensus)", "asreview": "ASReview"}


def tool_of(text: str) -> str | None:
    """The tool that wrote an export, told from its columns."""
    header = {c.strip().lower() for c in re.split(r"[;,]", text.split("\n", 1)[0])}
    if "covidence #" in header:
        return "covidence"
    if "RAYYAN-" in text or {"key", "notes"} <= header:
        return "rayyan"
    if header & set(_ASREVIEW_LABELS):
        return "asreview"
    return None


# --- the command ------------------------------------------------------------------------------------------

@dataclass
class Planned:
    """What the export says of the review's records, before anything is written."""

    added: dict[str, list[tuple[str, dict[str, str]]]] = field(default_factory=lambda: defaultdict(list))
    new: list[tuple[Candidate, list[dict[str, str]]]] = field(default_factory=list)
    known: int = 0  # decisions already recorded
    skipped: list[str] = field(default_factory=list)  # rows not recorded, and why (a study already, a repeat)
    undecided: int = 0  # rows with no decision (not yet screened in the tool)
    problems: list[Diagnostic] = field(default_factory=list)


def decisions_command(project: Project, files: Sequence[str], tool: str | None = None, stage: str | None = None,
                      screener: str | None = None, date: str | None = None, reasons: Sequence[str] = (),
                      no_reason: str | None = None, search: str | None = None, out: TextIO | None = None) -> int:
    """Record every decision of the exports; BuildError (and nothing written) if any row cannot be recorded."""
    out = out or sys.stdout
    vocabulary, records = _screening(project)
    settings = _settings(project, vocabulary, stage, date, reasons, no_reason, search)
    holdings = Holdings(project)
    planned = Planned()
    for file in files:
        path = Path(file)
        text, shown = _read(path)
        named = tool or tool_of(text)
        if named is None:
            raise BuildError([Diagnostic(shown, 1, 1, "cannot tell which tool wrote this export; give --tool "
                                                      "rayyan, covidence or asreview")])
        for row in READERS[named](text, shown, screener or DEFAULT_SCREENERS[named]):
            _plan_row(row, named, shown, vocabulary, records, holdings, settings, planned)
    _unmapped(planned, vocabulary)
    if planned.problems:
        raise BuildError(planned.problems)
    replaced = _edited(project, planned, records, vocabulary)
    created = _new_file(project, planned, settings)
    problems = check_changes(project, {**replaced, **created})
    if problems:
        raise BuildError(problems)
    write_changes(project, created, replaced)
    count = sum(len(v) for v in planned.added.values()) + sum(len(v) for _, v in planned.new)
    print(f"decisions: {count} decisions recorded on {len(planned.added)} records"
          f"{f' and {len(planned.new)} new records' if planned.new else ''}; {planned.known} already recorded; "
          f"{planned.undecided} rows without a decision", file=out)
    for where in planned.skipped:
        print(f"  {where}", file=out)
    for name in [*replaced, *created]:
        print(f"wrote {name}", file=out)
    print("next: run `livingreview check`, then read the changes (git diff) before committing them", file=out)
    return 0


def _read(path: Path) -> tuple[str, str]:
    shown = str(path)
    try:
        return read_input(path, MAX_EXPORT_BYTES).decode("utf-8-sig"), shown
    except InputRefused as refusal:
        raise BuildError([Diagnostic(shown, 1, 1, str(refusal))]) from None
    except UnicodeDecodeError:
        raise BuildError([Diagnostic(shown, 1, 1, "not UTF-8: export it again as UTF-8 (Unicode)")]) from None


@dataclass(frozen=True)
class Held:
    record: Record
    file: str  # screening/NAME.yaml
    index: int  # its place in the file's records


def _screening(project: Project) -> tuple[Vocabulary, dict[str, Held]]:
    """The vocabulary and every record of screening/ (which must pass the checks as it is)."""
    content = SourceFolder(project.content, project.display(project.content))
    loaded = content.yaml("screening.yaml")
    problems: list[Diagnostic] = []
    vocabulary = vocabulary_from(loaded, problems) if loaded is not None and loaded.ok else None
    if vocabulary is None:
        raise BuildError(problems or [Diagnostic("content/screening.yaml", 1, 1, "decisions are recorded against "
                                                 "content/screening.yaml: write it first (stages, routes, reasons)")])
    problems = check_changes(project, {})
    if problems:
        raise BuildError(problems)
    records = {}
    for name in SourceFolder(project.root, "").names("screening"):
        for index, record in enumerate(records_from(read_yaml(project.root / name, name), vocabulary, [])):
            records[record.id] = Held(record, name, index)
    return vocabulary, records


def _settings(project: Project, vocabulary: Vocabulary, stage: str | None, date: str | None,
              reasons: Sequence[str], no_reason: str | None, search: str | None) -> Settings:
    problems = []
    stages, keys = [s.key for s in vocabulary.stages], [r.key for r in vocabulary.reasons]
    if stage is not None and stage not in stages:
        problems.append(Diagnostic("--stage", 1, 1, f"'{stage}' is not a stage; stages: {', '.join(stages)}"))
    try:
        datetime.date.fromisoformat(date or "2000-01-01")
    except ValueError:
        problems.append(Diagnostic("--date", 1, 1, f"'{date}' is not a date; write it YYYY-MM-DD"))
    mapping = {}
    for item in reasons:
        text, _, key = item.rpartition("=")
        if not text.strip() or key not in keys:
            problems.append(Diagnostic("--reason", 1, 1, f"'{item}' is not TEXT=KEY with KEY one of the reasons of "
                                                         f"content/screening.yaml: {', '.join(keys)}"))
        mapping[_words(text)] = key
    if no_reason is not None and no_reason not in keys:
        problems.append(Diagnostic("--no-reason", 1, 1, f"'{no_reason}' is not a reason; reasons: {', '.join(keys)}"))
    if search is not None and not (re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", search)
                                   and (project.root / "searches" / f"{search}.yaml").is_file()):
        problems.append(Diagnostic("--search", 1, 1, f"'{search}' is not the id of a search in searches/"))
    if problems:
        raise BuildError(problems)
    for reason in vocabulary.reasons:  # the review's own words map to themselves
        mapping.setdefault(_words(reason.key), reason.key)
        mapping.setdefault(_words(reason.label), reason.key)
    return Settings(stage or stages[0], "", date or datetime.date.today().isoformat(), mapping, no_reason or "",
                    search or "")


def _words(text: str) -> str:
    return normalise_title(text.replace("-", " "))


def _plan_row(row: Row, tool: str, shown: str, vocabulary: Vocabulary, records: Mapping[str, Held],
              holdings: Holdings, settings: Settings, planned: Planned) -> None:
    if not row.votes:
        planned.undecided += 1
        return
    candidate, why = from_draft(row.draft, row.pmid)
    if candidate is None:
        planned.problems.append(_at(row.where, f"a row with {why} cannot be matched to a record; fix it in {tool} "
                                               f"and export again"))
        return
    decisions = [d for vote in row.votes if (d := _decision(vote, tool, shown, row, vocabulary, settings, planned))]
    match = holdings.match(candidate)
    new_ids = {c.id for c, _ in planned.new}
    if match and match[0] in records:
        _add(records[match[0]].record, decisions, row, planned)
    elif match and match[0] in new_ids:
        planned.skipped.append(f"{row.where}: the same record as {match[0]}, listed from an earlier row; not "
                               f"recorded twice")
    elif match:
        planned.skipped.append(f"{row.where}: already the study {match[0]} ({match[1]}); its decisions are not "
                               f"recorded again")
    elif settings.search:
        new = Candidate(holdings.new_id(candidate), *[getattr(candidate, k) for k in (
            "title", "year", "authors", "journal", "doi", "pmid", "url")])
        holdings.add(new)
        planned.new.append((new, decisions))
    else:
        planned.problems.append(_at(row.where, f"“{candidate.title[:60]}” ({candidate.year}) matches no record of "
                                               f"screening/ (by DOI, PMID, or title and year); give --search ID to "
                                               f"list it as a record of that search"))


def _at(where: str, message: str) -> Diagnostic:
    name, _, line = where.rpartition(":")
    return Diagnostic(name, int(line), 1, message)


def _decision(vote: Vote, tool: str, shown: str, row: Row, vocabulary: Vocabulary, settings: Settings,
              planned: Planned) -> dict[str, str] | None:
    stages = [s.key for s in vocabulary.stages]
    stage = {FIRST: stages[0], LAST: stages[-1]}.get(vote.stage, settings.stage)
    decision = {"stage": stage, "decision": vote.decision, "screener": vote.screener, "date": settings.date}
    note = f"From the {tool.capitalize()} export {Path(shown).name}"
    if vote.decision == "exclude":
        mapped = [settings.reasons.get(_words(text)) for text in vote.reasons]
        for text, key in zip(vote.reasons, mapped, strict=True):
            if key is None:
                planned.problems.append(_at(row.where, f"{tool.capitalize()}'s exclusion reason '{text}' is no "
                                        f"reason of content/screening.yaml; map it with --reason '{text}=KEY' "
                                        f"(reasons: {', '.join(r.key for r in vocabulary.reasons)})"))
        order = [r.key for r in vocabulary.reasons]
        known = sorted({k for k in mapped if k}, key=order.index)
        if vote.reasons and None in mapped:
            return None
        if not known and not settings.no_reason:
            planned.problems.append(_at(row.where, f"{vote.screener} excluded this record without a reason; give "
                                                   f"--no-reason KEY (reasons: {', '.join(order)})"))
            return None
        decision["reason"] = known[0] if known else settings.no_reason
        if vote.reasons:
            note += f"; its reasons: {', '.join(vote.reasons)}"
    decision["note"] = note
    return decision


def _add(record: Record, decisions: list[dict[str, str]], row: Row, planned: Planned) -> None:
    for decision in decisions:
        recorded = [(d.stage, d.screener, d.decision, d.reason) for d in record.decisions] + [
            (d["stage"], d["screener"], d["decision"], d.get("reason", "")) for _, d in planned.added[record.id]]
        same = [r for r in recorded if r[:2] == (decision["stage"], decision["screener"])]
        if not same:
            planned.added[record.id].append((row.where, decision))
        elif same[0][2:] == (decision["decision"], decision.get("reason", "")):
            planned.known += 1
        else:
            planned.problems.append(_at(row.where, f"{decision['screener']}'s decision on record {record.id} at "
                                                   f"{decision['stage']} is recorded as {same[0][2]}, but the "
                                                   f"export says {decision['decision']}; correct one of them by hand"))


def _unmapped(planned: Planned, vocabulary: Vocabulary) -> None:
    """One problem per unmapped reason is enough on a long export: keep the first row of each."""
    seen, kept = set(), []
    for problem in planned.problems:
        key = problem.message if "--reason" in problem.message or "--no-reason" in problem.message else problem
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    planned.problems = kept


# --- writing the decisions into the screening files ------------------------------------------------------

def decision_text(decision: Mapping[str, str]) -> str:
    parts = [f"{key}: {decision[key] if key in ('stage', 'decision', 'reason', 'date') else scalar(decision[key])}"
             for key in ("stage", "decision", "reason", "screener", "date", "note") if key in decision]
    return "{" + ", ".join(parts) + "}"


def _edited(project: Project, planned: Planned, records: Mapping[str, Held], vocabulary: Vocabulary
            ) -> dict[str, str]:
    by_file: dict[str, list[tuple[int, list[dict[str, str]]]]] = defaultdict(list)
    for record_id, added in planned.added.items():
        held = records[record_id]
        by_file[held.file].append((held.index, [decision for _, decision in added]))
    edited = {}
    for name, additions in by_file.items():
        text = read_input(project.root / name).decode("utf-8-sig")
        new = insert_decisions(text, dict(additions))
        _verify(name, new, dict(additions), records, vocabulary)
        edited[name] = new
    return edited


def insert_decisions(text: str, additions: Mapping[int, list[dict[str, str]]]) -> str:
    """The screening file's text with decisions added to the records at the given places, and nothing else
    changed (comments and layout kept): each insertion is placed by the node tree of the file as it is."""
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text if text.endswith("\n") else text + newline
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):  # not a screening file: it passed the checks, so never here
        return text
    items = next(value for key, value in root.value if key.value == "records").value
    inserts = []
    for index, decisions in additions.items():
        item = items[index]
        found = [value for key, value in item.value if key.value == "decisions"]
        flow = [decision_text(d) for d in decisions]
        if found and found[0].flow_style:  # decisions: [...]: add before the closing bracket
            inserts.append((found[0].end_mark.index - 1, (", " if found[0].value else "") + ", ".join(flow)))
        elif found:
            column = found[0].start_mark.column
            inserts.append((_after(text, found[0].value[-1]), "".join(f"{' ' * column}- {f}{newline}" for f in flow)))
        elif item.flow_style:  # - {id: ..., title: ...}: add the key before the closing brace
            inserts.append((item.end_mark.index - 1, f", decisions: [{', '.join(flow)}]"))
        else:
            column = item.start_mark.column
            lines = [f"{' ' * column}decisions:", *(f"{' ' * (column + 2)}- {f}" for f in flow)]
            inserts.append((_after(text, item), "".join(line + newline for line in lines)))
    for offset, addition in sorted(inserts, reverse=True):
        text = text[:offset] + addition + text[offset:]
    return text


def _after(text: str, node: Any) -> int:
    """Where the line after a node's last line of content starts (comments and blank lines after it stay after).

    A block collection ends where the next token starts, so its last content is found in its last child."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    end = node.end_mark
    if end.column > 0:  # a plain or quoted scalar, or a flow collection: it ends within its line
        following = text.find("\n", end.index)
        return len(text) if following < 0 else following + 1
    lines = text[: end.index].split("\n")[:-1]  # a block scalar ends at the start of the line after it
    position = end.index
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")) and len(lines) > node.start_mark.line:
        position -= len(lines.pop()) + 1
    return position


def _verify(name: str, text: str, additions: Mapping[int, list[dict[str, str]]], records: Mapping[str, Held],
            vocabulary: Vocabulary) -> None:
    """The edited file holds the records it held, each with the decisions meant (a guard on the insertion)."""
    from .load import parse_yaml_text

    problems: list[Diagnostic] = []
    read = records_from(parse_yaml_text(text, name), vocabulary, problems)
    before = {held.index: held.record for held in records.values() if held.file == name}
    wrong = len(read) != len(before) or any(
        record.id != before[index].id or len(record.decisions) != len(before[index].decisions)
        + len(additions.get(index, [])) for index, record in enumerate(read))
    if problems or wrong:
        raise BuildError([Diagnostic(name, 1, 1, "could not add the decisions to this file without changing its "
                                                 "layout; add them by hand (or write the file in the usual layout)")])


def _new_file(project: Project, planned: Planned, settings: Settings) -> dict[str, str]:
    """Records the export holds but screening/ does not, as a new file of the search named with --search."""
    if not planned.new:
        return {}
    name = search_id(project, settings.date, "decisions")
    lines = [f"# Records of search {settings.search} first listed by `livingreview decisions`, with their decisions",
             f"search: {settings.search}", "records:"]
    for candidate, decisions in planned.new:
        lines += record_lines(candidate)
        if decisions:
            lines += ["    decisions:", *(f"      - {decision_text(d)}" for d in decisions)]
    return {f"screening/{name}.yaml": "\n".join(lines) + "\n"}
