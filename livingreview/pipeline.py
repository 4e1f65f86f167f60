"""The pipeline, top to bottom: load → validate → aggregate → render → write.

`plan` loads, validates and aggregates; `check` is `plan` and the rendering of every content page;
`build` is `plan`, then rendering, drawing and writing. What an earlier build can spare them (studies
already validated, figures already drawn, a site already up to date) comes from `cache.py`.

What passes between stages is plain, immutable data: NamedTuple records (see named_tuple.py; a mapping's
default is one empty mapping, typed read-only), or frozen dataclasses where a record needs a cached property, a
memo, fields left out of its comparison, or a field named `count` or `index` (a tuple's methods). On Python 3.11
a frozen dataclass compiles six methods, one by one, when its module is imported: the engine's 91 dataclasses
took 40 % of its import time, which every command pays before its work begins (and `check` before it forks). A
NamedTuple costs a tenth.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any

from jinja2 import Environment

from .aggregate import Aggregates, aggregate, recount
from .cache import (
    UP_TO_DATE,
    Cache,
    EditionMemory,
    HeldStudies,
    Inputs,
    KnownAggregates,
    KnownReleases,
    KnownStudies,
    KnownTexts,
    KnownTitles,
    ParsedTexts,
    Previous,
    StudyCodings,
)
from .codebook import Codebook, codebook_from
from .content import Baseline, load_content, page_bodies
from .diagnostics import BuildError, Diagnostic
from .drawer import Drawer, is_large, start_drawer
from .edition import Edition, Review
from .figures import FigureData, FigureInputs, figure_data, figure_svg
from .load import parsed_earlier, read_input, read_yaml
from .named_tuple import NamedTuple
from .pages import prepare, template_sources
from .parallel import Beside, Press
from .press import start_press
from .project import Project
from .release import FrozenRelease, cited, release_editions, release_files
from .render import SiteContext, check_templates, environment, page_problems, render_edition, site_wide_outputs
from .screening import ScreeningRead, arm, read_screening, search_ids, since
from .sources import Folder as ContentFolder
from .study import Study, lettered, study_record
from .validate import baseline_membership, cross_checked, read_studies, validate_studies
from .write import LinkedOldSite, Pieces, Staged, Stager, Unchanged, UnchangedFiles, write_site

Output = tuple[str, bytes | Unchanged | Pieces | Staged] | UnchangedFiles


class Plan(NamedTuple):
    """A validated review, its editions, and everything the build renders from them."""

    review: Review
    context: SiteContext
    env: Environment
    figures: Sequence[Sequence[FigureData]]  # the figures of each edition, in the order of context.editions


def load_review(project: Project, cache: Cache | None = None, inputs: Inputs | None = None) -> Review:
    """Load and validate the codebook, the content and every study; BuildError with every problem. The studies
    found valid are remembered in the cache, if given (see `_load_review`)."""
    review, remember = _load_review(project, cache, inputs)
    remember()
    return review


def _load_review(project: Project, cache: Cache | None = None, inputs: Inputs | None = None,
                 codings: dict[str, str] | None = None,
                 screening_read: Callable[[], ScreeningRead] | None = None,
                 studies_read: Callable[[], None] | None = None) -> tuple[Review, Callable[[], None]]:
    """The review, and what remembers its studies for the next run (`KnownStudies`): `load_review`'s work.
    `codings`, if given, is filled with the coding digest of each study file read anew (`validate_studies`).
    `screening_read`: the screening files as read meanwhile (see `_Beside`); else they are read here.
    `studies_read` is called once every study file is read and checked."""
    checked = KnownTexts(cache, "checked-texts")
    read = read_yaml(project.codebook, project.display(project.codebook))
    codebook, problems = codebook_from(read, checked.known)
    if codebook is None:
        raise BuildError(problems)
    checked.keep(read.text or "")
    content, problems = load_content(ContentFolder(project.content, project.display(project.content)), codebook,
                                     checked=checked)
    checked.save()
    baseline = content is not None and content.baseline is not None
    found = _read_studies(project, codebook, baseline, cache, inputs, codings)
    if studies_read:
        studies_read()
    studies = found.studies
    try:
        study_problems = found.problems + _duplicates(project, studies, cache)
        if content is not None and content.baseline is not None:
            study_problems += baseline_membership(studies, content.baseline.studies, project.root,
                                                  project.display(project.content / "baseline.yaml"))
        if problems or study_problems or content is None:
            raise BuildError(problems + study_problems)
        files = screening_read() if screening_read else _screening_read(project)
        screening, problems = files.checked({s.id for s in studies})
        if problems:
            raise BuildError(problems)
    except BuildError:
        found.remember()  # each study file is valid (else none is remembered): the next run need not check it again
        raise
    except BaseException:
        found.forget()  # interrupted: no process writing the record of valid studies outlives the build
        raise
    return Review(codebook, tuple(studies), content, screening, found.texts), found.remember


def _screening_read(project: Project) -> ScreeningRead:
    return read_screening(ContentFolder(project.content, project.display(project.content)),
                          ContentFolder(project.root, ""))


def _duplicates(project: Project, studies: list[Study], cache: Cache | None) -> list[Diagnostic]:
    """The same id, DOI or title in two files; in serve, only the studies changed since its last build are
    compared (with all the others)."""
    def memory() -> KnownTitles | None:
        return KnownTitles(cache, cache.key("titles")) if cache is not None else None

    check = partial(cross_checked, studies, project.root, memory)
    return (cache.again("cross-check", check) if cache is not None else check(None)).problems


class _StudiesRead(NamedTuple):
    """The valid studies of studies/, the problems of its files, the record texts of the studies read back from
    .cache/ (by id), and what keeps them for the next build once the review is found valid."""

    studies: list[Study]
    problems: list[Diagnostic]
    texts: Mapping[str, str]
    remember: Callable[[], None]
    forget: Callable[[], None] = lambda: None  # stops the remembering begun, for a build that is not going on


def _read_studies(project: Project, codebook: Codebook, baseline: bool, cache: Cache | None, inputs: Inputs | None,
                  codings: dict[str, str] | None) -> _StudiesRead:
    """Every study file read and checked, or looked up in the record of the studies an earlier run found valid;
    in serve, only the files changed since its last build (`HeldStudies`)."""
    key = _studies_key(project, cache, inputs, baseline)
    serving = cache is not None and cache.hold and inputs is not None and bool(key)
    names = _listed(project.studies) if serving else None
    files = inputs.under(project.studies) if serving and inputs is not None else {}
    if cache is not None and cache.held_studies is not None and names is not None:
        again = _read_again(project, codebook, baseline, cache, cache.held_studies, key, names, files, codings)
        if again is not None:
            return again
    known = KnownStudies(cache, key, inputs, project.display(project.studies)) \
        if cache is not None and inputs is not None and key else None
    paths, studies, problems = validate_studies(project, codebook, baseline,
                                                known.get if known else lambda path: None, codings)
    texts = known.texts if known else {}
    # Begun at once, so that a process forked to write it works while this one cross-checks and counts.
    keeping = known.keep(paths, studies) if known and not problems else None

    def kept() -> None:
        if problems:
            return  # nothing is remembered while a file has a problem
        if keeping:
            keeping.end()
        if cache is not None and names is not None:
            cache.held_studies = HeldStudies(key, names, files, paths, studies, texts)

    return _StudiesRead(studies, problems, texts, kept, keeping.cancel if keeping else lambda: None)


def _read_again(project: Project, codebook: Codebook, baseline: bool, cache: Cache, held: HeldStudies, key: str,
                names: frozenset[str], files: dict[str, str], codings: dict[str, str] | None) -> _StudiesRead | None:
    """serve's studies with the files changed since its last build read again; None if the folder is not the
    one held, or a changed file has a problem (every file is then looked up, for every problem)."""
    changed = held.changed(key, names, files)
    if changed is None:
        return None
    paths = [held.paths[index] for index in changed]
    found = read_studies(project, codebook, baseline, paths, codings)
    studies = {index: study for index, (study, _) in zip(changed, found, strict=True) if study is not None}
    if len(studies) < len(changed):
        return None
    now = held.replaced(key, names, files, studies)

    def kept() -> None:
        cache.replace_texts("studies", key, {path.name: [files[str(path)], *study_record(now.studies[index])]
                                             for index, path in zip(changed, paths, strict=True)})
        cache.held_studies = now

    return _StudiesRead(now.studies, [], now.texts, kept)


def _studies_key(project: Project, cache: Cache | None, inputs: Inputs | None, baseline: bool) -> str:
    """The key of the record of the studies an earlier run found valid: this codebook, engine and year (years
    run to next year). "" if there is no record."""
    if cache is None or inputs is None:
        return ""
    try:
        codebook = read_input(project.codebook).hex()
    except Exception:  # noqa: BLE001 - the codebook was read a moment ago; if not now, check everything
        return ""
    return cache.key("studies", codebook, str(baseline), str(datetime.date.today().year))


def _listed(folder: Path) -> frozenset[str] | None:
    """Every name in a folder (None if it cannot be listed): a study file added, removed or renamed, or
    anything else put there, changes it."""
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return None


def plan(project: Project, cache: Cache | None = None, inputs: Inputs | None = None,
         codings: dict[str, str] | None = None, pages: bool = False,
         studies_read: Callable[[], None] | None = None, figured: Figured | None = None) -> Plan:
    """Load and validate the review and every release; aggregate each edition and compute its figures, without
    Python's cycle collector (see `_without_collector`). `codings`, `studies_read`: see `_load_review`.
    `figured` is called with the editions and their figures once they are computed, before the studies found
    valid are remembered (a build hands its drawing process the figures then, to draw them
    meanwhile). With `pages`, every edition's content pages are rendered too, and BuildError names every
    problem they have; the releases are then checked beside, and the plan holds the draft alone (a check needs
    nothing else of them)."""
    with _without_collector(), _parsed_earlier(cache) as memory:
        return _plan(project, cache, inputs, codings, pages, memory, studies_read, figured)


Figured = Callable[[Sequence[Edition], Sequence[Sequence[FigureData]]], None]


@contextlib.contextmanager
def _parsed_earlier(cache: Cache | None) -> Iterator[ParsedTexts | None]:
    """The YAML texts an earlier run parsed are not parsed again (see cache.ParsedTexts)."""
    if cache is None:
        yield None
        return
    memory = ParsedTexts(cache)
    with parsed_earlier(memory):
        yield memory
    memory.save()


@contextlib.contextmanager
def _without_collector() -> Iterator[None]:
    """Loading, rendering and writing a review make millions of objects that live as long as the build, and
    little garbage: Python's cycle collector would walk them all again and again for next to nothing (a cold
    build of 100,000 studies: 20 full collections while rendering and writing, 3.36 s, 26 objects freed). It
    is off while they run, and as it was afterwards; a process that goes on collects what the build left
    (serve does, once a build is reported). With it off, a forked process does not write to what it shares
    with this one either."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _plan(project: Project, cache: Cache | None, inputs: Inputs | None, codings: dict[str, str] | None,
          pages: bool, memory: ParsedTexts | None, studies_read: Callable[[], None] | None,
          figured: Figured | None) -> Plan:
    beside = _Beside(project, cache, inputs, memory, KnownReleases(cache) if cache else None)
    # Where release files must be checked, they are read in a second process meanwhile, and the screening files too.
    fork = beside.worth_a_process()
    if fork:
        _import_what_both_read_with(project)
    with Beside(partial(beside.made, pages), fork=fork) as made:
        review, remember = _load_review(project, cache, inputs, codings, screening_read=partial(next, made),
                                        studies_read=studies_read)
        try:
            # A check's releases are checked beside (their pages too): its plan holds the draft alone.
            editions = [] if pages else cited(next(made), review.content.site)
            latest = next(made) if pages else _latest(editions)
            editions.append(_draft(project, review, latest, cache, inputs))
            figures = _editions_figures(editions, cache)
            if figured:
                figured(editions, figures)
        finally:
            remember()  # the studies are valid whatever else is found
        folders = project.template_folders()
        env = environment(tuple(folders))
        problems: list[Diagnostic] = []
        if pages:  # the draft's here, compiled from what was generated beside; the releases' where they were read
            prepare(next(made))
            if memory:
                memory.add(next(made))
            problems = page_problems(editions[-1], env, figures[-1], folders, project.root) + next(made)
        if memory:  # the texts parsed and the release files read are valid whatever a page holds
            taken, releases = next(made)
            memory.add(taken)
            memory.save()  # while the other process, its last value sent, ends: it is then reaped at once
            if beside.known:
                beside.known.save(releases)
        if problems:
            raise BuildError(problems)
    return Plan(review, SiteContext(review.content, editions, folders, project.root), env, figures)


def _import_what_both_read_with(project: Project) -> None:
    """Import, before the release files are read in a second process, the libraries both processes then import
    (each is otherwise imported when first needed): the schemas' validator, and with references the BibTeX
    reader (the releases hold copies of them). Imported in each process, they cost each its share of the
    machine's two cores, which the processes then compete for: fresh checks of the repository's review,
    alternated, 30 pairs: 3.2 ms less (20 of 30)."""
    import jsonschema_rs  # noqa: F401

    with contextlib.suppress(OSError):
        if os.stat(project.content / "references.bib").st_size:
            import pybtex.database.input.bibtex  # noqa: F401


class _Latest(NamedTuple):
    """What the draft shows of the latest release: how many studies it holds, and its searches."""

    total: int
    searches: frozenset[str]


def _latest(editions: Sequence[Edition]) -> _Latest | None:
    return _Latest(editions[-1].aggregates.total, search_ids(editions[-1].screening)) if editions else None


def _draft(project: Project, review: Review, latest: _Latest | None, cache: Cache | None,
           inputs: Inputs | None) -> Edition:
    lettering = cache.again("lettering", partial(lettered, review.studies)) if cache else lettered(review.studies)
    studies = lettering.studies
    tallies = partial(_tallies, project, review, studies, cache, inputs)
    return Edition("draft", "draft/" if latest else "", review.codebook, studies,
                   cache.again("tallies", partial(_counted, review, tallies)).tallies if cache else tallies(),
                   review.content,
                   is_latest=latest is None, previous_total=latest.total if latest else None,
                   screening=review.screening, previous_searches=latest.searches if latest else None,
                   texts=review.texts)


class _Beside(NamedTuple):
    """What `_plan` reads beside the draft's codebook, content and studies: the screening files and the release
    files (in serve, as an earlier build read them), then with `pages` the draft's and the releases' content
    pages; and then what was parsed meanwhile, for `memory` (the run's ParsedTexts) to keep, with the release
    files found valid, for `known` to keep (written by the first process, which makes the records' keys)."""

    project: Project
    cache: Cache | None
    inputs: Inputs | None
    memory: ParsedTexts | None
    known: KnownReleases | None

    def worth_a_process(self) -> bool:
        """Whether some release file's bytes were not found valid before: checking a release file (its schemas,
        codebook, content and studies) takes tens of milliseconds."""
        known = self.known
        paths, _ = release_files(self.project)
        return any(not (known and known.known(str(path), self._digest(path))) for path in paths)

    def made(self, pages: bool) -> Iterator[Any]:
        """The screening files as read (not yet checked against the studies), then the release editions (without
        how to cite them: `cited`), or with `pages` what the draft shows of the latest release (`_Latest`), the
        Python source of the draft's content pages that a release holds too (`template_sources`), with a memory
        what it took so far (`ParsedTexts.taken`), and the problems of the releases' content pages; then with a
        memory what it took since, and the release files found valid (`KnownReleases.valid`).

        With `pages` (a check, which renders every edition's pages here and the draft's there), the releases are
        read first: the latest holds the screening files mostly word for word, whose texts are then not parsed
        again (the repository's: 19.4 -> 5.6 ms), while the other process reads the study files. A page that no
        release holds is compiled there, where it is rendered: that process then waits for this one's last
        value with less to do meanwhile."""
        read_first = self._editions() if pages else None
        yield _screening_read(self.project)
        editions = self._editions() if read_first is None else read_first
        yield _latest(editions) if pages else editions
        if pages:
            released = {page.body for edition in editions for page in edition.content.pages}
            sources = template_sources(body for body in page_bodies(ContentFolder(
                self.project.content, self.project.display(self.project.content))) if body in released)
            prepare(sources)  # the releases' pages are mostly the draft's
            yield sources
            if self.memory:  # the texts parsed here, encoded there while the releases' pages are checked here
                yield self.memory.taken()
            folders = self.project.template_folders()
            env = environment(tuple(folders))
            yield [problem for edition in editions if not edition.is_alias
                   for problem in page_problems(edition, env, _figures(edition, None), folders, self.project.root)]
        if self.memory:
            yield self.memory.taken(), self.known.valid if self.known else {}

    def _editions(self) -> list[Edition]:
        project, cache = self.project, self.cache
        site_file = read_yaml(project.content / "site.yaml", project.display(project.content / "site.yaml"))
        site_digest = self._digest(project.content / "site.yaml")
        known = self.known

        def loaded(path: Path, load: Callable[[bool], FrozenRelease]) -> FrozenRelease:
            digest = self._digest(path)
            if not (cache and known and digest):
                return load(False)
            release = cache.made("release", f"{path}:{digest}:{site_digest}",
                                 partial(load, known.known(str(path), digest)))
            known.keep(str(path), digest)
            return release

        return release_editions(project, site_file, loaded)

    def _digest(self, path: Path) -> str:
        return self.inputs.digest_of(path) if self.inputs else ""


class _Counted(NamedTuple):
    """The draft's tallies, and what they were counted from (serve holds them between builds)."""

    codebook: Codebook
    tables: tuple[tuple[str, str, str], ...]
    studies: tuple[Study, ...]
    tallies: Aggregates


def _counted(review: Review, count: Callable[[], Aggregates], earlier: _Counted | None) -> _Counted:
    """The draft's tallies: in serve, those of its last build counted again for the studies that are not the
    very studies it counted (a title edit: one study, whose values are those counted; a coding edit: one study
    counted again), while the codebook and tables are the same; else `count()`. The tallies read each study's
    id, year and codes, and nothing else of it (not its letter)."""
    studies, codebook, tables = review.studies, review.codebook, review.content.tables
    if earlier is not None and len(earlier.studies) == len(studies) and earlier.codebook == codebook \
            and earlier.tables == tables:
        changed = [study for before, study in zip(earlier.studies, studies, strict=True) if before is not study]
        again = recount(earlier.tallies, studies, changed, codebook, tables) if changed else earlier.tallies
        if again is not None:
            return _Counted(codebook, tables, studies, again)
    return _Counted(codebook, tables, studies, count())


def _tallies(project: Project, review: Review, studies: Sequence[Study], cache: Cache | None,
             inputs: Inputs | None) -> Aggregates:
    """The draft's tallies: those the last build counted, while its studies are those counted, each with
    the values counted for it, or counted again for the studies that changed (`KnownAggregates`)."""
    codebook, tables = review.codebook, review.content.tables
    if cache is None or inputs is None:
        return aggregate(studies, codebook, tables)
    files = _study_files(project, inputs, studies, attrgetter("path"))
    known = KnownAggregates(cache, cache.key("aggregates", repr((codebook, tables))), files)
    found = known.get()
    if found is not None:
        counted, changed = found
        tallies = recount(counted, studies, [s for s in studies if s.path in changed], codebook, tables)
        if tallies is not None:
            known.keep(tallies, behind=len(changed))
            return tallies
    tallies = aggregate(studies, codebook, tables)
    known.keep(tallies)
    return tallies


def _study_files(project: Project, inputs: Inputs, studies: Sequence[Study], by: Callable[[Study], str]
                 ) -> dict[str, str]:
    """The digest of each study's file ("" if not known), by `by(study)`. A study's path is as shown, relative to
    the review's root: joined to it here as os.path.join would, without its cost per call (10,000 studies:
    0.012 s of a rebuild in serve). An absolute path joined so names no input: such a study's file is looked
    up by its own path."""
    prefix, files = os.path.join(str(project.root), ""), inputs.files
    return {by(s): files.get(prefix + s.path) or files.get(s.path, "") for s in studies}


def _figures(edition: Edition, cache: Cache | None) -> list[FigureData]:
    """The edition's figures, computed from its tallies and settings (in serve, again only when they changed,
    each handed what it was in the last build)."""
    specs, inputs = edition.content.figures, _figure_inputs(edition)

    def figures(earlier: tuple[Any, list[FigureData]] | None) -> tuple[Any, list[FigureData]]:
        if earlier is not None and earlier[0] == (specs, inputs):
            return earlier
        before = {figure.key: figure for figure in earlier[1]} if earlier is not None else {}
        return (specs, inputs), [figure_data(spec, inputs._replace(earlier=before.get(spec.key))) for spec in specs]

    return (cache.again(f"figures {edition.label}", figures) if cache else figures(None))[1]


def _editions_figures(editions: Sequence[Edition], cache: Cache | None) -> list[list[FigureData]]:
    """Each edition's figures; the latest release shown again at the site root (its alias) shares its own."""
    by_label: dict[str, list[FigureData]] = {}
    for edition in editions:
        if edition.label not in by_label:
            by_label[edition.label] = _figures(edition, cache)
    return [by_label[edition.label] for edition in editions]


def _figure_inputs(edition: Edition) -> FigureInputs:
    baseline = edition.content.baseline
    return FigureInputs(edition.aggregates, edition.codebook, edition.content.search, edition.previous_total,
                        {f.key: f.value for f in baseline.figures} if baseline else {},
                        arm(update) if edition.screening and (update := since(edition.screening,
                                                                              edition.previous_searches)) else None,
                        sum(s.in_baseline for s in edition.studies), _published(baseline),
                        baseline.label if baseline else "", baseline.included_total if baseline else None)


def _published(baseline: Baseline | None) -> dict[tuple[str, str], int]:
    """The published counts a figure can show beside its own: those the baseline links to a value."""
    counts: dict[tuple[str, str], int] = {}
    for figure in baseline.figures if baseline else ():
        if figure.field and figure.field_value is not None:
            counts[(figure.field, str(figure.field_value))] = figure.value
        elif figure.region:
            counts[("region", figure.region)] = figure.value
    return counts


def check(project: Project, cache: Cache | None = None, inputs: Inputs | None = None) -> Plan:
    """Everything `build` does but drawing and writing: whatever check accepts, build builds.

    Every content page is rendered (by `plan`, up to its Markdown). The default theme renders any review that
    passes these checks (the engine's own tests see to that); a review's own templates are compiled, and tried
    on every kind of page."""
    cache = cache or Cache(project.cache)
    own = _own_templates(project)
    inputs = inputs or Inputs(project.inputs, cache, when_asked=True)  # the files build reads: one record
    checked = plan(project, cache, inputs, pages=not own)
    if own:
        problems = check_templates(checked.env, checked.context.template_folders, project.root)
        if problems:
            raise BuildError(problems)
        for _ in _pages(checked, sample=True):
            pass
    return checked


def _own_templates(project: Project) -> bool:
    folder = project.templates
    return folder.is_dir() and any(path.suffix in (".html", ".xml") for path in folder.rglob("*"))


def build(project: Project, verbose: bool = False, force: bool = False, previous: Previous | None = None,
          drawer: Drawer | None = None, press: Press | None = None) -> str:
    """Validate, render and draw the whole site, then publish it in one step; return a one-line summary.
    `drawer`: the drawing process, if the caller started it (it is stopped here); `press`, likewise, the
    process that renders a large review's study pages (`press.start_press`; else started here, if need be).
    Without Python's cycle collector, as `plan` (`_without_collector`)."""
    clock = _Clock(verbose)
    with _without_collector(), _pressing(project.studies, press) as press:
        previous = previous or Previous(project.cache, project.inputs, project.site)
        cache, inputs = previous.cache, previous.inputs
        if not force and previous.is_current():
            if drawer:
                drawer.cancel()
            return UP_TO_DATE.format(site=project.display(project.site))
        # The figures whose data changed are drawn on the other core, by a process that imports matplotlib
        # while this one loads the review.
        drawer = drawer or start_drawer(cache, inputs, project.studies)
        # The old site's files are linked into the new one meanwhile: the build then stages only what changed.
        old_site = LinkedOldSite(project.site, previous.last.intact)
        # what a small review's study files say that figures read, for the next build's drawing process
        codings: dict[str, str] | None = None if is_large(inputs, project.studies) else {}
        # In a first build every figure is drawn: the drawing process may get ready (import matplotlib) as soon as
        # this one, done reading the studies, works alone for a while (cross-checks, tallies) and a core is free.
        studies_read = drawer.get_ready if not previous.last.files else None
        drawings = _Drawings(cache, drawer)
        try:
            site = plan(project, cache, inputs, codings=codings, studies_read=studies_read,
                        figured=drawings.give)
            clock.lap("load, validate and aggregate")
            stager = Stager(press)  # a large review's study pages are put in the site by the processes that render them
            report = write_site(_progress(_outputs(project, site, drawings, previous, stager)), project.site,
                                previous.last.digest, old_site.linked, stager, previous.last.folders())
            previous.last.remember(inputs, report.digests, report.kept, report.stats)
            if codings is not None:
                StudyCodings(cache, project.studies).remember(inputs, codings)
        finally:
            drawer.cancel()
            old_site.cancel()
        clock.lap("render, draw and write")
        editions = [e for e in site.context.editions if not e.is_alias]
        drafts = sum(not e.is_release for e in editions)
        return (f"build: {len(site.review.studies)} studies, {len(editions)} edition{'s' * (len(editions) != 1)} "
                f"({drafts} draft); {report.total} files in {project.display(project.site)}/ "
                f"({report.written} written, {report.unchanged} unchanged)")


@contextlib.contextmanager
def _pressing(studies: Path, press: Press | None) -> Iterator[Press | None]:
    """The build's press: the one given, or one started now (`start_press`); stopped on leaving the block."""
    press = press or start_press(studies)
    try:
        yield press
    finally:
        if press is not None:
            press.cancel()


def _outputs(project: Project, site: Plan, drawings: _Drawings, previous: Previous,
             stage: Stager) -> Iterator[Output]:
    for name, path in project.assets().items():
        yield f"assets/{name}", path.read_bytes()
    for count, output in enumerate(_pages(site, _FrozenPages(project, site, previous), stage=stage)):
        if count % 256 == 0:
            drawings.collect()
        yield output
    yield from drawings.outputs()


def _pages(site: Plan, frozen: _FrozenPages | None = None, sample: bool = False,
           stage: Stager | None = None) -> Iterator[Output]:
    editions = site.context.editions
    for edition, figures in zip(editions, site.figures, strict=True):
        if edition.is_alias:
            continue  # written with the edition it repeats
        also_at = [e.prefix for e in editions if e.is_alias and e.label == edition.label]
        memory = frozen.memory(edition) if frozen and not edition.is_release else None

        def rendered(edition: Edition = edition, figures: Sequence[FigureData] = figures,
                     also_at: list[str] = also_at, memory: EditionMemory | None = memory) -> Iterator[Output]:
            return render_edition(site.context, edition, site.env, figures, also_at, sample, memory, stage)

        yield from frozen.pages(edition, also_at, rendered) if frozen and edition.is_release else rendered()
        if memory:
            memory.save()
    yield from site_wide_outputs(site.context, site.env)


class _FrozenPages:
    """A release's pages change only with its file, the site's settings and templates, the engine, and
    the list of editions (the version switcher): while none of these changed, they are not rendered again."""

    def __init__(self, project: Project, site: Plan, previous: Previous):
        self.project, self.cache, self.inputs, self.last = project, previous.cache, previous.inputs, previous.last
        self.all_editions = site.context.editions
        files = self.inputs.files
        self.shared = [files.get(str(project.content / "site.yaml"), ""),
                       *(files[path] for path in self.inputs.within(os.path.join(project.templates, "")))]

    @functools.cached_property
    def editions(self) -> str:
        """The version switcher: which editions there are, and which studies each holds (asked for only by a
        review with releases)."""
        return repr([(e.label, e.prefix, e.date, e.is_release, e.is_latest, sorted(s.id for s in e.studies))
                     for e in self.all_editions])

    def memory(self, edition: Edition) -> EditionMemory:
        """What the last build made from the draft's studies, each kept while its study and what it shows of
        the review's settings, codebook and templates are unchanged."""
        content = self.project.content
        key = self.cache.key("edition memory", edition.label, edition.prefix, *self.shared,
                             *(self.inputs.files.get(str(content / name), "") for name in ("codebook.yaml",
                                                                                           "baseline.yaml")))
        files = _study_files(self.project, self.inputs, edition.studies, attrgetter("id"))
        # The edition's other pages read the review's every other input; with the review's own templates,
        # which may show anything of a study on any page, its studies too.
        studies = "" if _own_templates(self.project) else str(self.project.studies) + os.sep
        inputs = self.inputs.files
        paths = self.inputs.outside(studies) if studies else self.inputs.paths
        pages_key = self.cache.key("edition pages", key, *(f"{path}\0{inputs[path]}" for path in paths))
        return EditionMemory(self.cache, edition.label, key, self.last, files, pages_key)

    def pages(self, edition: Edition, also_at: Sequence[str],
              render: Callable[[], Iterator[Output]]) -> Sequence[Output]:
        release = self.inputs.files.get(str(self.project.releases / f"{edition.label}.json"), "")
        key = self.cache.key("release pages", release, self.editions, " ".join(also_at), *self.shared)
        return self.cache.outputs(f"release-{edition.label}", key, self.last, render)


class _Drawings:
    """Each figure as SVG: kept from an earlier build while its data is unchanged, else drawn again (by
    `drawer`, on the other core, from when it is given the figures: `give`)."""

    def __init__(self, cache: Cache, drawer: Drawer):
        self.cache, self.drawer = cache, drawer
        self.editions: Sequence[Edition] = ()
        self.figures: Sequence[Sequence[FigureData]] = ()
        self.names: dict[int, str] = {}
        self.pending: Drawer | None = None
        self.drawn: dict[str, bytes] = {}

    def give(self, editions: Sequence[Edition], figures: Sequence[Sequence[FigureData]]) -> None:
        """Hand the drawing process the figures no earlier build drew."""
        cache = self.cache
        self.editions, self.figures = editions, figures
        self.names = {id(f): f"figures/{f.key}-{cache.key('drawing', f.drawing_key()) or 'uncached'}.svg"
                      for edition_figures in figures for f in edition_figures}
        missing = {self.names[id(f)]: f for edition_figures in figures for f in edition_figures
                   if cache.drawing(self.names[id(f)]) is None}
        self.drawer.give(missing or None)
        self.pending = self.drawer if missing else None

    def collect(self, wait: bool = False) -> None:
        """Take the drawing process's answer once it is there (with `wait`, wait for it): the drawings are then
        in the cache (or, those it could not keep, in the answer), and the process is reaped."""
        if self.pending is not None and (wait or self.pending.done()):
            self.drawn, self.pending = self.pending.result(), None

    def outputs(self) -> Iterator[Output]:
        self.collect(wait=True)
        drawn = self.drawn
        for edition, figures in zip(self.editions, self.figures, strict=True):
            for figure in figures:
                name = self.names[id(figure)]
                svg = drawn.get(name) or self.cache.drawing(name) or figure_svg(figure)
                yield f"{edition.prefix}figures/{figure.key}.svg", svg
        self.cache.prune("figures", set(self.names.values()))


def _progress(outputs: Iterator[Output], after: float = 2.0) -> Iterator[Output]:
    """Pass outputs through; on a terminal (not in CI logs), show a count once the build takes a while."""
    shown = sys.stderr.isatty()
    start, count, last = time.perf_counter(), 0, 0.0
    for output in outputs:
        count += 1
        now = time.perf_counter()
        if shown and now - start > after and now - last > 0.2:
            print(f"\r  build: {count} files rendered ({now - start:.0f} s)", end="", file=sys.stderr, flush=True)
            last = now
        yield output
    if shown and last:
        print("\r\033[K", end="", file=sys.stderr, flush=True)


class _Clock:
    """Stage timings for --verbose."""

    def __init__(self, verbose: bool, out: Callable[[str], None] = lambda s: print(s, file=sys.stderr)):
        self.verbose, self.out, self.last = verbose, out, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.verbose:
            self.out(f"  {stage}: {now - self.last:.3f} s")
        self.last = now
