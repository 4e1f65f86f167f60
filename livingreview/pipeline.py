"""The pipeline, top to bottom: load → validate → aggregate → render → write.

`check` runs every stage but writing (content pages are rendered, not the study pages), so whatever it
accepts, `build` builds; `build` then renders every edition, draws the figures and publishes the site.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from jinja2 import Environment

from .aggregate import aggregate
from .cache import Cache, inputs_digest, site_manifest
from .codebook import codebook_from
from .content import load_content
from .diagnostics import BuildError
from .edition import Edition, Review
from .figures import FigureData, FigureInputs, figure_data, figure_svg
from .load import read_yaml
from .project import Project
from .release import release_editions
from .render import SiteContext, check_pages, check_templates, environment, render_edition, site_wide_outputs
from .sources import Folder as ContentFolder
from .validate import validate_studies
from .write import write_site

Output = tuple[str, bytes]


@dataclass(frozen=True)
class Plan:
    """A checked review and everything the build renders from it."""

    review: Review
    context: SiteContext
    env: Environment
    figures: Sequence[Sequence[FigureData]]  # the figures of each edition, in the order of context.editions


def load_review(project: Project) -> Review:
    """Load and validate the codebook, the content and every study; BuildError with every problem."""
    codebook, problems = codebook_from(read_yaml(project.codebook, project.display(project.codebook)))
    if codebook is None:
        raise BuildError(problems)
    content, problems = load_content(ContentFolder(project.content, project.display(project.content)), codebook)
    studies, study_problems = validate_studies(project, codebook, baseline=content is not None and
                                               content.baseline is not None)
    if problems or study_problems or content is None:
        raise BuildError(problems + study_problems)
    return Review(codebook, tuple(studies), content)


def check(project: Project) -> Plan:
    """Everything `build` does but drawing and writing."""
    review = load_review(project)
    site_file = read_yaml(project.content / "site.yaml", project.display(project.content / "site.yaml"))
    editions = release_editions(project, review.content, site_file)
    latest = editions[-1] if editions else None
    draft = Edition("draft", "draft/" if editions else "", review.codebook, review.studies,
                    aggregate(review.studies, review.codebook, review.content.tables), review.content,
                    is_latest=latest is None, previous_total=latest.aggregates.total if latest else None)
    editions.append(draft)
    folders = project.template_folders()
    context = SiteContext(review.content, editions, folders, project.root)
    env = environment(folders)
    if _own_templates(project):  # each compiled, so that a syntax error is found in any of them
        problems = check_templates(env, folders, project.root)
        if problems:
            raise BuildError(problems)
    figures = [[figure_data(spec, FigureInputs(e.aggregates, e.codebook, e.content.search, e.previous_total))
                for spec in e.content.figures] for e in editions]
    plan = Plan(review, context, env, figures)
    # What check accepts, build builds. The default theme renders any review that passes the checks above
    # (the engine's tests see to that); a review's own templates are tried on every kind of page.
    if _own_templates(project):
        for _ in _pages(plan, sample=True):
            pass
    else:
        for edition, its_figures in zip(editions, figures, strict=True):
            if not edition.is_alias:
                check_pages(context, edition, env, its_figures)
    return plan


def _own_templates(project: Project) -> bool:
    folder = project.templates
    return folder.is_dir() and any(path.suffix in (".html", ".xml") for path in folder.rglob("*"))


def build(project: Project, verbose: bool = False, force: bool = False) -> str:
    """Check, then write the whole site; return a one-line summary."""
    clock = _Clock(verbose)
    cache = Cache(project.cache)
    inputs = inputs_digest([project.studies, project.content, project.templates, project.releases])
    key = cache.key("last build", inputs)
    if not force and cache.read("last-build", key) == site_manifest(project.site):
        return f"build: {project.display(project.site)}/ is up to date (no input changed since the last build)"
    plan = check(project)
    clock.lap("load, validate and aggregate")
    report = write_site(_progress(_outputs(project, plan, cache)), project.site)
    cache.write("last-build", key, site_manifest(project.site))
    clock.lap("render, draw and write")
    editions = [e for e in plan.context.editions if not e.is_alias]
    drafts = sum(not e.is_release for e in editions)
    return (f"build: {len(plan.review.studies)} studies, {len(editions)} edition{'s' * (len(editions) != 1)} "
            f"({drafts} draft); {report.total} files in {project.display(project.site)}/ "
            f"({report.written} written, {report.unchanged} unchanged)")


def _outputs(project: Project, plan: Plan, cache: Cache) -> Iterator[Output]:
    for name, path in project.assets().items():
        yield f"assets/{name}", path.read_bytes()
    yield from _pages(plan)
    yield from _drawings(plan, cache)


def _pages(plan: Plan, sample: bool = False) -> Iterator[Output]:
    editions = plan.context.editions
    for edition, figures in zip(editions, plan.figures, strict=True):
        if edition.is_alias:
            continue  # written with the edition it repeats
        also_at = [e.prefix for e in editions if e.is_alias and e.label == edition.label]
        yield from render_edition(plan.context, edition, plan.env, figures, also_at, sample)
    yield from site_wide_outputs(plan.context, plan.env)


def _drawings(plan: Plan, cache: Cache) -> Iterator[Output]:
    """Each figure as SVG, drawn only if its data changed since it was last drawn."""
    kept = set()
    for edition, figures in zip(plan.context.editions, plan.figures, strict=True):
        for figure in figures:
            name = f"figures/{figure.key}-{cache.key('drawing', figure.drawing_key()) or 'uncached'}.svg"
            svg = cache.drawing(name)
            if svg is None:
                svg = figure_svg(figure)
                cache.keep_drawing(name, svg)
            kept.add(name)
            yield f"{edition.prefix}figures/{figure.key}.svg", svg
    cache.prune("figures", kept)


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
