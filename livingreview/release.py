"""Releases: frozen, citable editions of the review, one JSON file each under releases/.

A release file holds everything needed to render that edition again: the content
files (codebook, pages, baseline, search, figures, references) as they were, and
every study with its coding. The site renders each release from its file alone,
so later edits to studies/ or content/ never change a released edition.
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import yaml
from jinja2 import Environment, TemplateError

from . import __version__
from .aggregate import aggregate
from .changelog import Changes, compare
from .codebook import Codebook, load_codebook
from .content import Content, SiteInfo, load_content
from .diagnostics import BuildError, Diagnostic
from .load import parse_yaml_text
from .project import Project
from .render import Edition, Output, SiteContext, template_problem
from .study import Study, study_from_data, study_to_data

VERSION_PATTERN = re.compile(r"^\d+(\.\d+){0,2}$")
FROZEN_CONTENT = ("codebook.yaml", "baseline.yaml", "search.yaml", "figures.yaml", "references.bib")


def version_key(version: str) -> tuple[int, ...]:
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (3 - len(parts))


def release_files(project: Project) -> list[Path]:
    files = [p for p in project.releases.glob("*.json") if VERSION_PATTERN.match(p.stem)]
    return sorted(files, key=lambda p: version_key(p.stem))


# --- making a release -------------------------------------------------------------------

def make_release(project: Project, version: str, date: str | None = None, notes: str = "",
                 doi: str = "") -> Path:
    """Freeze the current, validated review as releases/VERSION.json; refuse anything unsafe."""
    from .pipeline import check

    problems = _refusals(project, version, date, doi)
    if problems:
        raise BuildError(problems)
    review = check(project)
    date = date or datetime.date.today().isoformat()
    frozen = {
        "version": version, "date": date, "doi": doi, "notes": notes, "tool_version": __version__,
        "content": _content_files(project),
        "studies": [study_to_data(s) for s in sorted(review.studies, key=lambda s: s.id)],
    }
    project.releases.mkdir(exist_ok=True)
    target = project.releases / f"{version}.json"
    with open(target, "x", encoding="utf-8") as out:  # "x": never rewrite a frozen release
        out.write(json.dumps(frozen, indent=1, ensure_ascii=False) + "\n")
    write_citation_files(project, review.content.site, version, date, doi, len(review.studies))
    return target


def _refusals(project: Project, version: str, date: str | None, doi: str) -> list[Diagnostic]:
    where = project.display(project.releases)
    if not VERSION_PATTERN.match(version):
        return [Diagnostic(where, 1, 1, f"version '{version}' must be numbers separated by dots, like 1.0 or 1.2.0")]
    existing = release_files(project)
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
    if doi and not re.match(r"^10\.\d{4,9}/\S+$", doi):
        return [Diagnostic(where, 1, 1, f"'{doi}' is not a DOI; write it like 10.5281/zenodo.1234567")]
    return []


def _content_files(project: Project) -> dict[str, str]:
    files = {name: (project.content / name).read_text(encoding="utf-8")
             for name in FROZEN_CONTENT if (project.content / name).exists()}
    for page in sorted((project.content / "pages").glob("*.md")):
        files[f"pages/{page.name}"] = page.read_text(encoding="utf-8")
    return files


def write_citation_files(project: Project, site: SiteInfo, version: str, date: str, doi: str, studies: int) -> None:
    """CITATION.cff and .zenodo.json describe the latest release, so an archived GitHub release gets its DOI."""
    url = f"{site.url}v/{version}/"
    cff: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this living review, please cite the version you read, as below.",
        "type": "dataset",
        "title": site.title,
        "version": version,
        "date-released": date,
        "url": url,
        "repository-code": site.repository,
        "license": "CC-BY-4.0",
        "authors": [{"name": name} for name in site.authors],
        "abstract": site.description,
        "keywords": ["living review", "scoping review", "peer workers", "co-production", "co-creation"],
        "references": [{"type": "article", "title": "Peer Workers in Co-production and Co-creation in Mental "
                        "Health and Substance Use Services: A Scoping Review", "doi": "10.1007/s10488-022-01242-x",
                        "year": 2022, "authors": [{"family-names": "Åkerblom", "given-names": "Kristina Bakke"},
                                                   {"family-names": "Ness", "given-names": "Ottar"}]}],
    }
    if doi:
        cff["doi"] = doi
    (project.root / "CITATION.cff").write_text(
        "# Kept in step with the latest release by `python build.py release`.\n"
        + yaml.safe_dump(cff, sort_keys=False, allow_unicode=True), encoding="utf-8")
    zenodo = {
        "title": f"{site.title} (version {version})",
        "upload_type": "dataset",
        "version": version,
        "publication_date": date,
        "description": f"{site.description} This version holds {studies} studies.",
        "creators": [{"name": name} for name in site.authors],
        "license": "cc-by-4.0",
        "keywords": cff["keywords"],
        "related_identifiers": [
            {"identifier": "10.1007/s10488-022-01242-x", "relation": "isDerivedFrom", "scheme": "doi"},
            {"identifier": url, "relation": "isIdenticalTo", "scheme": "url"},
        ],
    }
    (project.root / ".zenodo.json").write_text(json.dumps(zenodo, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")


# --- reading releases back ----------------------------------------------------------------

@dataclass(frozen=True)
class FrozenRelease:
    version: str
    date: str
    doi: str
    notes: str
    codebook: Codebook
    content: Content
    studies: tuple[Study, ...]


def load_release(project: Project, path: Path) -> FrozenRelease:
    """A release file read back; its content is checked with the same loaders as the live one."""
    display = project.display(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        folder = _materialise(project, data["version"], data["content"])
    except (OSError, ValueError, KeyError) as error:
        raise BuildError([Diagnostic(display, 1, 1, f"cannot read release file: {error}")]) from None
    frozen = Project(folder)
    codebook, problems = load_codebook(frozen.codebook, display + ":content/codebook.yaml", project.cache)
    if codebook is None:
        raise BuildError(problems)
    content, problems = load_content(frozen, codebook)
    if content is None:
        raise BuildError([Diagnostic(display, 1, 1, f"frozen content: {p}") for p in problems])
    studies = tuple(study_from_data(s, f"{display}#{s['id']}") for s in data["studies"])
    return FrozenRelease(data["version"], data["date"], data.get("doi", ""), data.get("notes", ""),
                         codebook, content, studies)


def _materialise(project: Project, version: str, files: dict[str, str]) -> Path:
    """Write a release's content files into the cache, so the ordinary loaders can read them."""
    folder = project.cache / "releases" / version
    for name, text in files.items():
        target = folder / "content" / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    site_file = folder / "content" / "site.yaml"
    live_site = project.content / "site.yaml"
    if live_site.exists():  # who publishes the site and where is not frozen: it is the site's, not the edition's
        text = live_site.read_text(encoding="utf-8")
        if not site_file.exists() or site_file.read_text(encoding="utf-8") != text:
            site_file.write_text(text, encoding="utf-8")
    return folder


def release_editions(project: Project, live: Content) -> list[Edition]:
    """Every frozen release, oldest first, then the latest again at the site root."""
    releases = [load_release(project, path) for path in release_files(project)]
    editions = []
    previous_total = None
    for index, release in enumerate(releases):
        latest = index == len(releases) - 1
        aggregates = aggregate(release.studies, release.codebook, release.content.tables)
        editions.append(Edition(
            release.version, f"v/{release.version}/", release.codebook, release.studies, aggregates,
            content=release.content, is_release=True, date=release.date, doi=release.doi, notes=release.notes,
            is_latest=latest, previous_total=previous_total,
            citation=citation(live.site, release.version, release.date, release.doi)))
        previous_total = aggregates.total
    if editions:
        newest = editions[-1]
        editions.append(_at_root(newest))
    return editions


def _at_root(edition: Edition) -> Edition:
    from dataclasses import replace

    return replace(edition, prefix="", is_alias=True)


def citation(site: SiteInfo, version: str, date: str, doi: str) -> dict[str, str]:
    """How to cite one release, as text and as BibTeX."""
    url = f"{site.url}v/{version}/"
    year = date[:4]
    who = ", ".join(site.authors)
    locator = f"https://doi.org/{doi}" if doi else url
    text = f"{who} ({year}). {site.title} (Version {version}, {date}). {locator}"
    key = f"livingreview{version.replace('.', '_')}"
    fields = [f"  author = {{{{{' and '.join(site.authors)}}}}}", f"  title = {{{site.title}}}",
              f"  version = {{{version}}}", f"  year = {{{year}}}", f"  date = {{{date}}}", f"  url = {{{url}}}"]
    if doi:
        fields.append(f"  doi = {{{doi}}}")
    bibtex = "@misc{" + key + ",\n" + ",\n".join(fields) + "\n}\n"
    return {"text": text, "bibtex": bibtex, "url": url}


# --- site-wide pages: changelog and feed ---------------------------------------------------

def site_wide_outputs(context: SiteContext, env: Environment) -> Iterator[Output]:
    """The changelog of the evidence and the Atom feed, for the whole site."""
    editions = [e for e in context.editions if not e.is_alias]
    entries = _changelog_entries(editions)
    nav = sorted((p for p in context.content.pages if p.nav is not None and p.slug != "home"), key=lambda p: p.nav)
    common = {"site": context.content.site, "editions": editions, "latest": _latest(context.editions),
              "nav": nav, "this_path": "changelog.html"}
    root_edition = next((e for e in context.editions if e.prefix == ""), editions[-1])
    try:
        html = env.get_template("changelog.html").render(
            **common, edition=root_edition, entries=entries,
            url=lambda target: target, site_url=lambda target: target)
        feed = env.get_template("feed.xml").render(site=context.content.site, entries=entries,
                                                   updated=_feed_updated(editions))
    except TemplateError as error:
        raise BuildError([template_problem(error, context.templates, "changelog.html")]) from None
    yield "changelog.html", html.encode("utf-8")
    yield "feed.xml", feed.encode("utf-8")


def _latest(editions: Sequence[Edition]) -> Edition | None:
    return next((e for e in editions if e.is_release and e.is_latest and not e.is_alias), None)


@dataclass(frozen=True)
class ChangelogEntry:
    edition: Edition
    previous: Edition | None
    changes: Changes


def _changelog_entries(editions: Sequence[Edition]) -> list[ChangelogEntry]:
    """Newest first: the draft against the latest release, then each release against the one before."""
    entries = []
    for index, edition in enumerate(editions):
        previous = editions[index - 1] if index else None
        if previous is None:
            changes = compare((), aggregate((), edition.codebook), edition.codebook,
                              edition.studies, edition.aggregates, edition.codebook)
        else:
            changes = compare(previous.studies, previous.aggregates, previous.codebook,
                              edition.studies, edition.aggregates, edition.codebook)
        entries.append(ChangelogEntry(edition, previous, changes))
    return entries[::-1]


def _feed_updated(editions: Sequence[Edition]) -> str:
    dates = [e.date for e in editions if e.is_release and e.date]
    return (max(dates) if dates else "2022-11-17") + "T00:00:00Z"


# --- diff against a release or a git revision ---------------------------------------------

def edition_at(project: Project, base: str | None) -> tuple[str, Sequence[Study], Codebook]:
    """The studies and codebook of the latest release (default), a named release, or a git revision."""
    releases = release_files(project)
    if base is None:
        if not releases:
            raise BuildError([Diagnostic(project.display(project.releases), 1, 1,
                                         "no release to compare with; name a git revision, e.g. diff main")])
        base = releases[-1].stem
    if (project.releases / f"{base}.json").exists():
        release = load_release(project, project.releases / f"{base}.json")
        return f"release {base}", release.studies, release.codebook
    return f"revision {base}", *_studies_at_revision(project, base)


def _studies_at_revision(project: Project, revision: str) -> tuple[list[Study], Codebook]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(project.root), *args], capture_output=True, text=True)
        if done.returncode:
            raise BuildError([Diagnostic(".", 1, 1, f"git {' '.join(args)}: {done.stderr.strip()}")])
        return done.stdout

    files = {name: git("show", f"{revision}:content/{name}") for name in ("codebook.yaml",)}
    folder = _materialise(project, f"git-{re.sub(r'[^A-Za-z0-9_.-]', '_', revision)}", files)
    codebook, problems = load_codebook(folder / "content" / "codebook.yaml")
    if codebook is None:
        raise BuildError(problems)
    studies = []
    for name in git("ls-tree", "-r", "--name-only", revision, "studies/").split():
        if name.endswith((".yaml", ".yml")):
            loaded = parse_yaml_text(git("show", f"{revision}:{name}"), name)
            if loaded.ok and isinstance(loaded.data, dict):
                try:
                    studies.append(study_from_data(loaded.data, name))
                except (KeyError, TypeError):
                    continue  # a file that was invalid at that revision has no place in the comparison
    return studies, codebook
