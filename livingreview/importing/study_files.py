"""Records become study files: an id from the first author (in any script) and the year, unique; the file in
the layout of the review's study files, every required field "not yet coded"; and the studies a record may
duplicate (same DOI, or a near-identical title in the same year). Nothing in studies/ is ever overwritten."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml
from anyascii import anyascii
from rapidfuzz import fuzz, process

from ..codebook import Codebook
from ..load import read_yaml
from ..project import Project
from ..records import Record
from ..validate import TITLE_SIMILARITY, normalise_title
from ..write import Folder
from .cleaning import extract_doi


def slug(text: str) -> str:
    """An ASCII slug of a family name, transliterated from any script: Pietilä → pietila, O'Connell → oconnell,
    van Vugt → van-vugt, Достоевский → dostoevskiy."""
    ascii_text = anyascii(text).lower()
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
class Known:
    doi: str
    title: str  # normalised
    year: int | None
    path: str
    written_now: bool = False


class StudyIndex:
    """The studies a record may duplicate: those in studies/ and those written by this import."""

    def __init__(self, project: Project):
        self.project = project
        self.known: list[Known] = []
        self.ids: set[str] = set()
        if project.studies.is_dir():
            self.ids = {p.stem for p in project.studies.iterdir() if p.suffix in (".yaml", ".yml")}
        for path in project.study_files()[0]:
            data = read_yaml(path, project.display(path)).data
            if isinstance(data, dict):
                title = data["title"] if isinstance(data.get("title"), str) else ""
                year = data.get("year") if isinstance(data.get("year"), int) else None
                doi = extract_doi(data["doi"]) if isinstance(data.get("doi"), str) else ""
                self.known.append(Known(doi.casefold(), normalise_title(title), year, project.display(path)))

    def with_doi(self, doi: str) -> Known | None:
        return next((known for known in self.known if known.doi and known.doi == doi.casefold()), None)

    def match(self, record: Record) -> tuple[Known, str] | None:
        if record.doi:
            known = self.with_doi(record.doi)
            if known is not None:
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
        self.known.append(Known(record.doi.casefold(), normalise_title(record.title), record.year, path, True))


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
        corporate = ", corporate: true" if author.corporate else ""
        lines.append(f"  - {{family: {_quoted(author.family)}{given}{corporate}}}")
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
