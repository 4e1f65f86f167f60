"""Render stage: every page and download of one edition, as (path, bytes) pairs; nothing is written here.

Templates are looked up in the review's own `templates/` first, then in the default theme inside the
package. Links are relative, so the site works from a sub-path and from file://. Everything a study
file or a content file says is escaped (Jinja's autoescape); only the engine's own markup is not.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
)
from markupsafe import Markup, escape

from .aggregate import NOT_CODED, dimension_label, dimension_values, filter_value, format_percent, value_label
from .agreement import agreement
from .cache import Cache, RecordTexts
from .codebook import Codebook, Derived
from .compiled_theme import THEME_TEMPLATES, ThemeLoader
from .consistency import ConsistencyReport, evaluate
from .content import Baseline, Content, Page
from .diagnostics import BuildError, Diagnostic
from .edition import Edition
from .field_kinds import KINDS as FIELD_KINDS
from .field_kinds import Field
from .figures import FigureData
from .memory import Batches, KeptOutput, Memo, Memory, StudyPages, batch_key, is_strings
from .named_tuple import NamedTuple
from .pages import Blocks, ContentError, markdown, page_functions, render_page
from .parallel import WORKER_ITEMS, Press, Shared, forks_cheaply
from .references import format_study, reference_list, year_labels
from .screening import arm
from .study import Study, study_from_record
from .write import Folder, Pieces, Staged, Stager, UnchangedFiles, file_digest, staged_anew

if TYPE_CHECKING:  # imported where a build makes them: a check makes neither (3 ms of its start)
    from .changelog import ChangelogEntry
    from .downloads import Records

Output = tuple[str, bytes]
EditionOutput = KeptOutput | UnchangedFiles  # a file, or many files of the old site kept as they are
Data = TypeVar("Data", bytes, bytes | Pieces)  # what a file is made of: its bytes, or pieces of them
Item = TypeVar("Item")
# Rows a page of the study table lists: its first page, and each further page for readers without scripts.
# A review smaller than this has its whole table on one page.
TABLE_PAGE_SIZE = 200
TABLE_DATA = "studies/table-data.js"  # every study as a compact row, for site.js
TABLE_EXPORTS = "studies/table-exports.js"  # every study's CSV row, RIS record and BibTeX entry
_STUDY_MARK = "\x02study\x02"  # in the chrome shared by all study pages, where each names its own study
SKELETON_PAGE = f"studies/{_STUDY_MARK}.html"
# Study pages a process takes at a time (see _StudyPages): the process that takes the last chunk keeps the
# other waiting for at most as long as it renders them (250 pages: about 70 ms).
STUDY_PAGES_AT_ONCE = 250
# Links to the rest of the site (assets, feed, other editions) are rendered as marks and resolved per copy.
_SITE_LINK = re.compile("\x00([^\x00]*)\x00")


@dataclass(frozen=True)
class SiteContext:
    """What every page of every edition shares."""

    content: Content  # the live content: the site's settings come from here for every edition
    editions: Sequence[Edition]
    template_folders: Sequence[Path]
    root: Path  # the review's folder, for showing where a template is

    @cached_property
    def changelog(self) -> list[ChangelogEntry]:
        """What changed from edition to edition (`changelog_entries`, newest first), compared once per build:
        the changelog page, the feed and each edition's home page (how current it is, what the draft changed)
        read it, and each comparing anew would make a build's comparisons grow with the square of the releases."""
        from .changelog import changelog_entries

        return changelog_entries([e for e in self.editions if not e.is_alias])


def environment(folders: tuple[Path, ...]) -> Environment:
    """The templates: a review's own folder first, the default theme last. One environment per process
    and set of template files (`serve` builds many times): it compiles each template once, and again only
    when its file changes; a template added to the review's folder, in front of the theme's, is a new set."""
    return _environment(folders, tuple(sorted(str(path) for folder in folders[:-1] for path in folder.rglob("*"))))


@lru_cache(maxsize=4)
def _environment(folders: tuple[Path, ...], files: tuple[str, ...]) -> Environment:
    *own, theme = folders
    return configured(ChoiceLoader([FileSystemLoader(str(folder)) for folder in own]
                                   + [ThemeLoader() if theme == THEME_TEMPLATES else FileSystemLoader(str(theme))]))


def configured(loader: BaseLoader) -> Environment:
    """An environment with the engine's settings and filters (the theme's templates are compiled ahead in one)."""
    env = Environment(loader=loader, autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["percent"] = format_percent
    env.filters["value_links"] = value_links
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else n
    env.filters["script_json"] = lambda value: Markup(_script_json(value))
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": _plain}  # Jinja's tojson, as script_json
    return env


def value_links(row: Any, table: str) -> Markup:
    """A coding row's values as links to the study table filtered by each (the `value_links` filter): the
    HTML a loop over them in the template gave, made once per distinct row rather than on every study page
    (10,000 pages: about 0.45 s less processor time)."""
    raw, labels = tuple(row.raw), tuple(row.values)
    # Made once per distinct row, told apart by the values' types too: False == 0 and Markup("a") == "a".
    return _value_links(table, row.field.key, raw, labels, tuple(map(type, (table, row.field.key, *raw, *labels))))


@lru_cache(maxsize=4096)
def _value_links(table: str, key: str, raw: tuple[Any, ...], labels: tuple[str, ...],
                 types: tuple[type, ...]) -> Markup:
    return Markup(", ").join(Markup('<a href="{}?{}={}">{}</a>').format(table, key, r, label)
                             for r, label in zip(raw, labels, strict=False))  # as row.raw[loop.index0]


def relative(from_page: str, to_path: str) -> str:
    """A relative URL from one site path to another (both relative to the site root)."""
    return _relative(posixpath.dirname(from_page) or ".", to_path)


@lru_cache(maxsize=16384)  # pages of one folder share their links: computed once per folder and target
def _relative(folder: str, to_path: str) -> str:
    start, path = posixpath.normpath(folder), posixpath.normpath(to_path)
    if not to_path or any(part.startswith(("/", "..")) for part in (start, path)):
        target = posixpath.relpath(to_path, folder)  # beyond the site's root: the working folder's names count
    else:
        # what relpath does, without asking the system for the working folder (twice per link) to make both
        # paths absolute: a table of 100,000 studies links to each study once
        here, there = [p for p in start.split("/") if p != "."], [p for p in path.split("/") if p != "."]
        common = len(posixpath.commonprefix([here, there]))
        target = "/".join([".."] * (len(here) - common) + there[common:]) or "."
    return target + ("/" if to_path.endswith("/") and not target.endswith("/") else "")


def _placed(html: str, full: str) -> str:
    """A page's marked site links, made relative to where this copy of it is written."""
    from html import unescape  # imported when a page is written: a check writes none (2 ms of its start)

    return _SITE_LINK.sub(lambda mark: escape(relative(full, unescape(mark.group(1)))), html)


def render_edition(context: SiteContext, edition: Edition, env: Environment, figures: Sequence[FigureData],
                   also_at: Sequence[str] = (), sample: bool = False, memory: Memory | None = None,
                   stage: Stager | None = None) -> Iterator[EditionOutput]:
    """Every file of one edition but its figures' drawings.

    `also_at`: more prefixes the same edition is shown at (the latest release, again at the site root).
    Each page is rendered once; only its links to the rest of the site differ between the copies.
    `sample` (for `check`): every kind of page, but only the first study's page and no downloads.
    `memory`: what an earlier build made from each study, given back while its key is unchanged.
    `stage`: how a process rendering study pages beside this one puts them in the site being written."""
    renderer = _Renderer(context, edition, env, {f.key: f for f in figures}, [edition.prefix, *also_at])
    studies = _table_order(edition.studies, memory.shown if memory else None)
    # In the order the studies were loaded, not the table's: what a helper process reads of the memory it
    # shares with this one is copied, and studies loaded one after the other lie together in memory (measured
    # at 10,000 studies: 59 MB instead of 88 for a process of 4,000 pages).
    with renderer.study_pages(studies[:1] if sample else edition.studies,
                              None if sample or not memory else memory.pages,
                              None if sample else stage) as study_pages:
        yield from _edition_files(renderer, studies, figures, sample, memory)
        yield from study_pages.outputs()
    if renderer.problems:
        raise BuildError(renderer.problems)


def _listing_key(study: Study) -> tuple[str, int, str]:
    return study.authors[0].family.casefold(), study.year, study.id


def _table_order(studies: Sequence[Study], memo: Memo | None) -> list[Study]:
    """The studies in the order the table and downloads list them. In serve, when the studies are those of the
    last build, but some made anew with the same first author, year and id, that build's order with those
    (10,000 studies: 0.005 s less)."""
    def made(earlier: tuple[tuple[Study, ...], list[Study]] | None) -> tuple[tuple[Study, ...], list[Study]]:
        if earlier is not None and len(earlier[0]) == len(studies):
            changed = [(before, now) for before, now in zip(earlier[0], studies, strict=True) if before is not now]
            if all(_listing_key(before) == _listing_key(now) for before, now in changed):
                swap = {id(before): now for before, now in changed}
                return tuple(studies), [swap.get(id(study), study) for study in earlier[1]]
        return tuple(studies), sorted(studies, key=_listing_key)

    return (memo.again("order", made) if memo else made(None))[1]


def _edition_files(renderer: _Renderer, studies: Sequence[Study], figures: Sequence[FigureData], sample: bool,
                   memory: Memory | None) -> Iterator[EditionOutput]:
    """Every file of one edition but its study pages and its figures' drawings."""
    around = ""
    if memory:
        around, shown = _edition_pages_keys(renderer, studies, memory.shown)
        memory.shown.save()
        yield from memory.edition_pages("pages", _digest(around, shown), lambda: _edition_pages(renderer, studies))
        yield from memory.edition_pages("home", _digest(around, shown, _home_key(renderer)), renderer.home)
        for figure in figures:
            key = _digest(around, repr(figure), _listed(figure, renderer.studies_by_id))
            yield from memory.edition_pages(f"figure-{figure.key}", key, partial(_figure_pages, renderer, [figure]))
    else:
        yield from _edition_pages(renderer, studies)
        yield from renderer.home()
        yield from _figure_pages(renderer, figures)
    yield from _records_outputs(renderer, studies, sample, memory, around)


def _records_outputs(renderer: _Renderer, studies: Sequence[Study], sample: bool,
                     memory: Memory | None, around: str) -> Iterator[KeptOutput]:
    """The files made from every study's records: the table and the downloads. Made before the study pages,
    so that the records (and their memo, saved here) are let go before those are rendered."""
    from .downloads import edition_downloads, study_records

    edition = renderer.edition
    records = study_records(studies, edition.codebook, edition.content.baseline is not None,
                            memory.records if memory else None, edition.texts)
    if memory:
        memory.records.save()
    yield from renderer.study_table(studies, records, memory, around)
    if memory:
        memory.rows.save()
        memory.table.save()
        memory.table_files.save()
    if not sample:
        yield from renderer.copies(edition_downloads(edition.label, edition.date, edition.codebook, edition.aggregates,
                                                     edition.content.baseline is not None, records,
                                                     memory.downloads if memory else None))


def _edition_pages(renderer: _Renderer, studies: Sequence[Study]) -> Iterator[Output]:
    """The edition's pages but its home, its studies', its study table and its figures: its content pages,
    consistency, agreement, screening and reference pages."""
    edition = renderer.edition
    for page in edition.content.pages:
        if page.slug != "home":
            yield from renderer.content_page(page)
    disagreements = _disagreements(edition, studies)
    if edition.content.baseline is not None or disagreements:
        yield from renderer.page("consistency.html", "consistency.html", report=_consistency(edition),
                                 comparisons=_comparisons(edition), disagreements=disagreements)
    yield from renderer.page("agreement.html", "agreement.html",
                             agreement=agreement(edition.studies, edition.codebook))
    if edition.screening is not None:
        words = edition.screening.vocabulary
        yield from renderer.page("screening.html", "screening.html", screening=edition.screening,
                                 arm=arm(edition.screening),
                                 route_label=lambda key: words.label(words.routes, key),
                                 stage_label=lambda key: words.label(words.stages, key),
                                 reason_label=lambda key: words.label(words.reasons, key))
    references = reference_list(edition.content.bibliography)
    yield from renderer.page("references.html", "references.html",
                             entries=[(key, Markup(html)) for key, html in references])


def _figure_pages(renderer: _Renderer, figures: Sequence[FigureData]) -> Iterator[Output]:
    """Each figure's page and its data."""
    for figure in figures:
        yield from renderer.copies([(f"figures/{figure.key}.csv", figure.csv_bytes())])
        yield from renderer.page(f"figures/{figure.key}.html", "figure.html", figure=figure)


def _edition_pages_keys(renderer: _Renderer, studies: Sequence[Study], memo: Memo) -> tuple[str, str]:
    """What `_edition_pages` and `_figure_pages` show beyond the review's settings, content and codebook
    (which the store keys them by): around them, the versions, where this one is shown and whether the
    draft has changes; and of each study what the default theme shows on these pages: its coding and
    citation, but no bibliographic text (which only its own page, the table, the downloads, the changelog
    and a figure that lists studies show: `_listed`). Whether the draft has changes is around every page;
    what they are, only on the home page (`_home_key`). A review with its own templates may show anything:
    the store then keys these pages by every study file as well."""
    def made(earlier: tuple[str, tuple[Study, ...], list[str]] | None) -> tuple[str, tuple[Study, ...], list[str]]:
        # In serve, the very study the last build looked at, at the same place, shows what it showed then.
        before = earlier if earlier is not None and earlier[0] == memo.key and len(earlier[1]) == len(studies) \
            else None
        shown = []
        for index, study in enumerate(studies):
            if before is not None and before[1][index] is study:
                shown.append(before[2][index])
                continue
            found = memo.get(study.id, study.suffix)
            if not is_strings(found, 1):
                coding = repr((study.id, study.short_citation, study.in_baseline, study.coded_by, study.codes,
                               study.second_coding, study.disagreements,
                               [(key, e.source, e.where) for key, e in study.evidence.items()]))
                found = [hashlib.blake2b(coding.encode("utf-8"), digest_size=12).hexdigest()]
                memo.keep(study.id, study.suffix, found)
            shown.append(found[0])
        return memo.key, tuple(studies), shown

    shown = memo.again("shown", made)[2]
    versions = [(e.label, e.prefix, e.date, e.is_release, e.is_latest, e.doi, e.previous_total)
                for e in renderer.editions]
    around = repr((renderer.prefixes, versions, bool(renderer.draft_changes)))
    return around, _digest(*shown)


def _listed(figure: FigureData, studies: Mapping[str, Study]) -> str:
    """What a figure's page shows of the studies it lists (a gap map, those of its smaller cells)."""
    return repr([(sid, studies[sid].short_citation, studies[sid].title) for sid in figure.listed])


def _home_key(renderer: _Renderer) -> str:
    """What the home page shows beyond the other pages: the draft's changes in words, how current it is."""
    currency = {**_currency(renderer.context, renderer.edition)}
    currency["previous"] = currency["previous"].label if currency["previous"] else None
    return repr((renderer.draft_changes, currency))


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def page_problems(edition: Edition, env: Environment, figures: Sequence[FigureData], folders: Sequence[Path],
                  root: Path) -> list[Diagnostic]:
    """Every problem an edition's content pages have, each at its line: the pages rendered alone (what a page
    says comes from its own edition, whatever other editions the site has)."""
    context = SiteContext(edition.content, [edition], folders, root)
    renderer = _Renderer(context, edition, env, {f.key: f for f in figures}, [edition.prefix])
    for page in edition.content.pages:
        renderer.prose(page, f"{page.slug}.html", as_html=False)
    return renderer.problems


def check_templates(env: Environment, folders: Sequence[Path], root: Path) -> list[Diagnostic]:
    """Every template of the review compiled once: syntax errors at their file and line."""
    problems = []
    own = folders[0]
    for name in sorted(str(p.relative_to(own)) for p in own.rglob("*") if p.suffix in (".html", ".xml")):
        try:
            env.get_template(name)
        except TemplateError as error:
            problems.append(template_problem(error, folders, name, root))
    return problems


def site_wide_outputs(context: SiteContext, env: Environment) -> Iterator[Output]:
    """The changelog of the evidence and the Atom feed, for the whole site."""
    editions = [e for e in context.editions if not e.is_alias]
    entries = context.changelog
    site = context.content.site
    nav = _nav(context.content.pages)
    latest = next((e for e in editions if e.is_release and e.is_latest), None)
    root_edition = next((e for e in context.editions if e.prefix == ""), editions[-1])
    try:
        html = env.get_template("changelog.html").render(
            site=site, editions=editions, latest=latest, nav=nav, this_path="changelog.html", edition=root_edition,
            entries=entries, url=lambda target: target, site_url=lambda target: target,
            attribution=_inline_markdown(site.attribution), baseline=context.content.baseline,
            **{**_addresses(context, root_edition, "", bool(_draft_changes(context))),
               "canonical": "changelog.html", "same_page": lambda other: "index.html"})
        yield "changelog.html", html.encode("utf-8")
        releases = [e for e in editions if e.is_release]
        if releases:  # a feed announces releases: without one there is nothing to announce, nor a date to give
            feed = env.get_template("feed.xml").render(site=site, entries=entries,
                                                       updated=max(e.date for e in releases) + "T00:00:00Z")
            yield "feed.xml", feed.encode("utf-8")
    except TemplateError as error:
        raise BuildError([template_problem(error, context.template_folders, "changelog.html", context.root)]) from None


def template_problem(error: TemplateError, folders: Sequence[Path], template: str, root: Path) -> Diagnostic:
    """A template error at its file and line (a template, not a study, is at fault)."""
    places = [str(folder) for folder in folders]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(tuple(places))]
    if isinstance(error, TemplateSyntaxError) and error.filename:
        path, line = error.filename, error.lineno
    elif frames:
        path, line = frames[-1].filename, frames[-1].lineno or 1
    else:
        path, line = str(Path(places[0]) / template), 1
    shown = Path(path)
    for base in (root, Path(__file__).resolve().parent.parent):
        try:
            shown = Path(path).relative_to(base)
            break
        except ValueError:
            continue
    return Diagnostic(shown.as_posix(), line, 1, f"template error: {error.message or error}")


def _nav(pages: Sequence[Page]) -> list[Page]:
    return sorted((p for p in pages if p.nav is not None and p.slug != "home"), key=lambda p: (p.nav, p.slug))


class _Renderer:
    def __init__(self, context: SiteContext, edition: Edition, env: Environment,
                 figures: Mapping[str, FigureData], prefixes: Sequence[str]):
        self.context, self.edition, self.env, self.figures = context, edition, env, figures
        self.prefixes = prefixes  # where the edition's files go: its own prefix first
        self.content = edition.content
        self.problems: list[Diagnostic] = []
        self.studies_by_id = {s.id: s for s in edition.studies}
        self.nav = _nav(self.content.pages)
        self.editions = [e for e in context.editions if not e.is_alias]

    @cached_property
    def years(self) -> dict[str, str]:
        """Each reference's year as cited (see `year_labels`), worked out once for all of the edition's pages."""
        return year_labels(self.content.bibliography)

    @cached_property
    def draft_changes(self) -> str:
        """What the draft changed since the latest release, for its pages (not asked by a page's problems)."""
        return _draft_changes(self.context) if not self.edition.is_release else ""

    def page(self, path: str, template: str, **values: Any) -> list[Output]:
        """The page rendered once, written at each of the edition's prefixes."""
        html = self.render(path, template, **values)
        return [(prefix + path, _placed(html, prefix + path).encode("utf-8")) for prefix in self.prefixes]

    def copies(self, files: Iterable[tuple[str, Data]]) -> Iterator[tuple[str, Data]]:
        """Files without links (downloads, data), at each of the edition's prefixes."""
        for path, data in files:
            for prefix in self.prefixes:
                yield prefix + path, data

    def render(self, path: str, template: str, held: tuple[str, ...] | None = None, **values: Any) -> str:
        try:
            return self.env.get_template(template).render(**self._common(self.edition.prefix + path, held), **values)
        except TemplateError as error:
            raise BuildError([self._problem(error, template)]) from None

    def _problem(self, error: TemplateError, template: str) -> Diagnostic:
        return template_problem(error, self.context.template_folders, template, self.context.root)

    def _common(self, full: str, held: tuple[str, ...] | None = None) -> dict[str, Any]:
        edition, editions = self.edition, self.editions
        page = full[len(edition.prefix):]
        return {
            "site": self.context.content.site, "edition": edition, "editions": editions,
            "latest": next((e for e in editions if e.is_release and e.is_latest), None),
            "codebook": edition.codebook, "nav": self.nav, "figures": self.figures,
            "url": lambda target: relative(full, edition.prefix + target),
            "site_url": lambda target: Markup(f"\x00{escape(target)}\x00"),
            "this_path": full, "baseline": self.content.baseline, "aggregates": edition.aggregates,
            "studies_by_id": self.studies_by_id, "dimension_label": lambda d: dimension_label(d, edition.codebook),
            "value_label": lambda d, v: value_label(d, v, edition.codebook),
            "attribution": _inline_markdown(self.context.content.site.attribution,
                                            lambda target: relative(full, edition.prefix + target)),
            **_addresses(self.context, edition, page, bool(self.draft_changes), held),
        }

    def content_page(self, page: Page) -> list[Output]:
        return self.page(f"{page.slug}.html", "page.html", page=page, body=self.prose(page, f"{page.slug}.html"))

    def home(self) -> list[Output]:
        page = self.content.page("home")
        body = self.prose(page, "index.html") if page else Markup("")
        return self.page("index.html", "home.html", body=body, page=page, headline=_headline(self.edition),
                         currency=_currency(self.context, self.edition), draft_changes=self.draft_changes)

    def prose(self, page: Page, path: str, as_html: bool = True) -> Markup:
        full = self.edition.prefix + path
        blocks = Blocks([])

        def url(target: str) -> str:
            return relative(full, self.edition.prefix + target)

        functions = page_functions(self.edition.codebook, self.edition.aggregates, self.content.baseline,
                                   self.content.search, blocks, self._html_blocks(url, as_html), self._links(url))
        html, problems = render_page(page, functions, blocks, as_html)
        self.problems.extend(problems)
        return Markup(html)

    def _html_blocks(self, url: Callable[[str], str], as_html: bool = True) -> dict[str, Callable[..., str]]:
        """The blocks a page may place; without `as_html`, each checks what it is given and renders nothing: the
        default theme renders every block of a review that passes these checks, and a review's own templates
        are tried on every kind of page (see `pipeline.check`)."""
        def render(template: str, **values: Any) -> str:
            return self.env.get_template(template).render(**values) if as_html else ""

        def figure(key: str) -> str:
            if key not in self.figures:
                raise ContentError(f"unknown figure '{key}'; figures: {', '.join(self.figures) or 'none'}")
            return render("_figure.html", figure=self.figures[key], url=url)

        def search_terms() -> str:
            if "terms" not in self.content.search:
                raise ContentError("the latest search in content/search.yaml has no `terms:`")
            return render("_search_terms.html", search=self.content.search)

        return {"figure": figure, "search_terms": search_terms,
                "codebook_manual": lambda: render("_codebook.html", codebook=self.edition.codebook,
                                                  field_kinds=FIELD_KINDS)}

    def _links(self, url: Callable[[str], str]) -> dict[str, Callable[..., str]]:
        entries, years, studies = self.content.bibliography.entries, self.years, self.studies_by_id

        def cite(key: str, paren: bool = False) -> str:
            if key not in entries:
                raise ContentError(f"unknown reference '{key}'; content/references.bib has: {', '.join(entries)}")
            entry = entries[key]
            names = [" ".join(p.last_names).replace("{", "").replace("}", "") for p in entry.persons.get("author", [])]
            who = (names[0] if len(names) == 1 else f"{names[0]} & {names[1]}" if len(names) == 2
                   else f"{names[0]} et al." if names else key)
            year = years[key]
            text = f"({who}, {year})" if paren else f"{who} ({year})"
            return f"[{_markdown_text(text)}]({url('references.html')}#{key})"

        def study_link(study_id: str) -> str:
            if study_id not in studies:
                raise ContentError(f"unknown study '{study_id}'")
            return f"[{_markdown_text(studies[study_id].short_citation)}]({url(f'studies/{study_id}.html')})"

        return {"cite": cite, "study_link": study_link}

    def study_table(self, studies: Sequence[Study], records: Records, memory: Memory | None = None,
                    shown_around: str = "") -> Iterator[KeptOutput]:
        """The study table: its first page (studies/index.html), further pages for readers without scripts
        (studies/page/2.html …), and for site.js every study as compact rows (studies/table-data.js) and
        as records for "download the studies shown" (studies/table-exports.js, loaded on the first click).
        With `memory`, a study's row, and a page's rows, are made again only when they changed; and a page
        whose rows and what is shown around them (`shown_around`, from `_edition_pages_keys`) are unchanged
        is not rendered at all."""
        edition = self.edition
        columns = [(key, dimension_label(key, edition.codebook)) for key in self.context.content.site.columns
                   if key in edition.aggregates.tallies]
        filters = _filters(edition)
        dims = _table_dimensions(edition, filters, columns)
        shape = repr([(d.key, d.values, d.labels) for d in dims] + columns)
        by_suffix = {suffix: hashlib.blake2b(f"{shape}:{suffix}".encode(), digest_size=12).hexdigest()
                     for suffix in {s.suffix for s in studies}}
        row_keys = [by_suffix[s.suffix] for s in studies]
        compact = _CompactRows(studies, edition, dims, row_keys, memory.rows if memory else None)
        cells = _Cells(edition, columns)
        data = _table_data(compact, compact.keys, dims, columns, memory.table_data if memory else None)
        files: list[tuple[str, bytes | Pieces]] = [(TABLE_DATA, data),
                                                   (TABLE_EXPORTS, Pieces(partial(_exports, records,
                                                                                  memory.exports if memory else None)))]
        version = hashlib.blake2b(data, digest_size=6).hexdigest()
        size = TABLE_PAGE_SIZE
        count = max(1, -(-len(studies) // size))
        paths = [table_page(number) for number in range(1, count + 1)]
        mark = "\x01rows\x01"
        for number, path in enumerate(paths, start=1):
            full = edition.prefix + path

            def url(target: str, full: str = full) -> str:
                return relative(full, edition.prefix + target)

            part = slice((number - 1) * size, number * size)
            shown = len(studies[part])
            pager = {"number": number, "count": count, "first": (number - 1) * size + 1,
                     "last": (number - 1) * size + shown, "size": size,
                     "pages": PageLinks(paths, url, full), "nearby": nearby_pages(number, count, paths, url)}
            rows = self._rows_key(compact.keys[part], path) if memory else ""
            # What the default theme shows on a page beyond its rows: the first page has the filters, with
            # their counts, and the version of the table's data, which changes with any study.
            first = (repr(filters) + version) if number == 1 else ""
            key = _digest(shown_around, rows, repr(pager), str(len(studies)), repr(columns), first) \
                if memory and shown_around and rows else ""
            kept = memory.table_files.get(path, key) if memory and key else None
            if kept is not None:
                yield from kept
                continue
            around = self.render(path, "studies.html", studies=studies, filters=filters, columns=columns,
                                 table_rows=Markup(mark), pager=pager, page_size=size,
                                 table_data=f"{url(TABLE_DATA)}?v={version}", table_exports=url(TABLE_EXPORTS))
            html = self._table_rows(studies[part], rows, path, url, cells, memory.table if memory else None)
            made = []
            for prefix in self.prefixes:
                before, after = _placed(around, prefix + path).split(mark)
                made.append((prefix + path, (before + html + after).encode("utf-8")))
            if memory and key:
                memory.table_files.keep(path, key, {copy: file_digest(data) for copy, data in made})
            yield from made
        yield from self.copies(files)

    @staticmethod
    def _rows_key(whole: Sequence[str], path: str) -> str:
        """What a page's rows are made from (each study's row key with its file: `_CompactRows.keys`), and where
        the page is; "" if some study's row cannot be kept (no known file)."""
        if not whole or not all(whole):
            return ""
        return hashlib.blake2b(repr((path.rsplit("/", 1)[0], list(whole))).encode("utf-8"),
                               digest_size=16).hexdigest()

    def _table_rows(self, studies: Sequence[Study], key: str, path: str, url: Callable[[str], str],
                    cells: _Cells, pages: Memo | None) -> str:
        """The rows of one page of the table, kept by the page's number while `key` (`_rows_key`) is the same."""
        found = pages.get(path, key) if pages and key else None
        if found is not None and is_strings(found, 1):
            return str(found[0])
        try:
            html = self.env.get_template("_study_rows.html").render(
                rows=list(map(cells, studies)), url=url)
        except TemplateError as error:
            raise BuildError([self._problem(error, "_study_rows.html")]) from None
        if pages and key:
            pages.keep(path, key, [html])
        return html

    def study_pages(self, studies: Sequence[Study], kept: StudyPages | None = None,
                    stage: Stager | None = None) -> _StudyPages:
        """A page per study (see _StudyPages), made when `outputs()` is asked for them."""
        return _StudyPages(self, studies, kept, stage)

    def _study_chrome(self, held: tuple[str, ...]) -> list[tuple[str, str, str, str, str]]:
        """The page around a study, for studies held by the same versions: split where its title,
        description and body go, for each place the edition is written."""
        marks = {"page_title": "\x01title\x01", "page_description": "\x01description\x01", "main": "\x01main\x01"}
        skeleton = self.render(SKELETON_PAGE, "study.html", held, **{k: Markup(v) for k, v in marks.items()})
        chrome = []
        for prefix in self.prefixes:  # every study page is in studies/: its site links are the same
            head, rest = _placed(skeleton, prefix + SKELETON_PAGE).split(marks["page_title"])
            middle, rest = rest.split(marks["page_description"])
            before_main, after_main = rest.split(marks["main"])
            chrome.append((prefix, head, middle, before_main, after_main))
        return chrome


class _StudyPages:
    """A page per study. The chrome, the same on every study page held by the same versions, is rendered once
    for those versions. `kept` gives back the pages of a study whose key (its chrome, its letter; the store
    adds its file) has not changed.

    With `stage` (a build's), the pages are rendered and put in the staging folder in chunks shared with
    helper processes (from PARALLEL_FROM pages; see parallel.Shared). They are begun when the block is
    entered, so that a helper renders pages while this process makes the edition's other files (the table
    and the downloads, which no helper shares), if this process is small enough for that
    (`parallel.forks_cheaply`); else when the pages are first asked for, after those files. Used as a context
    manager: leaving the block stops any helper."""

    def __init__(self, renderer: _Renderer, studies: Sequence[Study], kept: StudyPages | None,
                 stage: Stager | None):
        self.renderer, self.studies, self.kept, self.stage = renderer, studies, kept, stage
        self.held = held = _editions_holding(renderer.editions)
        self.chromes = {versions: renderer._study_chrome(versions) for versions in {held[s.id] for s in studies}}
        self.chrome_keys = {versions: hashlib.blake2b(repr(chrome).encode("utf-8"), digest_size=16).hexdigest()
                            for versions, chrome in self.chromes.items()}
        try:
            self.template = renderer.env.get_template("_study.html")
        except TemplateError as error:
            raise BuildError([renderer._problem(error, "_study.html")]) from None
        self.short_title = escape(renderer.context.content.site.short_title)
        self.found = kept.unchanged_all(studies, self.key, (self.chrome_keys, held)) if kept else {}
        self.todo = [s for s in studies if self.found.get(s.id) is None]
        self.shared: Shared[Study, list[tuple[str, bytes | Staged]]] | None = None

    def __enter__(self) -> _StudyPages:
        if self.stage is None:
            return self
        recorded = self._recorded(self.stage)
        if recorded is not None and self.stage.press is not None:
            self.shared = self._shared(press=(self.stage.press, recorded.chunk))
        elif forks_cheaply():
            # A small process's helper goes on until no page is left, not only while this one makes the other
            # files: what it copies of this process's memory stays small (10,000 studies: 4,000 pages each,
            # 5.40 s; one helper for all, 4.93 s and 20 MiB more at the peak).
            self.shared = self._shared(per_helper=max(1, len(self.todo)))
        return self

    def _shared(self, per_helper: int = WORKER_ITEMS,
                press: tuple[Press, Callable[[int], list[list[tuple[str, bytes | Staged]]]]] | None = None
                ) -> Shared[Study, list[tuple[str, bytes | Staged]]]:
        return Shared(self._staged, _chunks(self.todo), per_helper=per_helper, press=press)

    def _recorded(self, stage: Stager) -> _RecordedPages | None:
        """The pages to be rendered by the build's press (see `Stager`) from the record of valid studies, if it
        has one and can: in a first build (its staging folder holds no old site), with the theme's study
        template (which shows no more of the edition than `_RecordedPages` gives), every page to be made of
        a study whose record the build wrote."""
        edition, staging, texts = self.renderer.edition, stage.fresh_folder(), self.renderer.edition.texts
        folders = tuple(self.renderer.context.template_folders)
        if stage.press is None or staging is None or not isinstance(texts, RecordTexts) \
                or any((folder / "_study.html").exists() for folder in folders[:-1]) \
                or not all(study.id in texts.placed for study in self.todo):
            return None
        held = list(self.chromes)
        numbers = {versions: number for number, versions in enumerate(held)}
        items = [(name, digest, *where, s.suffix, numbers[self.held[s.id]])
                 for s in self.todo for name, digest, where in [texts.placed[s.id]]]
        return _RecordedPages(folders, texts.cache.folder.root, staging, edition.codebook, edition.content.baseline,
                              edition.prefix, str(self.short_title), texts.shown, [self.chromes[h] for h in held],
                              [json.dumps(chunk, ensure_ascii=False) for chunk in _chunks(items)])

    def __exit__(self, *exception: object) -> None:
        if self.shared is not None:
            self.shared.cancel()

    def key(self, study: Study) -> str:
        return f"{self.chrome_keys[self.held[study.id]]}:{study.suffix}"

    def render(self, study: Study) -> list[tuple[str, bytes]]:
        edition = self.renderer.edition
        return _study_page(self.template, study, edition.prefix, edition.codebook, edition.content.baseline,
                           self.chromes[self.held[study.id]], self.short_title, edition)

    def _staged(self, study: Study) -> list[tuple[str, bytes | Staged]]:
        stage = self.stage
        assert stage is not None
        return [(path, stage(path, data)) for path, data in self.render(study)]

    def outputs(self) -> Iterator[EditionOutput]:
        """The pages, in the order of the studies; those kept are passed on together."""
        try:
            made = self._made()
            unchanged: dict[str, str] = {}  # the pages kept since the last page made
            for study in self.studies:
                digests = self.found.get(study.id)
                if digests is not None:
                    unchanged.update(digests)
                    continue
                if unchanged:
                    yield UnchangedFiles(unchanged)
                    unchanged = {}
                pages = next(made)
                if self.kept:
                    self.kept.keep(study.id, self.key(study), {path: data.digest if isinstance(data, Staged)
                                                               else file_digest(data) for path, data in pages})
                yield from pages
            if unchanged:
                yield UnchangedFiles(unchanged)
        except TemplateError as error:
            raise BuildError([self.renderer._problem(error, "_study.html")]) from None

    def _made(self) -> Iterator[Sequence[tuple[str, bytes | Staged]]]:
        """Each study's pages, in the order of `todo`."""
        if self.stage is None:
            yield from map(self.render, self.todo)
            return
        if self.shared is None:
            self.shared = self._shared()
        for chunk in self.shared.results():
            yield from chunk


def _chunks(items: Sequence[Item]) -> list[Sequence[Item]]:
    return [items[start:start + STUDY_PAGES_AT_ONCE] for start in range(0, len(items), STUDY_PAGES_AT_ONCE)]


def _study_page(template: Template, study: Study, prefix: str, codebook: Codebook, baseline: Baseline | None,
                chrome: Sequence[tuple[str, str, str, str, str]], short_title: str,
                edition: Edition | None = None) -> list[tuple[str, bytes]]:
    """A study's page, at each place its edition is written (`chrome`)."""
    full = f"{prefix}studies/{study.id}.html"
    body = template.render(url=lambda target: relative(full, prefix + target), study=study, edition=edition,
                           reference=Markup(format_study(study)), coded=_coded(study, codebook), baseline=baseline)
    title, citation = escape(study.title), escape(study.short_citation)
    # the chrome's links to this page in other versions (and its canonical address) name the study
    return [(f"{place}studies/{study.id}.html",
             "".join((head, citation, " · ", short_title, middle, title, before_main, body,
                      after_main)).replace(_STUDY_MARK, study.id).encode("utf-8"))
            for place, head, middle, before_main, after_main in chrome]


class _RecordedPages(NamedTuple):
    """Study pages rendered by the build's press (`parallel.Press`), a process forked before the studies were
    read, which holds none of them: each is read back from the record of valid studies the build wrote
    (`Cache.placed_texts`), with its letter and the chrome of the versions holding it given here. `chunk`,
    given a chunk's number, puts the pages of that chunk in the staging folder, as `_StudyPages` puts them.
    The same pages: the theme's study template shows no more of the edition. Each chunk is given as the
    JSON of a list, for each study, of its entry in the record, its file's digest, where the entry is (shard,
    start, end), its letter and the number of the chrome of the versions holding it: one text per chunk in
    the press's memory, not seven objects per study."""

    folders: tuple[Path, ...]
    cache: Path
    staging: Path
    codebook: Codebook
    baseline: Baseline | None
    prefix: str
    short_title: str
    shown: str  # the studies' folder as shown: a study's path is there
    chromes: Sequence[Sequence[tuple[str, str, str, str, str]]]
    chunks: Sequence[str]

    def chunk(self, number: int) -> list[list[tuple[str, bytes | Staged]]]:
        template = environment(self.folders).get_template("_study.html")
        cache, folder = Cache(self.cache), Folder(self.staging)
        made: list[list[tuple[str, bytes | Staged]]] = []
        for name, digest, shard, start, end, suffix, chrome in json.loads(self.chunks[number]):
            path = f"{self.shown}/{name}"
            texts = cache.placed_texts(name, (shard, start, end))
            if texts is None or len(texts) != 3 or texts[0] != digest:
                raise ValueError(f"the record of {path} is not as the build wrote it")
            study = study_from_record(texts[1], texts[2], path)
            pages = _study_page(template, study._replace(suffix=suffix) if suffix else study, self.prefix,
                                self.codebook, self.baseline, self.chromes[chrome], Markup(self.short_title))
            made.append([(page, staged_anew(folder, page, data)) for page, data in pages])
        return made


def _addresses(context: SiteContext, edition: Edition, page: str, draft_changed: bool,
               held: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Where a page is and where it is in other versions: its canonical (versioned) address, what the
    version switcher offers, and for a release the metadata reference managers and search engines read."""
    site = context.content.site
    values: dict[str, Any] = {
        "site_address": lambda path: site.url + path, "canonical": edition.prefix + page,
        "same_page": lambda other: _same_page(other, page, held),
        "draft_changed": draft_changed, "json_ld": "",
    }
    if edition.is_release:
        record = {"@context": "https://schema.org", "@type": "ScholarlyArticle", "name": site.title,
                  "headline": site.title, "version": edition.label, "datePublished": edition.date,
                  "author": [{"@type": "Person", "name": name} for name in site.authors],
                  "url": site.url + edition.prefix + page, "isPartOf": site.url}
        if edition.doi:
            record["identifier"] = f"https://doi.org/{edition.doi}"
        values["json_ld"] = Markup(_script_json(record))
    return values


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no character of it can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _plain(value: Any) -> Any:
    """A mapping that is no dict as JSON's object: a study's codes and evidence notes read back from `.cache/`,
    which a review's own template may write as JSON as it writes those of a study read from its file."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _same_page(other: Edition, page: str, held: tuple[str, ...] | None) -> str:
    """A page's counterpart in another version: the same page, the study table searching for a study
    that version does not hold, or that version's home page."""
    if held is not None and other.label not in held:
        return f"studies/index.html?q={_STUDY_MARK}"
    if page.startswith("studies/page/"):  # another version has its own number of pages
        return "studies/index.html"
    return page if _page_in(other, page) else "index.html"


def _page_in(edition: Edition, page: str) -> bool:
    if page.startswith("studies/") or page in ("index.html", "agreement.html", "references.html"):
        return True
    if page.startswith("figures/"):
        return any(f"figures/{spec.key}.html" == page for spec in edition.content.figures)
    if page == "screening.html":
        return edition.screening is not None
    if page == "consistency.html":
        return edition.content.baseline is not None
    return any(f"{p.slug}.html" == page for p in edition.content.pages if p.slug != "home")


def _editions_holding(editions: Sequence[Edition]) -> dict[str, tuple[str, ...]]:
    """The labels of the editions holding each study, in the editions' order, by the study's id. The studies
    of the first edition share one tuple until a later edition holds them too (10,000 studies in one edition:
    0.0005 s, against 0.0026 s a study at a time)."""
    held: dict[str, tuple[str, ...]] = {}
    for edition in editions:
        label = (edition.label,)
        if not held:
            held = dict.fromkeys((study.id for study in edition.studies), label)
            continue
        known = held.get
        for study in edition.studies:
            held[study.id] = known(study.id, ()) + label
    return held


def _draft_changes(context: SiteContext) -> str:
    """The draft's changes since the latest release, in a few words ("" when there are none)."""
    draft = next((entry for entry in context.changelog if not entry.edition.is_release), None)
    if draft is None or draft.previous is None:
        return ""
    changes = draft.changes
    parts = [f"{len(changes.added)} {'study' if len(changes.added) == 1 else 'studies'} added" if changes.added else "",
             f"{len(changes.removed)} removed" if changes.removed else "",
             f"{len(changes.recoded)} corrected or recoded" if changes.recoded else ""]
    if changes.aggregates and not any(parts):
        parts.append("figures recomputed")
    return ", ".join(p for p in [*parts, changes.screening.summary()] if p)


def _inline_markdown(text: str, url: Callable[[str], str] = lambda target: target) -> Markup:
    """A short text of the site's settings (the footer's attribution), as Markdown: no raw HTML, safe links,
    and links to pages of the site made relative to the page it is shown on."""
    if not text:
        return Markup("")
    md = markdown()
    tokens = md.parseInline(text)
    for token in tokens[0].children or []:
        href = token.attrGet("href") if token.type == "link_open" else None
        if isinstance(href, str) and not re.match(r"[a-z][a-z0-9+.-]*:|#", href, re.IGNORECASE):
            token.attrSet("href", url(href))
    return Markup(md.renderer.render(tokens, md.options, {}))


def _markdown_text(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]()#<>!" else c for c in text)


def _headline(edition: Edition) -> dict[str, Any]:
    studies, aggregates = edition.studies, edition.aggregates
    baseline = edition.content.baseline
    facts = []
    for fact in edition.content.site.facts if edition.content is not None else ():
        if fact.dimension in aggregates.tallies:
            tally = aggregates.tally(fact.dimension)
            facts.append({"label": fact.label, "count": tally.count(fact.value), "coded": tally.coded,
                          "total": tally.total})
    return {"total": len(studies), "in_baseline": sum(s.in_baseline for s in studies),
            "baseline_total": baseline.included_total if baseline else None, "fully_coded": _fully_coded(edition),
            "facts": facts, "comparisons": _comparisons(edition)}


def _fully_coded(edition: Edition) -> int:
    """How many studies are coded on every required field. A field the tallies count is read from them (a
    study is not coded on it where they hold NOT_CODED): the codes of a study read back from `.cache/` are
    decoded only when asked for, and a rebuild asks for few."""
    codebook, values = edition.codebook, edition.aggregates.values
    required = [f.key for f in codebook.fields if f.required]
    others = [key for key in required if key not in values]
    # the studies not coded on some field, a field at a time (10,000 studies: 0.003 s, one study at a time 0.01)
    missing = {study_id for key in required if key in values
               for study_id, value in values[key].items() if value is NOT_CODED}
    if others:
        missing.update(s.id for s in edition.studies
                       if not all(codebook.is_coded(s.codes.get(key, codebook.not_coded)) for key in others))
    ids = {s.id for s in edition.studies}
    return len(ids) - len(missing & ids)


def _currency(context: SiteContext, edition: Edition) -> dict[str, Any]:
    """How current the evidence is: the last search, what changed since the edition before, the next update."""
    searches = [(str(s.get("date", "")), str(s.get("label", ""))) for s in edition.content.searches]
    if edition.screening is not None:
        searches += [(s.date, edition.screening.vocabulary.label(edition.screening.vocabulary.routes, s.route))
                     for s in edition.screening.searches]
    last = max(searches, default=("", ""))
    editions = [e for e in context.editions if not e.is_alias]
    own = next(i for i, e in enumerate(editions) if e.label == edition.label)
    previous = editions[own - 1] if own else None
    changes = next(e.changes for e in context.changelog if e.edition.label == edition.label) if previous else None
    return {"last_search": last[0], "last_search_label": last[1], "previous": previous,
            "added": len(changes.added) if changes else 0, "removed": len(changes.removed) if changes else 0,
            "recoded": len(changes.recoded) if changes else 0, "next_update": context.content.site.next_update,
            "screening": changes.screening.summary() if changes else ""}


def _comparisons(edition: Edition) -> list[dict[str, Any]]:
    """Each published figure that maps to live data, beside this edition's value."""
    baseline = edition.content.baseline
    if baseline is None:
        return []
    aggregates = edition.aggregates
    rows = []
    for figure in baseline.figures:
        live: int | None = None
        denominator: int | None = None
        if figure.key == baseline.included:
            live, denominator = aggregates.total, None
        elif figure.region and "region" in aggregates.tallies:
            tally = aggregates.tally("region")
            live, denominator = tally.count(figure.region), tally.coded
        elif figure.field and figure.field in aggregates.tallies:
            tally = aggregates.tally(figure.field)
            live = tally.count(figure.field_value) if figure.field_value is not None else tally.coded - tally.none
            denominator = tally.coded
        if live is None:
            continue
        rows.append({"figure": figure, "live": live, "coded": denominator,
                     "live_percent": format_percent(100 * live / denominator) if denominator else "–",
                     "differs": live != figure.value})
    return rows


def _consistency(edition: Edition) -> ConsistencyReport | None:
    """The published baseline checked against itself (see consistency.py)."""
    baseline = edition.content.baseline
    return evaluate(baseline.figures, baseline.checks, baseline.citations) if baseline else None


def _disagreements(edition: Edition, studies: Sequence[Study]) -> list[dict[str, Any]]:
    """Every field on which a study is coded one way and another source reads it another."""
    codebook = edition.codebook
    found = []
    for study in studies:
        for key, other in study.disagreements.items():
            field = codebook.field(key)
            coded = study.codes.get(key, codebook.not_coded)
            evidence = study.evidence.get(key)
            coded_source = codebook.source(evidence.source if evidence else "")
            other_source = codebook.source(other.source)
            found.append({"study": study, "field": field, "coded": _shown(field, coded, codebook),
                          "coded_source": coded_source.label if coded_source else "",
                          "other": _shown(field, other.value, codebook),
                          "other_source": other_source.label if other_source else "", "note": other.note})
    return found


def _shown(field: Field, value: Any, codebook: Codebook) -> str:
    if not codebook.is_coded(value):
        return str(value)
    values = value if isinstance(value, list) else [value]
    return ", ".join(value_label(field.key, v, codebook) if field.tallied else str(v) for v in values) or "none"


def _filters(edition: Edition) -> list[dict[str, Any]]:
    codebook = edition.codebook
    filters = []
    for dimension, tally in edition.aggregates.tallies.items():
        if dimension == "year":
            continue
        options = [(_attribute_value(value), value_label(dimension, value, codebook), count)
                   for value, count in tally.counts if count]
        if tally.none:
            options.append(("none", "None of these", tally.none))
        if tally.not_coded:
            options.append(("not-coded", "Not yet coded", tally.not_coded))
        if tally.coded:  # a field no study is coded for yet cannot narrow the table
            filters.append({"key": dimension, "label": tally.label, "options": options})
    return filters


def _exports(records: Records, kept: Batches | None = None) -> Iterator[bytes]:
    """Each study as a CSV row, a RIS record and a BibTeX entry (escaped as the downloads are), in the table's
    first order, for the table's 'download the studies shown': a script that site.js loads on the first click.
    Written a batch of records at a time: the same text as one `_script_data` of all of them (its keys in
    order). With `kept`, a batch whose records are all unchanged is taken as an earlier build encoded it."""
    yield b'window.livingreviewExports = {"bib":'
    yield from _script_list(records.bib, "bib", records.keys, kept)
    yield b',"csv":'
    yield from _script_list(records.csv, "csv", records.keys, kept)
    yield f',"csv_header":{_script_data(records.csv_header)},"ris":'.encode()
    yield from _script_list(records.ris, "ris", records.keys, kept)
    yield b"};\n"
    if kept is not None:
        kept.prune()


_SCRIPT_BATCH = 250  # texts encoded and written at once (in serve, a batch with one study changed is encoded again)


def _script_list(texts: Sequence[Any], name: str = "", keys: Sequence[str] = (),
                 kept: Batches | None = None) -> Iterator[bytes]:
    """_script_data(list(texts)), encoded, in pieces: each piece a batch's list without its brackets (what
    `_script_data` escapes never occurs in the list's own syntax, so a list of batches is the whole list).
    A batch is kept under its place and its items' `keys` (the same key, the same item), if each has one;
    a batch taken from `kept` is not asked of `texts`."""
    yield b"["
    for start in range(0, len(texts), _SCRIPT_BATCH):
        batch = slice(start, start + _SCRIPT_BATCH)
        key = batch_key(name, start, keys[batch]) if kept is not None and len(keys) == len(texts) else ""
        encoded = kept.get(key) if kept is not None and key else None
        if encoded is None:
            encoded = _script_data(list(texts[batch]))[1:-1].encode("utf-8")
            if kept is not None and key:
                kept.keep(key, encoded)
        if start:
            yield b","
        yield encoded
    yield b"]"


def _script_data(value: Any) -> str:
    """Compact JSON that is also safe inside a <script> element and in JavaScript source."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def table_page(number: int) -> str:
    """Where a page of the study table is: the first is the table itself; pages of studies have ids without
    a slash, so the further pages' folder cannot meet a study's page."""
    return "studies/index.html" if number == 1 else f"studies/page/{number}.html"


class PageLinks(Sequence[str]):
    """The links from one page of the study table to each of its pages, each made when asked for: every page
    linking to every other is the square of the pages (100,000 studies: 500 pages, 250,000 links)."""

    def __init__(self, paths: Sequence[str], url: Callable[[str], str], page: str):
        self.paths, self.url, self.page = paths, url, page

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self.url(path) for path in self.paths[index]]
        return self.url(self.paths[index])

    def __len__(self) -> int:
        return len(self.paths)

    def __repr__(self) -> str:  # what the links are made from, for the keys of kept pages
        return f"PageLinks({len(self.paths)}, {self.page!r})"


def nearby_pages(number: int, count: int, paths: Sequence[str], url: Callable[[str], str],
                 around: int = 2) -> list[tuple[int | None, str]]:
    """The pages a page of the table links to by number, as most pagers do: the first, the last, and those
    within `around` of this one, with (None, "") where two or more pages are left out between them (a single
    page is shown instead: its number takes no more room than the mark)."""
    shown = sorted({1, count, *range(max(1, number - around), min(count, number + around) + 1)})
    nearby: list[tuple[int | None, str]] = []
    last = 0
    for page in shown:
        if page - last == 2:
            nearby.append((last + 1, url(paths[last])))
        elif page - last > 2:
            nearby.append((None, ""))
        nearby.append((page, url(paths[page - 1])))
        last = page
    return nearby


@dataclass(slots=True)
class TableDimension:
    """A field the table filters by or shows: its values as the filters and URLs name them, and their labels
    as a cell shows them. A row holds positions in these lists."""

    key: str
    values: list[str]
    labels: list[str]
    index: dict[str, int]

    def position(self, value: str, label: str) -> int:
        found = self.index.get(value)
        if found is None:  # a value no tally counts (none expected): added, so that no row loses it
            found = self.index[value] = len(self.values)
            self.values.append(value)
            self.labels.append(label)
        return found


def _table_dimensions(edition: Edition, filters: Sequence[Mapping[str, Any]],
                      columns: Sequence[tuple[str, str]]) -> list[TableDimension]:
    """The dimensions of the filters and the columns, in the order of the tallies."""
    codebook, tallies = edition.codebook, edition.aggregates.tallies
    wanted = {f["key"] for f in filters} | {key for key, _ in columns}
    dims = []
    for key, tally in tallies.items():
        if key not in wanted:
            continue
        pairs = [(_attribute_value(v), value_label(key, v, codebook)) for v, count in tally.counts if count]
        pairs += [("none", "none"), ("not-coded", "not yet coded")]
        values, labels = [v for v, _ in pairs], [label for _, label in pairs]
        dims.append(TableDimension(key, values, labels, {v: i for i, v in enumerate(values)}))
    return dims


def _table_data(rows: Sequence[list[Any]], keys: Sequence[str], dims: Sequence[TableDimension],
                columns: Sequence[tuple[str, str]], kept: Batches | None = None) -> bytes:
    """Every study as a compact row for site.js (see `_compact_row`), with the dimensions' values and labels once:
    the same text as one `_script_data` of it all (its keys in order, the rows last). With `kept`, a batch of
    rows whose keys (each row's, as `_CompactRows.keys`) are unchanged is taken as an earlier build encoded it."""
    positions = {dim.key: i for i, dim in enumerate(dims)}
    head = _script_data({"dimensions": [{"key": d.key, "values": d.values, "labels": d.labels} for d in dims],
                         "columns": [positions[key] for key, _ in columns]})
    listed = b"".join(_script_list(rows, "rows", keys, kept))
    if kept is not None:
        kept.prune()
    return b"".join((f"window.livingreviewTable = {head[:-1]},\"rows\":".encode(), listed, b"};\n"))


class _CompactRows(Sequence[list[Any]]):
    """The studies' compact rows (`_compact_row`), each made when asked for: a batch of rows an earlier build
    encoded is not made at all. `keys`: each row's key with its study's file ("" if it has none)."""

    def __init__(self, studies: Sequence[Study], edition: Edition, dims: Sequence[TableDimension],
                 row_keys: Sequence[str], memo: Memo | None):
        self.studies, self.row_keys, self.memo = studies, row_keys, memo
        self.positions = _Positions(edition, dims)
        self.keys = [memo.full_key(s.id, key) for s, key in zip(studies, row_keys, strict=True)] if memo else []

    def __len__(self) -> int:
        return len(self.studies)

    @overload
    def __getitem__(self, index: int) -> list[Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[Any]]: ...

    def __getitem__(self, index: int | slice) -> list[Any] | list[list[Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return _compact_row(self.studies[index], self.positions, self.row_keys[index], self.memo)


def _compact_row(study: Study, positions: _Positions, key: str, memo: Memo | None) -> list[Any]:
    """A study's row for site.js: [id, citation, year, title, its authors and journal, then per dimension a
    value's position, or a list of them]."""
    found = memo.get(study.id, key) if memo else None
    if isinstance(found, list) and len(found) == 5 + len(positions.dims) and found[0] == study.id:
        return found
    made = [study.id, study.short_citation, study.year, study.title, _search_text(study), *positions(study.id)]
    if memo:
        memo.keep(study.id, key, made)
    return made


def _attribute_value(value: Any) -> str:
    return filter_value(value)


# Rows handed to templates are records, not dicts: Jinja looks a name up as an attribute first,
# and a dict answers that with an exception (about half of a study page's template time, measured).
class TableRow(NamedTuple):
    """One study's row in the study table."""

    study: Study
    cells: list[tuple[str, str, bool]]  # (column label, the value as a reader sees it, not yet coded)
    text: str  # the authors' names and the journal: with the title, year and id, what the search looks in


class CodingRow(NamedTuple):
    """How a study is coded on one field (or one derived fact), for its page."""

    field: Field | Derived
    coded: bool
    values: list[str]  # labels, as a reader sees them
    raw: list[Any]  # the values as filed, for links to the study table
    evidence: str
    source: str = ""  # where the value comes from, in the codebook's words
    where: str = ""
    deduced: bool = False
    second: Any = None  # the second coder's value, if any
    resolved: str = ""
    derived: bool = False
    other: str = ""  # a value another source gives, with its note


class _Cells:
    """The cells of a study's row on a page of the table: (column label, the values as a reader sees them, not
    yet coded), each made once for each list of values a column has (the tallies' `values`: a large review
    has few distinct ones)."""

    def __init__(self, edition: Edition, columns: Sequence[tuple[str, str]]):
        self.codebook = edition.codebook
        self.columns: list[tuple[str, str, Mapping[str, list[Any] | None], dict[Any, tuple[str, str, bool]]]] = [
            (key, label, edition.aggregates.values[key], {}) for key, label in columns]

    def __call__(self, study: Study) -> TableRow:
        cells = []
        for key, label, values, shown in self.columns:
            found = values[study.id]
            held = None if found is None else tuple(found)
            cell = shown.get(held)
            if cell is None:
                cell = shown[held] = self._cell(key, label, found)
            cells.append(cell)
        return TableRow(study, cells, _search_text(study))

    def _cell(self, key: str, label: str, values: Sequence[Any] | None) -> tuple[str, str, bool]:
        if values is None:
            return label, "not yet coded", True
        return label, ", ".join(value_label(key, v, self.codebook) for v in values) or "none", False


class _Positions:
    """Per dimension of the table, the positions of a study's values (what site.js filters by): one position,
    or a list of them. Found once for each list of values a dimension has (see `_Cells`)."""

    def __init__(self, edition: Edition, dims: Sequence[TableDimension]):
        self.codebook = edition.codebook
        self.dims: list[tuple[TableDimension, Mapping[str, list[Any] | None], dict[Any, int | list[int]]]] = [
            (dim, edition.aggregates.values[dim.key], {}) for dim in dims]

    def __call__(self, study_id: str) -> list[int | list[int]]:
        positions = []
        for dim, values, known in self.dims:
            found = values[study_id]
            held = None if found is None else tuple(found)
            position = known.get(held)
            if position is None:
                position = known[held] = self._positions(dim, found)
            positions.append(position)
        return positions

    def _positions(self, dim: TableDimension, values: Sequence[Any] | None) -> int | list[int]:
        if values is None:
            return dim.index["not-coded"]
        if not values:
            return dim.index["none"]
        index = dim.index
        found = [index[key] if (key := _attribute_value(v)) in index
                 else dim.position(key, value_label(dim.key, v, self.codebook)) for v in values]
        return found[0] if len(found) == 1 else found


def _search_text(study: Study) -> str:
    """The authors' names and the journal: with the title, year and id, what the table's search looks in."""
    return " ".join([*(f"{a.given} {a.family}" for a in study.authors), study.journal])


def _disagreement(study: Study, field: Field, codebook: Codebook) -> str:
    other = study.disagreements.get(field.key)
    if other is None:
        return ""
    shown = _shown(field, other.value, codebook)
    source = codebook.source(other.source)
    where = f" ({other.where})" if other.where else ""
    return f"{source.label if source else 'Another source'}: {shown}. {other.note}{where}"


def _coded(study: Study, codebook: Codebook) -> list[CodingRow]:
    rows = []
    for field in codebook.fields:
        value = study.codes.get(field.key, codebook.not_coded)
        coded = codebook.is_coded(value)
        values = value if isinstance(value, list) else [value]
        shown = [value_label(field.key, v, codebook) for v in values] if coded and field.tallied else (
            [str(value)] if coded else [])
        second = study.second_coding.codes.get(field.key) if study.second_coding else None
        evidence = study.evidence.get(field.key)
        source = codebook.source(evidence.source) if evidence else None
        rows.append(CodingRow(field, coded, shown, values if coded else [], evidence.note if evidence else "",
                              source.label if source else "", evidence.where if evidence else "",
                              bool(source and source.deduced), second,
                              study.second_coding.resolved.get(field.key, "") if study.second_coding else "",
                              other=_disagreement(study, field, codebook)))
    for fact in codebook.derived:  # computed from the fields above, so never coded by hand
        found = dimension_values(study, fact.key, codebook)
        rows.append(CodingRow(fact, found is not None, ["Yes" if found and found[0] else "No"]
                              if found is not None else [], [str(v).lower() for v in found or []],
                              "Derived: " + fact.description, derived=True))
    return rows
