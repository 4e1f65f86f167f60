"""Load stage for `content/`: the site's settings, the published baseline, the search, figures and pages.

Every file is checked against what the engine declares it may hold (the settings below, the figure
kinds' settings, the codebook's dimensions), and every problem is reported at its line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cached_property, lru_cache
from typing import Any, Protocol

from .aggregate import dimension_kind, dimensions
from .codebook import Codebook
from .consistency import Check, CitationProblem, read_checks, read_citations
from .diagnostics import Diagnostic
from .figures import KINDS as FIGURE_KINDS
from .figures import FigureSpec
from .load import CONTROL_CHARACTER, LoadedFile, parse_yaml_text
from .named_tuple import NamedTuple
from .schema import DOI_PATTERN, SLUG_PATTERN, URL_PATTERN, fast_validator
from .sources import Sources

_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)
# Pages the site writes itself: a content page may not take their names.
RESERVED_PAGES = ("index", "home", "studies", "figures", "data", "assets", "v", "draft", "changelog",
                  "consistency", "agreement", "references", "feed", "search")
_TEXT = {"type": "string", "minLength": 1}
_KEY = {"type": "string", "pattern": SLUG_PATTERN.replace("-", "[_-]")}
_DIMENSION = {"type": "string", "minLength": 1}
SITE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["title", "short_title", "description", "authors", "url"],
    "additionalProperties": False,
    "properties": {
        "title": _TEXT, "short_title": _TEXT, "description": _TEXT,
        "authors": {"type": "array", "minItems": 1, "items": _TEXT},
        "url": {"type": "string", "pattern": URL_PATTERN},
        "repository": {"type": "string", "pattern": URL_PATTERN},
        "contact": {"type": "string", "pattern": r"^[^@\s<>\"]+@[^@\s<>\"]+$(?!\n)"},  # for the APIs `search` asks
        "licence_text": _TEXT, "licence_data": _TEXT,
        "language": {"type": "string", "pattern": r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$(?!\n)"},
        "attribution": _TEXT,
        "next_update": _TEXT,
        "home": {"type": "object", "additionalProperties": False, "properties": {
            "facts": {"type": "array", "items": {
                "type": "object", "required": ["label", "dimension", "value"], "additionalProperties": False,
                "properties": {"label": _TEXT, "dimension": _DIMENSION,
                               "value": {"type": ["string", "boolean", "integer"]}}}}}},
        "table": {"type": "object", "additionalProperties": False, "properties": {
            "columns": {"type": "array", "items": _DIMENSION, "uniqueItems": True}}},
        "citation": {"type": "object", "additionalProperties": False, "properties": {
            "keywords": {"type": "array", "items": _TEXT},
            "licence": {"type": "string", "pattern": r"^[A-Za-z0-9.+-]+$(?!\n)"},
            "continues": {"type": "object", "required": ["title", "doi", "year", "authors"],
                          "additionalProperties": False, "properties": {
                              "title": _TEXT, "doi": {"type": "string", "pattern": DOI_PATTERN},
                              "year": {"type": "integer"},
                              "authors": {"type": "array", "minItems": 1, "items": {
                                  "type": "object", "required": ["family"], "additionalProperties": False,
                                  "properties": {"family": _TEXT, "given": {"type": "string"}}}}}}}},
    },
}


class HomeFact(NamedTuple):
    """One fact the home page shows: a label and the count of the studies with one value of a dimension."""

    label: str
    dimension: str
    value: Any


class Continues(NamedTuple):
    """The published work a review continues (cited beside every release of it)."""

    title: str
    doi: str
    year: int
    authors: tuple[tuple[str, str], ...]  # (family, given)

    @property
    def short_citation(self) -> str:
        names = [family for family, _ in self.authors]
        who = names[0] if len(names) == 1 else f"{names[0]} & {names[1]}" if len(names) == 2 else f"{names[0]} et al."
        return f"{who} ({self.year})"


class SiteInfo(NamedTuple):
    """content/site.yaml, validated: the review's title, authors, address, licence and home page facts."""

    title: str
    short_title: str
    description: str
    authors: tuple[str, ...]
    url: str
    repository: str = ""
    licence_text: str = ""
    licence_data: str = ""
    language: str = "en"
    attribution: str = ""
    facts: tuple[HomeFact, ...] = ()
    columns: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    licence: str = ""  # an SPDX identifier, for CITATION.cff and Zenodo
    continues: Continues | None = None
    next_update: str = ""  # when the next search is planned, in the review's words


class BaselineFigure(NamedTuple):
    """One figure the published baseline reports, as content/baseline.yaml records it."""

    key: str
    label: str
    value: int
    where: str
    percent: float | None = None
    of: str | None = None
    field: str | None = None
    field_value: Any = None
    region: str | None = None
    percent_decimals: int | None = None  # the decimals the percentage is printed with, as written in the file


class Baseline(NamedTuple):
    """The figures the published review printed, exactly as printed."""

    source: str
    label: str
    figures: tuple[BaselineFigure, ...]
    checks: tuple[Check, ...]
    included: str = ""  # the key of the figure that counts the published review's included studies
    citations: tuple[CitationProblem, ...] = ()  # errors of its citations and reference list
    studies: tuple[str, ...] | None = None  # the ids of its included studies, the only ones in_baseline: true

    def figure(self, key: str) -> BaselineFigure:
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(key)

    @property
    def included_total(self) -> int | None:
        return self.figure(self.included).value if self.included else None


class Page(NamedTuple):
    """One content page of content/pages/: its front matter and its body (Markdown with expressions)."""

    slug: str
    title: str
    nav: int | None
    description: str
    body: str
    path: str
    body_line: int  # line of the file on which the Markdown body starts


class Bibliography:
    """content/references.bib, its entries parsed by pybtex when first asked for: a build that renders no
    page citing them (a study's title edited, every content page kept) neither imports pybtex nor parses."""

    def __init__(self, text: str = "", parsed: Any = None):
        self.text = text
        if parsed is not None:
            self.__dict__["entries"] = parsed.entries

    @cached_property
    def entries(self) -> Any:
        """pybtex's entries, by citation key (an OrderedCaseInsensitiveDict of Entry)."""
        return _parsed_bibtex(self.text).entries if self.text.strip() else {}

    def __repr__(self) -> str:
        return f"Bibliography({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bibliography) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class Content(NamedTuple):
    """Everything in content/ but the codebook, validated."""

    site: SiteInfo
    baseline: Baseline | None
    searches: tuple[Mapping[str, Any], ...]
    figures: tuple[FigureSpec, ...]
    tables: tuple[tuple[str, str, str], ...]
    pages: tuple[Page, ...]
    bibliography: Bibliography
    files: Mapping[str, str] = {}  # name -> text, as a release freezes them

    def page(self, slug: str) -> Page | None:
        return next((p for p in self.pages if p.slug == slug), None)

    @property
    def search(self) -> Mapping[str, Any]:
        return self.searches[-1] if self.searches else {}


class CheckedTexts(Protocol):
    """Texts of content files this engine found valid before (`known`), and those found valid now (`keep`)."""

    def known(self, text: str) -> bool: ...

    def keep(self, text: str) -> None: ...


class _NoneKnown:
    def known(self, text: str) -> bool:
        return False

    def keep(self, text: str) -> None:
        pass


def load_content(sources: Sources, codebook: Codebook, site_file: LoadedFile | None = None,
                 checked: CheckedTexts | None = None) -> tuple[Content | None, list[Diagnostic]]:
    """Read everything in content/ but the codebook; report every problem.

    `site_file`: the site settings to use instead of the sources' own (a release is shown with the
    live site's settings: who publishes it, and where, is not part of an edition). `checked`: a site.yaml or
    references.bib of a text this engine found valid before is not checked against its schema, or parsed
    before a page cites it; each found valid is kept there."""
    problems: list[Diagnostic] = []
    checked = checked or _NoneKnown()
    site_loaded = site_file if site_file is not None else sources.yaml("site.yaml")
    site = _site(_mapping(site_loaded, sources.shown("site.yaml"), problems, required=True), codebook, problems,
                 checked)
    baseline = _baseline(_mapping(sources.yaml("baseline.yaml"), "", problems), codebook, problems)
    searches = _searches(_mapping(sources.yaml("search.yaml"), "", problems), problems)
    figures, tables = _figures(_mapping(sources.yaml("figures.yaml"), sources.shown("figures.yaml"), problems,
                                        required=True), codebook, problems,
                               {f.key for f in baseline.figures} if baseline else set())
    pages = _pages(sources, problems)
    bibliography = _bibliography(sources, problems, checked)
    if problems or site is None:
        return None, problems
    frozen = {}
    for name in ("baseline.yaml", "search.yaml", "figures.yaml", "screening.yaml"):
        loaded = sources.yaml(name)
        if loaded is not None and loaded.text is not None:
            frozen[name] = loaded.text
    read = sources.text("references.bib")
    if isinstance(read, tuple):
        frozen["references.bib"] = read[0]
    frozen.update({f"pages/{page.slug}.md": page_text for page, page_text in pages})
    return Content(site, baseline, searches, figures, tables, tuple(page for page, _ in pages), bibliography,
                   frozen), []


def _mapping(loaded: LoadedFile | None, shown: str, problems: list[Diagnostic],
             required: bool = False) -> LoadedFile | None:
    if loaded is None:
        if required:
            problems.append(Diagnostic(shown, 1, 1, f"missing content file {shown.rsplit('/', 1)[-1]}; "
                                                    f"`livingreview init` writes one to start from"))
        return None
    if loaded.ok and not isinstance(loaded.data, dict):
        loaded.error("this file must be a mapping (key: value), such as title: My review")
    problems.extend(loaded.diagnostics)
    return loaded if loaded.ok else None


def _problem(loaded: LoadedFile, message: str, where: Sequence[Any], problems: list[Diagnostic],
             key: bool = False) -> None:
    before = len(loaded.diagnostics)
    loaded.error(message, where, key=key)
    problems.extend(loaded.diagnostics[before:])


def _schema_problems(loaded: LoadedFile, schema: dict[str, Any], problems: list[Diagnostic]) -> bool:
    """Report where the file differs from `schema`; True if it does not."""
    if fast_validator(json.dumps(schema, sort_keys=True))(loaded.data):
        return True
    import jsonschema

    for error in sorted(jsonschema.Draft7Validator(schema).iter_errors(loaded.data),
                        key=lambda e: [str(p) for p in e.absolute_path]):
        where = list(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = ", ".join(sorted(error.schema.get("properties", {})))
            for extra in sorted(set(error.instance) - set(error.schema.get("properties", {})), key=str):
                _problem(loaded, f"unknown setting '{extra}'; allowed here: {allowed}", [*where, extra], problems,
                         key=True)
            continue
        place = ".".join(str(step) for step in where) or "the file"
        _problem(loaded, f"{place}: {_schema_message(error)}", where, problems)
    return False


def _schema_message(error: Any) -> str:
    if error.validator == "required":
        return f"missing '{[k for k in error.validator_value if k not in error.instance][0]}'"
    if error.validator == "pattern" and "https?" in str(error.validator_value):
        return f"'{error.instance}' must be an http:// or https:// address, such as https://example.org/"
    if error.validator == "pattern" and "10\\." in str(error.validator_value):
        return f"'{error.instance}' is not a DOI; write the bare DOI, such as 10.1111/hsc.12197"
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = {"string": "text", "integer": "a whole number", "array": "a list", "object": "a mapping",
                 "boolean": "true or false"}
        return f"must be {' or '.join(words.get(str(t), str(t)) for t in expected)}"
    if error.validator in ("minLength", "minItems"):
        return "is empty"
    return str(error.message)


def _site(loaded: LoadedFile | None, codebook: Codebook, problems: list[Diagnostic],
          checked: CheckedTexts) -> SiteInfo | None:
    if loaded is None:
        return None
    text = loaded.text or ""
    if not checked.known(text) and not _schema_problems(loaded, SITE_SCHEMA, problems):
        return None
    checked.keep(text)
    data = loaded.data
    known = dimensions(codebook)
    facts = []
    for index, fact in enumerate(data.get("home", {}).get("facts", [])):
        where = ["home", "facts", index]
        if _dimension_problem(loaded, fact["dimension"], known, [*where, "dimension"], problems):
            continue
        if not _is_value(codebook, fact["dimension"], fact["value"]):
            _problem(loaded, f"'{fact['value']}' is not a value of {fact['dimension']}", [*where, "value"], problems)
            continue
        facts.append(HomeFact(fact["label"], fact["dimension"], fact["value"]))
    columns = data.get("table", {}).get("columns")
    for index, column in enumerate(columns or []):
        _dimension_problem(loaded, column, known, ["table", "columns", index], problems)
    if columns is None:  # the first four dimensions after the year
        columns = [d for d in known if d != "year"][:4]
    citation = data.get("citation", {})
    continues = citation.get("continues")
    return SiteInfo(
        data["title"], data["short_title"], data["description"], tuple(data["authors"]),
        data["url"].rstrip("/") + "/", data.get("repository", ""), data.get("licence_text", ""),
        data.get("licence_data", ""), data.get("language", "en"), data.get("attribution", ""), tuple(facts),
        tuple(columns), tuple(citation.get("keywords", ())), citation.get("licence", ""),
        Continues(continues["title"], continues["doi"], continues["year"],
                  tuple((a["family"], a.get("given", "")) for a in continues["authors"])) if continues else None,
        data.get("next_update", ""))


def _is_value(codebook: Codebook, dimension: str, value: Any) -> bool:
    kind = dimension_kind(dimension, codebook)
    if kind in ("derived", "boolean"):
        return isinstance(value, bool)
    if kind == "year":
        return isinstance(value, int)
    if kind == "region":
        return value in {r.key for r in codebook.regions}
    return value in codebook.allowed_values(codebook.field(dimension))


def _dimension_problem(loaded: LoadedFile, name: Any, known: Sequence[str], where: list, problems: list[Diagnostic],
                       accepts: Sequence[str] = (), codebook: Codebook | None = None) -> bool:
    """Report a name that is not a dimension (or not one of the kinds accepted); True if reported."""
    if not isinstance(name, str) or name not in known:
        import difflib  # for content with errors only

        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        _problem(loaded, f"unknown dimension '{name}'{hint} Dimensions are the codebook's fields of a kind that can "
                         f"be counted, its derived facts, year and region: {', '.join(known)}", where, problems)
        return True
    if accepts and codebook is not None and dimension_kind(name, codebook) not in accepts:
        _problem(loaded, f"'{name}' is a dimension of kind {dimension_kind(name, codebook)}; this setting takes "
                         f"one of kind {' or '.join(accepts)}", where, problems)
        return True
    return False


def _figures(loaded: LoadedFile | None, codebook: Codebook, problems: list[Diagnostic],
             published: set[str]) -> tuple[tuple[FigureSpec, ...], tuple[tuple[str, str, str], ...]]:
    if loaded is None:
        return (), ()
    data = loaded.data
    for extra in sorted(set(data) - {"figures", "tables"}, key=str):
        _problem(loaded, f"unknown setting '{extra}'; figures.yaml holds `figures:` and `tables:`", [extra],
                 problems, key=True)
    known = dimensions(codebook)
    specs, keys = [], set()
    for index, item in enumerate(_items(loaded, "figures", problems)):
        spec = _figure(loaded, item, ["figures", index], codebook, known, problems, published)
        if spec is None:
            continue
        if spec.key in keys:
            _problem(loaded, f"figure key '{spec.key}' is used twice; each figure needs its own key",
                     ["figures", index, "key"], problems)
            continue
        keys.add(spec.key)
        specs.append(spec)
    tables = []
    for index, item in enumerate(_items(loaded, "tables", problems)):
        where = ["tables", index]
        missing = [name for name in ("key", "rows", "columns") if name not in item]
        if missing:
            _problem(loaded, f"a table needs key, rows and columns; missing: {', '.join(missing)}", where, problems)
            continue
        if not (isinstance(item["key"], str) and re.search(SLUG_PATTERN, item["key"])):
            _problem(loaded, f"table key '{item['key']}' must be a slug such as role-by-year", [*where, "key"],
                     problems)
            continue
        if any(_dimension_problem(loaded, item[name], known, [*where, name], problems) for name in ("rows", "columns")):
            continue
        tables.append((item["key"], item["rows"], item["columns"]))
    # A figure of rows by columns (a gap map) publishes its cross-tabulation too, under its own key.
    tables += [(spec.key, spec.settings["rows"], spec.settings["columns"])
               for spec in specs if {"rows", "columns"} <= set(spec.settings)]
    return tuple(specs), tuple(tables)


def _items(loaded: LoadedFile, name: str, problems: list[Diagnostic]) -> list[dict]:
    items = loaded.data.get(name, [])
    if not isinstance(items, list):
        _problem(loaded, f"`{name}:` must be a list of entries, each starting with '- key: ...'", [name], problems)
        return []
    good = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            good.append(item)
        else:
            _problem(loaded, f"each entry of `{name}:` must be a mapping, such as '- key: per-year'", [name, index],
                     problems)
            good.append({})
    return good


def _figure(loaded: LoadedFile, item: dict, where: list, codebook: Codebook, known: Sequence[str],
            problems: list[Diagnostic], published: set[str]) -> FigureSpec | None:
    missing = [name for name in ("key", "kind", "title", "caption") if name not in item]
    if missing:
        _problem(loaded, f"a figure needs key, kind, title and caption; missing: {', '.join(missing)}", where, problems)
        return None
    kind = FIGURE_KINDS.get(item["kind"]) if isinstance(item["kind"], str) else None
    if kind is None:
        listed = "; ".join(f"{name} ({k.summary})" for name, k in FIGURE_KINDS.items())
        _problem(loaded, f"unknown figure kind '{item['kind']}'. Kinds: {listed}", [*where, "kind"], problems)
        return None
    before = len(problems)
    if not (isinstance(item["key"], str) and re.search(SLUG_PATTERN, item["key"])):
        _problem(loaded, f"figure key '{item['key']}' must be a lower-case slug of letters, digits and hyphens, "
                         f"such as per-year", [*where, "key"], problems)
    for name in ("title", "caption"):
        if not isinstance(item[name], str) or not item[name].strip():
            _problem(loaded, f"the figure's {name} must be text", [*where, name], problems)
    declared = {setting.name: setting for setting in kind.settings}
    for extra in sorted(set(item) - {"key", "kind", "title", "caption"} - set(declared), key=str):
        allowed = ", ".join(declared) or "none"
        _problem(loaded, f"a figure of kind {kind.name} has no setting '{extra}'; its settings: {allowed}",
                 [*where, extra], problems, key=True)
    for setting in kind.settings:
        value = item.get(setting.name)
        if value is None:
            if setting.required:
                _problem(loaded, f"a figure of kind {kind.name} needs `{setting.name}:` ({setting.help})", where,
                         problems)
            continue
        if setting.role == "dimension":
            _dimension_problem(loaded, value, known, [*where, setting.name], problems, setting.accepts, codebook)
        elif setting.role == "baseline" and value not in published:
            listed = ", ".join(sorted(published)) or "none: the review declares no published baseline"
            _problem(loaded, f"'{value}' is not a figure of content/baseline.yaml; its figures: {listed}",
                     [*where, setting.name], problems)
        elif setting.role == "text" and not isinstance(value, str):
            _problem(loaded, f"`{setting.name}` must be text", [*where, setting.name], problems)
        elif setting.role == "percent" and (isinstance(value, bool) or not isinstance(value, int | float)
                                            or not 0 <= value <= 100):
            _problem(loaded, f"`{setting.name}` must be a percentage from 0 to 100, such as 50",
                     [*where, setting.name], problems)
        elif setting.role == "value":
            dimension = item.get(setting.of)
            if not isinstance(dimension, str) or dimension not in known:
                _problem(loaded, f"`{setting.name}` needs `{setting.of}:` to name a dimension first",
                         [*where, setting.name], problems)
            elif not _is_value(codebook, dimension, value):
                _problem(loaded, f"'{value}' is not a value of {dimension}", [*where, setting.name], problems)
    if len(problems) > before:
        return None
    settings = {name: item[name] for name in declared if name in item}
    return FigureSpec(item["key"], kind.name, item["title"], item["caption"], settings)


def _baseline(loaded: LoadedFile | None, codebook: Codebook, problems: list[Diagnostic]) -> Baseline | None:
    if loaded is None:
        return None
    data = loaded.data
    missing = [key for key in ("source", "label", "figures") if key not in data]
    if missing:
        _problem(loaded, f"the baseline needs source, label and figures; missing: {', '.join(missing)}", [], problems)
        return None
    if not isinstance(data["figures"], list):
        _problem(loaded, "`figures:` must be a list of the published figures", ["figures"], problems)
        return None
    figures: list[BaselineFigure] = []
    keys: set[str] = set()
    for index, item in enumerate(data["figures"]):
        where = ["figures", index]
        absent = [key for key in ("key", "label", "value", "where") if not isinstance(item, dict) or key not in item]
        if absent:
            _problem(loaded, f"a published figure needs key, label, value and where; missing: {', '.join(absent)}",
                     where, problems)
            continue
        if not isinstance(item["key"], str) or not item["key"]:
            _problem(loaded, "key must be text, such as included", [*where, "key"], problems)
            continue
        if not isinstance(item["value"], int) or isinstance(item["value"], bool):
            _problem(loaded, "value must be a whole number, as printed", [*where, "value"], problems)
            continue
        if item["key"] in keys:
            _problem(loaded, f"baseline figure '{item['key']}' is declared twice", [*where, "key"], problems)
        keys.add(item["key"])
        if item.get("field") and item["field"] not in codebook.field_keys():
            _problem(loaded, f"unknown codebook field '{item['field']}'", [*where, "field"], problems)
        elif item.get("field") and "field_value" in item:
            allowed = codebook.allowed_values(codebook.field(item["field"]))
            if allowed and item["field_value"] not in allowed:
                _problem(loaded, f"'{item['field_value']}' is not a value of {item['field']}; allowed: "
                                 f"{', '.join(allowed)}", [*where, "field_value"], problems)
        if item.get("region") and item["region"] not in {r.key for r in codebook.regions}:
            _problem(loaded, f"unknown region '{item['region']}'", [*where, "region"], problems)
        decimals = _printed_decimals(loaded, item, [*where, "percent"], problems)
        figures.append(BaselineFigure(item["key"], item["label"], item["value"], item["where"],
                                      item.get("percent"), item.get("of"), item.get("field"),
                                      item.get("field_value"), item.get("region"), decimals))
    for index, figure in enumerate(figures):
        if figure.of and figure.of not in keys:
            _problem(loaded, f"'of: {figure.of}' names no baseline figure", ["figures", index, "of"], problems)

    def report(message: str, where: Sequence[Any], key: bool) -> None:
        _problem(loaded, message, where, problems, key=key)

    checks = read_checks(data.get("checks"), keys, report)
    citations = read_citations(data.get("citations"), report)
    included = data.get("included", "included" if "included" in keys else "")
    if included and included not in keys:
        _problem(loaded, f"included: '{included}' names no baseline figure", ["included"], problems)
    return Baseline(data["source"], data["label"], tuple(figures), checks, included, citations,
                    _baseline_studies(loaded, problems))


def _printed_decimals(loaded: LoadedFile, item: dict, where: list, problems: list[Diagnostic]) -> int | None:
    """How many decimals a printed percentage has, read as written (67.40 has two, though YAML reads it as 67.4)."""
    if item.get("percent") is None:
        return None
    if isinstance(item["percent"], bool) or not isinstance(item["percent"], int | float):
        _problem(loaded, "percent must be a number, as printed, such as 67.4", where, problems)
        return None
    if isinstance(item["percent"], int):
        return 0  # as YAML writes no whole number with a point
    written = loaded.float_as_written(where, item["percent"]) or ""
    return len(written.split(".", 1)[1]) if re.fullmatch(r"\d+\.\d+", written) else 0


def _baseline_studies(loaded: LoadedFile, problems: list[Diagnostic]) -> tuple[str, ...] | None:
    """The ids of the published review's included studies (`studies:`), or None when the baseline lists none."""
    listed = loaded.data.get("studies")
    if listed is None:
        return None
    if not isinstance(listed, list) or not all(isinstance(s, str) and re.match(SLUG_PATTERN, s) for s in listed):
        _problem(loaded, "`studies:` lists the ids of the published review's included studies, such as "
                         "[nelson-2016, byrne-2021a]", ["studies"], problems)
        return None
    return tuple(listed)


def _searches(loaded: LoadedFile | None, problems: list[Diagnostic]) -> tuple[Mapping[str, Any], ...]:
    if loaded is None:
        return ()
    searches = loaded.data.get("searches")
    if not isinstance(searches, list) or not searches:
        _problem(loaded, "search.yaml needs a non-empty list `searches:`", [], problems)
        return ()
    for index, search in enumerate(searches):
        if not isinstance(search, dict):
            _problem(loaded, "each search must be a mapping (label: ..., date: ...)", ["searches", index], problems)
            continue
        missing = [key for key in ("label", "date") if key not in search]
        if missing:
            _problem(loaded, f"a search needs a label and a date; missing: {', '.join(missing)}",
                     ["searches", index], problems)
    return tuple(s for s in searches if isinstance(s, dict))


def page_bodies(sources: Sources) -> list[str]:
    """The body of each content page `load_content` would read, those with problems left out."""
    return [page.body for page, _ in _pages(sources, [])]


def _pages(sources: Sources, problems: list[Diagnostic]) -> list[tuple[Page, str]]:
    pages = []
    for name in sources.page_names():
        display = sources.shown(name)
        slug = name.removeprefix("pages/").removesuffix(".md")
        read = sources.text(name)
        if isinstance(read, Diagnostic):
            problems.append(read)
            continue
        if read is None:
            continue
        text = read[0]
        if not re.search(SLUG_PATTERN, slug):
            problems.append(Diagnostic(display, 1, 1, f"page name '{slug}' must be a lower-case slug such as "
                                                      f"methods or living-update (it becomes {slug}.html)"))
            continue
        if slug in RESERVED_PAGES and slug != "home":
            problems.append(Diagnostic(display, 1, 1, f"the site writes a page called {slug} itself; "
                                                      f"give this page another name"))
            continue
        bad = CONTROL_CHARACTER.search(text)
        if bad:
            line = text.count("\n", 0, bad.start()) + 1
            column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
            problems.append(Diagnostic(display, line, column, f"control character U+{ord(bad.group()):04X}; "
                                                              f"remove it"))
            continue
        match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
        if not match:
            problems.append(Diagnostic(display, 1, 1, "a page starts with front matter between two --- lines: "
                                                      "---, title: Methods, ---"))
            continue
        page = _page(slug, display, match, text.replace("\r\n", "\n"), problems)
        if page is not None:
            pages.append((page, text))
    return pages


def _page(slug: str, display: str, match: re.Match[str], text: str, problems: list[Diagnostic]) -> Page | None:
    front = parse_yaml_text(match.group(1), display)
    shifted = [Diagnostic(display, d.line + 1, d.column, d.message) for d in front.diagnostics]
    problems.extend(shifted)
    if shifted:
        return None
    meta = front.data if isinstance(front.data, dict) else {}
    before = len(problems)
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        problems.append(Diagnostic(display, 2, 1, "the front matter needs a title, such as title: Methods"))
    if meta.get("nav") is not None and (not isinstance(meta["nav"], int) or isinstance(meta["nav"], bool)):
        problems.append(Diagnostic(display, 2, 1, "nav must be a whole number: the page's place in the menu, "
                                                  "such as nav: 2 (leave it out to keep the page off the menu)"))
    if not isinstance(meta.get("description", ""), str):
        problems.append(Diagnostic(display, 2, 1, "description must be text"))
    for extra in sorted(set(meta) - {"title", "nav", "description"}, key=str):
        problems.append(Diagnostic(display, 2, 1, f"unknown front-matter key '{extra}'; a page has title, "
                                                  f"nav and description"))
    if len(problems) > before:
        return None
    body_line = match.group(0).count("\n") + 1
    return Page(slug, meta["title"], meta.get("nav"), meta.get("description", ""), text[match.end():], display,
                body_line)


def _bibliography(sources: Sources, problems: list[Diagnostic], checked: CheckedTexts) -> Bibliography:
    read = sources.text("references.bib")
    if isinstance(read, Diagnostic):
        problems.append(read)
        return Bibliography()
    if read is None:
        return Bibliography()
    text, display = read
    if checked.known(text):
        checked.keep(text)
        return Bibliography(text)
    from pybtex.scanner import PybtexError

    before = len(problems)
    try:
        data = _parsed_bibtex(text)
    except PybtexError as error:
        problems.append(Diagnostic(display, 1, 1, f"cannot read BibTeX: {error}"))
        return Bibliography()
    except Exception as error:  # noqa: BLE001 - pybtex's parser may raise anything on malformed input
        problems.append(Diagnostic(display, 1, 1, f"cannot read BibTeX: {type(error).__name__}: {error}"))
        return Bibliography()
    for key, entry in data.entries.items():
        url, doi = entry.fields.get("url", ""), entry.fields.get("doi", "")
        if url and not re.search(URL_PATTERN, url):
            problems.append(Diagnostic(display, _line_of(text, key), 1,
                                       f"{key}: url '{url}' must be an http:// or https:// address with no "
                                       f"spaces, quotes or angle brackets"))
        if doi and not re.search(DOI_PATTERN, doi):
            problems.append(Diagnostic(display, _line_of(text, key), 1, f"{key}: '{doi}' is not a DOI; write the "
                                                                        f"bare DOI, such as 10.1111/hsc.12197"))
    if len(problems) == before:
        checked.keep(text)
    return Bibliography(text, data)


@lru_cache(maxsize=8)
def _parsed_bibtex(text: str) -> Any:
    """The entries of a BibTeX text, parsed once per text: each release keeps a copy of the review's, most
    often the same. Nothing changes them once parsed."""
    from pybtex.database.input.bibtex import Parser  # what parse_string(text, "bibtex") would look up

    # The parser itself: pybtex's parse_string looks it up among every installed package's entry points.
    return Parser().parse_string(text)


def _line_of(text: str, key: str) -> int:
    """The line an entry begins on, for a problem with it: a pattern of its own for each key (a valid file's
    took 1 ms of each process of a check to compile)."""
    found = re.search(r"@\w+\s*[{(]\s*" + re.escape(key) + r"\s*,", text)
    return text.count("\n", 0, found.start()) + 1 if found else 1
