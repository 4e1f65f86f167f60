"""The build end to end, on a tiny review in a temporary folder."""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import os
import pathlib
import pickle
import posixpath
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scratch import make_review, study, write_study

import livingreview.cache
import livingreview.write
from livingreview.cli import main
from livingreview.figures import KINDS
from livingreview.write import file_digest

THEME = Path(livingreview.cache.ENGINE) / "theme" / "templates"


def build(root: Path, *options: str) -> int:
    return main(["--root", str(root), "build", *options])


def snapshot(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def copy_studies(source: Path, target: Path) -> None:
    for path in (source / "studies").iterdir():
        (target / "studies" / path.name).write_bytes(path.read_bytes())


# Beta is consulted at first; recoding it to leading (its stages already include planning, as the
# codebook's rule asks of a leading community) is the change most tests make.
BETA = {"involvement": "consulted", "stages": ["planning", "tending"], "location": ["GB"]}
BETA_LEADING = {**BETA, "involvement": "leading"}


@pytest.fixture
def review(tmp_path: Path) -> Path:
    return make_review(tmp_path / "review", [
        study("alpha-2019", 2019, involvement="leading", stages=["planning"], location=["US"]),
        study("beta-2020", 2020, **BETA),
        study("gamma-2021", 2021, involvement="leading", stages=["building", "tending"], location=["AU"]),
    ])


def filed_under(review: Path, study_id: str, key: str) -> list[str]:
    """The values the study table's filters find a study under (from its data, studies/table-data.js)."""
    script = (review / "site/studies/table-data.js").read_text(encoding="utf-8")
    data = json.loads(script[script.index("{"):script.rindex("}") + 1])
    position = next(i for i, d in enumerate(data["dimensions"]) if d["key"] == key)
    values = data["dimensions"][position]["values"]
    row = next(r for r in data["rows"] if r[0] == study_id)
    found = row[5 + position]
    return [values[v] for v in (found if isinstance(found, list) else [found])]


def test_recoding_one_study_changes_the_home_number_the_figure_data_and_the_filtered_list(review):
    assert build(review) == 0
    home = (review / "site" / "index.html").read_text(encoding="utf-8")
    assert "2 are led by their community\n(66.7\u202f% of 3 coded)" in home
    assert "Leading,2,66.7\u202f%" in (review / "site/figures/ladder.csv").read_text(encoding="utf-8")
    assert filed_under(review, "beta-2020", "involvement") == ["consulted"]

    write_study(review, study("beta-2020", 2020, **BETA_LEADING))
    assert build(review) == 0
    home = (review / "site" / "index.html").read_text(encoding="utf-8")
    assert "3 are led by their community\n(100.0\u202f% of 3 coded)" in home
    ladder = (review / "site/figures/ladder.csv").read_text(encoding="utf-8")
    assert "Leading,3,100.0\u202f%" in ladder and "Consulted,0,0.0\u202f%" in ladder
    assert filed_under(review, "beta-2020", "involvement") == ["leading"]
    gap_map = (review / "site/figures/map.html").read_text(encoding="utf-8")
    cell = gap_map.split('id="cell-leading-tending"')[1].split("</section>")[0]
    assert "beta-2020.html" in cell and "gamma-2021.html" in cell
    assert "beta-2020.html" not in gap_map.split('id="cell-consulted-tending"')[1].split("</section>")[0]


def fully_coded(review: Path) -> tuple[int, int]:
    """The home page's count of the studies coded on every required field, and of all studies."""
    home = (review / "site" / "index.html").read_text(encoding="utf-8")
    found = re.search(r"Fully coded \(every required field\)</dt><dd>(\d+)<span class=\"of\"> of (\d+)<", home)
    assert found, "the home page shows how many studies are fully coded"
    return int(found[1]), int(found[2])


def test_the_studies_coded_on_every_required_field_are_counted_alike_in_a_rebuild(tmp_path):
    # A required field the tallies count (design) and one they do not (a text field): a rebuild reads the
    # studies it did not change back from .cache/, and counts them as the full build does.
    coded = {"location": ["GB"], "design": "survey", "method": "words", "setting": ["school"], "aim": "effects",
             "stages": ["tending"], "involvement": "consulted", "source": "database", "summary": "A summary."}
    review = make_review(tmp_path / "review", [
        study("ames-2019", 2019, **coded),
        study("bell-2020", 2020, **{**coded, "summary": "not yet coded"}),
        study("cole-2021", 2021, **{**coded, "design": "not yet coded"}),
        study("dunn-2022", 2022, **coded),
    ])
    codebook = review / "content" / "codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    summary = "    kind: text\n    required: false"
    assert summary in text
    codebook.write_text(text.replace(summary, "    kind: text\n    required: true"), encoding="utf-8")
    assert build(review) == 0
    assert fully_coded(review) == (2, 4)

    ames = review / "studies" / "ames-2019.yaml"
    ames.write_text(ames.read_text(encoding="utf-8").replace("A study of a garden", "A study of one garden"),
                    encoding="utf-8")
    assert build(review) == 0
    assert fully_coded(review) == (2, 4)

    write_study(review, study("cole-2021", 2021, **coded))
    assert build(review) == 0
    assert fully_coded(review) == (3, 4)
    write_study(review, study("dunn-2022", 2022, **{**coded, "summary": "not yet coded"}))
    assert build(review) == 0
    assert fully_coded(review) == (2, 4)


def test_two_builds_of_the_same_input_are_byte_identical(review, tmp_path):
    assert build(review) == 0
    first = snapshot(review / "site")
    other = make_review(tmp_path / "other", [])
    copy_studies(review, other)
    assert build(other) == 0  # a fresh folder: no figure cache, every figure drawn again
    assert snapshot(other / "site") == first
    assert any(name.endswith(".svg") for name in first)


@pytest.mark.parametrize("where", ["after the command", "before it"])
def test_force_and_verbose_are_heard_before_or_after_the_command(review, capsys, where):
    assert build(review) == 0
    capsys.readouterr()
    flags = ["--force", "--verbose"]
    arguments = ["build", *flags] if where == "after the command" else [*flags, "build"]
    assert main(["--root", str(review), *arguments]) == 0
    out, err = capsys.readouterr()
    assert "up to date" not in out and "(0 written, " in out  # forced: every file rendered again (and the same)
    assert "load, validate and aggregate:" in err  # verbose: each stage's time


def test_unchanged_rebuild_rewrites_nothing(review, capsys):
    assert build(review) == 0
    mtimes = {p: p.stat().st_mtime_ns for p in (review / "site").rglob("*") if p.is_file()}
    capsys.readouterr()
    assert build(review, "--force") == 0  # render everything again
    assert "(0 written, " in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_a_build_with_no_changed_input_is_skipped_and_any_change_builds_again(review, capsys):
    assert build(review) == 0
    capsys.readouterr()
    assert build(review) == 0
    assert "site/ is up to date" in capsys.readouterr().out
    # A review's own template replaces the theme's file of the same name: a new input.
    template = review / "templates" / "page.html"
    template.parent.mkdir()
    template.write_text((THEME / "page.html").read_text(encoding="utf-8")
                        .replace("<h1>{{ page.title }}</h1>", "<h1>About: {{ page.title }}</h1>"), encoding="utf-8")
    assert build(review) == 0
    assert "1 written" in capsys.readouterr().out
    assert "<h1>About: About</h1>" in (review / "site" / "about.html").read_text(encoding="utf-8")
    (review / "site" / "about.html").unlink()  # output damaged by hand: built again
    assert build(review) == 0
    assert "up to date" not in capsys.readouterr().out
    assert (review / "site" / "about.html").exists()


def test_an_invalid_study_stops_the_build_and_leaves_the_previous_site(review, capsys):
    assert build(review) == 0
    before = snapshot(review / "site")
    (review / "studies" / "beta-2020.yaml").write_text("id: beta-2020\ntitle: [unclosed\n")
    assert build(review) == 1
    err = capsys.readouterr().err
    assert "studies/beta-2020.yaml:3:1: YAML syntax error" in err
    assert "Traceback" not in err
    assert snapshot(review / "site") == before


def test_a_build_that_fails_while_rendering_leaves_the_previous_site(review, capsys):
    assert build(review) == 0
    before = snapshot(review / "site")
    page = review / "content" / "pages" / "about.md"
    page.write_text("---\ntitle: About\nnav: 9\n---\nFine line.\n\nThere are {{ count('involvement', 'nonsense') }}.\n")
    assert build(review) == 1
    err = capsys.readouterr().err
    assert "content/pages/about.md:7:1: 'nonsense' is not a value of involvement" in err
    assert snapshot(review / "site") == before
    assert not list(review.glob(".site-*"))  # no staging folder left behind


def test_a_build_leaves_the_cycle_collector_as_it_found_it_whether_it_succeeds_or_fails(review):
    """`serve` builds again and again in one process: each build's objects must stay collectable."""
    def collector() -> tuple[bool, int, tuple[int, int, int]]:
        return gc.isenabled(), gc.get_freeze_count(), gc.get_threshold()

    before = collector()
    assert before[:2] == (True, 0)
    assert build(review) == 0
    assert collector() == before
    (review / "studies" / "beta-2020.yaml").write_text("id: beta-2020\ntitle: [unclosed\n")  # fails loading
    assert build(review) == 1
    assert collector() == before
    (review / "studies" / "beta-2020.yaml").unlink()
    page = review / "content" / "pages" / "about.md"
    page.write_text("---\ntitle: About\nnav: 9\n---\n{{ count('involvement', 'nonsense') }}\n")  # fails rendering
    assert build(review) == 1
    assert collector() == before


def test_a_build_loads_renders_and_writes_without_the_collector_and_turns_it_back_on(review, monkeypatch):
    """What a build makes lives as long as the build: a collection would walk it all again (at 100,000 studies,
    seconds) for next to nothing."""
    import livingreview.pipeline
    from livingreview.pipeline import build as build_site
    from livingreview.project import Project

    during: list[bool] = []

    def seen(real: Any) -> Any:
        def called(*args: Any, **kwargs: Any) -> Any:
            during.append(gc.isenabled())
            return real(*args, **kwargs)
        return called

    monkeypatch.setattr(livingreview.pipeline, "cited", seen(livingreview.pipeline.cited))  # while loading
    monkeypatch.setattr(livingreview.pipeline, "write_site", seen(livingreview.pipeline.write_site))
    build_site(Project(review))
    assert during == [False, False] and gc.isenabled()


def test_a_build_in_a_process_without_the_collector_leaves_it_off(review):
    """`build` and `check` in a process of their own run without it from the start (cli.ONCE): a build must
    not turn it on."""
    from livingreview.pipeline import build as build_site
    from livingreview.project import Project

    gc.disable()
    try:
        build_site(Project(review))
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing is forked")
def test_a_plan_whose_studies_were_checked_in_two_processes_leaves_the_collector_on_and_nothing_frozen(
        review, monkeypatch):
    """The worker that checks half of a large review's study files is forked while the plan runs without the
    collector (here with three studies, as if they were thousands); the plan leaves it on, as it found it."""
    import livingreview.parallel
    import livingreview.validate
    from livingreview.pipeline import plan
    from livingreview.project import Project

    forks = []

    def in_two(function, items):
        forks.append(len(items))
        return livingreview.parallel.map_in_parallel(function, items, threshold=2)

    monkeypatch.setattr(livingreview.validate, "map_in_parallel", in_two)
    made = plan(Project(review))
    assert forks == [3] and {s.id for s in made.review.studies} == {"alpha-2019", "beta-2020", "gamma-2021"}
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_an_unknown_name_in_a_page_fails_with_its_line(review, capsys):
    page = review / "content" / "pages" / "about.md"
    page.write_text("---\ntitle: About\n---\n\nOne.\n\n{{ studies_total }}\n")
    assert build(review) == 1
    assert "content/pages/about.md:7:1: 'studies_total' is undefined" in capsys.readouterr().err


def test_check_finds_a_pages_problems_without_rendering_the_blocks_it_places(review, monkeypatch, capsys):
    """The default theme renders every block of a review that check passes: check only checks what a page asks."""
    from jinja2 import Environment

    from livingreview.pipeline import check
    from livingreview.project import Project

    figure = yaml.safe_load((review / "content" / "figures.yaml").read_text(encoding="utf-8"))["figures"][0]["key"]
    page = review / "content" / "pages" / "about.md"
    page.write_text(f"---\ntitle: About\n---\n\n{{{{ figure('{figure}') }}}}\n\n{{{{ codebook_manual() }}}}\n")
    asked: list[str] = []
    get_template = Environment.get_template
    monkeypatch.setattr(Environment, "get_template", lambda self, name, *args, **kwargs: asked.append(str(name))
                        or get_template(self, name, *args, **kwargs))
    check(Project(review))
    assert not {"_figure.html", "_codebook.html"} & set(asked)
    assert build(review) == 0 and {"_figure.html", "_codebook.html"} <= set(asked)
    page.write_text("---\ntitle: About\n---\n\n{{ figure('nowhere') }}\n")
    assert main(["--root", str(review), "check"]) == 1
    assert "content/pages/about.md:5:1: unknown figure 'nowhere'" in capsys.readouterr().err


def test_markdown_from_contributors_renders_without_raw_html_or_unsafe_links(review):
    page = review / "content" / "pages" / "about.md"
    page.write_text("---\ntitle: About\n---\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
                    "[doi](https://doi.org/10.1/x)\n")
    assert build(review) == 0
    html = (review / "site" / "about.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html
    assert 'href="https://doi.org/10.1/x"' in html


def test_a_study_page_shows_each_field_as_coded_with_links_evidence_and_the_second_coding(tmp_path):
    coded = study("gamma-2021", 2021, involvement="leading", stages=["building", "tending"], location=["AU"])
    coded["evidence"] = {"involvement": "Methods: residents ran the garden."}
    coded["second_coding"] = {"coder": "O. N.", "codes": {"involvement": "collaborating", "stages": ["tending"]},
                              "resolved": {"involvement": "Agreed after re-reading."}}
    root = make_review(tmp_path / "review", [coded])
    assert build(root) == 0
    page = (root / "site" / "studies" / "gamma-2021.html").read_text(encoding="utf-8")
    rows = {}
    for row in re.findall(r"<tr(?: class=\"not-coded\")?>.*?</tr>", page, re.S):
        heading = re.search(r'<th scope="row">([^<]*)</th>', row)
        if heading:
            rows[heading.group(1)] = row
    involvement = rows["Community involvement"]
    assert '<a href="index.html?involvement=leading">Leading</a>' in involvement
    assert "<td>Methods: residents ran the garden. " in involvement
    assert '<span class="provenance">(Stated in the earlier review)</span>' in involvement  # the default source
    assert "Second coder (O. N.): collaborating; resolved: Agreed after re-reading." in involvement
    assert ('<a href="index.html?stages=building">Building</a>, '
            '<a href="index.html?stages=tending">Tending</a>') in rows["Garden stages"]
    assert "Second coder (O. N.): tending<" in rows["Garden stages"]
    assert '<a href="index.html?location=AU">Australia</a>' in rows["Location"]
    assert 'class="not-coded"' in rows["Design"] and "not yet coded" in rows["Design"]
    assert 'class="not-coded"' not in involvement
    derived = rows["Community-led"]  # building and tending: a derived fact that holds
    assert '<a href="index.html?community_led=true">Yes</a>' in derived and "<td>Derived: " in derived


def test_study_values_are_escaped(review):
    data = study("delta-2022", 2022)
    data["title"] = "A <b>bold</b> & risky title"
    write_study(review, data)
    assert build(review) == 0
    html = (review / "site" / "studies" / "delta-2022.html").read_text(encoding="utf-8")
    assert "<b>bold</b>" not in html
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; risky title" in html


def test_a_cached_figure_is_redrawn_when_its_data_changes(review):
    assert build(review) == 0
    cache = review / ".cache" / "figures"
    before = {p.name for p in cache.glob("ladder-*.svg")}
    svg_before = (review / "site/figures/ladder.svg").read_bytes()
    write_study(review, study("beta-2020", 2020, **BETA_LEADING))
    assert build(review) == 0
    after = {p.name for p in cache.glob("ladder-*.svg")}
    assert len(after) == 1 and after != before  # the old drawing is pruned
    assert (review / "site/figures/ladder.svg").read_bytes() != svg_before
    assert (review / "site/figures/per-year.svg").exists()


def red_bars(original: Any) -> Any:
    """A bar kind's drawing, as an edited engine would draw it: every bar red."""
    def draw(canvas: Any, figure: Any) -> None:
        original(canvas, figure)
        for axes in canvas.axes:
            for patch in axes.patches:
                patch.set_facecolor("#ff0000")
    return draw


def test_editing_the_engines_drawing_code_makes_the_next_build_redraw(review, monkeypatch):
    assert build(review) == 0
    svg_before = (review / "site/figures/per-year.svg").read_bytes()
    assert b"#ff0000" not in svg_before
    monkeypatch.setitem(KINDS, "bar", KINDS["bar"]._replace(draw=red_bars(KINDS["bar"].draw)))
    # While the engine's files are unchanged the kept drawing serves (it is keyed by the engine's digest)...
    assert build(review, "--force") == 0
    assert (review / "site/figures/per-year.svg").read_bytes() == svg_before
    # ...and an edited file of the engine gives every record a new key: the figure is drawn again.
    monkeypatch.setattr(livingreview.cache, "engine_digest", lambda: "an edited engine")
    assert build(review) == 0  # not even --force: the engine is an input of the build
    svg_after = (review / "site/figures/per-year.svg").read_bytes()
    assert svg_after != svg_before and b"#ff0000" in svg_after


def test_the_engine_digest_changes_when_a_file_of_the_engine_changes(tmp_path, monkeypatch):
    copy = tmp_path / "livingreview"
    shutil.copytree(livingreview.cache.ENGINE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    livingreview.cache.engine_digest.cache_clear()
    try:
        original = livingreview.cache.engine_digest()
        livingreview.cache.engine_digest.cache_clear()
        monkeypatch.setattr(livingreview.cache, "ENGINE", copy)
        assert livingreview.cache.engine_digest() == original  # the same files: the same digest
        drawing = copy / "figures" / "drawing.py"
        with drawing.open("a", encoding="utf-8") as file:
            file.write('\nACCENT = "#ff0000"  # the bars drawn red\n')
        livingreview.cache.engine_digest.cache_clear()
        assert livingreview.cache.engine_digest() != original
    finally:
        livingreview.cache.engine_digest.cache_clear()


def marker_payload(marker: Path) -> bytes:
    """Pickled bytes that create `marker` when unpickled: what a planted cache file could hold."""
    class Planted:
        def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
            return pathlib.Path.touch, (pathlib.Path(marker),)

    return pickle.dumps(Planted())


def test_planted_cache_files_are_never_executed_nor_trusted(review, tmp_path):
    armed = tmp_path / "armed"
    pickle.loads(marker_payload(armed))  # the payload works: unpickling it would leave the marker
    assert armed.exists()
    marker = tmp_path / "marker"
    assert build(review) == 0
    write_study(review, study("beta-2020", 2020, **BETA_LEADING))  # the site must change
    # Records made for these very inputs in another folder (as a pull request could commit them),
    # then forged: the last build claims the present site is up to date, the drawings show nothing.
    clean = make_review(tmp_path / "clean", [])
    copy_studies(review, clean)
    assert build(clean) == 0
    cache = review / ".cache"
    (cache / "studies-checked.pickle").write_bytes(marker_payload(marker))
    forged = json.loads((clean / ".cache" / "site-inputs.json").read_text(encoding="utf-8"))
    (cache / "site-inputs.json").write_text(json.dumps(forged), encoding="utf-8")
    site_now = livingreview.cache.site_manifest(review / "site")
    files = {path: [*stat, file_digest((review / "site" / path).read_bytes())] for path, stat in site_now.items()}
    (cache / "site" / "00.json").write_text(json.dumps({"key": forged["key"], "data": files}), encoding="utf-8")
    forged_drawings = [p.name for p in (clean / ".cache" / "figures").glob("*.svg")]
    assert {"per-year", "ladder"} <= {re.sub(r"-[0-9a-f]{32}\.svg$", "", name) for name in forged_drawings}
    for name in forged_drawings:
        (cache / "figures" / name).write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg">forged</svg>\n')

    assert main(["--root", str(review), "check"]) == 0
    assert build(review) == 0
    assert snapshot(review / "site") == snapshot(clean / "site")
    assert build(review, "--force") == 0
    assert not marker.exists()
    assert snapshot(review / "site") == snapshot(clean / "site")


def child_processes() -> set[int]:
    """The processes whose parent is this one (a zombie not yet waited for counts too)."""
    me, found = os.getpid(), set()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            status = Path(f"/proc/{name}/status").read_text(encoding="utf-8")
        except OSError:
            continue  # ended meanwhile
        ppid = re.search(r"^PPid:\s*(\d+)", status, re.M)
        if ppid and int(ppid.group(1)) == me:
            found.add(int(name))
    return found


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="lists processes through /proc")
def test_no_process_is_left_running_after_a_build_or_a_check(review, monkeypatch):
    import livingreview.parallel
    import livingreview.press
    import livingreview.render
    import livingreview.validate

    # Even when the study pages and the reading are shared with a second process (as for large reviews), and
    # a press is forked at the start of a build (as for larger ones).
    monkeypatch.setattr(livingreview.press, "PRESS_FROM", 1)
    monkeypatch.setattr(livingreview.render, "Shared", functools.partial(livingreview.parallel.Shared, threshold=1))
    monkeypatch.setattr(livingreview.render, "STUDY_PAGES_AT_ONCE", 1)  # a chunk per study
    monkeypatch.setattr(livingreview.validate, "map_in_parallel",
                        functools.partial(livingreview.parallel.map_in_parallel, threshold=1))
    monkeypatch.setattr(livingreview.cache, "_KEEP_BESIDE_FROM", 1)  # the record of valid studies written beside
    # The browser tests' web server runs in a thread of this process, which would keep the engine from
    # forking at all (see parallel._may_fork): forking is what this test is about.
    monkeypatch.setattr(livingreview.parallel, "_may_fork", lambda: True)
    forks = []
    real_fork = os.fork

    def fork() -> int:
        forks.append(True)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    before = child_processes()
    assert build(review) == 0
    assert main(["--root", str(review), "check"]) == 0
    write_study(review, study("beta-2020", 2020, **BETA_LEADING))
    assert build(review) == 0
    assert child_processes() == before
    assert forks or (os.cpu_count() or 1) < 2  # a second process was started, and is gone


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="lists processes through /proc")
def test_a_build_interrupted_while_a_forked_process_writes_the_record_of_valid_studies_stops_it(review, monkeypatch):
    """The record of valid studies is written by a forked process while the build cross-checks the studies
    (as for thousands of new ones): a build interrupted then stops that process, and leaves none behind."""
    import livingreview.parallel
    import livingreview.pipeline
    from livingreview.project import Project

    monkeypatch.setattr(livingreview.cache, "_KEEP_BESIDE_FROM", 1)
    monkeypatch.setattr(livingreview.parallel, "_may_fork", lambda: True)  # forking is what this test is about
    forks, real_fork = [], os.fork

    def fork() -> int:
        forks.append(True)
        return real_fork()

    def interrupted(*args: Any, **options: Any) -> list[Any]:
        time.sleep(0.2)  # the forked process is at work, or done and not yet waited for
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(livingreview.pipeline, "_duplicates", interrupted)
    before = child_processes()
    with pytest.raises(KeyboardInterrupt):
        livingreview.pipeline.build(Project(review))
    assert forks  # the record was being written by another process
    assert child_processes() == before


def test_an_interrupted_build_leaves_the_previous_site_and_no_staging_folder(review, monkeypatch, capsys):
    import livingreview.pipeline

    assert build(review) == 0
    before, processes = snapshot(review / "site"), child_processes()
    real = livingreview.pipeline._pages

    def interrupted(*args: Any, **options: Any) -> Iterator[tuple[str, bytes]]:
        pages = real(*args, **options)
        yield next(pages)
        raise KeyboardInterrupt  # Ctrl-C halfway through the outputs, while figures are drawn

    monkeypatch.setattr(livingreview.pipeline, "_pages", interrupted)
    write_study(review, study("beta-2020", 2020, **BETA_LEADING))  # a figure to redraw
    capsys.readouterr()
    assert build(review) == 130
    assert "build: interrupted; nothing was written" in capsys.readouterr().err
    assert snapshot(review / "site") == before
    assert not list(review.glob(".site-staging-*"))
    assert child_processes() == processes  # the drawing process was stopped


def test_downloads_hold_every_study(review):
    assert build(review) == 0
    site = review / "site" / "data"
    assert (site / "studies.csv").read_text(encoding="utf-8").count("\n") == 4  # header and three studies
    bib = (site / "references.bib").read_text(encoding="utf-8")
    assert all(f"@article{{{i}," in bib for i in ("alpha-2019", "beta-2020", "gamma-2021"))
    assert (site / "references.ris").read_text(encoding="utf-8").count("TY  - JOUR") == 3


def test_parsing_and_study_pages_on_two_processes_give_the_same_site(review, tmp_path, monkeypatch):
    """Large reviews parse, validate and render study pages on two processes: the site is the same."""
    import livingreview.parallel
    import livingreview.render
    import livingreview.validate

    assert build(review) == 0
    serial = snapshot(review / "site")
    other = make_review(tmp_path / "parallel", [])
    copy_studies(review, other)
    monkeypatch.setattr(livingreview.render, "Shared", functools.partial(livingreview.parallel.Shared, threshold=1))
    monkeypatch.setattr(livingreview.render, "STUDY_PAGES_AT_ONCE", 1)  # a chunk per study
    monkeypatch.setattr(livingreview.validate, "map_in_parallel",
                        functools.partial(livingreview.parallel.map_in_parallel, threshold=1))
    # The browser tests' web server runs in a thread of this process, which would keep the engine from
    # forking at all (see parallel._may_fork): forking is what this test is about.
    monkeypatch.setattr(livingreview.parallel, "_may_fork", lambda: True)
    staged_by = tmp_path / "staged-by"  # the process each study page was staged in, a line per page
    real_stage = livingreview.write.Stager.__call__

    def stage(self: Any, relative: str, data: bytes) -> Any:
        with staged_by.open("a", encoding="utf-8") as record:
            record.write(f"{os.getpid()}\n")
        return real_stage(self, relative, data)

    monkeypatch.setattr(livingreview.write.Stager, "__call__", stage)
    real_render, here = livingreview.render._StudyPages.render, os.getpid()

    def render(self: Any, study: Any) -> Any:
        if os.getpid() == here:
            time.sleep(0.3)  # meanwhile the helper, forked before, takes the chunks left
        return real_render(self, study)

    monkeypatch.setattr(livingreview.render._StudyPages, "render", render)
    assert build(other) == 0
    assert snapshot(other / "site") == serial
    assert set(staged_by.read_text().split()) - {str(here)} or (os.cpu_count() or 1) < 2  # pages the helper staged

    # Every study page changes (its title bar), the old site's pages already linked where the new go: the same
    # site as a build in one process from nothing.
    for root in (review, other):
        site_yaml = root / "content" / "site.yaml"
        site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("short_title: Community gardens",
                                                                           "short_title: Gardens"), encoding="utf-8")
    assert build(other) == 0
    monkeypatch.undo()
    shutil.rmtree(review / "site")
    shutil.rmtree(review / ".cache")
    assert build(review) == 0
    assert snapshot(other / "site") == snapshot(review / "site")
    assert all("· Gardens" in (other / "site" / "studies" / f).read_text(encoding="utf-8")
               for f in ("alpha-2019.html", "beta-2020.html", "gamma-2021.html"))


def test_study_pages_from_the_press_are_the_pages_the_build_would_make(review, tmp_path, monkeypatch):
    """A large review's study pages are rendered by its press, a process forked before the studies were read,
    from the record of valid studies the build wrote: the site is the same, letters and all."""
    import livingreview.parallel
    import livingreview.press
    import livingreview.render

    namesake = study("alpha-2019b", 2019)  # the same author and year as alpha-2019: they are 2019a and 2019b
    write_study(review, {**namesake, "title": "Rooftop gardens"})
    assert build(review) == 0
    serial = snapshot(review / "site")
    other = make_review(tmp_path / "pressed", [])
    copy_studies(review, other)
    monkeypatch.setattr(livingreview.press, "PRESS_FROM", 1)
    monkeypatch.setattr(livingreview.render, "Shared", functools.partial(livingreview.parallel.Shared, threshold=1))
    monkeypatch.setattr(livingreview.render, "STUDY_PAGES_AT_ONCE", 1)  # a chunk per study
    monkeypatch.setattr(livingreview.parallel, "_may_fork", lambda: True)  # see the test above
    pressed_by = tmp_path / "pressed-by"  # the process each page from a record was staged in, a line per page
    real_staged = livingreview.render.staged_anew

    def staged(*args: Any) -> Any:
        with pressed_by.open("a", encoding="utf-8") as record:
            record.write(f"{os.getpid()}\n")
        return real_staged(*args)

    monkeypatch.setattr(livingreview.render, "staged_anew", staged)
    real_render, here = livingreview.render._StudyPages.render, os.getpid()

    def render(self: Any, study: Any) -> Any:
        time.sleep(0.3)  # meanwhile the press takes the chunks left
        return real_render(self, study)

    monkeypatch.setattr(livingreview.render._StudyPages, "render", render)
    assert build(other) == 0
    assert snapshot(other / "site") == serial
    if (os.cpu_count() or 1) >= 2:
        assert pressed_by.exists() and str(here) not in pressed_by.read_text().split()
    assert b"Rooftop gardens" in (other / "site" / "studies" / "alpha-2019b.html").read_bytes()
    # A rebuild stages pages where the old site's are linked: the press renders none, the site is the same.
    pressed_by.unlink(missing_ok=True)
    for root in (other, review):
        write_study(root, {**namesake, "title": "Rooftop gardens, again"})
        assert build(root) == 0
    assert snapshot(other / "site") == snapshot(review / "site") and not pressed_by.exists()


def test_a_long_study_table_is_cut_into_pages_that_reach_every_study(review, monkeypatch):
    """Readers without scripts get the table a page at a time (here two studies a page), each page linking to
    the others and to its studies; the first page names the data site.js loads for the whole table."""
    import livingreview.render

    monkeypatch.setattr(livingreview.render, "TABLE_PAGE_SIZE", 2)
    assert build(review) == 0
    studies = review / "site" / "studies"
    first = (studies / "index.html").read_text(encoding="utf-8")
    second = (studies / "page" / "2.html").read_text(encoding="utf-8")
    assert not (studies / "page" / "3.html").exists()
    rows = re.compile(r'<tr id="row-([a-z0-9-]+)"')
    assert rows.findall(first) == ["alpha-2019", "beta-2020"] and rows.findall(second) == ["gamma-2021"]
    assert '<a href="page/2.html" rel="next">Next page</a>' in first
    assert '<a href="../index.html" rel="prev">Previous page</a>' in second
    assert '<a href="../gamma-2021.html">' in second
    assert 'data-rows="table-data.js?v=' in first and 'data-exports="table-exports.js"' in first
    assert "data-study-table" not in second and "data-study-filters" not in second  # a plain page of rows



def test_a_page_of_a_long_table_links_by_number_to_the_first_the_last_and_its_neighbours(review, monkeypatch):
    """Not to every page: at 100,000 studies that would be 500 links on each of 500 pages."""
    import livingreview.render

    monkeypatch.setattr(livingreview.render, "TABLE_PAGE_SIZE", 1)
    for number in range(4, 12):
        write_study(review, study(f"more-{2000 + number}", 2000 + number))
    assert build(review) == 0
    studies = review / "site" / "studies"
    assert (studies / "page" / "11.html").exists() and not (studies / "page" / "12.html").exists()
    numbered = re.compile(r'<li><a href="([^"]+)">(\d+)</a></li>|<li><strong aria-current="page">(\d+)</strong></li>'
                          r'|<li><span aria-hidden="true">…</span></li>')

    def pager(page: Path) -> list[str]:
        pager_html = page.read_text(encoding="utf-8").split("data-pager", 1)[1]
        return [f"[{m[3]}]" if m[3] else m[2] or "…" for m in numbered.finditer(pager_html)]

    assert pager(studies / "index.html") == ["[1]", "2", "3", "…", "11"]
    assert pager(studies / "page" / "6.html") == ["1", "…", "4", "5", "[6]", "7", "8", "…", "11"]
    assert pager(studies / "page" / "4.html") == ["1", "2", "3", "[4]", "5", "6", "…", "11"]  # 2, not a mark
    assert pager(studies / "page" / "11.html") == ["1", "…", "9", "10", "[11]"]
    six = (studies / "page" / "6.html").read_text(encoding="utf-8")
    assert '<a href="../index.html">1</a>' in six and '<a href="11.html">11</a>' in six
    assert '<a href="5.html" rel="prev">Previous page</a>' in six and '<a href="7.html" rel="next">Next page</a>' in six


def test_the_links_to_every_page_of_the_table_are_made_for_a_template_that_asks_for_them():
    from livingreview.render import PageLinks

    links = PageLinks(["studies/index.html", "studies/page/2.html", "studies/page/3.html"],
                      lambda target: f"../{target}", "studies/page/2.html")
    assert len(links) == 3 and list(links) == ["../studies/index.html", "../studies/page/2.html",
                                               "../studies/page/3.html"]
    assert links[-1] == "../studies/page/3.html" and links[1:] == ["../studies/page/2.html", "../studies/page/3.html"]

DRAWER = """
import functools, json, sys
from pathlib import Path
import livingreview.pipeline as pipeline
from livingreview.drawer import draw
from livingreview.cache import Cache
from livingreview.figures import figure_svg
from livingreview.figures.drawing import prepare_matplotlib
from livingreview.parallel import Standby
from livingreview.project import Project

project = Project(Path(sys.argv[1]))
cache = Cache(project.cache)
plan = pipeline.plan(project)
figures = {f"figures/{figure.key}-{copy}.svg": figure  # each figure under several names: many drawings
           for copy in range(6) for edition in plan.figures for figure in edition}
expected = {name: figure_svg(figure) for name, figure in figures.items()}
drawer = Standby(prepare_matplotlib, functools.partial(draw, cache, apart=True))
drawer.give(figures)
drawer.worker.join(timeout=120)
kept = all(cache.drawing(name) == svg for name, svg in expected.items())
print(json.dumps({"bytes": sum(map(len, expected.values())), "exit": drawer.worker.exitcode,
                  "answered": len(drawer.result()), "kept": kept}))
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the drawings are made in this process")
def test_the_drawing_process_ends_as_soon_as_its_drawings_are_kept_not_when_the_build_asks(review):
    """matplotlib's memory is freed while the build goes on: the drawings wait in the cache, not in a pipe.
    (In a fresh interpreter: a process with other threads, as a test run may have, does not fork.)"""
    out = subprocess.run([sys.executable, "-c", DRAWER, str(review)], capture_output=True, text=True, check=True)
    found = json.loads(out.stdout)
    assert found["bytes"] > 1 << 17  # more than a pipe holds: an answer of drawings would wait to be read
    assert found["exit"] == 0  # the process ended by itself, before anything read its answer
    assert found["answered"] == 0 and found["kept"]


def test_the_drawings_the_other_drawing_process_did_not_keep_are_drawn_by_the_first(review, monkeypatch):
    """Half the figures are left to a forked process; where it made none (here: it never ran), the drawing
    process draws them itself, and every drawing is kept."""
    import contextlib

    import livingreview.drawer as drawer
    import livingreview.pipeline as pipeline
    from livingreview.cache import Cache
    from livingreview.figures import figure_svg
    from livingreview.project import Project

    project = Project(review)
    plan = pipeline.plan(project)
    figures = {f"figures/{figure.key}.svg": figure for figure in plan.figures[-1]}
    assert len(figures) >= drawer.DRAWN_APART_FROM
    left: list[object] = []
    monkeypatch.setattr(drawer, "aside", lambda task: left.append(task) or contextlib.nullcontext())
    cache = Cache(project.cache)
    assert drawer.draw(cache, figures, apart=True) == {}  # nothing the cache could not keep
    assert len(left) == 1  # the other process's share was handed over, and never drawn there
    assert all(cache.drawing(name) == figure_svg(figure) for name, figure in figures.items())


def test_drawings_the_cache_cannot_keep_still_reach_the_site(review):
    made = build(review) == 0 and snapshot(review / "site")
    shutil.rmtree(review / "site")
    figures = review / ".cache" / "figures"
    shutil.rmtree(figures)
    figures.write_text("not a folder: no drawing can be kept here\n", encoding="utf-8")
    assert build(review) == 0
    assert snapshot(review / "site") == made


_PART = ["studies", "page", "data", "a.html", "index.html?year=2019", "x#top", ".", "..", ""]


@given(folder=st.lists(st.sampled_from(_PART), max_size=4), target=st.lists(st.sampled_from(_PART), max_size=4),
       slash=st.booleans(), cwd=st.sampled_from(["/", "/srv/review", "/a/b/c"]))
@settings(max_examples=400, deadline=None)
def test_a_link_between_two_site_paths_is_what_posix_relpath_gives_wherever_the_build_runs(folder, target, slash,
                                                                                         cwd):
    from livingreview.render import _relative

    start, path = "/".join(folder) or ".", "/".join(target) + ("/" if slash and target else "")
    _relative.cache_clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "getcwd", lambda: cwd)  # relpath's answer for paths above the root depends on it
        try:
            expected = posixpath.relpath(path, start)
        except ValueError:  # no path at all: relpath refuses it, and so does the link
            with pytest.raises(ValueError):
                _relative(start, path)
            return
        found = _relative(start, path)
    assert found == expected + ("/" if path.endswith("/") and not expected.endswith("/") else "")


class _HeldMemo:
    """A memo of a process that builds again: `again` hands over what the last call made."""

    def __init__(self) -> None:
        self.earlier: Any = None

    def again(self, kind: str, make: Any) -> Any:
        self.earlier = make(self.earlier)
        return self.earlier


_FAMILIES = st.sampled_from(["Ahmed", "ahmed", "Scott", "Ölund", "Ito"])


@settings(max_examples=80, deadline=None)
@given(first=st.lists(st.tuples(_FAMILIES, st.integers(2000, 2003)), min_size=1, max_size=12),
       edits=st.lists(st.tuples(st.integers(0, 11), st.one_of(st.none(), _FAMILIES), st.integers(2000, 2003)),
                      max_size=4))
def test_the_table_order_a_rebuild_takes_from_the_last_is_the_order_sorted_anew(first, edits):
    """In serve, the studies made anew (recoded, retitled, or with another first author or year) take their
    places in the last build's order only where that is the order sorting gives."""
    from livingreview.render import _table_order
    from livingreview.study import Author, Study

    studies = [Study(f"s{i}", f"Title {i}", (Author(family),), year, {}) for i, (family, year) in enumerate(first)]
    memo = _HeldMemo()
    assert _table_order(studies, memo) == sorted(studies, key=lambda s: (s.authors[0].family.casefold(), s.year, s.id))
    for index, family, year in edits:
        index %= len(studies)
        old = studies[index]
        studies[index] = Study(old.id, f"{old.title}!", (Author(family),) if family else old.authors, year, {})
        assert _table_order(studies, memo) == sorted(studies, key=lambda s: (s.authors[0].family.casefold(), s.year,
                                                                           s.id))


def test_the_editions_holding_a_study_are_listed_in_the_editions_order():
    from types import SimpleNamespace

    from livingreview.render import _editions_holding

    def edition(label: str, *ids: str) -> Any:
        return SimpleNamespace(label=label, studies=[SimpleNamespace(id=i) for i in ids])

    held = _editions_holding([edition("1.0", "a", "b"), edition("2.0", "b", "c"), edition("draft", "a", "b", "c", "d")])
    assert held == {"a": ("1.0", "draft"), "b": ("1.0", "2.0", "draft"), "c": ("2.0", "draft"), "d": ("draft",)}
    assert _editions_holding([]) == {}
