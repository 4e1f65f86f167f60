"""Load stage for `content/`: site metadata, the published baseline, the search, figures and pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from pybtex.database import BibliographyData, parse_string
from pybtex.scanner import PybtexError

from .codebook import Codebook
from .diagnostics import Diagnostic
from .load import LoadedFile, parse_yaml_text, read_yaml
from .project import Project

FIGURE_KINDS = ("flow", "bar", "stacked-by-year", "gap-map", "ladder")
_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)


@dataclass(frozen=True)
class SiteInfo:
    title: str
    short_title: str
    description: str
    authors: tuple[str, ...]
    url: str
    repository: str
    licence_text: str
    licence_data: str
    language: str = "en"


@dataclass(frozen=True)
class BaselineFigure:
    key: str
    label: str
    value: int
    where: str
    percent: float | None = None
    of: str | None = None
    field: str | None = None
    field_value: Any = None
    region: str | None = None


@dataclass(frozen=True)
class BaselineCheck:
    label: str
    parts: tuple[str, ...]
    equals: str


@dataclass(frozen=True)
class Baseline:
    """The figures the published review printed, exactly as printed."""

    source: str
    label: str
    figures: tuple[BaselineFigure, ...]
    checks: tuple[BaselineCheck, ...]

    def figure(self, key: str) -> BaselineFigure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)


@dataclass(frozen=True)
class FigureSpec:
    """One figure the site shows, declared in content/figures.yaml."""

    key: str
    kind: str
    title: str
    caption: str
    dimension: str | None = None
    rows: str | None = None
    columns: str | None = None


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    nav: int | None
    description: str
    body: str
    path: str
    body_line: int  # line of the file on which the Markdown body starts


@dataclass(frozen=True)
class Content:
    site: SiteInfo
    baseline: Baseline | None
    searches: tuple[Mapping[str, Any], ...]
    figures: tuple[FigureSpec, ...]
    tables: tuple[tuple[str, str, str], ...]
    pages: tuple[Page, ...]
    bibliography: BibliographyData

    def page(self, slug: str) -> Page | None:
        return next((p for p in self.pages if p.slug == slug), None)

    @property
    def search(self) -> Mapping[str, Any]:
        return self.searches[-1] if self.searches else {}


def load_content(project: Project, codebook: Codebook) -> tuple[Content | None, list[Diagnostic]]:
    """Read everything in content/ except the codebook; report every problem."""
    problems: list[Diagnostic] = []
    site = _site(_read(project, "site.yaml", problems), problems)
    baseline = _baseline(_read(project, "baseline.yaml", problems, optional=True), codebook, problems)
    searches = _searches(_read(project, "search.yaml", problems, optional=True), problems)
    figures, tables = _figures(_read(project, "figures.yaml", problems), codebook, problems)
    pages = _pages(project, problems)
    bibliography = _bibliography(project, problems)
    if problems or site is None:
        return None, problems
    return Content(site, baseline, searches, figures, tables, pages, bibliography), []


def _read(project: Project, name: str, problems: list[Diagnostic], optional: bool = False) -> LoadedFile | None:
    path = project.content / name
    if not path.exists():
        if not optional:
            problems.append(Diagnostic(project.display(path), 1, 1, f"missing content file {name}"))
        return None
    loaded = read_yaml(path, project.display(path))
    if loaded.ok and not isinstance(loaded.data, dict):
        loaded.error(f"{name} must be a mapping (key: value)")
    problems.extend(loaded.diagnostics)
    return loaded if loaded.ok else None


def _require(loaded: LoadedFile, data: Mapping[str, Any], keys: tuple[str, ...], where: list,
             problems: list[Diagnostic]) -> bool:
    missing = [key for key in keys if key not in data]
    for key in missing:
        line_before = len(loaded.diagnostics)
        loaded.error(f"missing '{key}'", where)
        problems.extend(loaded.diagnostics[line_before:])
    return not missing


def _problem(loaded: LoadedFile, message: str, where: list, problems: list[Diagnostic], key: bool = False) -> None:
    before = len(loaded.diagnostics)
    loaded.error(message, where, key=key)
    problems.extend(loaded.diagnostics[before:])


def _site(loaded: LoadedFile | None, problems: list[Diagnostic]) -> SiteInfo | None:
    if loaded is None:
        return None
    data = loaded.data
    keys = ("title", "short_title", "description", "authors", "url", "repository", "licence_text", "licence_data")
    if not _require(loaded, data, keys, [], problems):
        return None
    if not str(data["url"]).startswith(("https://", "http://")):
        _problem(loaded, "url must be the http(s) address where the site is published", ["url"], problems)
    return SiteInfo(data["title"], data["short_title"], data["description"], tuple(data["authors"]),
                    str(data["url"]).rstrip("/") + "/", data["repository"], data["licence_text"],
                    data["licence_data"], data.get("language", "en"))


def _baseline(loaded: LoadedFile | None, codebook: Codebook, problems: list[Diagnostic]) -> Baseline | None:
    if loaded is None:
        return None
    data = loaded.data
    if not _require(loaded, data, ("source", "label", "figures"), [], problems):
        return None
    figures: list[BaselineFigure] = []
    keys: set[str] = set()
    for index, item in enumerate(data["figures"]):
        where = ["figures", index]
        if not isinstance(item, dict) or not _require(loaded, item, ("key", "label", "value", "where"), where, problems):
            continue
        if item["key"] in keys:
            _problem(loaded, f"baseline figure '{item['key']}' is declared twice", where + ["key"], problems)
        keys.add(item["key"])
        if item.get("field") and item["field"] not in codebook.field_keys():
            _problem(loaded, f"unknown codebook field '{item['field']}'", where + ["field"], problems)
        elif item.get("field") and "field_value" in item:
            allowed = codebook.allowed_values(codebook.field(item["field"]))
            if allowed and item["field_value"] not in allowed:
                _problem(loaded, f"'{item['field_value']}' is not a value of {item['field']}; allowed: "
                                 f"{', '.join(allowed)}", where + ["field_value"], problems)
        if item.get("region") and item["region"] not in {r.key for r in codebook.regions}:
            _problem(loaded, f"unknown region '{item['region']}'", where + ["region"], problems)
        figures.append(BaselineFigure(item["key"], item["label"], item["value"], item["where"],
                                      item.get("percent"), item.get("of"), item.get("field"),
                                      item.get("field_value"), item.get("region")))
    for index, figure in enumerate(figures):
        if figure.of and figure.of not in keys:
            _problem(loaded, f"'of: {figure.of}' names no baseline figure", ["figures", index, "of"], problems)
    checks = []
    for index, item in enumerate(data.get("checks", [])):
        named = list(item.get("sum", [])) + [item.get("equals")]
        for name in named:
            if name not in keys:
                _problem(loaded, f"check names unknown baseline figure '{name}'", ["checks", index], problems)
        checks.append(BaselineCheck(item.get("label", ""), tuple(item.get("sum", [])), item.get("equals", "")))
    return Baseline(data["source"], data["label"], tuple(figures), tuple(checks))


def _searches(loaded: LoadedFile | None, problems: list[Diagnostic]) -> tuple[Mapping[str, Any], ...]:
    if loaded is None:
        return ()
    searches = loaded.data.get("searches")
    if not isinstance(searches, list) or not searches:
        _problem(loaded, "search.yaml needs a non-empty list 'searches'", [], problems)
        return ()
    for index, search in enumerate(searches):
        if isinstance(search, dict):
            _require(loaded, search, ("label", "date", "databases"), ["searches", index], problems)
    return tuple(searches)


def _figures(loaded: LoadedFile | None, codebook: Codebook,
             problems: list[Diagnostic]) -> tuple[tuple[FigureSpec, ...], tuple[tuple[str, str, str], ...]]:
    if loaded is None:
        return (), ()
    from .aggregate import dimensions

    known = dimensions(codebook)
    specs = []
    for index, item in enumerate(loaded.data.get("figures", [])):
        where = ["figures", index]
        if not _require(loaded, item, ("key", "kind", "title", "caption"), where, problems):
            continue
        if item["kind"] not in FIGURE_KINDS:
            _problem(loaded, f"unknown figure kind '{item['kind']}'; kinds: {', '.join(FIGURE_KINDS)}",
                     where + ["kind"], problems)
        for name in ("dimension", "rows", "columns"):
            if name in item and item[name] not in known:
                _problem(loaded, f"unknown dimension '{item[name]}'; known: {', '.join(known)}",
                         where + [name], problems)
        specs.append(FigureSpec(item["key"], item["kind"], item["title"], item["caption"],
                                item.get("dimension"), item.get("rows"), item.get("columns")))
    tables = []
    for index, item in enumerate(loaded.data.get("tables", [])):
        where = ["tables", index]
        if not _require(loaded, item, ("key", "rows", "columns"), where, problems):
            continue
        for name in ("rows", "columns"):
            if item[name] not in known:
                _problem(loaded, f"unknown dimension '{item[name]}'; known: {', '.join(known)}",
                         where + [name], problems)
        tables.append((item["key"], item["rows"], item["columns"]))
    for spec in specs:
        if spec.kind == "gap-map":
            tables.append((spec.key, spec.rows or "", spec.columns or ""))
    return tuple(specs), tuple(tables)


def _pages(project: Project, problems: list[Diagnostic]) -> tuple[Page, ...]:
    pages = []
    for path in sorted((project.content / "pages").glob("*.md")):
        display = project.display(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Diagnostic(display, 1, 1, f"cannot read page: {error}"))
            continue
        match = _FRONT_MATTER.match(text)
        if not match:
            problems.append(Diagnostic(display, 1, 1, "a page starts with front matter: ---, title: ..., ---"))
            continue
        front = parse_yaml_text(match.group(1), display)
        problems.extend(Diagnostic(display, d.line + 1, d.column, d.message) for d in front.diagnostics)
        meta = front.data if isinstance(front.data, dict) else {}
        if front.ok and "title" not in meta:
            problems.append(Diagnostic(display, 2, 1, "front matter needs a title"))
            continue
        body_line = match.group(0).count("\n") + 1
        pages.append(Page(path.stem, str(meta.get("title", "")), meta.get("nav"), str(meta.get("description", "")),
                          text[match.end():], display, body_line))
    return tuple(pages)


def _bibliography(project: Project, problems: list[Diagnostic]) -> BibliographyData:
    path = project.content / "references.bib"
    if not path.exists():
        return BibliographyData()
    try:
        return parse_string(path.read_text(encoding="utf-8"), "bibtex")
    except (PybtexError, UnicodeDecodeError) as error:
        problems.append(Diagnostic(project.display(path), 1, 1, f"cannot read BibTeX: {error}"))
        return BibliographyData()
