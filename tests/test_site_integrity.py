"""Integrity of the built site, without a browser: links, anchors, HTML, images, figure tables, file://.

The review is built once into a temporary copy. Every page is parsed with
html.parser and checked by a small strict checker (every element closed, in
order); when Java and the Nu HTML checker (node_modules/vnu-jar, from `npm ci`)
are there, the whole site is also validated with vnu in one call.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import posixpath
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
VNU = Path(os.environ.get("LIVINGREVIEW_VNU_JAR") or REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")
EXTERNAL = ("http", "https", "mailto")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
FOREIGN = {"svg", "math"}  # inside these, <x/> is a closed element
LINK_ATTRIBUTES = {"href", "src", "action", "poster", "data"}
ID_REFERENCES = {"for", "aria-labelledby", "aria-describedby", "aria-controls", "aria-owns", "list", "headers"}


# --- the built site -----------------------------------------------------------------------------

@dataclass
class Page:
    path: str  # relative to the site root, with /
    links: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, tag, attribute, value)
    ids: list[str] = field(default_factory=list)
    id_references: list[tuple[int, str, str]] = field(default_factory=list)  # (line, attribute, id)
    selects: dict[str, set[str]] = field(default_factory=dict)  # filter name -> its values (options or boxes)
    images: list[tuple[int, str, str | None]] = field(default_factory=list)  # (line, src, alt)
    tables: list[dict[str, int]] = field(default_factory=list)  # per table: header and body cells
    problems: list[str] = field(default_factory=list)  # structure: unclosed, mismatched, stray tags
    doctype: bool = False
    title: str = ""
    lang: str = ""
    counts: Counter = field(default_factory=Counter)


class _Reader(HTMLParser):
    """Collects links, ids and tables, and checks that every element is closed in order."""

    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, int]] = []
        self.select: str | None = None
        self.in_title = False
        self.table_section: list[str] = []

    def handle_decl(self, decl: str) -> None:
        if decl.lower() == "doctype html":
            self.page.doctype = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag in VOID:
            return
        self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag not in VOID and not any(t in FOREIGN for t, _ in self.stack) and tag not in FOREIGN:
            self.page.problems.append(f"line {self.getpos()[0]}: <{tag}/> is not closed in HTML (only void "
                                      f"elements may end in />)")

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in VOID:
            self.page.problems.append(f"line {line}: end tag </{tag}> of a void element")
            return
        if tag == "title":
            self.in_title = False
        if tag == "select":
            self.select = None
        if tag in ("thead", "tbody", "tfoot") and self.table_section:
            self.table_section.pop()
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
            return
        open_tags = [t for t, _ in self.stack]
        if tag in open_tags:
            while self.stack and self.stack[-1][0] != tag:
                unclosed, opened = self.stack.pop()
                self.page.problems.append(f"line {line}: </{tag}> closes <{unclosed}> of line {opened}, "
                                          f"which was never closed")
            self.stack.pop()
        else:
            self.page.problems.append(f"line {line}: </{tag}> without an open <{tag}>")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        page = self.page
        values = dict(attrs)
        page.counts[tag] += 1
        for name, value in attrs:
            if name in LINK_ATTRIBUTES and value is not None and not (tag == "object" and name != "data"):
                page.links.append((line, tag, name, value))
            elif name == "id" and value is not None:
                page.ids.append(value)
            elif name in ID_REFERENCES and value:
                for ref in value.split():
                    page.id_references.append((line, name, ref))
        if tag == "a" and values.get("name"):
            page.ids.append(values["name"] or "")
        if tag == "html":
            page.lang = values.get("lang") or ""
        if tag == "title":
            self.in_title = True
        if tag == "img":
            page.images.append((line, values.get("src") or "", values.get("alt")))
        if tag == "select":
            self.select = values.get("name") or ""
            page.selects.setdefault(self.select, set())
        if tag == "option" and self.select is not None:
            page.selects[self.select].add(values.get("value") or "")
        if tag == "input" and values.get("type") == "checkbox" and values.get("name"):  # a filter's value
            page.selects.setdefault(values["name"] or "", set()).add(values.get("value") or "")
        if tag == "table":
            page.tables.append({"th": 0, "td": 0, "body_rows": 0, "line": line, "class": values.get("class") or ""})
        if tag in ("thead", "tbody", "tfoot"):
            self.table_section.append(tag)
        if page.tables and tag in ("th", "td"):
            page.tables[-1][tag] += 1
        if page.tables and tag == "tr" and self.table_section and self.table_section[-1] == "tbody":
            page.tables[-1]["body_rows"] += 1

    def close(self) -> None:
        super().close()
        for tag, line in self.stack:
            self.page.problems.append(f"<{tag}> of line {line} is never closed")


def read_page(path: str, text: str) -> Page:
    page = Page(path)
    reader = _Reader(page)
    reader.feed(text)
    reader.close()
    return page


@dataclass
class BuiltSite:
    folder: Path
    pages: dict[str, Page]

    def exists(self, path: str) -> bool:
        return (self.folder / path).is_file()


def _cli(root: Path, *args: str) -> None:
    from livingreview.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), *args])
    assert code == 0, f"build.py {' '.join(args)} failed:\n{out.getvalue()}{err.getvalue()}"


VARIANTS = ("as-is", "with-release")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuiltSite]:
    """The review built twice into temporary copies, with every page parsed.

    "as-is" is the review as it stands; "with-release" a copy with one more frozen release, so the
    site has several editions (v/X/, draft/ and the latest again at the root) and the links between them.
    """
    out = {}
    for variant in VARIANTS:
        root = tmp_path_factory.mktemp(f"integrity-{variant}")
        for name in ("content", "studies", "templates", "releases"):
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, root / name)
        shutil.copy2(REPO / "build.py", root / "build.py")
        if variant == "with-release":
            existing = list((root / "releases").glob("*.json")) if (root / "releases").is_dir() else []
            _cli(root, "release", "999.0.0" if existing else "1.0.0", "--date", "2024-01-15")
        _cli(root, "build")
        folder = root / "site"
        pages = {p.relative_to(folder).as_posix(): read_page(p.relative_to(folder).as_posix(),
                                                             p.read_text(encoding="utf-8"))
                 for p in sorted(folder.rglob("*.html"))}
        assert pages, "the site has no page"
        out[variant] = BuiltSite(folder, pages)
    return out


@pytest.fixture(params=VARIANTS)
def built(request: pytest.FixtureRequest, sites: dict[str, BuiltSite]) -> BuiltSite:
    return sites[request.param]


def internal_links(site: BuiltSite):
    """(page, line, value, target path, fragment, query) for every link inside the site."""
    for page in site.pages.values():
        for line, _tag, _attribute, value in page.links:
            parts = urlsplit(value)
            if parts.scheme in EXTERNAL:
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page.path), unquote(parts.path))) \
                if parts.path else page.path
            yield page, line, value, target, unquote(parts.fragment), parts.query


def report(problems: list[str], what: str, limit: int = 40) -> str:
    shown = problems[:limit]
    more = f"\n  … and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} {what}:\n  " + "\n  ".join(shown) + more


# --- links --------------------------------------------------------------------------------------

def test_the_site_has_the_expected_pages(built):
    for path in ("index.html", "studies/index.html", "methods.html", "figures/gap-map.html", "references.html"):
        assert path in built.pages, f"{path} is missing from the site"
    studies = json.loads((built.folder / "data" / "studies.json").read_text(encoding="utf-8"))["studies"]
    missing = [s["id"] for s in studies if f"studies/{s['id']}.html" not in built.pages]
    assert not missing, f"studies without a page: {missing}"


def test_no_link_uses_an_unknown_scheme(built):
    bad = [f"{page.path}:{line}: {value}" for page in built.pages.values() for line, _, _, value in page.links
           if urlsplit(value).scheme and urlsplit(value).scheme not in EXTERNAL]
    assert not bad, report(bad, "links with a scheme other than http(s) or mailto (javascript:, file: …)")


def test_every_internal_link_resolves_to_a_file(built):
    broken = []
    for page, line, value, target, _, _ in internal_links(built):
        if target.startswith("../") or target == "..":
            broken.append(f"{page.path}:{line}: {value} leaves the site")
        elif not built.exists(target):
            broken.append(f"{page.path}:{line}: {value} → {target} does not exist")
    assert not broken, report(broken, "broken internal links")


def test_every_anchor_exists_in_its_target_page(built):
    broken = []
    for page, line, value, target, fragment, _ in internal_links(built):
        if not fragment or not target.endswith(".html") or target not in built.pages:
            continue
        if fragment not in built.pages[target].ids:
            broken.append(f"{page.path}:{line}: {value} → no id=\"{fragment}\" in {target}")
    assert not broken, report(broken, "links to missing anchors")


def test_links_into_the_study_table_name_real_filters(built):
    """?field=value links (from study pages and the gap map) preset a filter that exists, with that option."""
    broken = []
    for page, line, value, target, _, query in internal_links(built):
        if not query or target not in built.pages:
            continue
        selects = built.pages[target].selects
        for name, wanted in parse_qsl(query, keep_blank_values=True):
            if name == "q":
                continue
            if name not in selects:
                broken.append(f"{page.path}:{line}: {value}: {target} has no filter named {name!r}")
            elif wanted not in selects[name]:
                broken.append(f"{page.path}:{line}: {value}: the {name} filter has no option {wanted!r}")
    assert not broken, report(broken, "links that preset filters the table does not have")


# --- file:// and sub-paths ----------------------------------------------------------------------

def test_no_link_is_absolute(built):
    """A link starting with / breaks the site on file:// and on a project sub-path (GitHub Pages)."""
    bad = [f"{page.path}:{line}: <{tag} {attribute}=\"{value}\">" for page in built.pages.values()
           for line, tag, attribute, value in page.links if value.startswith("/")]
    assert not bad, report(bad, "absolute links")


def test_every_directory_link_names_its_index_html(built):
    """On file:// a folder does not open its index.html: links must name it."""
    bad = []
    for page, line, value, target, _, _ in internal_links(built):
        path = urlsplit(value).path
        if path and (path.endswith("/") or path in (".", "..") or (built.folder / target).is_dir()):
            bad.append(f"{page.path}:{line}: {value}")
    assert not bad, report(bad, "links to a folder instead of its index.html")


# --- HTML ---------------------------------------------------------------------------------------

def test_every_page_is_well_formed(built):
    problems = [f"{page.path}: {problem}" for page in built.pages.values() for problem in page.problems]
    assert not problems, report(problems, "structure problems (html.parser)")


def test_every_page_has_doctype_language_title_and_one_main(built):
    problems = []
    for page in built.pages.values():
        if not page.doctype:
            problems.append(f"{page.path}: no <!DOCTYPE html>")
        if not page.lang:
            problems.append(f"{page.path}: <html> has no lang")
        if not page.title.strip():
            problems.append(f"{page.path}: empty <title>")
        for tag in ("html", "head", "body", "main", "h1"):
            if page.counts[tag] != 1:
                problems.append(f"{page.path}: {page.counts[tag]} <{tag}> elements, not one")
    assert not problems, report(problems, "page problems")


def test_ids_are_unique_and_references_to_ids_resolve(built):
    problems = []
    for page in built.pages.values():
        for id_, count in Counter(page.ids).items():
            if count > 1:
                problems.append(f"{page.path}: id=\"{id_}\" is used {count} times")
        known = set(page.ids)
        for line, attribute, ref in page.id_references:
            if ref not in known:
                problems.append(f"{page.path}:{line}: {attribute}=\"{ref}\" names no element of the page")
    assert not problems, report(problems, "id problems")


def test_html_validates_with_the_nu_checker(sites):
    """The whole site in one run of vnu (the Nu HTML checker); only errors count.

    The site with a release holds every kind of page of the other (its draft/ is the review as it is),
    so it alone is checked: vnu takes seconds.
    """
    built = sites["with-release"]
    java = shutil.which("java")
    if not java or not VNU.is_file():
        reason = ("java is not installed" if not java
                  else f"the Nu HTML checker is not at {VNU.relative_to(REPO) if VNU.is_relative_to(REPO) else VNU}: "
                       "run `npm ci`")
        if os.environ.get("LIVINGREVIEW_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (and LIVINGREVIEW_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    done = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json",
                           str(built.folder)], capture_output=True, text=True, timeout=300)
    try:
        messages = json.loads(done.stderr or "{}").get("messages", [])
    except json.JSONDecodeError:
        pytest.fail(f"vnu did not answer in JSON (exit {done.returncode}):\n{done.stderr[:3000]}")
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    lines = [f"{Path(unquote(urlsplit(m.get('url', '')).path)).relative_to(built.folder) if m.get('url') else '?'}"
             f":{m.get('lastLine', '?')}: {m.get('message')}  [{(m.get('extract') or '').strip()[:120]}]"
             for m in errors]
    assert not errors and done.returncode == 0, report(lines or [done.stderr[:3000]], "Nu HTML checker errors")


# --- images and figures -------------------------------------------------------------------------

def test_every_image_has_alt_text(built):
    bad = [f"{page.path}:{line}: <img src=\"{src}\"> has {'no' if alt is None else 'an empty'} alt"
           for page in built.pages.values() for line, src, alt in page.images if not (alt or "").strip()]
    assert not bad, report(bad, "images without alt text")


def test_every_figure_page_has_a_data_table(built):
    figures = [page for path, page in built.pages.items() if posixpath.basename(posixpath.dirname(path)) == "figures"]
    assert figures, "the site has no figure page"
    bad = []
    for page in figures:
        data = [t for t in page.tables if "data" in t["class"].split()]
        if not data:
            bad.append(f"{page.path}: no <table class=\"data\">")
        elif not (data[0]["th"] and data[0]["body_rows"]):
            bad.append(f"{page.path}: the data table has no headers or no rows: {data[0]}")
        stem = page.path[:-len(".html")]
        for suffix in (".svg", ".csv"):
            if not built.exists(stem + suffix):
                bad.append(f"{page.path}: {stem + suffix} is missing")
    assert not bad, report(bad, "figure pages without their data")


def test_every_figure_on_the_home_page_is_listed(built):
    listed = {target for page, _, _, target, _, _ in internal_links(built)
              if page.path == "index.html" and target.startswith("figures/") and target.endswith(".html")}
    figures = {path for path in built.pages if path.startswith("figures/")}
    assert listed == figures, f"figure pages not listed on the home page: {sorted(figures - listed)}"


# --- the checker itself -------------------------------------------------------------------------

@pytest.mark.parametrize("html, problem", [
    ("<div><p>text</div>", "closes <p>"),
    ("<main><section>text</main>", "closes <section>"),
    ("<p>text</p></div>", "</div> without an open <div>"),
    ("<div>text", "<div> of line 1 is never closed"),
    ("<div/>", "is not closed in HTML"),
    ("<br></br>", "end tag </br> of a void element"),
])
def test_the_structure_checker_finds(html, problem):
    found = read_page("x.html", html).problems
    assert any(problem in p for p in found), f"{html!r}: expected a problem with {problem!r}, found {found}"


def test_the_structure_checker_accepts_good_html():
    html = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body>'
            '<main><p>a<br>b <img src="x.svg" alt="x"></p><svg><path d="M0 0"/></svg>'
            '<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table></main></body></html>')
    page = read_page("x.html", html)
    assert page.problems == [] and page.doctype and page.lang == "en" and page.title == "t"
    assert page.tables == [{"th": 1, "td": 1, "body_rows": 1, "line": 1, "class": ""}]
