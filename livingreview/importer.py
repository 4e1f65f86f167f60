"""Import references: RIS, BibTeX and Rayyan CSV exports become new study files.

Every record is read into a `Draft` (the raw strings of one reference and where
it starts in its file), then checked and normalised into a `Record`. A record
becomes `studies/<id>.yaml` with its bibliographic data filled in and every
required field of the codebook "not yet coded". Nothing is guessed and nothing
in `studies/` is ever overwritten: a record already there (same DOI, or a
near-identical title in the same year) is listed with the file it matches, a
malformed record is reported at its place in the input and skipped.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import json
import re
import sys
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import latexcodec  # noqa: F401  (registers the "ulatex" codec used to read BibTeX accents)
import rispy
import yaml
from pybtex.database import Person, parse_string
from pybtex.scanner import PybtexError, PybtexSyntaxError
from rapidfuzz import fuzz, process

from .codebook import Codebook, load_codebook
from .diagnostics import BuildError
from .load import read_yaml
from .project import Project
from .records import Draft, Record, Rejection
from .schema import DOI_PATTERN, MIN_YEAR, URL_PATTERN
from .study import Author
from .validate import TITLE_SIMILARITY, normalise_title
from .write import Folder

RIS_SUFFIXES = (".ris", ".txt")
BIBTEX_SUFFIXES = (".bib", ".bibtex")
CSV_SUFFIXES = (".csv",)
RAYYAN_COLUMNS = ("key", "title", "authors", "journal", "issn", "volume", "issue", "pages", "year",
                  "publisher", "url", "abstract", "notes", "doi", "keywords")


@dataclass(frozen=True)
class Duplicate:
    record: Record
    path: str  # the study file it matches, as shown to contributors
    reason: str
    written_now: bool = False


@dataclass
class ImportReport:
    written: list[tuple[Record, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        return (f"import: {len(self.written)} written, {len(self.duplicates)} skipped as "
                f"duplicate{'s' * (len(self.duplicates) != 1)}, {len(self.rejected)} rejected")


# ---------------------------------------------------------------------------------------------
# Reading the three export formats


def read_references(path: Path, name: str | None = None) -> list[Draft | Rejection]:
    """Every reference of one export file, in file order; the format is told by suffix or content."""
    name = name or path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [Rejection(f"{name}:1", f"cannot read file: {error.strerror or error}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return [Rejection(f"{name}:{line}", "file is not UTF-8; export it again with UTF-8 (Unicode) encoding")]
    reader = _reader_for(path, text)
    if reader is None:
        return [Rejection(f"{name}:1", "not a RIS, BibTeX or CSV export (name it .ris, .bib or .csv)")]
    return list(reader(text, name))


def _reader_for(path: Path, text: str) -> Callable[[str, str], Iterator[Draft | Rejection]] | None:
    suffix = path.suffix.lower()
    if suffix in BIBTEX_SUFFIXES:
        return read_bibtex
    if suffix in CSV_SUFFIXES:
        return read_rayyan_csv
    if suffix in RIS_SUFFIXES or re.search(r"^TY  -", text, re.MULTILINE):
        return read_ris
    if re.search(r"^\s*@\w+\s*[{(]", text, re.MULTILINE):
        return read_bibtex
    return None


_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def read_ris(text: str, name: str) -> Iterator[Draft | Rejection]:
    """RIS as EndNote, Zotero, Mendeley and the databases write it: TY starts a record, ER ends it."""
    start: int | None = None  # line of the open record's TY
    lines: list[str] = []
    stray: int | None = None  # first line of tagged lines outside any record (a record without TY)
    stray_lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.rstrip()
        match = _RIS_TAG.match(line)
        tag = match.group(1) if match else None
        if tag == "TY":
            if start is not None:
                yield Rejection(f"{name}:{start}", f"record{_ris_title(lines)} has no ER line (end of record) "
                                                   f"before the next TY at line {number}; skipped")
            if stray is not None:
                yield _no_type(name, stray, stray_lines)
                stray, stray_lines = None, []
            start, lines = number, [line]
        elif start is not None:
            lines.append(line)
            if tag == "ER":
                yield _ris_record(lines, f"{name}:{start}")
                start, lines = None, []
        elif tag == "ER":
            yield _no_type(name, stray if stray is not None else number, stray_lines)
            stray, stray_lines = None, []
        elif tag is not None:
            if stray is None:
                stray = number
            stray_lines.append(line)
        elif stray is not None:
            stray_lines.append(line)
    if start is not None:
        yield Rejection(f"{name}:{start}", f"record{_ris_title(lines)} has no ER line (end of record) "
                                           f"before the end of the file; skipped")
    if stray is not None:
        yield _no_type(name, stray, stray_lines)


def _no_type(name: str, line: int, lines: list[str]) -> Rejection:
    return Rejection(f"{name}:{line}", f"record{_ris_title(lines)} has no TY line (type of reference) "
                                       f"before its tags; skipped")


def _ris_title(lines: list[str]) -> str:
    for line in lines:
        match = _RIS_TAG.match(line)
        if match and match.group(1) in ("TI", "T1") and match.group(2):
            return f" “{_shorten(match.group(2))}”"
    return ""


def _ris_record(lines: list[str], where: str) -> Draft | Rejection:
    try:
        entries = rispy.loads("\n".join(lines) + "\n")
    except Exception as error:  # rispy raises plain IOError/ValueError on what it cannot read
        return Rejection(where, f"cannot read the record as RIS: {error}")
    if len(entries) != 1:
        return Rejection(where, "cannot read the record as RIS")
    entry = entries[0]
    urls = entry.get("urls") or []
    first_page, last_page = entry.get("start_page", ""), entry.get("end_page", "")
    return Draft(
        where=where,
        title=_first(entry, "title", "primary_title"),
        authors=[_person(name) for name in (entry.get("authors") or entry.get("first_authors") or [])
                 if name.strip()],
        year=_first(entry, "year", "publication_year", "date"),
        journal=_first(entry, "secondary_title", "alternate_title3", "journal_name", "alternate_title2",
                       "alternate_title1"),
        volume=_first(entry, "volume"),
        issue=_first(entry, "number"),
        pages=f"{first_page}-{last_page}" if first_page and last_page and first_page != last_page
        else first_page or last_page,
        doi=_first(entry, "doi"),
        url=urls[0] if urls else "",
    )


def _first(entry: dict, *keys: str) -> str:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value and str(value).strip():
            return str(value).strip()
    return ""


_BIBTEX_START = re.compile(r"^\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)")


def read_bibtex(text: str, name: str) -> Iterator[Draft | Rejection]:
    """BibTeX as Zotero, JabRef or a publisher's site writes it; each entry is read on its own,
    so one malformed entry does not hide the others."""
    strings: list[str] = []  # @string definitions, which later entries may use
    for start, chunk in _bibtex_chunks(text):
        header = _BIBTEX_START.match(chunk)
        kind = header.group(1).lower() if header else ""
        if kind in ("comment", "preamble"):
            continue
        if kind == "string":
            strings.append(chunk)
            continue
        key = header.group(2) if header and header.group(2) else "(no key)"
        prefix = "\n".join(strings) + "\n" if strings else ""
        try:
            data = parse_string(prefix + chunk, "bibtex")
        except PybtexSyntaxError as error:
            line = start + (error.lineno or 1) - 1 - prefix.count("\n")
            problem = re.sub(r"^syntax error in line \d+: ", "", str(error).splitlines()[0])
            yield Rejection(f"{name}:{start}", f"entry {key}: BibTeX syntax error at line {line}: {problem}; skipped")
            continue
        except PybtexError as error:
            yield Rejection(f"{name}:{start}", f"entry {key}: {error}; skipped")
            continue
        for entry in data.entries.values():
            yield _bibtex_record(entry, f"{name}:{start}")


def _bibtex_chunks(text: str) -> Iterator[tuple[int, str]]:
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


def _bibtex_record(entry, where: str) -> Draft:
    fields = entry.fields
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    authors = []
    for person in persons:
        family = _latex(" ".join(person.prelast_names + person.last_names))
        if family.lower() == "others":
            continue
        authors.append(Author(family, _latex(" ".join(person.first_names + person.middle_names))))
    return Draft(
        where=where,
        title=_latex(fields.get("title", "")),
        authors=authors,
        year=fields.get("year", "") or fields.get("date", ""),
        journal=_latex(fields.get("journal", "") or fields.get("journaltitle", "") or fields.get("booktitle", "")),
        volume=_latex(fields.get("volume", "")),
        issue=_latex(fields.get("number", "") or fields.get("issue", "")),
        pages=_latex(fields.get("pages", "")),
        doi=fields.get("doi", ""),
        url=fields.get("url", ""),
    )


def _latex(text: str) -> str:
    """BibTeX text as plain Unicode: accents such as {\\"a} decoded, protective braces dropped."""
    try:
        decode: Any = codecs.decode  # latexcodec's codec, which the type stubs do not know
        text = decode(text, "ulatex")
    except (ValueError, UnicodeError):
        pass
    return text.replace("{", "").replace("}", "").replace("\\&", "&")


def read_rayyan_csv(text: str, name: str) -> Iterator[Draft | Rejection]:
    """Rayyan's CSV export (key, title, authors, journal, ..., year, ..., doi, ...); authors are
    separated by " and ". A quoted value may span lines, so each record's first line is tracked."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        return
    except csv.Error as error:
        yield Rejection(f"{name}:1", f"cannot read the CSV header: {error}")
        return
    missing = [column for column in ("title", "authors", "year") if column not in header]
    if missing:
        yield Rejection(f"{name}:1", f"not a Rayyan CSV export: no column {', '.join(missing)} "
                                     f"(expected columns: {', '.join(RAYYAN_COLUMNS)})")
        return
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
        values = dict(zip(header, (cell.strip() for cell in row), strict=True))
        yield Draft(
            where=f"{name}:{start}",
            title=values.get("title", ""),
            authors=[_person(a) for a in re.split(r"\s+and\s+", values.get("authors", "")) if a.strip()],
            year=values.get("year", ""),
            journal=values.get("journal", ""),
            volume=values.get("volume", ""),
            issue=values.get("issue", ""),
            pages=values.get("pages", ""),
            doi=values.get("doi", ""),
            url=values.get("url", ""),
        )


def _person(name: str) -> Author:
    """A name as "Family, Given" or "Given Family" (with particles such as van, de) as an Author."""
    name = " ".join(name.split()).strip(" ,;")
    try:
        person = Person(name)
    except PybtexError:
        family, _, given = name.partition(",")
        return Author(family.strip(), given.strip())
    family = " ".join(person.prelast_names + person.last_names)
    given = " ".join(person.first_names + person.middle_names)
    return Author(family.replace("{", "").replace("}", ""), given.replace("{", "").replace("}", ""))


# ---------------------------------------------------------------------------------------------
# Checking and normalising a record


def finish(draft: Draft) -> Record | Rejection:
    """Check one draft; a record needs a title, at least one author and a year (and a DOI, if
    it has one, that is a DOI)."""
    problems = []
    title = clean_title(draft.title)
    if not title:
        problems.append("no title")
    authors = tuple(Author(" ".join(a.family.split()), " ".join(a.given.split()))
                    for a in draft.authors if a.family.strip())
    if not authors:
        problems.append("no authors")
    year = _year(draft.year)
    last_year = date.today().year + 1
    if year is None:
        problems.append(f"no year of publication{f' in {draft.year!r}' if draft.year.strip() else ''}")
    elif not MIN_YEAR <= year <= last_year:
        problems.append(f"year {year} is out of range ({MIN_YEAR} to {last_year})")
    url = draft.url.strip()
    doi = normalise_doi(draft.doi) if draft.doi.strip() else _doi_from_url(url)
    if doi and not re.match(DOI_PATTERN, doi):
        problems.append(f"'{draft.doi.strip()}' is not a DOI (a DOI looks like 10.1111/hsc.12197)")
    if problems:
        if title:
            what = f" “{_shorten(title)}”"
        else:
            who = " ".join(p for p in (authors[0].family if authors else "", draft.year.strip()[:4]) if p)
            what = f" ({who})" if who else ""
        return Rejection(draft.where, f"record{what}: {'; '.join(problems)}; skipped")
    if not re.match(URL_PATTERN, url) or _doi_from_url(url):
        url = ""
    return Record(draft.where, title, authors, year or 0, _clean(draft.journal), _clean(draft.volume),
                  _clean(draft.issue), _page_range(draft.pages), doi, url)


def normalise_doi(text: str) -> str:
    """A bare DOI: no https://doi.org/ or doi: prefix, no spaces, percent-escapes decoded."""
    doi = urllib.parse.unquote("".join(text.split()))
    doi = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", doi, flags=re.IGNORECASE)
    doi = re.sub(r"^doi:", "", doi, flags=re.IGNORECASE)
    return doi.rstrip(".")


def _doi_from_url(url: str) -> str:
    match = re.match(r"^(https?://)?(dx\.)?doi\.org/(10\..+)$", url.strip(), re.IGNORECASE)
    return normalise_doi(match.group(3)) if match else ""


def clean_title(text: str) -> str:
    """Whitespace collapsed, markup tags (Crossref's <i>) removed, no full stop at the end."""
    text = html.unescape(re.sub(r"</?[a-zA-Z][^>]*>", "", text))
    text = _clean(text)
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _year(text: str) -> int | None:
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", text or "")
    return int(match.group(1)) if match else None


def _page_range(text: str) -> str:
    """Page ranges with an en dash, as the study files write them: 184–193."""
    return re.sub(r"\s*(?:--?|–|—)\s*", "–", _clean(text))


def _shorten(text: str, width: int = 60) -> str:
    text = _clean(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# Ids, duplicates and the study file


_SPECIAL_LETTERS = str.maketrans({"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss",
                                  "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "Þ": "th",
                                  "ı": "i", "\u2010": "-", "\u2011": "-", "\u2013": "-"})


def slug(text: str) -> str:
    """An ASCII slug of a family name: Pietilä → pietila, O'Connell → oconnell, van Vugt → van-vugt."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = re.sub(r"['’`]", "", ascii_text)
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def study_id(record: Record, taken: set[str]) -> str:
    """family-year of the first author; a/b/c... when that id (or a lettered one) is taken."""
    base = f"{slug(record.authors[0].family) or 'anonymous'}-{record.year}"
    lettered = [f"{base}{letter}" for letter in "abcdefghijklmnopqrstuvwxyz"]
    if base not in taken and not any(candidate in taken for candidate in lettered):
        return base
    for candidate in lettered:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@dataclass
class _Known:
    doi: str
    title: str  # normalised
    year: int | None
    path: str
    written_now: bool = False


class StudyIndex:
    """The studies a record may duplicate: those in studies/ and those written by this import."""

    def __init__(self, project: Project):
        self.project = project
        self.known: list[_Known] = []
        self.ids: set[str] = set()
        if project.studies.is_dir():
            self.ids = {p.stem for p in project.studies.iterdir() if p.suffix in (".yaml", ".yml")}
        for path in project.study_files()[0]:
            data = read_yaml(path, project.display(path)).data
            if isinstance(data, dict):
                title = data["title"] if isinstance(data.get("title"), str) else ""
                year = data.get("year") if isinstance(data.get("year"), int) else None
                doi = normalise_doi(data["doi"]) if isinstance(data.get("doi"), str) else ""
                self.known.append(_Known(doi.casefold(), normalise_title(title), year, project.display(path)))

    def match(self, record: Record) -> tuple[_Known, str] | None:
        if record.doi:
            for known in self.known:
                if known.doi and known.doi == record.doi.casefold():
                    return known, f"same DOI {record.doi}"
        same_year = [k for k in self.known if k.year == record.year and k.title]
        if same_year:
            best = process.extractOne(normalise_title(record.title), [k.title for k in same_year],
                                      scorer=fuzz.ratio, score_cutoff=TITLE_SIMILARITY)
            if best is not None:
                return same_year[best[2]], f"same year, title {best[1]:.0f} % similar"
        return None

    def add(self, record: Record, study: str, path: str) -> None:
        self.ids.add(study)
        self.known.append(_Known(record.doi.casefold(), normalise_title(record.title), record.year, path, True))


def study_yaml(record: Record, study: str, codebook: Codebook, baseline: bool = False) -> str:
    """The new study file, in the layout of the review's study files (keys in a fixed order)."""
    lines = [
        "# yaml-language-server: $schema=../content/study.schema.json",
        f"# Imported from {_origin(record.where)}. Code each field the study reports, with an evidence note;",
        f"# leave the others as \"{codebook.not_coded}\".",
        f"id: {study}",
        f"title: {_quoted(record.title)}",
        "authors:",
    ]
    for author in record.authors:
        given = f", given: {_quoted(author.given)}" if author.given else ""
        lines.append(f"  - {{family: {_quoted(author.family)}{given}}}")
    lines.append(f"year: {record.year}")
    for key in ("journal", "volume", "issue", "pages"):
        if getattr(record, key):
            lines.append(f"{key}: {_quoted(getattr(record, key))}")
    if record.doi:
        lines.append(f"doi: {_plain(record.doi)}")
    else:
        lines.append("# no DOI in the import: add doi: 10.xxxx/... or, if the study has none, no_doi_reason: why")
    if record.url:
        lines.append(f"url: {_plain(record.url)}")
    lines += (["in_baseline: false"] if baseline else []) + ["", "codes:"]
    marker = _plain(codebook.not_coded)
    lines += [f"  {f.key}: {marker}" for f in codebook.fields if f.required]
    optional = [f.key for f in codebook.fields if not f.required]
    if optional:
        lines.append(f"  # optional fields: {', '.join(optional)}")
    example = next((f.key for f in codebook.fields if f.required), codebook.fields[0].key)
    lines += ["",
              "# evidence:  one note for every coded field: where in the study its value is stated, e.g.",
              f"#   {example}: 'Methods, p. 4: \"the words of the study that state it\"'"]
    return "\n".join(lines) + "\n"


def _origin(where: str) -> str:
    """Where a record came from, without the folders of the contributor's computer."""
    return re.sub(r"^.*[/\\](?=[^/\\]*:\d+$)", "", where)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _plain(text: str) -> str:
    """A scalar unquoted when YAML reads it back as the same string, else quoted."""
    try:
        if yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return _quoted(text)


def write_study(project: Project, index: StudyIndex, record: Record, codebook: Codebook) -> str:
    """Create the study's file (never replacing one) and return its path as shown to contributors."""
    folder = Folder(project.studies)
    while True:
        study = study_id(record, index.ids)
        try:
            text = study_yaml(record, study, codebook, (project.content / "baseline.yaml").exists())
            path = folder.create(f"{study}.yaml", text.encode("utf-8"))
        except FileExistsError:  # created since the index was read: take the next id
            index.ids.add(study)
            continue
        shown = project.display(path)
        index.add(record, study, shown)
        return shown


# ---------------------------------------------------------------------------------------------
# The commands


def import_references(project: Project, paths: Sequence[Path], codebook: Codebook) -> ImportReport:
    """Read every file and write one study per new, well-formed record."""
    report = ImportReport()
    index = StudyIndex(project)
    for path in paths:
        for item in read_references(path, _shown(path)):
            record = finish(item) if isinstance(item, Draft) else item
            if isinstance(record, Rejection):
                report.rejected.append(record)
                continue
            match = index.match(record)
            if match is not None:
                known, reason = match
                report.duplicates.append(Duplicate(record, known.path, reason, known.written_now))
                continue
            report.written.append((record, write_study(project, index, record, codebook)))
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
    """`build.py import FILE...`: 1 if any record was rejected, else 0."""
    out, err = out or sys.stdout, err or sys.stderr
    report = import_references(project, [Path(f) for f in files], load_checked_codebook(project))
    for record, path in report.written:
        print(f"wrote {path}  ({record.where}: {record.authors[0].family} {record.year})", file=out)
    for duplicate in report.duplicates:
        when = ", written by this import" if duplicate.written_now else ""
        print(f"skipped {duplicate.record.where} “{_shorten(duplicate.record.title)}”: already in "
              f"{duplicate.path}{when} ({duplicate.reason})", file=out)
    for rejection in report.rejected:
        print(rejection, file=err)
    print(report.summary(), file=out)
    if report.written:
        print("next: replace each \"not yet coded\" the study reports (with an evidence note), "
              "then run `livingreview check`", file=out)
    return 1 if report.rejected else 0


def new_command(project: Project, doi: str | None = None, bibtex: str | None = None,
                fetch: Callable[[str], dict] | None = None, out: TextIO | None = None,
                err: TextIO | None = None, stdin: TextIO | None = None) -> int:
    """`build.py new --doi DOI | --bibtex FILE_OR_-`: scaffold one study file."""
    from .crossref import CrossrefError, fetch_work, record_from_work, user_agent

    out, err = out or sys.stdout, err or sys.stderr
    codebook = load_checked_codebook(project)
    if doi is not None:
        bare = normalise_doi(doi)
        if not re.match(DOI_PATTERN, bare):
            print(f"new: '{doi}' is not a DOI; a DOI looks like 10.1111/hsc.12197", file=err)
            return 1
        try:
            work = (fetch or (lambda d: fetch_work(d, agent=user_agent(_repository(project)))))(bare)
        except CrossrefError as error:
            print(f"new: could not get DOI {bare} from Crossref: {error}.\n"
                  f"  Offline, or Crossref has no record? Paste the reference as BibTeX instead:\n"
                  f"    livingreview new --bibtex FILE      (a .bib file with the one entry)\n"
                  f"    livingreview new --bibtex -         (paste the entry, then Ctrl-D)", file=err)
            return 1
        result = finish(record_from_work(work, f"Crossref {bare}"))
        results: list[Record | Rejection] = [result]
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
    index = StudyIndex(project)
    match = index.match(record)
    if match is not None:
        known, reason = match
        print(f"new: “{_shorten(record.title)}” is already in {known.path} ({reason}); nothing written", file=err)
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
    authors = [_person(name.strip()) for name in candidate.authors.split(";") if name.strip()]
    draft = Draft(f"screening record {record_id}", title=candidate.title, authors=authors,
                  year=str(candidate.year), journal=candidate.journal, doi=candidate.doi, url=candidate.url)
    record = finish(draft)
    if isinstance(record, Rejection):
        print(f"include: {record}", file=err)
        return 1
    index = StudyIndex(project)
    match = index.match(record)
    if match is not None:
        print(f"include: “{_shorten(record.title)}” is already in {match[0].path} ({match[1]}); nothing written",
              file=err)
        return 1
    path = write_study(project, index, record, review.codebook)
    study = Path(path).stem
    print(f"include: wrote {path}. Next: add `study: {study}` to record {record_id} in screening/, code the study "
          f"from its own text (an evidence note for every value), then run `livingreview check`", file=out)
    return 0
