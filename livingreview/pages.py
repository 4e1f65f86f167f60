"""Content pages: Markdown with live numbers from the aggregates, through Jinja2.

Pages are rendered in a sandboxed, strict Jinja2 environment: an unknown name or
codebook value fails the build with the page's path and line. Markdown is
rendered with raw HTML switched off and only http(s) and relative links allowed.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from .aggregate import Aggregates, format_percent
from .codebook import Codebook
from .content import Baseline, Page
from .diagnostics import Diagnostic
from .named_tuple import NamedTuple

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# A placed block is marked by control characters, which no page may contain (the loader refuses them).
_BLOCK = re.compile("(?:<p>)?\x02(\\d+)\x03(?:</p>)?")
_SAFE_LINK = re.compile(r"^(https?://|#|[^:]*$)", re.IGNORECASE)


class ContentError(Exception):
    """A page asked for something the data does not have."""


def markdown() -> MarkdownIt:
    """CommonMark with tables, no raw HTML, and only http(s), in-page and relative links."""
    return _safe_markdown()("commonmark", {"html": False, "typographer": False}).enable("table")


@lru_cache(maxsize=1)
def _safe_markdown() -> type[MarkdownIt]:
    # imported when first needed: `check` renders no Markdown (see render_page)
    from markdown_it import MarkdownIt

    class SafeMarkdown(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
            return bool(_SAFE_LINK.match(url.strip()))

    return SafeMarkdown


# Not `optimized`: Jinja2's optimizer folds constant expressions while compiling, and a page's expressions
# are calls on the review's data, never constant; compiling the repository's seven pages without it took
# 32 -> 27.5 ms.
_PAGES = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
                              optimized=False)


def template_sources(bodies: Iterable[str]) -> dict[str, str]:
    """The Python source Jinja2 makes of each page body that compiles, by body: parsing a page and generating
    that source is most of compiling it, which a second process can do while this one reads the studies
    (see `prepare`). A body that does not compile is left out: it fails where it is rendered."""
    sources = {}
    for body in bodies:
        try:
            sources[body] = _PAGES.compile(body, raw=True)
        except TemplateSyntaxError:
            continue
    return sources


def prepare(sources: Mapping[str, str]) -> None:
    """Take the sources `template_sources` made (in this process or another one forked from it, whose
    environment is this one): a page of one of these bodies is compiled from its source, once."""
    _PREPARED.update(sources)


_PREPARED: dict[str, str] = {}


@lru_cache(maxsize=512)
def _compiled(body: str) -> Template:
    """A page compiled once per process (the editions of a build share most pages): from the source
    `prepare` gave, if any, as `from_string` would (Python compiles what Jinja2 generated)."""
    source = _PREPARED.pop(body, None)
    if source is None:
        return _PAGES.from_string(body)
    code = compile(source, "<template>", "exec")
    return _PAGES.template_class.from_code(_PAGES, code, _PAGES.make_globals(None))


class Blocks(NamedTuple):
    """HTML blocks (figures, tables) that a page places and that Markdown must not touch."""

    html: list[str]

    def place(self, html: str) -> str:
        self.html.append(html)
        return f"\n\n\x02{len(self.html) - 1}\x03\n\n"

    def fill(self, rendered: str) -> str:
        return _BLOCK.sub(lambda m: self.html[int(m.group(1))], rendered)


def page_functions(codebook: Codebook, aggregates: Aggregates, baseline: Baseline | None,
                   search: Mapping[str, Any], blocks: Blocks,
                   html_blocks: Mapping[str, Callable[..., str]], links: Mapping[str, Callable[..., str]]) -> dict:
    """The names a content page may use; each refuses unknown fields and values."""

    def tally(field: str):
        if field not in aggregates.tallies:
            raise ContentError(f"unknown field '{field}'; known: {', '.join(aggregates.tallies)}")
        return aggregates.tallies[field]

    def checked(field: str, value: Any):
        t = tally(field)
        if value not in dict(t.counts):
            allowed = ", ".join(str(v) for v, _ in t.counts)
            raise ContentError(f"'{value}' is not a value of {field}; allowed: {allowed}")
        return t

    def baseline_figure(key: str):
        if baseline is None:
            raise ContentError("no content/baseline.yaml")
        try:
            return baseline.figure(key)
        except KeyError:
            raise ContentError(f"unknown baseline figure '{key}'") from None

    def derived(key: str) -> int:
        return checked(key, True).count(True)

    def baseline_percent(key: str) -> str:
        figure = baseline_figure(key)
        if figure.percent is None:
            raise ContentError(f"baseline figure '{key}' has no published percentage")
        return f"{figure.percent:g}\u202f%"

    def block(name: str) -> Callable[..., str]:
        return lambda *args, **kwargs: blocks.place(html_blocks[name](*args, **kwargs))

    functions = {
        "n": aggregates.total,
        "count": lambda field, value: checked(field, value).count(value),
        "coded": lambda field: tally(field).coded,
        "not_coded": lambda field: tally(field).not_coded,
        "percent": lambda field, value: format_percent(checked(field, value).percent(value)),
        "derived": derived,
        "region": lambda key: checked("region", key).count(key),
        "baseline": lambda key: f"{baseline_figure(key).value:,}",
        "baseline_percent": baseline_percent,
        "search": search,
        "label": lambda field, value: _label(codebook, field, value),
    }
    functions.update({name: block(name) for name in html_blocks})
    functions.update(links)
    return functions


def _label(codebook: Codebook, field: str, value: Any) -> str:
    try:
        return codebook.field(field).value_label(value) if value in codebook.allowed_values(codebook.field(field)) \
            else _fail(f"'{value}' is not a value of {field}")
    except KeyError:
        raise ContentError(f"unknown field '{field}'") from None


def _fail(message: str) -> str:
    raise ContentError(message)


def render_page(page: Page, functions: Mapping[str, Any], blocks: Blocks,
                as_html: bool = True) -> tuple[str, list[Diagnostic]]:
    """The page body as HTML, or the problems that stop it, each at its line in the page file. Without
    `as_html`, the page's Markdown (after its expressions are filled in) and no HTML: every problem a page can
    have is found by then, since Markdown takes any text (a check need not render it)."""
    try:
        text = _compiled(page.body).render(**functions)
    except TemplateSyntaxError as error:
        line = page.body_line + (error.lineno or 1) - 1
        return "", [Diagnostic(page.path, line, 1, f"template error: {error.message}")]
    except Exception as error:  # noqa: BLE001 - any mistake in a page's expressions is the page's problem
        line = _template_line(error.__traceback__, page.path)
        return "", [Diagnostic(page.path, page.body_line + line - 1, 1, _explain(error))]
    return (blocks.fill(_html(text)) if as_html else text), []


@lru_cache(maxsize=1)
def _page_markdown() -> MarkdownIt:
    return markdown()


@lru_cache(maxsize=128)
def _html(text: str) -> str:
    """A page's Markdown as HTML, once per text: the editions of a build share many pages word for word."""
    html = _page_markdown().render(text).replace("<table>", '<div class="table-scroll"><table>')
    return html.replace("</table>", "</table></div>")


def _template_line(trace: Any, filename: str) -> int:
    lines = [frame.lineno for frame in traceback.extract_tb(trace) if frame.filename in (filename, "<template>")]
    return lines[-1] if lines and lines[-1] else 1


def _explain(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if "is undefined" in message:
        return (f"{message}; a page may use the names listed in CONTRIBUTING.md (n, count, percent, coded, "
                f"baseline, figure, cite, ...)")
    return message
