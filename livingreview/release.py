"""Releases: frozen, citable editions of the review, one JSON file each under releases/.

A release file holds everything needed to render that edition again: its content files (codebook,
pages, baseline, search, figures, references) as they were, and every study with its coding. It is
read back with the rigour of the live review (a schema for the file, the codebook and content loaders
on its frozen files, every study against its own codebook), entirely in memory: a release file can
name no path, and every problem is reported at the file with a JSON pointer.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from . import __version__
from .aggregate import aggregate
from .citation import citation, write_citation_files
from .codebook import Codebook, codebook_from
from .content import Content, SiteInfo, load_content
from .diagnostics import BuildError, Diagnostic
from .edition import Edition, Review
from .load import CONTROL_CHARACTER, InputRefused, LoadedFile, read_input
from .named_tuple import NamedTuple
from .project import Project
from .schema import DOI_PATTERN, RESERVED_IDS, fast_validator, study_schema
from .screening import Screening, load_screening, search_ids
from .sources import DATA_FOLDERS, FROZEN_FILES, Frozen
from .sources import Folder as SourceFolder
from .study import Study, distinguished, study_from_data, study_to_data
from .write import Folder

VERSION = re.compile(r"\d{1,6}(\.\d{1,6}){0,2}")
MAX_RELEASE_BYTES = 512 * 1024 * 1024
_CONTENT_NAMES = "|".join(re.escape(name) for name in FROZEN_FILES) + r"|pages/[a-z0-9]+(-[a-z0-9]+)*\.md" \
    + "|" + "|".join(rf"{folder}/[a-z0-9]+(-[a-z0-9]+)*\.yaml" for folder in DATA_FOLDERS)
RELEASE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "date", "content", "studies"],
    "additionalProperties": False,
    "properties": {
        "version": {"type": "string", "pattern": rf"^{VERSION.pattern}$(?!\n)"},
        "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$(?!\n)"},
        "doi": {"type": "string", "pattern": f"^$(?!\\n)|{DOI_PATTERN}"},
        "notes": {"type": "string"},
        "tool_version": {"type": "string"},
        "content": {"type": "object", "required": ["codebook.yaml", "figures.yaml"],
                    "propertyNames": {"pattern": f"^({_CONTENT_NAMES})$(?!\\n)"},
                    "additionalProperties": {"type": "string"}},
        "studies": {"type": "array", "items": {"type": "object"}},
    },
}


def version_key(version: str) -> tuple[int, ...]:
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (3 - len(parts))


def release_files(project: Project) -> tuple[list[Path], list[Diagnostic]]:
    """The release files, oldest first, and a problem for anything else in releases/."""
    if not project.releases.is_dir():
        return [], []
    files, problems = [], []
    for path in sorted(project.releases.iterdir()):
        if path.name.startswith(".") or path.name in ("README.md", ".gitkeep"):
            continue
        if path.suffix == ".json" and VERSION.fullmatch(path.stem) and path.is_file() and not path.is_symlink():
            files.append(path)
        else:
            problems.append(Diagnostic(project.display(path), 1, 1, "not a release file: releases/ holds "
                                       "VERSION.json files written by `livingreview release`, such as 1.0.0.json"))
    return sorted(files, key=lambda p: version_key(p.stem)), problems


# --- making a release -------------------------------------------------------------------

def make_release(project: Project, review: Review, version: str, date: str | None = None, notes: str = "",
                 doi: str = "") -> Path:
    """Freeze the validated review as releases/VERSION.json; refuse anything unsafe."""
    problems = _refusals(project, version, date, doi, notes)
    if problems:
        raise BuildError(problems)
    date = date or datetime.date.today().isoformat()
    content = dict(review.content.files)
    codebook = read_input(project.codebook).decode("utf-8-sig")
    data = SourceFolder(project.root, "")
    for name in [n for folder in DATA_FOLDERS for n in data.names(folder)]:
        content[name] = read_input(project.root / name).decode("utf-8-sig")
    frozen = {
        "version": version, "date": date, "doi": doi, "notes": notes, "tool_version": __version__,
        "content": {"codebook.yaml": codebook, **content},
        "studies": [study_to_data(s) for s in sorted(review.studies, key=lambda s: s.id)],
    }
    text = json.dumps(frozen, indent=1, ensure_ascii=False) + "\n"
    target = Folder(project.releases).create(f"{version}.json", text.encode("utf-8"))  # never rewrites a release
    write_citation_files(project, review.content.site, version, date, doi, len(review.studies))
    return target


def _refusals(project: Project, version: str, date: str | None, doi: str, notes: str) -> list[Diagnostic]:
    where = project.display(project.releases)
    if not VERSION.fullmatch(version):
        return [Diagnostic(where, 1, 1, f"version '{version}' must be numbers separated by dots, like 1.0 or 1.2.0")]
    existing, _ = release_files(project)
    if any(version_key(p.stem) == version_key(version) for p in existing):
        return [Diagnostic(where, 1, 1, f"version {version} is already released; a frozen release is never "
                                        f"rewritten: choose a later version")]
    if existing and version_key(version) <= version_key(existing[-1].stem):
        return [Diagnostic(where, 1, 1, f"version {version} does not sort after the latest release "
                                        f"{existing[-1].stem}; choose a later version")]
    if date is not None:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            return [Diagnostic(where, 1, 1, f"date '{date}' must be written YYYY-MM-DD")]
    if doi and not re.search(DOI_PATTERN, doi):
        return [Diagnostic(where, 1, 1, f"'{doi}' is not a DOI; write it like 10.5281/zenodo.1234567")]
    if CONTROL_CHARACTER.search(notes):
        return [Diagnostic(where, 1, 1, "the release notes hold a control character; remove it")]
    return []


# --- reading releases back ----------------------------------------------------------------

class FrozenRelease(NamedTuple):
    """A release file read back and checked: its version, date and DOI, and the review it froze."""

    version: str
    date: str
    doi: str
    notes: str
    codebook: Codebook
    content: Content
    studies: tuple[Study, ...]
    screening: Screening | None = None


class _AllKnown:
    """The texts of a release file this engine found valid (and of the live site's settings, checked by then)."""

    def known(self, text: str) -> bool:
        return True

    def keep(self, text: str) -> None:
        pass


def load_release(project: Project, path: Path, site_file: LoadedFile | None, known: bool = False) -> FrozenRelease:
    """A release file read back and checked; BuildError with every problem it has. `known`: this engine found
    these very bytes valid before, so they are not checked against the schemas again (compiling a release's
    own codebook into a validator costs more than reading it)."""
    display = project.display(path)
    data = _release_data(path, display, known)
    frozen = Frozen(data["content"], display)
    codebook, problems = codebook_from(frozen.yaml("codebook.yaml") or LoadedFile(path, display), lambda text: known)
    if codebook is None:
        raise BuildError(problems)
    content, problems = load_content(frozen, codebook, site_file, _AllKnown() if known else None)
    if content is None:
        raise BuildError(problems)
    studies = _studies(data["studies"], codebook, content.baseline is not None, display, known)
    screening, problems = load_screening(frozen, frozen, {s.id for s in studies})
    if problems:
        raise BuildError(problems)
    return FrozenRelease(data["version"], data["date"], data.get("doi", ""), data.get("notes", ""), codebook,
                         content, studies, screening)


def _release_data(path: Path, display: str, known: bool = False) -> dict[str, Any]:
    def refuse(message: str, pointer: str = "") -> BuildError:
        return BuildError([Diagnostic(display, 1, 1, f"{pointer + ': ' if pointer else ''}{message}")])

    try:
        raw = read_input(path, MAX_RELEASE_BYTES)
        data = json.loads(raw)
    except InputRefused as refusal:
        raise refuse(str(refusal)) from None
    except ValueError as error:
        raise refuse(f"not valid JSON ({error}); a release file is written by `livingreview release` "
                     f"and never edited") from None
    if not known and not fast_validator(json.dumps(RELEASE_SCHEMA, sort_keys=True))(data):
        import jsonschema

        errors = sorted(jsonschema.Draft7Validator(RELEASE_SCHEMA).iter_errors(data), key=lambda e: e.json_path)
        raise BuildError([Diagnostic(display, 1, 1, f"{_pointer(e.absolute_path)}: {e.message}") for e in errors])
    problems = []
    if data["version"] != path.stem:
        problems.append(Diagnostic(display, 1, 1, f"/version: '{data['version']}' differs from the file name"))
    try:
        datetime.date.fromisoformat(data["date"])
    except ValueError:
        problems.append(Diagnostic(display, 1, 1, f"/date: '{data['date']}' is not a date (YYYY-MM-DD)"))
    # known: these bytes passed before
    for pointer in () if known or not may_hold_control_characters(raw) else _control_characters(data, ""):
        problems.append(Diagnostic(display, 1, 1, f"{pointer}: holds a control character, which no page can show"))
    if problems:
        raise BuildError(problems)
    return data


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(step).replace("~", "~0").replace("/", "~1") for step in path)


def may_hold_control_characters(raw: bytes) -> bool:
    """Whether the data of a release file's bytes may hold a control character: JSON holds one below U+0020
    only escaped (\\b, \\f, \\u001f), the others escaped or as their UTF-8 bytes. Searching these bytes took
    1.5 ms of the repository's two release files, walking their data 12 ms."""
    if json.detect_encoding(raw) not in ("utf-8", "utf-8-sig"):
        return True
    return _ESCAPED_CONTROL.search(raw) is not None or b"\x7f" in raw \
        or (b"\xc2" in raw and _C1_CONTROL.search(raw) is not None) \
        or (b"\xef" in raw and _NONCHARACTER.search(raw) is not None)


# \b, \f and \u0000-\u001f, \u007f-\u009f, \ufffe, \uffff: some letters and spaces too, which are then looked for
_ESCAPED_CONTROL = re.compile(rb"\\(?:[bf]|u(?:00[0189]|007|[fF]{3}))")
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")  # U+0080-U+009F in UTF-8
_NONCHARACTER = re.compile(rb"\xef\xbf[\xbe\xbf]")  # U+FFFE, U+FFFF


def _control_characters(value: Any, pointer: str) -> list[str]:
    if isinstance(value, str):
        return [pointer or "/"] if CONTROL_CHARACTER.search(value) else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _control_characters(item, f"{pointer}/{key}")]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _control_characters(item, f"{pointer}/{index}")]
    return []


def _studies(items: list[Any], codebook: Codebook, baseline: bool, display: str, known: bool) -> tuple[Study, ...]:
    schema = study_schema(codebook, baseline)
    valid = (lambda item: True) if known else fast_validator(json.dumps(schema, sort_keys=True))
    problems, studies, seen = [], [], set()
    for index, item in enumerate(items):
        where = f"/studies/{index}"
        if not valid(item):
            import jsonschema

            for error in jsonschema.Draft7Validator(schema).iter_errors(item):
                problems.append(Diagnostic(display, 1, 1, f"{where}{_pointer(error.absolute_path)}: {error.message}"))
            continue
        if item["id"] in seen or item["id"] in RESERVED_IDS:
            problems.append(Diagnostic(display, 1, 1, f"{where}/id: '{item['id']}' is used twice or is reserved"))
            continue
        seen.add(item["id"])
        studies.append(study_from_data(item, f"{display}#{item['id']}"))
    if problems:
        raise BuildError(problems)
    return distinguished(tuple(studies))


def release_editions(project: Project, site_file: LoadedFile | None,
                     loaded: Callable[[Path, Callable[[bool], FrozenRelease]], FrozenRelease]
                     = lambda path, load: load(False)) -> list[Edition]:
    """Every frozen release, oldest first, then the latest again at the site root; how to cite each is added
    by `cited`. `loaded(path, load)`: the release `load(known)` reads and checks (see `load_release`), or the
    same release as an earlier build read it."""
    paths, problems = release_files(project)
    if problems:
        raise BuildError(problems)
    failures, releases = [], []
    for path in paths:
        try:
            releases.append(loaded(path, partial(load_release, project, path, site_file)))
        except BuildError as error:
            failures += error.diagnostics
    if failures:
        raise BuildError(failures)
    editions: list[Edition] = []
    previous_total = None
    for index, release in enumerate(releases):
        aggregates = aggregate(release.studies, release.codebook, release.content.tables)
        editions.append(Edition(
            release.version, f"v/{release.version}/", release.codebook, release.studies, aggregates,
            release.content, is_release=True, date=release.date, doi=release.doi, notes=release.notes,
            is_latest=index == len(releases) - 1, previous_total=previous_total, screening=release.screening,
            previous_searches=search_ids(releases[index - 1].screening) if index else None))
        previous_total = aggregates.total
    if editions:
        editions.append(editions[-1]._replace(prefix="", is_alias=True))
    return editions


def cited(editions: Sequence[Edition], site: SiteInfo) -> list[Edition]:
    """The release editions, each with how to cite it under the live site's title and authors."""
    return [e._replace(citation=citation(site, e.label, e.date, e.doi)) for e in editions]
