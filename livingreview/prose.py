"""Content pages: Markdown with live numbers from the aggregates, through Jinja2.

Pages are rendered in a sandboxed, strict Jinja2 environment: an unknown name or
codebook value fails the build with the page's path and line. Markdown is
rendered with raw HTML switched off and only http(s) and relative links allowed.
"""

from __future__ import annotations

import re
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import hashlib
from pathlib import Path

from jinja2 import FileSystemBytecodeCache, FunctionLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt

from .aggregate import Aggregates, format_percent
from .codebook import Codebook
from .content import Baseline, Page
from .diagnostics import Diagnostic

_BLOCK = re.compile(r"<p>@@block:(\d+)@@</p>")
_SAFE_LINK = re.compile(r"^(https?://|#|[^:]*$)", re.IGNORECASE)


class ContentError(Exception):
    """A page asked for something the data does not have."""


def markdown() -> MarkdownIt:
    """CommonMark with tables, no raw HTML, and only http(s), in-page and relative links."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    md.validateLink = lambda url: bool(_SAFE_LINK.match(url.strip()))
    return md


_MARKDOWN = markdown()
_SOURCES: dict[str, tuple[str, str]] = {}  # template name -> (page body, page path)
_ENVIRONMENT = SandboxedEnvironment(
    loader=FunctionLoader(lambda name: (*_SOURCES[name], lambda: True) if name in _SOURCES else None),
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def cache_compiled_pages(folder: Path) -> None:
    """Keep compiled page templates between builds (keyed by their source)."""
    folder.mkdir(parents=True, exist_ok=True)
    _ENVIRONMENT.bytecode_cache = FileSystemBytecodeCache(str(folder))


@dataclass
class Blocks:
    """HTML blocks (figures, tables) that a page places and that Markdown must not touch."""

    html: list[str]

    def place(self, html: str) -> str:
        self.html.append(html)
        return f"\n\n@@block:{len(self.html) - 1}@@\n\n"

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


def render_page(page: Page, functions: Mapping[str, Any], blocks: Blocks) -> tuple[str, list[Diagnostic]]:
    """The page body as HTML, or the problems that stop it, each at its line in the page file."""
    try:
        name = f"{page.path}@{hashlib.sha1(page.body.encode('utf-8')).hexdigest()[:16]}"
        _SOURCES[name] = (page.body, page.path)
        text = _ENVIRONMENT.get_template(name).render(**functions)
    except TemplateSyntaxError as error:
        return "", [Diagnostic(page.path, page.body_line + (error.lineno or 1) - 1, 1, f"template error: {error.message}")]
    except (TemplateError, ContentError, TypeError, ValueError) as error:
        line = _template_line(sys.exc_info()[2], page.path)
        return "", [Diagnostic(page.path, page.body_line + line - 1, 1, _explain(error))]
    html = _MARKDOWN.render(text).replace("<table>", '<div class="table-scroll"><table>')
    return blocks.fill(html.replace("</table>", "</table></div>")), []


def _template_line(trace: Any, filename: str) -> int:
    lines = [frame.lineno for frame in traceback.extract_tb(trace) if frame.filename in (filename, "<template>")]
    return lines[-1] if lines and lines[-1] else 1


def _explain(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error)
    if "is undefined" in message:
        return f"{message}; pages may use the names listed in CONTRIBUTING.md (count, percent, baseline, ...)"
    return message
