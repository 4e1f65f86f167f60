"""The pipeline, top to bottom: load → validate → aggregate → render → write."""

from __future__ import annotations

import gc
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .diagnostics import BuildError
from .project import PARALLEL_FROM, Project

# Each stage imports its libraries when it runs, so that a build with nothing to do
# (and `check`, which renders nothing) does not pay for them.
if TYPE_CHECKING:
    from .codebook import Codebook
    from .content import Content
    from .draw import Drawer
    from .figures import FigureData
    from .render import Edition, Output, SiteContext
    from .write import Staged
    from .study import Study


@dataclass(frozen=True)
class Review:
    """The validated inputs of one review."""

    codebook: Codebook
    studies: tuple[Study, ...]
    content: Content


def check(project: Project) -> Review:
    """Load and validate everything; raise BuildError with every problem found."""
    from .codebook import load_codebook
    from .content import load_content
    from .validate import validate_studies

    codebook, problems = load_codebook(project.codebook, project.display(project.codebook), project.cache)
    if codebook is None:
        raise BuildError(problems)
    # Reading studies makes no reference cycles, only objects that are kept: collecting garbage meanwhile
    # would walk the studies read so far again and again as they accumulate.
    gc.disable()
    try:
        studies, problems = validate_studies(project, codebook)
    finally:
        gc.enable()
    content, content_problems = load_content(project, codebook)
    if problems or content is None:
        raise BuildError(problems + content_problems)
    return Review(codebook, tuple(studies), content)


def build(project: Project, verbose: bool = False, force: bool = False, drawing_server: bool = True) -> str:
    """Validate, then write the whole site; return a one-line summary.

    With `drawing_server` (and unless turned off, or in CI), a running drawing server draws changed
    figures, and a build that must import matplotlib leaves one running (see drawing_server.py).
    """
    from .uptodate import inputs_digest, is_up_to_date, remember

    clock = _Clock(verbose)
    digest = inputs_digest(project)
    if not force and is_up_to_date(project, digest):
        clock.lap("compare inputs")
        return f"build: {project.display(project.site)}/ is up to date (no input changed since the last build)"
    from .draw import Drawer
    from .drawing_server import wanted
    from .figure_inputs import FigureInputs

    # With no drawings kept (a first build), every figure will be drawn; with drawings kept, most rebuilds
    # (an edited title, a note) draw nothing. When a study changed what a figure can show, start importing
    # matplotlib now, on the other core; otherwise it is imported once a figure is found missing. A large
    # review needs both cores to parse, and no second reading of its files to guess.
    figures = project.cache / "figures"
    first = not (figures.is_dir() and any(name.endswith(".svg") for name in os.listdir(figures)))
    paths = project.study_paths()
    figure_inputs = FigureInputs.compare(project.cache, paths) if len(paths) < PARALLEL_FROM else None
    # A large review's drawing process is forked late, holding the whole review: it is not kept.
    kept = drawing_server and wanted() and len(paths) < PARALLEL_FROM
    server = project.cache / "drawing-server.sock" if kept else None
    drawer = Drawer(figures, start_now=figure_inputs is not None and (first or figure_inputs.changed), server=server)
    from .render import SiteContext
    from .write import Staging, write_site

    try:
        review = check(project)
        # The review lives as long as the build: the garbage collector (and the workers forked from here)
        # need not walk it each time they collect what rendering leaves behind.
        gc.freeze()
        clock.lap("load and validate")
        editions = plan_editions(project, review)
        clock.lap("aggregate")
        context = SiteContext(review.content, editions, project.templates, project.cache / "figures")
        staging = Staging(project.site)
        report = write_site(_with_progress(_outputs(project, context, drawer, staging.put)), staging)
    finally:
        gc.unfreeze()  # a long-running `serve` builds again: what this build kept may then be collected
        drawer.close()
    remember(project, digest)
    if figure_inputs is not None:
        figure_inputs.save()
    clock.lap("render and write")
    drafts = sum(not e.is_release for e in editions)
    return (f"build: {len(review.studies)} studies, {len(editions)} edition{'s' * (len(editions) != 1)} "
            f"({drafts} draft); {report.total} files in {project.display(project.site)}/ "
            f"({report.written} written, {report.unchanged} unchanged)")


def plan_editions(project: Project, review: Review) -> list[Edition]:
    """The editions to render: every frozen release, and the draft of unreleased changes."""
    from .aggregate import aggregate
    from .release import release_editions
    from .render import Edition

    releases = release_editions(project, review.content)
    latest = releases[-1] if releases else None
    draft = Edition("draft", "draft/" if releases else "", review.codebook, review.studies,
                    aggregate(review.studies, review.codebook, review.content.tables),
                    content=review.content, is_release=False, is_latest=latest is None,
                    previous_total=latest.aggregates.total if latest else None)
    return releases + [draft]


def _outputs(project: Project, context: SiteContext, drawer: Drawer,
             stage: Callable[[str, bytes], Staged]) -> Iterator[Output | Staged]:
    from .draw import prune_cache
    from .render import edition_figures, environment, render_edition
    from .uptodate import record_pages, release_pages_key, reuse_pages

    figures = [edition_figures(context, edition) for edition in context.editions]
    every_figure = [f for each in figures for f in each]
    svg_of: Callable[[FigureData], bytes] | None = None

    def start_drawing() -> None:
        nonlocal svg_of
        if svg_of is None:
            svg_of = drawer.draw(every_figure)

    # A large review renders its study pages on two worker processes: drawing then starts once they
    # are done, so that three processes never share two cores (nor their memory peaks coincide).
    if not any(len(edition.studies) >= PARALLEL_FROM for edition in context.editions):
        start_drawing()  # before loading the templates: a drawing server starts drawing at once
    env = environment(project.templates, project.cache / "jinja")
    yield from _assets(project.templates / "assets")
    drawings = []
    summary = repr([(e.label, e.prefix, e.date, e.is_release, e.is_latest, e.is_alias) for e in context.editions])
    for edition, its_figures in zip(context.editions, figures):
        if edition.is_alias:
            continue  # written with the edition it repeats
        also_at = [e.prefix for e in context.editions if e.is_alias and e.label == edition.label]
        drawings += [(prefix + f"figures/{figure.key}.svg", figure)
                     for prefix in [edition.prefix, *also_at] for figure in its_figures]
        if not edition.is_release:
            # the draft's study pages are staged by the workers that render them (a release's pages are
            # kept below, to be reused by later builds)
            yield from render_edition(context, edition, env, its_figures, also_at, start_drawing, stage)
            continue
        # A frozen release's pages change only with the engine, the templates or the set of editions:
        # a rebuild after editing studies reuses them from site/.
        key = release_pages_key(project, summary, project.releases / f"{edition.label}.json",
                                " ".join([edition.prefix, *also_at]))
        pages = reuse_pages(project, key)
        if pages is None:
            pages = list(render_edition(context, edition, env, its_figures, also_at, start_drawing))
            record_pages(project, key, pages)
        yield from pages
    from .release import site_wide_outputs

    yield from site_wide_outputs(context, env)
    start_drawing()
    # Drawings last: every page is rendered and written while the drawing process works.
    for path, figure in drawings:
        yield path, svg_of(figure)  # type: ignore[misc]
    prune_cache(every_figure, context.figure_cache)


def _with_progress(outputs: Iterator[Output | Staged], after: float = 2.0) -> Iterator[Output | Staged]:
    """Pass outputs through; on a terminal (not in CI logs), show a count once the build takes a while."""
    shown = sys.stderr.isatty() and not os.environ.get("CI")
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


def _assets(folder: Path) -> Iterator[Output]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield "assets/" + path.relative_to(folder).as_posix(), path.read_bytes()


class _Clock:
    """Stage timings for --verbose."""

    def __init__(self, verbose: bool, out: Callable[[str], None] = lambda s: print(s, file=sys.stderr)):
        self.verbose, self.out, self.last = verbose, out, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.verbose:
            self.out(f"  {stage}: {now - self.last:.3f} s (peak memory so far {_peak_mib():.0f} MiB)")
        self.last = now


def _peak_mib() -> float:
    try:
        import resource
    except ImportError:  # not on Windows
        return float("nan")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
