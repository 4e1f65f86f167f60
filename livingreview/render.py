"""Render stage: every page, figure and download of one edition, as (path, bytes) pairs.

Nothing is written here. Links are relative, so the site works from a sub-path
and from file://.
"""

from __future__ import annotations

import csv
import io
import json
import os
import posixpath
import re
from html import unescape
from functools import lru_cache
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from jinja2 import (Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, TemplateError,
                    TemplateSyntaxError, select_autoescape)
from markupsafe import Markup, escape

from .aggregate import Aggregates, dimension_values, format_percent, value_label
from .agreement import agreement
from .codebook import Codebook, Derived, Field
from .content import Content, Page
from .diagnostics import BuildError, Diagnostic
from .figures import FigureData, all_figures
from .prose import Blocks, cache_compiled_pages, page_functions, render_page
from .references import bibtex, format_entry, format_study, ris
from .schema import schema_json
from .study import Study, study_to_data

Output = tuple[str, bytes]


@dataclass(frozen=True)
class Edition:
    """One rendering of the review: a frozen release or the draft of unreleased changes."""

    label: str
    prefix: str  # where it lives in the site: "", "v/1.0.0/" or "draft/"
    codebook: Codebook
    studies: tuple[Study, ...]
    aggregates: Aggregates
    is_release: bool = False
    date: str = ""
    doi: str = ""
    notes: str = ""
    is_latest: bool = True
    previous_total: int | None = None
    citation: Mapping[str, str] = field(default_factory=dict)
    content: Content | None = None  # a release's frozen content; None: the live content
    is_alias: bool = False  # the latest release again at the site root


@dataclass(frozen=True)
class SiteContext:
    """What every page of every edition shares."""

    content: Content
    editions: Sequence[Edition]
    templates: Path
    figure_cache: Path | None


def environment(templates: Path, cache: Path | None = None) -> Environment:
    """The site templates' environment; with a cache folder, compiled templates are kept between builds."""
    bytecode = None
    if cache is not None:
        (cache / "templates").mkdir(parents=True, exist_ok=True)
        bytecode = FileSystemBytecodeCache(str(cache / "templates"))
        cache_compiled_pages(cache / "pages")
    env = Environment(loader=FileSystemLoader(templates), autoescape=select_autoescape(["html", "xml"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      bytecode_cache=bytecode)
    env.filters["percent"] = format_percent
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else n
    return env


def _placed(html: str, full: str) -> str:
    """A page's marked site links, made relative to where this copy of it is written."""
    return _SITE_LINK.sub(lambda mark: escape(relative(full, unescape(mark.group(1)))), html)


@lru_cache(maxsize=65536)  # pages of one folder share their links: computed once per folder and target
def relative(from_page: str, to_path: str) -> str:
    """A relative URL from one site path to another (both relative to the site root)."""
    return _relative_from(posixpath.dirname(from_page) or ".", to_path)


@lru_cache(maxsize=65536)
def _relative_from(start: str, to_path: str) -> str:
    target = posixpath.relpath(to_path, start)
    return target + ("/" if to_path.endswith("/") and not target.endswith("/") else "")


def edition_figures(context: SiteContext, edition: Edition) -> list[FigureData]:
    """The data of every figure an edition shows."""
    content = edition.content or context.content
    return all_figures(content.figures, edition.aggregates, edition.codebook, content.search, edition.previous_total)


def render_edition(context: SiteContext, edition: Edition, env: Environment, figures: Sequence[FigureData],
                   also_at: Sequence[str] = (), after_study_pages: Callable[[], None] = lambda: None,
                   stage: Callable[[str, bytes], Any] | None = None) -> Iterator[Any]:
    """Every file of one edition but its figures' drawings (`figures/KEY.svg`, drawn in the background).

    `also_at`: more prefixes the same edition is shown at (the latest release, again at the site root).
    Each page is rendered once; only its links to the rest of the site differ between the copies.
    `after_study_pages` is called once the study pages (rendered in parallel in a large review) are done.
    With `stage`, the workers that render a large review's study pages stage them themselves (`stage(path,
    data)`) and only what it returns comes back to this process.
    """
    content = edition.content or context.content
    figures_by_key = {f.key: f for f in figures}
    studies = sorted(edition.studies, key=lambda s: (s.authors[0].family.casefold(), s.year, s.id))
    renderer = _PageRenderer(context, edition, env, figures_by_key, [edition.prefix, *also_at])
    for page in content.pages:
        if page.slug != "home":
            yield from renderer.content_page(page)
    yield from renderer.home()
    with _StudyPages(renderer.study_pages(), studies, stage) as study_pages:
        # In a large review the workers start on the study pages now; the table and the downloads are
        # rendered here meanwhile, so that both cores stay busy.
        yield from renderer.study_table(studies)
        yield from renderer.copies(_downloads(edition, studies))
        for pages in study_pages:
            yield from pages
    after_study_pages()
    yield from renderer.page("consistency.html", "consistency.html", checks=_baseline_checks(content, edition),
                             comparisons=_comparisons(content, edition))
    yield from renderer.page("agreement.html", "agreement.html",
                             agreement=agreement(edition.studies, edition.codebook))
    yield from renderer.page("references.html", "references.html",
                             entries=[(key, Markup(format_entry(entry)))
                                      for key, entry in sorted(content.bibliography.entries.items())])
    for figure in figures:
        yield from renderer.copies([(f"figures/{figure.key}.csv", figure.csv_bytes())])
        yield from renderer.page(f"figures/{figure.key}.html", "figure.html", figure=figure)
    if renderer.problems:
        raise BuildError(renderer.problems)


PARALLEL_FROM = 1000  # below this many study pages a second process costs more than it saves
TABLE_ROWS_AT_ONCE = 500
_WORK: tuple[Callable[[Any], Any], Sequence[Any], Callable[[str, bytes], Any] | None] | None = None
# Links to the rest of the site (assets, feed, other editions) are rendered as marks and resolved per copy.
_SITE_LINK = re.compile("\x00([^\x00]*)\x00")


class _StudyPages:
    """render(item) for every item, in order: here, or for many items on two forked workers.

    The workers start when the block is entered. With `stage`, they stage each page themselves and send
    back only what `stage` returns, so every chunk is handed out at once; without it, at most four
    chunks of pages are in flight (pages are written as fast as they arrive).
    """

    def __init__(self, render: Callable[[Any], list[Output]], items: Sequence[Any],
                 stage: Callable[[str, bytes], Any] | None = None, chunk: int = 200):
        self.render, self.items, self.stage, self.chunk = render, items, stage, chunk
        self.pool: Any = None
        self.pending: list[Any] = []
        self.ranges = [(start, min(start + chunk, len(items))) for start in range(0, len(items), chunk)]

    def __enter__(self) -> "_StudyPages":
        global _WORK
        if len(self.items) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
            return self
        import multiprocessing

        _WORK = (self.render, self.items, self.stage)  # forked workers inherit it; only ranges are sent
        self.pool = multiprocessing.get_context("fork").Pool(2)
        in_flight = len(self.ranges) if self.stage else 4
        self.pending = [self.pool.apply_async(_render_range, (bounds,)) for bounds in self.ranges[:in_flight]]
        self.ranges = self.ranges[in_flight:]
        return self

    def __iter__(self) -> Iterator[list[Any]]:
        if self.pool is None:
            yield from map(self.render, self.items)
            return
        while self.pending:
            outputs = self.pending.pop(0).get()
            if self.ranges:
                self.pending.append(self.pool.apply_async(_render_range, (self.ranges.pop(0),)))
            yield from outputs

    def __exit__(self, *exc: object) -> None:
        global _WORK
        if self.pool is not None:
            self.pool.terminate()  # every result was taken, or the build failed: nothing left to wait for
            self.pool.join()
            self.pool, _WORK = None, None


def _render_range(bounds: tuple[int, int]) -> list[list[Any]]:
    render, items, stage = _WORK  # type: ignore[misc]
    rendered = (render(item) for item in items[bounds[0]:bounds[1]])
    if stage is None:
        return list(rendered)
    return [[stage(path, data) for path, data in outputs] for outputs in rendered]


class _PageRenderer:
    def __init__(self, context: SiteContext, edition: Edition, env: Environment,
                 figures: Mapping[str, FigureData], prefixes: Sequence[str]):
        self.context, self.edition, self.env, self.figures = context, edition, env, figures
        self.prefixes = prefixes  # where the edition's files go: its own prefix first
        self.content = edition.content or context.content
        self.problems: list[Diagnostic] = []
        self.studies_by_id = {s.id: s for s in edition.studies}
        self.nav = sorted((p for p in self.content.pages if p.nav is not None and p.slug != "home"),
                          key=lambda p: p.nav)

    def page(self, path: str, template: str, **values: Any) -> list[Output]:
        """The page rendered once, written at each of the edition's prefixes."""
        html = self.render(path, template, **values)
        return [(prefix + path, _placed(html, prefix + path).encode("utf-8")) for prefix in self.prefixes]

    def study_table(self, studies: Sequence[Study]) -> list[Output]:
        """The study table: the page around the rows rendered once, the rows a few hundred at a time.

        A large review's table is one big page; built in pieces, it never exists as Jinja's many small
        strings all at once (the largest share of a 10,000-study build's memory).
        """
        path, mark = "studies/index.html", "\x01rows\x01"
        around = self.render(path, "studies.html", studies=studies, filters=_filters(self.edition),
                             table_rows=Markup(mark))
        full = self.edition.prefix + path
        url = lambda target: relative(full, self.edition.prefix + target)  # noqa: E731
        rows = bytearray()
        for start in range(0, len(studies), TABLE_ROWS_AT_ONCE):
            part = [_row(s, self.edition) for s in studies[start:start + TABLE_ROWS_AT_ONCE]]
            rows += self.render_part("_study_rows.html", rows=part, url=url).encode("utf-8")
        pages = []
        for index, prefix in enumerate(self.prefixes):
            before, after = _placed(around, prefix + path).split(mark)
            page = rows if index == len(self.prefixes) - 1 else bytearray(rows)  # the last copy takes the rows
            page[:0] = before.encode("utf-8")
            page += after.encode("utf-8")
            pages.append((prefix + path, page))  # a bytearray: one buffer, never copied into bytes
        return pages

    def render_part(self, template: str, **values: Any) -> str:
        """A template that renders part of a page (it sees only `values`)."""
        try:
            return self.env.get_template(template).render(**values)
        except TemplateError as error:
            raise BuildError([template_problem(error, self.context.templates, template)]) from None

    def copies(self, files: Iterable[Output]) -> Iterator[Output]:
        """Files without links (downloads, data), at each of the edition's prefixes."""
        for path, data in files:
            for prefix in self.prefixes:
                yield prefix + path, data

    def render(self, path: str, template: str, **values: Any) -> str:
        try:
            return self.env.get_template(template).render(**self._common(self.edition.prefix + path), **values)
        except TemplateError as error:
            raise BuildError([template_problem(error, self.context.templates, template)]) from None

    def study_pages(self) -> Callable[[Study], list[Output]]:
        """A fast renderer of study pages: the chrome, the same on every study page, is rendered once."""
        marks = {"page_title": "\x01title\x01", "page_description": "\x01description\x01", "main": "\x01main\x01"}
        skeleton = self.render("studies/_.html", "study.html", **{k: Markup(v) for k, v in marks.items()})
        chrome = []
        for prefix in self.prefixes:  # every study page is in studies/: its site links are the same
            head, rest = _placed(skeleton, prefix + "studies/_.html").split(marks["page_title"])
            middle, rest = rest.split(marks["page_description"])
            chrome.append((prefix, head, middle, *rest.split(marks["main"])))
        main = self.env.get_template("_study.html")
        short_title = escape(self.context.content.site.short_title)
        own = self.edition.prefix

        def render(study: Study) -> list[Output]:
            full = f"{own}studies/{study.id}.html"
            body = main.render(url=lambda target: relative(full, own + target), study=study,
                               reference=Markup(format_study(study)), coded=_coded(study, self.edition))
            title, citation = escape(study.title), escape(study.short_citation)
            return [(f"{prefix}studies/{study.id}.html",
                     "".join((head, citation, " · ", short_title, middle, title, before_main, body,
                              after_main)).encode("utf-8"))
                    for prefix, head, middle, before_main, after_main in chrome]

        return render

    def _common(self, full: str) -> dict[str, Any]:
        edition = self.edition
        latest = next((e for e in self.context.editions if e.is_release and e.is_latest and not e.is_alias), None)
        return {
            "site": self.context.content.site, "edition": edition,
            "editions": [e for e in self.context.editions if not e.is_alias],
            "latest": latest, "codebook": edition.codebook, "nav": self.nav, "figures": self.figures,
            "url": lambda target: relative(full, edition.prefix + target),
            "site_url": lambda target: Markup(f"\x00{escape(target)}\x00"),
            "this_path": full, "baseline": self.content.baseline,
            "aggregates": edition.aggregates, "studies_by_id": self.studies_by_id, "value_label": lambda d, v: value_label(d, v, edition.codebook),
        }

    def content_page(self, page: Page) -> list[Output]:
        return self.page(f"{page.slug}.html", "page.html", page=page, body=self.prose(page, f"{page.slug}.html"))

    def home(self) -> list[Output]:
        page = self.content.page("home")
        body = self.prose(page, "index.html") if page else Markup("")
        return self.page("index.html", "home.html", body=body, headline=_headline(self.content, self.edition))

    def prose(self, page: Page, path: str) -> Markup:
        full = self.edition.prefix + path
        blocks = Blocks([])
        url = lambda target: relative(full, self.edition.prefix + target)
        functions = page_functions(self.edition.codebook, self.edition.aggregates, self.content.baseline,
                                   self.content.search, blocks, self._html_blocks(url), self._links(url))
        html, problems = render_page(page, functions, blocks)
        self.problems.extend(problems)
        return Markup(html)

    def _html_blocks(self, url: Callable[[str], str]) -> dict[str, Callable[..., str]]:
        def figure(key: str) -> str:
            if key not in self.figures:
                from .prose import ContentError

                raise ContentError(f"unknown figure '{key}'; figures: {', '.join(self.figures)}")
            return self.env.get_template("_figure.html").render(figure=self.figures[key], url=url, full=False)

        return {
            "figure": figure,
            "search_terms": lambda: self.env.get_template("_search_terms.html").render(
                search=self.content.search),
            "codebook_manual": lambda: self.env.get_template("_codebook.html").render(
                codebook=self.edition.codebook),
        }

    def _links(self, url: Callable[[str], str]) -> dict[str, Callable[..., str]]:
        entries = self.content.bibliography.entries
        studies = self.studies_by_id

        def cite(key: str, paren: bool = False) -> str:
            from .prose import ContentError

            if key not in entries:
                raise ContentError(f"unknown reference '{key}'; content/references.bib has: {', '.join(entries)}")
            entry = entries[key]
            names = [" ".join(p.last_names).replace("{", "").replace("}", "") for p in entry.persons.get("author", [])]
            who = names[0] if len(names) == 1 else (f"{names[0]} & {names[1]}" if len(names) == 2 else f"{names[0]} et al.")
            year = entry.fields.get("year", "n.d.")
            text = f"({who}, {year})" if paren else f"{who} ({year})"
            return f"[{_markdown_text(text)}]({url('references.html')}#{key})"

        def study_link(study_id: str) -> str:
            from .prose import ContentError

            if study_id not in studies:
                raise ContentError(f"unknown study '{study_id}'")
            return f"[{_markdown_text(studies[study_id].short_citation)}]({url(f'studies/{study_id}.html')})"

        return {"cite": cite, "study_link": study_link}


def template_problem(error: TemplateError, templates: Path, template: str) -> Diagnostic:
    """A template error at its file and line (a maintainer's template, not a study, is at fault)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(str(templates))]
    if isinstance(error, TemplateSyntaxError) and error.filename:
        path, line = error.filename, error.lineno
    elif frames:
        path, line = frames[-1].filename, frames[-1].lineno or 1
    else:
        path, line = str(templates / template), 1
    shown = Path(path).relative_to(templates.parent).as_posix() if path.startswith(str(templates.parent)) else path
    return Diagnostic(shown, line, 1, f"template error: {error.message or error}")


def _markdown_text(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]()#<>!" else c for c in text)


def _headline(content: Content, edition: Edition) -> dict[str, Any]:
    studies = edition.studies
    codebook = edition.codebook
    required = [f.key for f in codebook.fields if f.required]
    fully = sum(all(codebook.is_coded(s.codes.get(k, codebook.not_coded)) for k in required) for s in studies)
    baseline_total = content.baseline.figure("included").value if content.baseline else None
    return {"total": len(studies), "in_baseline": sum(s.in_baseline for s in studies),
            "baseline_total": baseline_total, "fully_coded": fully,
            "comparisons": _comparisons(content, edition)}


def _comparisons(content: Content, edition: Edition) -> list[dict[str, Any]]:
    """Each published figure that maps to live data, beside this edition's value."""
    baseline = content.baseline
    if baseline is None:
        return []
    aggregates = edition.aggregates
    rows = []
    for figure in baseline.figures:
        live: int | None = None
        denominator: int | None = None
        if figure.key == "included":
            live, denominator = aggregates.total, None
        elif figure.region:
            tally = aggregates.tally("region")
            live, denominator = tally.count(figure.region), tally.coded
        elif figure.field and figure.field in aggregates.tallies:
            tally = aggregates.tally(figure.field)
            if figure.field_value is not None:
                live = tally.count(figure.field_value)
            else:
                live = tally.coded - tally.none
            denominator = tally.coded
        if live is None:
            continue
        rows.append({"figure": figure, "live": live, "coded": denominator,
                     "live_percent": format_percent(100 * live / denominator) if denominator else "–",
                     "differs": live != figure.value})
    return rows


def _baseline_checks(content: Content, edition: Edition) -> list[dict[str, Any]]:
    """Where the published figures do not add up, computed from the baseline file."""
    baseline = content.baseline
    if baseline is None:
        return []
    values = {f.key: f.value for f in baseline.figures}
    results = []
    for check in baseline.checks:
        total = sum(values[key] for key in check.parts)
        results.append({"label": check.label, "parts": [(baseline.figure(k).label, values[k]) for k in check.parts],
                        "sum": total, "expected": values[check.equals],
                        "expected_label": baseline.figure(check.equals).label, "holds": total == values[check.equals]})
    for figure in baseline.figures:
        if figure.percent is None or not figure.of:
            continue
        computed = 100 * figure.value / values[figure.of]
        holds = round(computed, 1) == round(figure.percent, 1) or f"{computed:.2f}" == f"{figure.percent:.2f}"
        results.append({"label": f"Printed percentage of “{figure.label}”", "parts": [],
                        "sum": f"{figure.value} / {values[figure.of]} = {computed:.1f} %",
                        "expected": f"{figure.percent:g} %", "expected_label": "printed", "holds": holds})
    return results


def _filters(edition: Edition) -> list[dict[str, Any]]:
    codebook = edition.codebook
    filters = []
    for dimension, tally in edition.aggregates.tallies.items():
        if dimension == "year":
            continue
        options = [(str(value).lower() if isinstance(value, bool) else str(value),
                    value_label(dimension, value, codebook), count) for value, count in tally.counts if count]
        if tally.none:
            options.append(("none", "None of these", tally.none))
        if tally.not_coded:
            options.append(("not-coded", "Not yet coded", tally.not_coded))
        if tally.coded:  # a field no study is coded for yet cannot narrow the table
            filters.append({"key": dimension, "label": tally.label, "options": options})
    return filters


# Rows handed to templates are dataclasses, not dicts: Jinja looks a name up as an attribute first,
# and a dict answers that with an exception (about half of a study page's template time, measured).
@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to build, and there is one per study
class TableRow:
    """One study's row in the study table."""

    study: Study
    attributes: Markup  # the row's data attributes, for the table's filters
    role: str
    focus: str
    phases: str
    region: str


@dataclass(slots=True)
class CodingRow:
    """How a study is coded on one field (or one derived fact), for its page."""

    field: Field | Derived
    coded: bool
    values: list[str]  # labels, as a reader sees them
    raw: list[Any]  # the values as filed, for links to the study table
    evidence: str
    second: Any = None  # the second coder's value, if any
    resolved: str = ""
    derived: bool = False


def _row(study: Study, edition: Edition) -> TableRow:
    codebook = edition.codebook
    data = {}
    for dimension in edition.aggregates.tallies:
        values = dimension_values(study, dimension, codebook)
        data[dimension] = "not-coded" if values is None else " ".join(
            str(v).lower() if isinstance(v, bool) else str(v) for v in values) or "none"
    def show(key: str) -> str:
        values = dimension_values(study, key, codebook)
        return "not yet coded" if values is None else ", ".join(value_label(key, v, codebook) for v in values) or "none"
    text = " ".join([study.title, *(a.family for a in study.authors), study.journal]).lower()
    # The row's data attributes, built here once: in the template they were most of a large table's cost.
    attributes = f' data-id="{escape(study.id)}" data-text="{escape(text)}"' + "".join(
        f' data-{key.replace("_", "-")}="{escape(value)}"' for key, value in data.items())
    return TableRow(study, Markup(attributes), show("role"), show("research_focus"), show("phases"), show("region"))


def _coded(study: Study, edition: Edition) -> list[CodingRow]:
    codebook = edition.codebook
    rows = []
    for field in codebook.fields:
        value = study.codes.get(field.key, codebook.not_coded)
        coded = codebook.is_coded(value)
        values = value if isinstance(value, list) else [value]
        shown = [value_label(field.key, v, codebook) for v in values] if coded and field.kind in (
            "single", "multiple", "country", "boolean") else ([str(value)] if coded else [])
        second = study.second_coding.codes.get(field.key) if study.second_coding else None
        rows.append(CodingRow(field, coded, shown, values if coded else [], study.evidence.get(field.key, ""), second,
                              study.second_coding.resolved.get(field.key, "") if study.second_coding else ""))
    for fact in codebook.derived:
        values = dimension_values(study, fact.key, codebook)
        rows.append(CodingRow(fact, values is not None, ["Yes" if values and values[0] else "No"]
                              if values is not None else [], [str(v).lower() for v in values or []],
                              "Derived: " + fact.description, derived=True))
    return rows


def _downloads(edition: Edition, studies: Sequence[Study]) -> Iterator[Output]:
    prefix = "data/"
    codebook = edition.codebook
    yield prefix + "studies.json", _studies_json(edition, studies)
    yield prefix + "studies.csv", _studies_csv(studies, codebook)
    yield prefix + "aggregates.json", _json(_aggregates_data(edition.aggregates))
    yield prefix + "references.bib", "".join(bibtex(studies[i:i + 500]) for i in range(0, len(studies), 500)).encode("utf-8")
    yield prefix + "references.ris", ris(studies).encode("utf-8")
    yield prefix + "study.schema.json", schema_json(codebook).encode("utf-8")


def _studies_json(edition: Edition, studies: Sequence[Study]) -> bytes:
    """The dataset with its codebook, one study encoded at a time (a large review never holds all as dicts)."""
    head = json.dumps({"edition": edition.label, "date": edition.date}, ensure_ascii=False)[:-1]
    out = bytearray(f'{head},"studies":['.encode("utf-8"))
    for index, study in enumerate(studies):
        if index:
            out += b","
        out += json.dumps(study_to_data(study), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    codebook = json.dumps(_codebook_data(edition.codebook), ensure_ascii=False, separators=(",", ":"))
    out += f'],"codebook":{codebook}}}\n'.encode("utf-8")
    return out  # a bytearray: copying it into bytes would hold the largest download twice


def _json(data: Any, compact: bool = False) -> bytes:
    """JSON for downloads; `compact` for large files (only then does json use its fast C encoder)."""
    text = json.dumps(data, ensure_ascii=False, default=str, indent=None if compact else 1,
                      separators=(",", ":") if compact else None)
    return (text + "\n").encode("utf-8")


def _codebook_data(codebook: Codebook) -> dict[str, Any]:
    return {"not_coded": codebook.not_coded,
            "fields": [{"key": f.key, "label": f.label, "kind": f.kind, "required": f.required,
                        "description": f.description,
                        "values": [{"key": v.key, "label": v.label, "definition": v.definition} for v in f.values]}
                       for f in codebook.fields],
            "derived": [{"key": d.key, "label": d.label, "description": d.description} for d in codebook.derived]}


def _aggregates_data(aggregates: Aggregates) -> dict[str, Any]:
    return {
        "total": aggregates.total,
        "tallies": {key: {"label": t.label, "multiple": t.multiple, "coded": t.coded, "not_coded": t.not_coded,
                          "none": t.none, "counts": [[v, c] for v, c in t.counts]}
                    for key, t in aggregates.tallies.items()},
        "crosstabs": {key: {"rows": t.rows, "columns": t.columns, "coded": t.coded,
                            "cells": [[r, c, t.count(r, c)] for r in t.row_values for c in t.column_values]}
                      for key, t in aggregates.crosstabs.items()},
    }


def _studies_csv(studies: Sequence[Study], codebook: Codebook) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = codebook.field_keys()
    writer.writerow(["id", "authors", "year", "title", "journal", "volume", "issue", "pages", "doi", "in_baseline"]
                    + keys)
    for s in studies:
        codes = [("; ".join(map(str, v)) if isinstance(v, list) else str(v))
                 for v in (s.codes.get(k, codebook.not_coded) for k in keys)]
        writer.writerow([s.id, "; ".join(f"{a.family}, {a.given}".rstrip(", ") for a in s.authors), s.year,
                         s.title, s.journal, s.volume, s.issue, s.pages, s.doi, s.in_baseline] + codes)
    return out.getvalue().encode("utf-8")
