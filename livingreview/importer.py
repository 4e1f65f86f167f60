"""`livingreview import FILE...`, `new` and `include`: exports, a DOI or a screening record become new study files.

Each file is read by the reader its content calls for (livingreview.importing.formats) into drafts, each
draft is checked and cleaned into a record (importing.cleaning), and each new record that was included in
screening (or comes from an export without screening decisions) becomes `studies/<id>.yaml`
(importing.study_files). Every record is accounted for: written, skipped as a duplicate (naming the study it
duplicates), skipped by its screening decision, or rejected with its place in the file and why.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .codebook import Codebook, load_codebook
from .diagnostics import BuildError
from .importing.bibtex import read_bibtex
from .importing.cleaning import extract_doi, finish, person, shorten, valid_doi
from .importing.formats import read_export
from .importing.study_files import StudyIndex, write_study
from .load import read_yaml
from .named_tuple import NamedTuple
from .project import Project
from .records import DECISIONS, Draft, Record, Rejection


class Duplicate(NamedTuple):
    record: Record
    path: str  # the study file it matches, as shown to contributors
    reason: str
    written_now: bool = False


@dataclass
class FileReport:
    """What became of every record of one input file."""

    name: str
    label: str = ""  # the format it was read as; "" when it could not be read
    read: int = 0
    written: list[tuple[Record, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    by_decision: list[Record] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def counts(self) -> str:
        return (f"{len(self.written)} written, {len(self.duplicates)} skipped as "
                f"duplicate{'s' * (len(self.duplicates) != 1)}, {len(self.by_decision)} skipped by screening "
                f"decision, {len(self.rejected)} rejected")

    def summary(self) -> str:
        if not self.label:
            return f"{self.name}: not read ({len(self.rejected)} problem)"
        return f"{self.name} ({self.label}): {self.read} record{'s' * (self.read != 1)} read: {self.counts()}"


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def total(self) -> FileReport:
        """Every file's records together."""
        return FileReport("", "all", sum(f.read for f in self.files), [w for f in self.files for w in f.written],
                          [d for f in self.files for d in f.duplicates], [r for f in self.files for r in f.by_decision],
                          [r for f in self.files for r in f.rejected])

    def summary(self) -> str:
        total = self.total
        count = len(self.files)
        return f"import: {total.read} records read from {count} file{'s' * (count != 1)}: {total.counts()}"


def import_references(project: Project, paths: Sequence[Path], codebook: Codebook) -> ImportReport:
    """Read every file and write one study per new, well-formed, included record."""
    report = ImportReport()
    index = StudyIndex(project)
    for path in paths:
        export = read_export(path, _shown(path))
        file_report = FileReport(export.name, export.label)
        report.files.append(file_report)
        for item in export.items:
            if isinstance(item, Rejection) and not item.record:
                file_report.rejected.append(item)
                continue
            file_report.read += 1
            record = finish(item) if isinstance(item, Draft) else item
            if isinstance(record, Rejection):
                file_report.rejected.append(record)
            elif not record.included:
                file_report.by_decision.append(record)
            elif (match := index.match(record)) is not None:
                known, reason = match
                file_report.duplicates.append(Duplicate(record, known.path, reason, known.written_now))
            else:
                file_report.written.append((record, write_study(project, index, record, codebook)))
    return report


def _shown(path: Path) -> str:
    """An input file as named in messages: as given on the command line, relative if it can be."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def load_checked_codebook(project: Project) -> Codebook:
    codebook, problems = load_codebook(project.codebook, project.display(project.codebook))
    if codebook is None:
        raise BuildError(problems)
    return codebook


def import_command(project: Project, files: Iterable[str], out: TextIO | None = None,
                   err: TextIO | None = None) -> int:
    """`build.py import FILE...`: 1 if any record (or file) was rejected, else 0."""
    out, err = out or sys.stdout, err or sys.stderr
    report = import_references(project, [Path(f) for f in files], load_checked_codebook(project))
    for file_report in report.files:
        for record, path in file_report.written:
            print(f"wrote {path}  ({record.where}: {record.authors[0].family} {record.year})", file=out)
        for duplicate in file_report.duplicates:
            when = ", written by this import" if duplicate.written_now else ""
            print(f"skipped {duplicate.record.where} “{shorten(duplicate.record.title)}”: already in "
                  f"{duplicate.path}{when} ({duplicate.reason})", file=out)
        if file_report.by_decision:
            print(_decisions(file_report), file=out)
        for rejection in file_report.rejected:
            print(rejection, file=err)
        print(file_report.summary(), file=out)
    if len(report.files) > 1:
        print(report.summary(), file=out)
    if report.total.written:
        print("next: replace each \"not yet coded\" the study reports (with an evidence note), "
              "then run `livingreview check`", file=out)
    return 1 if report.total.rejected else 0


def _decisions(report: FileReport) -> str:
    """The records of a file skipped by their screening decision, counted by decision (an export of a whole
    screening project may hold thousands)."""
    counts = Counter(record.decision for record in report.by_decision)
    words = ", ".join(f"{count} {DECISIONS.get(decision, decision)}" for decision, count in counts.most_common())
    hints = sorted({r.reason for r in report.by_decision if r.decision == "undecided" and r.reason})
    hint = f" ({hints[0]})" if hints else ""
    return (f"skipped {len(report.by_decision)} record{'s' * (len(report.by_decision) != 1)} of {report.name} by "
            f"screening decision: {words}; only records included in screening become studies{hint}")


def new_command(project: Project, doi: str | None = None, bibtex: str | None = None,
                fetch: Callable[[str], dict] | None = None, out: TextIO | None = None,
                err: TextIO | None = None, stdin: TextIO | None = None) -> int:
    """`build.py new --doi DOI | --bibtex FILE_OR_-`: scaffold one study file."""
    from .crossref import CrossrefError, fetch_work, record_from_work, user_agent

    out, err = out or sys.stdout, err or sys.stderr
    codebook = load_checked_codebook(project)
    index = StudyIndex(project)
    if doi is not None:
        bare = extract_doi(doi)
        if not valid_doi(bare):
            print(f"new: '{doi}' is not a DOI; a DOI looks like 10.1111/hsc.12197", file=err)
            return 1
        known = index.with_doi(bare)
        if known is not None:  # before asking Crossref: the study is there already
            print(f"new: DOI {bare} is already in {known.path}; nothing written", file=err)
            return 1
        try:
            work = (fetch or (lambda d: fetch_work(d, agent=user_agent(_repository(project)))))(bare)
        except CrossrefError as error:
            print(f"new: could not get DOI {bare} from Crossref: {error}.\n"
                  f"  Offline, or Crossref has no record? Paste the reference as BibTeX instead:\n"
                  f"    livingreview new --bibtex FILE      (a .bib file with the one entry)\n"
                  f"    livingreview new --bibtex -         (paste the entry, then Ctrl-D)", file=err)
            return 1
        results: list[Record | Rejection] = [finish(record_from_work(work, f"Crossref {bare}"))]
    else:
        source = "standard input" if bibtex == "-" else str(bibtex)
        try:
            text = (stdin or sys.stdin).read() if bibtex == "-" else Path(str(bibtex)).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            print(f"new: cannot read {source}: {getattr(error, 'strerror', None) or error}", file=err)
            return 1
        name = "stdin" if bibtex == "-" else _shown(Path(str(bibtex)))
        results = [finish(item) if isinstance(item, Draft) else item for item in read_bibtex(text, name)]
        if not results:
            print(f"new: no BibTeX entry in {source}; an entry starts with @article{{key, ...", file=err)
            return 1
        if len(results) > 1:
            print(f"new: {source} holds {len(results)} entries; `new` makes one study. "
                  f"For several, use `livingreview import FILE`", file=err)
            return 1
    record = results[0]
    if isinstance(record, Rejection):
        print(f"{record}", file=err)
        return 1
    match = index.match(record)
    if match is not None:
        known, reason = match
        print(f"new: “{shorten(record.title)}” is already in {known.path} ({reason}); nothing written", file=err)
        return 1
    path = write_study(project, index, record, codebook)
    print(f"new: wrote {path} ({record.authors[0].family} {record.year}, {record.where}).\n"
          f"next: replace each \"not yet coded\" the study reports (with an evidence note), "
          f"then run `livingreview check`", file=out)
    return 0


def _repository(project: Project) -> str:
    data = read_yaml(project.content / "site.yaml").data
    return data.get("repository", "") if isinstance(data, dict) and isinstance(data.get("repository"), str) else ""


def include_command(project: Project, record_id: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`livingreview include RECORD`: the study file of a screening record included at the last stage, written
    from the record's bibliographic data (never copied by hand)."""
    from .pipeline import load_review

    out, err = out or sys.stdout, err or sys.stderr
    review = load_review(project)
    screening = review.screening
    found = [r for r in screening.records if r.id == record_id] if screening else []
    if not found:
        print(f"include: no screening record has the id '{record_id}' (see screening/*.yaml)", file=err)
        return 1
    candidate = found[0]
    last = screening.vocabulary.stages[-1] if screening else None
    if last is None or candidate.final(last.key) != "include":
        print(f"include: record {record_id} is not included at {last.label.lower() if last else 'the last stage'}; "
              f"record that decision first", file=err)
        return 1
    authors = [a for a in (person(name) for name in candidate.authors.split(";")) if a is not None]
    draft = Draft(f"screening record {record_id}", title=candidate.title, authors=authors,
                  year=str(candidate.year), journal=candidate.journal, doi=candidate.doi, url=candidate.url)
    record = finish(draft)
    if isinstance(record, Rejection):
        print(f"include: {record}", file=err)
        return 1
    index = StudyIndex(project)
    match = index.match(record)
    if match is not None:
        print(f"include: “{shorten(record.title)}” is already in {match[0].path} ({match[1]}); nothing written",
              file=err)
        return 1
    path = write_study(project, index, record, review.codebook)
    study = Path(path).stem
    print(f"include: wrote {path}. Next: add `study: {study}` to record {record_id} in screening/, code the study "
          f"from its own text (an evidence note for every value), then run `livingreview check`", file=out)
    return 0
