"""`livingreview search`: run a review's searches against a bibliographic database and record what they found.

A search to run is a YAML file with a `query:` and a `source:` naming a database (or `--source`): one of the
review's recorded searches, to run it again, or a new one. Each run is recorded as a new search file (the
date, the exact query, the request, the number of hits) and the records it found as a screening file, each
record that the review already holds (a screening record or a study: same DOI or PMID, else a near-identical
title of the same year) marked `duplicate_of` it. Every database is asked first and every file is checked as
`check` would check it; only then is anything written, so a failure (offline, say) leaves the review as it was.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from . import __version__
from .candidates import (
    Candidate,
    Holdings,
    check_changes,
    from_draft,
    scalar,
    screening_texts,
    search_id,
    write_changes,
)
from .databases import DATABASES, PAGE, Database, Fetch, Hits, Options, SearchFailed, database_named, http_fetch
from .diagnostics import BuildError, Diagnostic
from .load import LoadedFile, read_yaml
from .named_tuple import NamedTuple
from .project import Project
from .schema import URL_PATTERN
from .screening import Vocabulary, vocabulary_from

PLAN_KEYS = ("id", "date", "route", "source", "query", "limits", "found", "notes", "url", "since")
ENVIRONMENT_KEYS = {"openalex": "OPENALEX_API_KEY", "pubmed": "NCBI_API_KEY"}


class Plan(NamedTuple):
    """One search to run: where it was declared, the database, the query, the route and the date limit."""

    where: str
    database: Database
    query: str
    route: str
    since: str = ""


@dataclass
class Run:
    plan: Plan
    hits: Hits
    id: str = ""
    listed: list[Candidate] = field(default_factory=list)
    unlisted: dict[str, int] = field(default_factory=dict)  # why a record was not listed -> how many


def search_command(project: Project, files: Sequence[str], source: str | None = None, since: str | None = None,
                   cap: int = 1000, date: str | None = None, fetch: Fetch | None = None,
                   environ: Mapping[str, str] = os.environ, page: int = PAGE, out: TextIO | None = None,
                   err: TextIO | None = None) -> int:
    """Run each search, then write its search and screening files; 1 (and nothing written) if any fails."""
    out, err = out or sys.stdout, err or sys.stderr
    vocabulary = _vocabulary(project)
    plans = _plans(project, [Path(f) for f in files], vocabulary, source, since)
    today = date or datetime.date.today().isoformat()
    contact = _contact(project, environ)
    options = Options(cap=cap, contact=contact, page=page,
                      keys={key: environ[name] for key, name in ENVIRONMENT_KEYS.items() if environ.get(name)})
    fetch = fetch or http_fetch(_agent(project, contact))
    runs = []
    for plan in plans:
        try:
            runs.append(Run(plan, plan.database.run(plan.query, _with_since(options, plan.since), fetch)))
        except SearchFailed as failure:
            said = str(failure).rstrip(".")
            print(f"search: {plan.where}: {plan.database.label}: {said}{' ' if said.endswith('?') else '. '}"
                  f"Nothing was written.", file=err)
            return 1
    created = _files(project, runs, today)
    problems = check_changes(project, created)
    if problems:
        raise BuildError(problems)
    write_changes(project, created)
    for run in runs:
        _report(run, created, out)
    print("next: screen the new records (add their decisions, or screen them in Rayyan, Covidence or ASReview and "
          "run `livingreview decisions EXPORT`), then run `livingreview check`", file=out)
    return 0


def _with_since(options: Options, since: str) -> Options:
    return dataclasses.replace(options, since=since)


def _vocabulary(project: Project) -> Vocabulary:
    path = project.content / "screening.yaml"
    loaded = read_yaml(path, project.display(path))
    if not path.exists():
        raise BuildError([Diagnostic(loaded.display, 1, 1, "a search records its results for screening: write "
                                     "content/screening.yaml first (the stages, routes and exclusion reasons)")])
    problems = list(loaded.diagnostics)
    vocabulary = vocabulary_from(loaded, problems) if loaded.ok else None
    if vocabulary is None or problems:
        raise BuildError(problems)
    return vocabulary


def _plans(project: Project, paths: Sequence[Path], vocabulary: Vocabulary, source: str | None,
           since: str | None) -> list[Plan]:
    problems: list[Diagnostic] = []
    if since is not None and not _is_date(since):
        problems.append(Diagnostic("--since", 1, 1, f"'{since}' is not a date; write it YYYY-MM-DD, e.g. 2024-01-01"))
    plans = [plan for path in paths if (plan := _plan(project, path, vocabulary, source, since, problems))]
    if problems:
        raise BuildError(problems)
    return plans


def _plan(project: Project, path: Path, vocabulary: Vocabulary, source: str | None, since: str | None,
          problems: list[Diagnostic]) -> Plan | None:
    loaded = read_yaml(path, project.display(path.resolve()))
    before = len(problems)
    problems.extend(loaded.diagnostics)
    data = loaded.data
    if not loaded.ok:
        return None
    if not isinstance(data, dict):
        problems.append(Diagnostic(loaded.display, 1, 1, "a search to run is a mapping with at least `query:` "
                                                         "and `source:` (openalex, pubmed or crossref)"))
        return None
    for extra in sorted(set(data) - set(PLAN_KEYS), key=str):
        _problem(loaded, f"unknown key '{extra}'; a search to run may hold {', '.join(PLAN_KEYS)}", [extra],
                 problems, key=True)
    query = data.get("query")
    if not (isinstance(query, str) and query.strip()):
        _problem(loaded, "`query:` is the search to run, as text, e.g. query: \"peer support AND mental health\"",
                 ["query"] if "query" in data else [], problems)
    database = database_named(source) if source else (
        database_named(data["source"]) if isinstance(data.get("source"), str) else None)
    if database is None:
        named = source or data.get("source")
        what = f"'{named}' is not a database to search" if named else "no database to search"
        _problem(loaded, f"{what}; give --source or `source:` as one of {', '.join(DATABASES)}",
                 ["source"] if "source" in data and not source else [], problems)
    route = _route(loaded, data, vocabulary, problems)
    limit = since if since is not None else data.get("since", "")
    if limit and not _is_date(limit):
        _problem(loaded, f"since: '{limit}' is not a date; write it YYYY-MM-DD", ["since"], problems)
    if len(problems) > before or database is None or route is None:
        return None
    return Plan(loaded.display, database, " ".join(str(query).split()), route, str(limit))


def _route(loaded: LoadedFile, data: dict, vocabulary: Vocabulary, problems: list[Diagnostic]) -> str | None:
    routes = [r.key for r in vocabulary.routes]
    if "route" in data:
        if data["route"] in routes:
            return str(data["route"])
        _problem(loaded, f"'{data['route']}' is not a route of content/screening.yaml; routes: {', '.join(routes)}",
                 ["route"], problems)
        return None
    if "database" in routes:
        return "database"
    _problem(loaded, f"give `route:`, the route of content/screening.yaml a database search takes: "
                     f"{', '.join(routes)}", [], problems)
    return None


def _problem(loaded: LoadedFile, message: str, where: list, problems: list[Diagnostic], key: bool = False) -> None:
    before = len(loaded.diagnostics)
    loaded.error(message, where, key=key)
    problems.extend(loaded.diagnostics[before:])
    del loaded.diagnostics[before:]


def _is_date(value: object) -> bool:
    try:
        datetime.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _contact(project: Project, environ: Mapping[str, str]) -> str:
    """The e-mail address for the APIs' polite pools: content/site.yaml's `contact`, else LIVINGREVIEW_MAILTO."""
    data = read_yaml(project.content / "site.yaml").data
    contact = data.get("contact") if isinstance(data, dict) else None
    if isinstance(contact, str) and re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+", contact):
        return contact
    return environ.get("LIVINGREVIEW_MAILTO", "")


def _agent(project: Project, contact: str) -> str:
    data = read_yaml(project.content / "site.yaml").data
    repository = data.get("repository") if isinstance(data, dict) else None
    reach = [p for p in (repository if isinstance(repository, str) else "", f"mailto:{contact}" if contact else "")
             if p]
    return f"livingreview/{__version__}" + (f" ({'; '.join(reach)})" if reach else "")


# --- the records found, and the files that record them ------------------------------------------------------

def _files(project: Project, runs: list[Run], today: str) -> dict[str, str]:
    """The new search and screening files of every run, by name under the review's root."""
    holdings = Holdings(project)
    created: dict[str, str] = {}
    taken: set[str] = set()
    for run in runs:
        run.id = search_id(project, today, run.plan.database.key, taken)
        taken.add(run.id)
        _list(run, holdings)
        created[f"searches/{run.id}.yaml"] = _search_text(run, today)
        if run.listed:
            header = (f"Records found by search {run.id} ({run.plan.database.label}), written by `livingreview "
                      f"search`; add each record's decisions")
            texts = screening_texts(run.id, run.listed, header)
            for index, text in enumerate(texts):
                created[f"screening/{run.id}{f'-{index + 1:02d}' if len(texts) > 1 else ''}.yaml"] = text
    return created


def _list(run: Run, holdings: Holdings) -> None:
    for draft, pmid in run.hits.found[: run.hits.count]:
        candidate, why = from_draft(draft, pmid)
        if candidate is None:
            run.unlisted[why] = run.unlisted.get(why, 0) + 1
            continue
        match = holdings.match(candidate)
        candidate = Candidate(holdings.new_id(candidate), candidate.title, candidate.year, candidate.authors,
                              candidate.journal, candidate.doi, candidate.pmid, candidate.url,
                              match[0] if match else "")
        holdings.add(candidate)
        run.listed.append(candidate)


def _search_text(run: Run, today: str) -> str:
    plan, database = run.plan, run.plan.database
    duplicates = sum(1 for c in run.listed if c.duplicate_of)
    fetched = min(len(run.hits.found), run.hits.count)
    notes = [f"{database.label} counted {run.hits.count} records and gave {fetched}; {len(run.listed)} listed as "
             f"candidate records in screening/, {duplicates} of them duplicates of records or studies the review "
             f"held"]
    if run.unlisted:
        notes.append("not listed: " + ", ".join(f"{n} with {why}" for why, n in sorted(run.unlisted.items())))
    limits = (f"Published on or after {plan.since} (the API's publication-date filter)" if plan.since
              else "None: every record the database matched")
    lines = [f"# Run by `livingreview search` against {database.label} ({database.documentation}). To run it again:",
             f"# livingreview search searches/{run.id}.yaml",
             f"id: {run.id}", f"date: {today}", f"route: {plan.route}", f"source: {scalar(database.label)}",
             f"query: {scalar(plan.query)}", f"limits: {scalar(limits)}", f"found: {run.hits.count}"]
    if re.search(URL_PATTERN, run.hits.url):
        lines.append(f"url: {scalar(run.hits.url)}")
    lines.append(f"notes: {scalar('; '.join(notes))}")
    return "\n".join(lines) + "\n"


def _report(run: Run, created: Mapping[str, str], out: TextIO) -> None:
    duplicates = sum(1 for c in run.listed if c.duplicate_of)
    files = [name for name in created if name.startswith(f"screening/{run.id}")]
    where = f" in {', '.join(files)}" if files else ""
    print(f"search: {run.plan.where}: {run.plan.database.label} found {run.hits.count} records; wrote "
          f"searches/{run.id}.yaml and {len(run.listed) - duplicates} new candidate records (and {duplicates} "
          f"duplicates of records or studies already held){where}", file=out)
