"""A build that reuses what an earlier build made equals a build from nothing, byte for byte, whatever
was edited in between (studies added, deleted, recoded, retitled; a template, the codebook, a page)."""

from __future__ import annotations

import json
import os
import pydoc
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from conftest import FIXTURE, REPO
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from scratch import make_review, study, write_study

from livingreview import cache as cache_module
from livingreview import content, downloads, load, parallel, pipeline, render, validate
from livingreview.cache import Cache, Inputs, Previous, stats_under
from livingreview.cli import main
from livingreview.project import THEME, Project

START = [study("alpha-2019", 2019, involvement="leading", stages=["planning"]),
         study("beta-2020", 2020, involvement="consulted", stages=["planning", "tending"]),
         study("gamma-2021", 2021, involvement="leading", stages=["building", "tending"])]


def _retitle(root: Path, study_id: str, n: int) -> None:
    path = root / "studies" / f"{study_id}.yaml"
    if path.exists():
        path.write_text(path.read_text(encoding="utf-8").replace("title: ", f"title: Edited {n} ", 1),
                        encoding="utf-8")


def _recode(root: Path, study_id: str, n: int) -> None:
    path = root / "studies" / f"{study_id}.yaml"
    if path.exists():
        value = ("leading", "consulted")[n % 2]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("involvement: leading", f"involvement: {value}")
                        .replace("involvement: consulted", f"involvement: {value}"), encoding="utf-8")


# each family's added studies have titles of their own: two studies of one year may not share a title
TOPICS = {"alpha": ("Seedlings", "Compost", "Rainwater", "Beehives", "Orchards", "Paths"),
          "beta": ("Hedgerows in winter", "Village ponds", "Allotment sheds", "Wildflower verges", "Moss", "Fences"),
          "gamma": ("Rooftop greenhouses", "Community kitchens", "Hospital courtyards", "School plots", "Bees in towns",
                    "Seed libraries")}


def _add(root: Path, study_id: str, n: int) -> None:
    # a second study of the same author and year: both are then lettered a and b
    family = study_id.split("-")[0]
    added = study(f"{family}-2019{'abcdef'[n % 6]}", 2019, involvement="consulted")
    write_study(root, {**added, "title": TOPICS[family][n] + " and the people who tend them"})


def _delete(root: Path, study_id: str, n: int) -> None:
    path = root / "studies" / f"{study_id}.yaml"
    if path.exists() and len(list((root / "studies").glob("*.yaml"))) > 1:
        path.unlink()


def _template(root: Path, study_id: str, n: int) -> None:
    own = root / "templates" / "_study.html"
    own.parent.mkdir(exist_ok=True)
    own.write_text((THEME / "templates" / "_study.html").read_text(encoding="utf-8") + f"<p>Edition note {n}</p>\n",
                   encoding="utf-8")


def _codebook(root: Path, study_id: str, n: int) -> None:
    path = root / "content" / "codebook.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("label: Design", f"label: Design {n}", 1),
                    encoding="utf-8")


def _page(root: Path, study_id: str, n: int) -> None:
    (root / "content" / "pages" / "about.md").write_text(f"---\ntitle: About {n}\nnav: 9\n---\nAbout, {n}.\n",
                                                          encoding="utf-8")


def _home_template(root: Path, study_id: str, n: int) -> None:
    # a review's own home page that lists every study's title, codes and evidence notes as JSON: a retitled
    # study changes it, and a study read back from .cache/ (whose codes and notes are decoded when asked
    # for) is shown as one read from its file
    own = root / "templates" / "home.html"
    own.parent.mkdir(exist_ok=True)
    theme = (THEME / "templates" / "home.html").read_text(encoding="utf-8")
    listing = ("{% for s in edition.studies|sort(attribute='id') %}<p>{{ s.title }} {{ s.codes|tojson }} "
               "{{ s.evidence|script_json }}</p>{% endfor %}")
    own.write_text(theme.replace("{% block main %}", "{% block main %}" + listing, 1), encoding="utf-8")


def _reference(root: Path, study_id: str, n: int) -> None:
    # a reference retitled: content/references.bib is read and checked again, and the references page changes
    path = root / "content" / "references.bib"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title = {A Made-up Review", f"title = {{{n} A Made-up Review", 1), encoding="utf-8")


def _release(root: Path, study_id: str, n: int) -> None:
    # a new version: every page's version switcher changes, and the new release is read (a version not
    # above the latest is refused, and nothing changes)
    main(["--root", str(root), "release", f"1.{n + 1}", "--date", f"2026-02-{10 + n}"])


EDITS = [_retitle, _recode, _add, _delete, _template, _codebook, _page, _home_template, _reference, _release]
edit = st.tuples(st.sampled_from(EDITS), st.sampled_from([s["id"] for s in START]), st.integers(0, 5))


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


# Each example is several builds: a few examples, and no shrinking (the failing edits are printed whole).
@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(st.lists(edit, min_size=1, max_size=3), min_size=1, max_size=3), serving=st.booleans())
@example(rounds=[[(_home_template, "alpha-2019", 0), (_retitle, "alpha-2019", 1)], [(_retitle, "alpha-2019", 2)]],
         serving=False)
@example(rounds=[[(_retitle, "beta-2020", 1)], [(_recode, "beta-2020", 0), (_retitle, "gamma-2021", 2)]],
         serving=True)
@example(rounds=[[(_retitle, "beta-2020", 1)], [(_recode, "beta-2020", 0)]], serving=False)  # the same changes listed
@example(rounds=[[(_retitle, "alpha-2019", 0)], [(_retitle, "alpha-2019", 1)]], serving=False)  # a map lists titles
# The first change after a release marks the draft as changed on every page; then, a change of a study on
# the table's second page changes its first, which names its data's version and counts each filter's studies.
@example(rounds=[[(_retitle, "alpha-2019", 0)], [(_retitle, "gamma-2021", 1)]], serving=False)
@example(rounds=[[(_retitle, "alpha-2019", 0)], [(_recode, "gamma-2021", 0)]], serving=True)
def test_an_incremental_build_equals_a_build_from_nothing(tmp_path_factory, rounds, serving):
    """Each build in a new process, or (`serving`) all in one, as serve builds, with the cache held in memory."""
    with mock.patch("livingreview.render.TABLE_PAGE_SIZE", 2):  # the table on several pages, kept page by page
        _build_and_compare(tmp_path_factory, rounds, serving)


def _build_and_compare(tmp_path_factory, rounds, serving):
    root = make_review(tmp_path_factory.mktemp("incremental") / "review", START)
    assert main(["--root", str(root), "release", "1.0", "--date", "2026-01-15"]) == 0
    project = Project(root)
    held = Cache(project.cache, hold=True, defer=True)  # as serve's: its records written after each build

    def build() -> None:
        if serving:
            pipeline.build(project, previous=Previous(project.cache, project.inputs, project.site, held))
            held.flush()
        else:
            assert main(["--root", str(root), "build"]) == 0

    build()
    for edits in rounds:
        for change, study_id, n in edits:
            change(root, study_id, n)
        build()
    if serving:  # a build in a new process then starts from the records serve wrote
        _recode(root, "beta-2020", 0)
        assert main(["--root", str(root), "build"]) == 0
    fresh = tmp_path_factory.mktemp("fresh") / "review"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    assert main(["--root", str(fresh), "build"]) == 0
    assert _files(root / "site") == _files(fresh / "site")


def test_serve_asks_again_only_about_the_studies_that_changed_and_remakes_a_page_changed_by_hand(tmp_path,
                                                                                                   monkeypatch):
    """In serve, the study pages found unchanged in the last build are given again for the very same studies,
    without a look in the memo, while every one of them is as that build left it; a page changed by hand since
    is made again, and so is every page once the pages around them change."""
    root = make_review(tmp_path / "review", START)
    project = Project(root)
    held = Cache(project.cache, hold=True, defer=True)
    looked_up: list[str] = []
    unchanged = cache_module.KeptPages.unchanged

    def counted(self, study_id, key):
        looked_up.append(study_id)
        return unchanged(self, study_id, key)

    monkeypatch.setattr(cache_module.KeptPages, "unchanged", counted)

    def build() -> list[str]:
        looked_up.clear()
        pipeline.build(project, previous=Previous(project.cache, project.inputs, project.site, held))
        held.flush()
        return sorted(looked_up)

    everyone = ["alpha-2019", "beta-2020", "gamma-2021"]
    assert build() == everyone
    _retitle(root, "alpha-2019", 1)
    assert build() == everyone  # each page was made anew in the last build: looked up in the memo now
    _retitle(root, "alpha-2019", 2)
    assert build() == ["alpha-2019"]
    _retitle(root, "alpha-2019", 3)
    assert build() == ["alpha-2019"]
    (root / "site" / "studies" / "beta-2020.html").write_text("changed by hand", encoding="utf-8")
    _retitle(root, "gamma-2021", 4)
    assert build() == everyone
    (root / "content" / "site.yaml").write_text((root / "content" / "site.yaml").read_text(encoding="utf-8")
                                                .replace('title: "', 'title: "Renamed ', 1), encoding="utf-8")
    assert build() == everyone
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    assert main(["--root", str(fresh), "build"]) == 0
    assert _files(root / "site") == _files(fresh / "site")


# A build in a fresh interpreter (a test run may have other threads, and a process with threads does not
# fork), whose drawing process leaves a line in a file when it gets ready (imports matplotlib), and whose
# build leaves one when it starts the drawing process: whether it gets ready at once.
READIED = """
import sys
from pathlib import Path
import livingreview.drawer as drawer
from livingreview.cli import main

root, readied, late_from = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
drawer.LATE_FROM = late_from
ready, standby = drawer._prepare, drawer.Standby

def prepare():
    with readied.open("a") as marks:
        marks.write("ready\\n")
    ready()

def started(prepare, work, prepare_now=True):
    with readied.open("a") as marks:
        marks.write("at-once\\n" if prepare_now else "when-given\\n")
    return standby(prepare, work, prepare_now)

drawer._prepare, drawer.Standby = prepare, started
sys.exit(main(["--root", str(root), "build"]))
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the drawings are made in the building process")
@pytest.mark.parametrize("large", [False, True])
def test_the_drawer_imports_matplotlib_at_once_only_for_a_small_review_whose_figures_may_change(tmp_path, large):
    """A small review's drawing process gets ready (imports matplotlib) at once when an edit may change a
    figure (a first build, a coding edit), and not at all for a title edit, which changes none. From LATE_FROM
    studies on, it gets ready only once the build knows what to draw; it draws a coding edit's figures all
    the same."""
    root, readied = make_review(tmp_path / "review", START), tmp_path / "readied"

    def build_marks() -> list[str]:
        readied.unlink(missing_ok=True)
        subprocess.run([sys.executable, "-c", READIED, str(root), str(readied), "2" if large else "1000"], check=True,
                       capture_output=True)
        return sorted(readied.read_text().split()) if readied.exists() else []

    # the first build draws every figure
    assert build_marks() == (["ready", "when-given"] if large else ["at-once", "ready"])
    _retitle(root, "beta-2020", 1)
    assert build_marks() == ["when-given"]
    _recode(root, "beta-2020", 0)
    assert build_marks() == (["ready", "when-given"] if large else ["at-once", "ready"])
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    assert main(["--root", str(fresh), "build"]) == 0
    assert _files(root / "site") == _files(fresh / "site")


DRAWN_BY = """
import os, sys
from pathlib import Path
import livingreview.drawer as drawer
import livingreview.figures as figures
from livingreview.cli import main

root, marks, late_from = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
drawer.LATE_FROM = late_from
svg = figures.figure_svg

def recorded(figure):
    with marks.open("a") as out:
        out.write(f"{os.getpid()}\\n")
    return svg(figure)

figures.figure_svg = recorded
sys.exit(main(["--root", str(root), "build"]))
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the drawings are made in the building process")
@pytest.mark.parametrize("large", [False, True])
def test_a_small_reviews_figures_are_drawn_by_two_processes_a_large_ones_by_one(tmp_path, large):
    """A small review's build soon waits for its drawings: they are shared between two processes. A large
    review's build has work enough for both cores until they are done."""
    root, marks = make_review(tmp_path / "review", START), tmp_path / "drawn-by"
    subprocess.run([sys.executable, "-c", DRAWN_BY, str(root), str(marks), "2" if large else "1000"], check=True,
                   capture_output=True)
    drawn_by = marks.read_text().split()
    assert len(drawn_by) == len(list((root / "site" / "figures").glob("*.svg")))  # each figure drawn once
    assert len(set(drawn_by)) == (1 if large else 2)


class _RecordedDrawer:
    """A drawer that records what the build asks of it, and leaves the drawing to the build."""

    def __init__(self, calls: list[str]):
        self.calls = calls

    def get_ready(self) -> None:
        self.calls.append("get ready")

    def give(self, task: Any) -> None:
        self.calls.append("given")

    def done(self) -> bool:
        return True

    def result(self) -> dict[str, bytes]:
        return {}

    def cancel(self) -> None:
        pass


def test_a_first_builds_drawer_gets_ready_once_the_studies_are_read_and_a_rebuilds_does_not(tmp_path, monkeypatch):
    """A first build draws every figure: its drawing process may get ready (import matplotlib) while the build
    works alone after reading the studies. A later build may draw none (a title edit), and is not told to.
    The build begins to remember the studies it found valid as soon as they are read, and ends it after
    giving either drawing process the figures to draw."""
    root, calls = make_review(tmp_path / "review", START), []
    read, keep = pipeline.validate_studies, cache_module.KnownStudies.keep

    def validated(*args: Any, **kwargs: Any) -> Any:
        done = read(*args, **kwargs)
        calls.append("studies read")
        return done

    class Ended:
        def __init__(self, keeping: cache_module.Keeping):
            self.keeping = keeping

        def end(self) -> None:
            calls.append("remembered")
            self.keeping.end()

        def cancel(self) -> None:
            self.keeping.cancel()

    def kept(*args: Any, **kwargs: Any) -> Ended:
        calls.append("remembering")
        return Ended(keep(*args, **kwargs))

    monkeypatch.setattr(pipeline, "validate_studies", validated)
    monkeypatch.setattr(cache_module.KnownStudies, "keep", kept)
    pipeline.build(Project(root), drawer=_RecordedDrawer(calls))
    assert calls == ["studies read", "remembering", "get ready", "given", "remembered"]
    calls.clear()
    _recode(root, "beta-2020", 0)
    pipeline.build(Project(root), drawer=_RecordedDrawer(calls))
    assert calls == ["studies read", "remembering", "given", "remembered"]
    assert (root / "site" / "figures").is_dir()


def _records(root: Path) -> list[list[str]]:
    """The entries of the record of valid studies, shard by shard, without the key (it names the folder)."""
    return [[entry for entry in shard.read_text(encoding="utf-8").split("\x1e")[1:] if entry]
            for shard in sorted((root / ".cache" / "studies").glob("*.txt"))]


def test_the_record_of_valid_studies_written_by_a_forked_process_is_the_one_this_process_writes(tmp_path,
                                                                                            monkeypatch):
    """Many new studies' records are made and written by a forked process while the build cross-checks and
    counts: the record, the site and the next build are as when this process writes it."""
    writers = tmp_path / "writers"
    write = Cache.write_texts

    def written(self: Cache, name: str, *args: Any, **kwargs: Any) -> None:
        if name == "studies":
            with writers.open("a", encoding="utf-8") as file:
                file.write(f"{os.getpid()}\n")
        write(self, name, *args, **kwargs)

    monkeypatch.setattr(Cache, "write_texts", written)
    monkeypatch.setattr(parallel, "_may_fork", lambda: True)  # as in a build's own process (no other thread)
    here = make_review(tmp_path / "here", START)
    assert main(["--root", str(here), "build"]) == 0
    assert writers.read_text(encoding="utf-8").split() == [str(os.getpid())]
    writers.unlink()
    monkeypatch.setattr(cache_module, "_KEEP_BESIDE_FROM", 1)
    beside = make_review(tmp_path / "beside", START)
    assert main(["--root", str(beside), "build"]) == 0
    assert writers.read_text(encoding="utf-8").split() not in ([], [str(os.getpid())])
    assert _records(beside) == _records(here) and len(sum(_records(here), [])) == len(START)
    assert _files(beside / "site") == _files(here / "site")
    with mock.patch("livingreview.validate._validate_one", wraps=validate._validate_one) as checked:
        assert main(["--root", str(beside), "build", "--force"]) == 0
    assert checked.call_count == 0
    assert _files(beside / "site") == _files(here / "site")


def test_studies_found_valid_are_remembered_when_two_of_them_are_the_same(tmp_path):
    """The record of valid studies is begun as soon as every file is found valid: a problem found later by
    comparing the studies (two of one title) leaves them remembered, and is reported again by the next run,
    which does not check the files again."""
    twin = {**START[0], "id": "alpha-2019-twin"}
    root = make_review(tmp_path / "review", [*START, twin])
    with mock.patch("livingreview.validate._validate_one", wraps=validate._validate_one) as checked:
        assert main(["--root", str(root), "check"]) != 0
        assert checked.call_count == len(START) + 1
        assert main(["--root", str(root), "build"]) != 0
        assert checked.call_count == len(START) + 1
    assert not (root / "site").exists()


def test_no_study_is_remembered_while_a_study_file_has_a_problem(tmp_path):
    """A file with a problem leaves the others unremembered too: the next run checks every file."""
    root = make_review(tmp_path / "review", START)
    (root / "studies" / "broken-2020.yaml").write_text("id: broken-2020\ntitle: [unclosed\n", encoding="utf-8")
    with mock.patch("livingreview.validate._validate_one", wraps=validate._validate_one) as checked:
        assert main(["--root", str(root), "build"]) != 0
        first = checked.call_count
        assert main(["--root", str(root), "build"]) != 0
        assert checked.call_count == 2 * first
    assert not (root / ".cache" / "studies").exists()


def test_studies_found_valid_are_remembered_when_the_review_fails_later(tmp_path):
    """A problem found after the studies are checked (a release file, a screening file) leaves them
    remembered: the next run does not check them again."""
    root = make_review(tmp_path / "review", START)
    (root / "releases").mkdir(exist_ok=True)
    (root / "releases" / "2024.1.json").write_text("{not json", encoding="utf-8")
    with mock.patch("livingreview.validate._validate_one", wraps=validate._validate_one) as checked:
        assert main(["--root", str(root), "build"]) != 0
        assert checked.call_count == len(START)
        assert main(["--root", str(root), "build"]) != 0
        assert checked.call_count == len(START)


def test_the_study_pages_are_begun_before_the_table_and_the_downloads_by_a_small_process(tmp_path, monkeypatch):
    """A helper process renders study pages while this one makes the table and the downloads, which no
    helper shares: the pages are begun (`Shared`, which forks the first helper) before those."""
    root, calls, helpers = make_review(tmp_path / "review", START), [], []
    shared, table = render.Shared, render._Renderer.study_table

    def begun(*args: Any, **kwargs: Any) -> Any:
        calls.append("pages")
        helpers.append(kwargs.get("per_helper", parallel.WORKER_ITEMS))
        return shared(*args, **kwargs)

    def tabled(*args: Any, **kwargs: Any) -> Any:
        calls.append("table")
        return table(*args, **kwargs)

    monkeypatch.setattr(render, "Shared", begun)
    monkeypatch.setattr(render._Renderer, "study_table", tabled)
    assert main(["--root", str(root), "build"]) == 0
    assert calls == ["pages", "table"]
    assert helpers == [len(START)]  # one helper may render every page
    # A process that holds much memory is not joined by a helper until it has made those files: every page of
    # its memory that it wrote to while the helper lived would be copied. Each helper renders at most
    # WORKER_ITEMS pages, and ends: what it copied is let go.
    calls.clear()
    helpers.clear()
    monkeypatch.setattr(render, "forks_cheaply", lambda: False)
    assert main(["--root", str(make_review(tmp_path / "again", START)), "build"]) == 0
    assert calls == ["table", "pages"]
    assert helpers == [parallel.WORKER_ITEMS]


def test_a_references_file_found_valid_is_parsed_only_for_a_page_that_cites_it_until_it_changes(tmp_path, capsys):
    root = make_review(tmp_path / "review", START)
    assert main(["--root", str(root), "build"]) == 0
    _retitle(root, "alpha-2019", 1)  # no page that cites a reference is made again
    with mock.patch("livingreview.content._parsed_bibtex", wraps=content._parsed_bibtex) as parsed:
        assert main(["--root", str(root), "build"]) == 0
    assert parsed.call_count == 0
    references = root / "site" / "references.html"
    assert b"Gardening for Tests" in references.read_bytes()
    bib = root / "content" / "references.bib"
    valid = bib.read_text(encoding="utf-8")
    bib.write_text(valid + "@misc{bad-2021,\n  title = {Bad},\n  url = {javascript:alert(1)}\n}\n", encoding="utf-8")
    capsys.readouterr()
    for _ in range(2):  # checked again, and not remembered as valid
        assert main(["--root", str(root), "build"]) != 0
        assert "content/references.bib:" in capsys.readouterr().err
    bib.write_text(valid, encoding="utf-8")
    assert main(["--root", str(root), "build"]) == 0


def test_a_later_build_parses_only_the_yaml_texts_that_changed(tmp_path):
    """What an earlier run parsed (the content, searches and screening files, and each release's copies) is
    read back from .cache/; a new process parses only the study file that was edited, and only once (before
    loading, to learn whether a figure may change; the build reuses that parse), and builds the same site."""
    root = make_review(tmp_path / "review", START)
    assert main(["--root", str(root), "release", "1.0", "--date", "2026-01-15"]) == 0
    assert main(["--root", str(root), "build"]) == 0
    _retitle(root, "alpha-2019", 1)
    with mock.patch.dict(load._READ, clear=True), \
            mock.patch("livingreview.load._load_anew", wraps=load._load_anew) as parsed:  # as in a new process
        assert main(["--root", str(root), "build"]) == 0
    assert [call.args[0].path.name for call in parsed.call_args_list] == ["alpha-2019.yaml"]


def test_what_was_parsed_beside_the_draft_is_not_parsed_again_by_the_next_run(tmp_path):
    """A release not yet found valid is read, with the screening files, in a second process; what that process
    parsed is kept in .cache/ as well: the next run parses only the study file that was edited."""
    root = tmp_path / "review"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))  # with searches and screening
    assert main(["--root", str(root), "release", "1.0", "--date", "2026-01-15"]) == 0
    shutil.rmtree(root / ".cache")  # as in a fresh clone: the release was never found valid here
    assert main(["--root", str(root), "build"]) == 0
    study_file = next((root / "studies").glob("*.yaml"))
    _retitle(root, study_file.stem, 1)
    with mock.patch.dict(load._READ, clear=True), \
            mock.patch("livingreview.load._load_anew", wraps=load._load_anew) as parsed:  # as in a new process
        assert main(["--root", str(root), "build"]) == 0
    assert [call.args[0].path.name for call in parsed.call_args_list] == [study_file.name]


def test_a_build_after_a_check_of_a_fresh_clone_parses_none_of_the_texts_the_check_kept(tmp_path):
    """A check of a fresh clone reads the release in a second process, which hands what it parsed to the first
    to be kept in .cache/: the build that follows parses none of the content, screening and release texts again
    (study files are another record's)."""
    root = tmp_path / "review"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))  # with searches and screening
    assert main(["--root", str(root), "release", "1.0", "--date", "2026-01-15"]) == 0
    shutil.rmtree(root / ".cache")  # as in a fresh clone: the release was never found valid here
    assert subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "check"],
                          capture_output=True, timeout=120).returncode == 0  # in a process of its own, which forks
    with mock.patch.dict(load._READ, clear=True), \
            mock.patch("livingreview.load._load_anew", wraps=load._load_anew) as parsed:  # as in a new process
        assert main(["--root", str(root), "build"]) == 0
    parsed_again = [call.args[0].path for call in parsed.call_args_list]
    assert parsed_again and all(path.parent == root / "studies" for path in parsed_again)


@pytest.mark.parametrize("name, checking, broken", [
    ("codebook.yaml", "livingreview.codebook._codebook_schema", ("kind: single", "kind: singel")),
    ("site.yaml", "livingreview.content._schema_problems", ("short_title: Community gardens", "short_title: [1, 2]")),
])
def test_a_content_file_found_valid_is_not_checked_against_its_schema_again_until_it_changes(tmp_path, capsys, name,
                                                                                            checking, broken):
    root = make_review(tmp_path / "review", START)
    assert main(["--root", str(root), "build"]) == 0
    _retitle(root, "alpha-2019", 1)
    with mock.patch(checking, wraps=pydoc.locate(checking)) as checked:
        assert main(["--root", str(root), "build"]) == 0
    assert checked.call_count == 0
    path = root / "content" / name
    valid = path.read_text(encoding="utf-8")
    assert broken[0] in valid
    path.write_text(valid.replace(broken[0], broken[1], 1), encoding="utf-8")
    capsys.readouterr()
    for _ in range(2):  # checked again, and not remembered as valid
        assert main(["--root", str(root), "build"]) != 0
        assert f"content/{name}:" in capsys.readouterr().err
    path.write_text(valid, encoding="utf-8")
    assert main(["--root", str(root), "build"]) == 0


def test_a_site_file_changed_by_hand_is_made_again(tmp_path):
    root = make_review(tmp_path / "review", START)
    assert main(["--root", str(root), "build"]) == 0
    page = root / "site" / "studies" / "alpha-2019.html"
    made = page.read_bytes()
    page.write_bytes(made.replace(b"</body>", b"<p>changed by hand</p></body>"))
    _retitle(root, "beta-2020", 1)  # the build runs, and keeps what it may
    assert main(["--root", str(root), "build"]) == 0
    assert page.read_bytes() == made


def test_a_site_file_changed_by_hand_during_a_build_is_made_again_by_the_next(tmp_path):
    """The build keeps the old file (it is linked, not written); changed after the build looked at the site,
    it is not recorded as the file the build made."""
    root = make_review(tmp_path / "review", START)
    assert main(["--root", str(root), "build"]) == 0
    page = root / "site" / "studies" / "alpha-2019.html"
    made = page.read_bytes()
    _retitle(root, "beta-2020", 1)
    project = Project(root)
    previous = Previous(project.cache, project.inputs, project.site)  # the build has looked at the site
    page.write_bytes(made.replace(b"</body>", b"<p>changed by hand</p></body>"))
    pipeline.build(project, previous=previous)
    assert b"changed by hand" in page.read_bytes()  # kept: the build did not know
    assert main(["--root", str(root), "build"]) == 0  # no input changed, but the site did
    assert page.read_bytes() == made


def test_an_input_changed_just_after_it_was_digested_is_read_again(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    file = folder / "a.yaml"
    file.write_text("title: one\n")
    cache = Cache(tmp_path / ".cache")
    first = Inputs([folder], cache)
    stat = file.stat()
    file.write_text("title: two\n")  # the same size, and given back the same time
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = Inputs([folder], Cache(tmp_path / ".cache"))
    assert second.files[str(file)] != first.files[str(file)]
    assert second.digest != first.digest


def test_an_input_larger_than_what_is_digested_at_once_is_digested_whole_in_bounded_memory(tmp_path):
    import tracemalloc

    folder = tmp_path / "inputs"
    folder.mkdir()
    data = bytes(range(256)) * 16384  # 4 MiB, many times what is read at once
    (folder / "a.pdf").write_bytes(data)
    (folder / "b.pdf").write_bytes(data)
    (folder / "c.pdf").write_bytes(data[:-1] + b"!")  # differs in its last byte only
    tracemalloc.start()
    try:
        files = Inputs([folder]).files
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert files[str(folder / "a.pdf")] == files[str(folder / "b.pdf")] != files[str(folder / "c.pdf")]
    assert peak < len(data) // 4


def test_an_input_replaced_by_a_link_after_it_was_listed_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("title: secret\n")
    link = tmp_path / "a.yaml"
    link.symlink_to(elsewhere)
    assert cache_module._file_digest(str(link)) is None
    assert cache_module._file_digest(str(elsewhere)) is not None


def test_an_input_digested_long_ago_is_not_read_again_while_its_size_and_time_hold(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    file = folder / "a.yaml"
    file.write_text("title: one\n")
    os.utime(file, ns=(10**18, 10**18))  # modified long before it is digested
    first = Inputs([folder], Cache(tmp_path / ".cache"))
    file.write_text("title: two\n")
    os.utime(file, ns=(10**18, 10**18))
    assert Inputs([folder], Cache(tmp_path / ".cache")).files == first.files  # as git's index trusts it
    os.utime(file, ns=(10**18 + 1, 10**18 + 1))
    assert Inputs([folder], Cache(tmp_path / ".cache")).files != first.files


INPUTS_ON_TWO_CORES = """
import functools, os, sys
from pathlib import Path
import livingreview.cache as cache
import livingreview.parallel as parallel
folder, log = Path(sys.argv[1]), Path(sys.argv[2])
one_process = cache.Inputs([folder], cache.Cache(folder.parent / ".cache-here"))
digest = cache._file_digest
def logged(path):
    with log.open("a") as file:
        file.write(f"{os.getpid()}\\n")
    return digest(path)
cache._file_digest = logged
cache.map_in_parallel = functools.partial(parallel.map_in_parallel, threshold=2, chunk=4)
both = cache.Inputs([folder], cache.Cache(folder.parent / ".cache-both"))
print(len(set(log.read_text().split())), log.read_text().count(str(os.getpid())) < 12)
print((both.files, both.paths, both.digest) == (one_process.files, one_process.paths, one_process.digest))
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing is forked")
def test_a_first_build_digests_its_inputs_on_both_cores_and_finds_what_one_process_finds(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    for n in range(12):
        (folder / f"s{n}.yaml").write_text(f"n: {n}\n" * n)
    (folder / "linked.yaml").symlink_to(folder / "s0.yaml")  # not read: what it is stands for its contents
    out = subprocess.run([sys.executable, "-c", INPUTS_ON_TWO_CORES, str(folder), str(tmp_path / "log")],
                         capture_output=True, text=True, check=True, timeout=120).stdout.split()
    # two processes read the twelve files, this one fewer than all of them; the digests are the same
    assert out == ["2", "True", "True"]


INPUT_STEPS = st.lists(st.tuples(st.sampled_from(["edit", "add", "remove", "link", "nothing"]), st.integers(0, 4),
                                  st.booleans()), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=INPUT_STEPS)
def test_inputs_found_again_by_serve_are_those_found_from_nothing_with_the_same_record(tmp_path_factory, steps):
    """serve looks again only at the input files whose size, time or kind changed since its last build; what it
    finds, and the record of digests it leaves, are those of a look at every file (files edited, added,
    removed, replaced by a link; changed just now, or long enough ago to be recorded)."""
    root = tmp_path_factory.mktemp("review")
    folder = root / "studies"
    folder.mkdir()
    for n in range(3):
        (folder / f"s{n}.yaml").write_text(f"n: {n}\n")
    held = Cache(root / ".cache", hold=True)
    Inputs([folder], held, stats_under([folder]))
    late = False
    for count, (step, n, settled) in enumerate(steps):
        path = folder / f"s{n}.yaml"
        if step == "edit" and path.is_file():
            path.write_text(path.read_text() + f"edit {count}\n")
        elif step == "add":
            path.unlink(missing_ok=True)
            path.write_text(f"added {count}\n")
        elif step == "remove":
            path.unlink(missing_ok=True)
        elif step == "link":
            path.unlink(missing_ok=True)
            path.symlink_to(folder / "s0.yaml")
        # the clock as it reads: every file changed long enough ago to be recorded, or none (until it is late)
        late = late or settled
        with mock.patch.object(cache_module, "_SETTLED_NS", 0 if late else 10**15):
            again = Inputs([folder], held, stats_under([folder]))
            record = Cache(root / ".cache").read_entries("inputs", held.key("inputs"))
            fresh = Inputs([folder], Cache(root / ".cache"))  # rewrites the record where it differs
        assert (again.files, again.paths, again.digest) == (fresh.files, fresh.paths, fresh.digest)
        assert Cache(root / ".cache").read_entries("inputs", held.key("inputs")) == record


# --- Near-identical titles, remembered between runs ---------------------------------------------------------

WORDS = st.sampled_from(["peer", "support", "workers", "in", "mental", "health", "services", "a", "study"])
TITLE = st.lists(WORDS, min_size=2, max_size=8).map(" ".join)
TITLES = st.dictionaries(st.sampled_from([f"studies/s{i}.yaml" for i in range(12)]),
                         st.tuples(st.sampled_from([2020, 2021]), TITLE), max_size=12)


@settings(max_examples=60, deadline=None)
@given(runs=st.lists(TITLES, min_size=1, max_size=4))
def test_remembered_title_pairs_equal_comparing_every_title(tmp_path_factory, runs):
    """Whatever the titles become from run to run (added, removed, retitled, moved to another year), the
    pairs found with the memory of the run before are those found by comparing every title afresh."""
    from livingreview.cache import Cache, KnownTitles
    from livingreview.validate import title_pairs

    cache = Cache(tmp_path_factory.mktemp("titles") / ".cache")
    for titles in runs:
        remembered = KnownTitles(cache, cache.key("titles")).pairs(titles, title_pairs)
        assert remembered == title_pairs(titles, list(titles))


def test_a_copied_study_is_found_by_its_title_once_the_other_is_remembered(tmp_path):
    from livingreview.cache import Cache, KnownTitles
    from livingreview.validate import title_pairs

    cache = Cache(tmp_path / ".cache")
    titles = {"studies/a.yaml": (2020, "peer workers in mental health services"),
              "studies/b.yaml": (2020, "recovery colleges and their students")}
    assert KnownTitles(cache, cache.key("titles")).pairs(titles, title_pairs) == set()
    titles["studies/c.yaml"] = (2020, "peer workers in mental health service")
    assert KnownTitles(cache, cache.key("titles")).pairs(titles, title_pairs) == {("studies/a.yaml", "studies/c.yaml")}
    titles["studies/c.yaml"] = (2021, "peer workers in mental health service")
    assert KnownTitles(cache, cache.key("titles")).pairs(titles, title_pairs) == set()


def test_a_damaged_study_in_the_record_of_valid_studies_is_read_from_its_file_again(tmp_path):
    """A kept study is its record in data/studies.json, as text: one that is not a whole study (damaged,
    or not text) is not used, neither to make the study nor in the download, and is made again."""
    import json

    root = make_review(tmp_path / "review", START)
    assert main(["--root", str(root), "build"]) == 0
    made = _files(root / "site")
    assert json.loads(made["data/studies.json"])["studies"][0]["id"] == "alpha-2019"
    shards = sorted((root / ".cache" / "studies").glob("*.txt"))
    damages = iter(['{"id": "alpha-2019", "title": "cut off', '{"id": "beta-2020"}', '["not", "a", "study"]'])
    for shard in shards:  # entries end with U+001E, the name and texts of one are parted by U+001F
        key, *entries, end = shard.read_text(encoding="utf-8").split("\x1e")
        damaged = ["\x1f".join([*entry.split("\x1f")[:2], next(damages, "{}")]) for entry in entries]
        shard.write_text("\x1e".join([key, *damaged, end]), encoding="utf-8")
    assert next(damages, None) is None
    assert main(["--root", str(root), "build", "--force"]) == 0
    assert _files(root / "site") == made
    kept = [entry.split("\x1f")[2] for shard in shards
            for entry in shard.read_text(encoding="utf-8").split("\x1e")[1:-1]]
    assert len(kept) == len(START) and all(json.loads(text)["id"] for text in kept)


def test_serve_tallies_again_after_a_coding_edit_and_not_after_a_title_edit(tmp_path):
    root = make_review(tmp_path / "review", START)
    project = Project(root)
    held = Cache(project.cache, hold=True)

    def draft() -> tuple[Any, Any]:
        inputs = Previous(project.cache, project.inputs, project.site, held).inputs
        made = pipeline.plan(project, held, inputs)
        return made.context.editions[-1].aggregates, made.figures[-1]

    tallies, figures = draft()
    _retitle(root, "beta-2020", 1)
    assert draft() == (tallies, figures) and draft()[0] is tallies and draft()[1] is figures
    _recode(root, "beta-2020", 0)
    recoded, refigured = draft()
    fresh = pipeline.plan(Project(root))
    assert recoded is not tallies and recoded == fresh.context.editions[-1].aggregates
    assert refigured is not figures and refigured == fresh.figures[-1]


def test_serve_computes_each_figure_again_from_the_one_of_its_last_build(tmp_path):
    """After a coding edit, serve hands each figure's kind what that figure was in its last build (a gap map
    counts again only the studies that moved); a fresh process has no such figure to hand."""
    root = make_review(tmp_path / "review", START)
    project = Project(root)
    held = Cache(project.cache, hold=True)

    def draft(cache: Cache) -> tuple[list[Any], list[Any]]:
        inputs = Previous(project.cache, project.inputs, project.site, cache).inputs
        with mock.patch("livingreview.pipeline.figure_data", wraps=pipeline.figure_data) as computed:
            figures = pipeline.plan(project, cache, inputs).figures[-1]
        return list(figures), [call.args[1].earlier for call in computed.call_args_list]

    figures, handed = draft(held)
    assert handed and all(earlier is None for earlier in handed)
    _recode(root, "beta-2020", 0)
    refigured, handed = draft(held)
    assert [earlier.key for earlier in handed] == [figure.key for figure in refigured]
    assert all(earlier is figure for earlier, figure in zip(handed, figures, strict=True))
    fresh = draft(Cache(project.cache))[1]
    assert fresh and all(earlier is None for earlier in fresh)


def test_serve_keeps_the_tallies_it_counts_but_not_those_it_recounts_and_a_fresh_build_is_right_after(tmp_path):
    """serve writes the tallies' record when it counts them from nothing, not when it recounts them from the
    record after an edit (it holds them); a fresh plan after serve's edits recounts from that record and
    gives the tallies of the studies as they are, and leaves the record as it was while it is only a few
    study files behind."""
    root = make_review(tmp_path / "review", START)
    project = Project(root)
    held = Cache(project.cache, hold=True)
    record = project.cache / "aggregates.json"
    written = _tallies_record(project, held, record)
    _recode(root, "beta-2020", 0)
    recoded = _draft_tallies(project, held)
    assert record.read_bytes() == written
    assert recoded == pipeline.plan(Project(root)).context.editions[-1].aggregates
    _recode(root, "alpha-2019", 1)
    assert _draft_tallies(project, Cache(project.cache)) == pipeline.plan(Project(root)).context.editions[-1].aggregates
    assert record.read_bytes() == written  # two files behind: each counted again by the next build too
    _recode(root, "beta-2020", 1)
    assert _draft_tallies(project, Cache(project.cache)) == pipeline.plan(Project(root)).context.editions[-1].aggregates


def test_a_fresh_plan_writes_the_tallies_record_again_once_it_is_too_far_behind(tmp_path, monkeypatch):
    """Tallies recounted for more study files than RECOUNT_BEHIND_AT_MOST are written again, and the next
    plan counts again only what changed after that."""
    monkeypatch.setattr(cache_module, "RECOUNT_BEHIND_AT_MOST", 1)
    root = make_review(tmp_path / "review", START)
    project = Project(root)
    record = project.cache / "aggregates.json"
    written = _tallies_record(project, Cache(project.cache), record)
    _recode(root, "beta-2020", 0)
    _draft_tallies(project, Cache(project.cache))
    assert record.read_bytes() == written  # one file behind
    _recode(root, "alpha-2019", 1)
    assert _draft_tallies(project, Cache(project.cache)) == pipeline.plan(Project(root)).context.editions[-1].aggregates
    rewritten = record.read_bytes()
    assert rewritten != written  # two files behind: written again
    with mock.patch.object(pipeline, "aggregate", wraps=pipeline.aggregate) as counted:
        _recode(root, "gamma-2021", 1)
        assert _draft_tallies(project, Cache(project.cache)) == \
            pipeline.plan(Project(root)).context.editions[-1].aggregates
    assert counted.call_count == 1  # the fresh plan above; the draft was recounted from the record
    assert record.read_bytes() == rewritten


def _draft_tallies(project: Project, cache: Cache) -> Any:
    inputs = Previous(project.cache, project.inputs, project.site, cache).inputs
    return pipeline.plan(project, cache, inputs).context.editions[-1].aggregates


def _tallies_record(project: Project, cache: Cache, record: Path) -> bytes:
    _draft_tallies(project, cache)
    return record.read_bytes()


def _serve_build(project: Project, held: Cache) -> None:
    pipeline.build(project, previous=Previous(project.cache, project.inputs, project.site, held))


def _study_files_read(build: Any) -> list[str]:
    with mock.patch("livingreview.validate.read_yaml", wraps=load.read_yaml) as read:
        build()
    return [call.args[0].name for call in read.call_args_list]


def test_serve_started_without_a_record_of_valid_studies_makes_again_only_the_json_of_the_edited_batch(tmp_path):
    """data/studies.json in serve: a study's JSON record is made for a batch joined again only, whether or not
    the loader had the study's record as text (a fresh clone's serve reads every file: it has none, and the
    downloads read back the records its first build wrote to the record of valid studies)."""
    root = make_review(tmp_path / "review", START)
    project = Project(root)
    held = Cache(project.cache, hold=True)

    def made() -> list[str]:
        with mock.patch.object(downloads, "_BATCH", 1), \
                mock.patch("livingreview.downloads.study_json", wraps=downloads.study_json) as json_of:
            _serve_build(project, held)
        return sorted(call.args[0].id for call in json_of.call_args_list)

    assert made() == []
    _retitle(root, "beta-2020", 1)
    assert made() == ["beta-2020"]
    record = json.loads((root / "site" / "data" / "studies.json").read_text(encoding="utf-8"))
    assert [entry["title"].startswith("Edited 1 ") for entry in record["studies"]] == [False, True, False]


def test_a_first_build_makes_each_studys_json_once_and_the_downloads_read_it_back(tmp_path, monkeypatch):
    """A first build writes each study's JSON record to the record of valid studies; data/studies.json takes
    them from there, byte for byte what making them again gives."""
    root = make_review(tmp_path / "review", START)
    with mock.patch("livingreview.downloads.study_json", wraps=downloads.study_json) as json_of:
        assert main(["--root", str(root), "build"]) == 0
    assert json_of.call_count == 0
    again = make_review(tmp_path / "again", START)
    monkeypatch.setattr(Cache, "placed_texts", lambda self, entry, where: None)  # the shards cannot be read back
    with mock.patch("livingreview.downloads.study_json", wraps=downloads.study_json) as json_of:
        assert main(["--root", str(again), "build"]) == 0
    assert json_of.call_count == len(START)
    assert (root / "site" / "data" / "studies.json").read_bytes() == \
        (again / "site" / "data" / "studies.json").read_bytes()


def test_serve_reads_again_only_the_study_files_changed_since_its_last_build(tmp_path):
    """serve holds the studies it read: after an edit it reads the edited file alone, even with the record of
    valid studies gone from .cache/; a file that now has a problem is reported, and once fixed the site is
    the one a build from nothing makes."""
    root = make_review(tmp_path / "review", START)
    project = Project(root)
    held = Cache(project.cache, hold=True)
    _serve_build(project, held)
    shutil.rmtree(project.cache / "studies")
    _retitle(root, "beta-2020", 1)
    assert _study_files_read(lambda: _serve_build(project, held)) == ["beta-2020.yaml"]
    path = root / "studies" / "gamma-2021.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("year: 2021", "year: twenty"), encoding="utf-8")
    with pytest.raises(pipeline.BuildError) as failed:
        _serve_build(project, held)
    assert {d.path for d in failed.value.diagnostics} == {"studies/gamma-2021.yaml"}
    path.write_text(text.replace("title: ", "title: Fixed ", 1), encoding="utf-8")
    _serve_build(project, held)
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    assert main(["--root", str(fresh), "build"]) == 0
    assert _files(root / "site") == _files(fresh / "site")


def test_a_study_file_serve_read_again_is_in_the_record_a_new_process_reads(tmp_path):
    """What serve reads again it keeps in .cache/ too: a check in a new process then reads no study file."""
    root = make_review(tmp_path / "review", START)
    project = Project(root)
    held = Cache(project.cache, hold=True)
    _serve_build(project, held)
    _retitle(root, "alpha-2019", 1)
    assert _study_files_read(lambda: _serve_build(project, held)) == ["alpha-2019.yaml"]
    with mock.patch.dict(load._READ, clear=True):
        assert _study_files_read(lambda: pipeline.check(project)) == []


def test_serve_looks_every_study_up_again_when_the_folder_lists_other_names(tmp_path):
    """Anything added to studies/ is noticed as a build from nothing notices it: a file that is no study file,
    and a folder (which holds no file, and so is no input whose digest could change), once a study is edited."""
    root = make_review(tmp_path / "review", START)
    project = Project(root)
    held = Cache(project.cache, hold=True)
    _serve_build(project, held)
    (root / "studies" / "notes.txt").write_text("not a study\n", encoding="utf-8")
    with pytest.raises(pipeline.BuildError) as failed:
        _serve_build(project, held)
    assert [d.path for d in failed.value.diagnostics] == ["studies/notes.txt"]
    (root / "studies" / "notes.txt").unlink()
    _serve_build(project, held)
    (root / "studies" / "drafts").mkdir()
    _retitle(root, "alpha-2019", 1)
    with pytest.raises(pipeline.BuildError) as failed:
        _serve_build(project, held)
    assert [d.path for d in failed.value.diagnostics] == ["studies/drafts"]


def test_a_studys_row_is_made_again_only_after_its_study_changed_wherever_the_last_edits_were(tmp_path):
    """The table's data is kept by batch: a study's row in a batch kept whole is not asked for, and must still be
    in the memo of rows when a later edit changes another study of its batch."""
    studies = [study(f"s{n}-{2001 + n}", 2001 + n, involvement="leading", stages=["planning"]) for n in range(6)]
    root = make_review(tmp_path / "review", [{**s, "title": f"Topic {n} of the people"} for n, s in enumerate(studies)])

    def rows_made_by_a_build() -> set[str]:
        made: list[str] = []
        whole = render._Positions.__call__

        def positions(self: render._Positions, study_id: str) -> list:
            made.append(study_id)
            return whole(self, study_id)

        with mock.patch.object(render, "_SCRIPT_BATCH", 2), mock.patch.object(render._Positions, "__call__", positions):
            assert main(["--root", str(root), "build"]) == 0
        return set(made)

    assert len(rows_made_by_a_build()) == 6
    for edited in ("s0-2001", "s4-2005", "s1-2002", "s5-2006"):  # in the table's order: s0 s1 | s2 s3 | s4 s5
        _retitle(root, edited, 1)
        assert rows_made_by_a_build() == {edited}
