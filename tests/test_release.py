"""Releases: frozen editions, refused cases, the changelog and diff, citation files."""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scratch import make_review, study, write_study

from livingreview.cli import main
from livingreview.project import THEME
from livingreview.release import _control_characters, may_hold_control_characters


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


# Alpha is led by its community, beta only consulted; gamma (led) is added later, and beta recoded to led.
ALPHA = study("alpha-2019", 2019, involvement="leading", stages=["planning"])
BETA = study("beta-2020", 2020, involvement="consulted", stages=["planning", "tending"])
BETA_LEADING = study("beta-2020", 2020, involvement="leading", stages=["planning", "tending"])
GAMMA = study("gamma-2021", 2021, involvement="leading", stages=["building", "tending"])


@pytest.fixture
def review(tmp_path: Path) -> Path:
    return make_review(tmp_path / "review", [ALPHA, BETA])


def _two_releases_and_a_draft(review: Path) -> None:
    """Version 1.0 (alpha, beta), 1.1 (gamma added), then beta recoded in the draft; built."""
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, GAMMA)
    assert run(review, "release", "1.1", "--date", "2026-03-01") == 0
    write_study(review, BETA_LEADING)  # after 1.1: only in the draft
    assert run(review, "build") == 0


def test_a_release_keeps_its_numbers_after_the_studies_change(review):
    _two_releases_and_a_draft(review)
    site = review / "site"

    first = (site / "v/1.0/index.html").read_text(encoding="utf-8")
    assert "This edition holds 2 studies; 1 are led by their community" in first
    assert "You are reading version 1.0" in first
    assert (site / "v/1.0/studies/alpha-2019.html").exists()
    assert not (site / "v/1.0/studies/gamma-2021.html").exists()

    root = (site / "index.html").read_text(encoding="utf-8")  # the latest release, at the root
    assert "This edition holds 3 studies; 2 are led by their community" in root
    assert "How to cite this version" in root and "Version 1.1, 2026-03-01" in root
    draft = (site / "draft/index.html").read_text(encoding="utf-8")
    assert "Draft edition." in draft and "3 are led by their community" in draft

    changelog = (site / "changelog.html").read_text(encoding="utf-8")
    assert "gamma-2021.html" in changelog
    assert "Community involvement: Consulted → Leading" in changelog
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<title>Version 1.1 released</title>" in feed
    assert "New study: Gamma (2021)" in feed


def test_release_files_are_never_rewritten_and_versions_must_increase(review, capsys):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    frozen = (review / "releases/1.0.json").read_bytes()
    capsys.readouterr()
    assert run(review, "release", "1.0") == 1
    assert "version 1.0 is already released; a frozen release is never rewritten" in capsys.readouterr().err
    assert run(review, "release", "0.9") == 1
    assert "version 0.9 does not sort after the latest release 1.0" in capsys.readouterr().err
    assert run(review, "release", "v2") == 1
    assert "version 'v2' must be numbers separated by dots" in capsys.readouterr().err
    assert run(review, "release", "2.0", "--date", "15/01/2026") == 1
    assert "date '15/01/2026' must be written YYYY-MM-DD" in capsys.readouterr().err
    assert (review / "releases/1.0.json").read_bytes() == frozen
    assert sorted(p.name for p in (review / "releases").iterdir()) == ["1.0.json"]


def test_a_release_is_refused_while_check_fails(review, capsys):
    (review / "studies" / "beta-2020.yaml").write_text("id: beta-2020\n")
    assert run(review, "release", "1.0") == 1
    assert "missing required field 'title'" in capsys.readouterr().err
    assert not (review / "releases").exists() or not list((review / "releases").iterdir())
    assert not (review / "CITATION.cff").exists()


def test_diff_lists_an_added_and_a_recoded_study(review, capsys):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, GAMMA)
    write_study(review, BETA_LEADING)
    capsys.readouterr()
    assert run(review, "diff") == 0
    # Markdown: what a study file holds is escaped, so a title cannot format the comment.
    assert capsys.readouterr().out.splitlines() == [
        "## Changes to the evidence: release 1\\.0 → working tree",
        "",
        "### Studies added (1)",
        "",
        "- Gamma \\(2021\\): A study of a garden, number gamma\\-2021 (`gamma-2021`)",
        "",
        "### Studies corrected or recoded (1)",
        "",
        "- Beta \\(2020\\) (`beta-2020`)",
        "  - Community involvement: Consulted → Leading",
        "",
        "### Headline figures",
        "",
        "| Figure | Before | After |",
        "|---|---|---|",
        "| Included studies | 2 | 3 |",
        "| Garden stages: studies coded | 2 | 3 |",
        "| Garden stages: Planning | 2 \\(100\\.0\u202f%\\) | 2 \\(66\\.7\u202f%\\) |",
        "| Garden stages: Building | 0 \\(0\\.0\u202f%\\) | 1 \\(33\\.3\u202f%\\) |",
        "| Garden stages: Tending | 1 \\(50\\.0\u202f%\\) | 2 \\(66\\.7\u202f%\\) |",
        "| Community involvement: studies coded | 2 | 3 |",
        "| Community involvement: Consulted | 1 \\(50\\.0\u202f%\\) | 0 \\(0\\.0\u202f%\\) |",
        "| Community involvement: Leading | 1 \\(50\\.0\u202f%\\) | 3 \\(100\\.0\u202f%\\) |",
        "| Community\\-led: studies coded | 2 | 3 |",
        "| Community\\-led | 1 \\(50\\.0\u202f%\\) | 2 \\(66\\.7\u202f%\\) |",
        "",
    ]


def test_citation_files_describe_the_latest_release(review):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, GAMMA)
    assert run(review, "release", "1.1", "--date", "2026-02-01", "--doi", "10.5281/zenodo.123") == 0
    cff = yaml.safe_load((review / "CITATION.cff").read_text(encoding="utf-8"))
    for key in ("cff-version", "message", "title", "authors", "version", "date-released"):
        assert key in cff
    assert cff["cff-version"] == "1.2.0"
    assert (cff["version"], str(cff["date-released"]), cff["doi"]) == ("1.1", "2026-02-01", "10.5281/zenodo.123")
    # From the fixture's content/site.yaml.
    assert cff["url"] == "https://example.org/gardens/v/1.1/"
    assert cff["title"] == "Community Gardens and Wellbeing: A Test Review"
    assert cff["authors"] == [{"name": "Test Team"}]
    assert cff["references"][0]["doi"] == "10.5555/made-up-review"
    zenodo = json.loads((review / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["version"] == "1.1" and zenodo["publication_date"] == "2026-02-01"
    assert zenodo["upload_type"] == "dataset" and zenodo["creators"] == [{"name": "Test Team"}]
    assert zenodo["description"].endswith("This version holds 3 studies.")


def test_the_flow_diagram_of_a_later_release_counts_the_previous_version(review):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, GAMMA)
    assert run(review, "release", "1.1", "--date", "2026-03-01") == 0
    assert run(review, "build") == 0
    first = (review / "site/v/1.0/figures/flow.csv").read_text(encoding="utf-8")
    second = (review / "site/v/1.1/figures/flow.csv").read_text(encoding="utf-8")
    assert "previous version" not in first
    assert "This edition,Studies in this edition,2" in first
    assert "Previous studies,Studies in the previous version,2" in second
    # the third study came by hand, not from the update's screening: the diagram says so, and adds up
    assert "This edition,Studies added or removed otherwise,1" in second
    assert "This edition,Studies in this edition,3" in second


def test_a_releases_pages_follow_the_current_templates_and_the_versions_made_after_it(review):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    assert run(review, "build") == 0
    page = review / "site/v/1.0/index.html"
    assert "How to cite this version" in page.read_text(encoding="utf-8")

    template = review / "templates" / "home.html"
    template.parent.mkdir()
    template.write_text((THEME / "templates" / "home.html").read_text(encoding="utf-8")
                        .replace("How to cite this version", "Citing this version"), encoding="utf-8")
    assert run(review, "build") == 0  # a template change reaches the frozen release's pages too
    assert "Citing this version" in page.read_text(encoding="utf-8")
    assert "Citing this version" in (review / "site/index.html").read_text(encoding="utf-8")
    assert "This edition holds 2 studies" in page.read_text(encoding="utf-8")

    write_study(review, GAMMA)
    assert run(review, "release", "1.1", "--date", "2026-02-01") == 0
    assert run(review, "build") == 0  # a new edition changes the version switcher of the old one
    assert '../1.1/index.html' in page.read_text(encoding="utf-8")
    assert "This edition holds 2 studies" in page.read_text(encoding="utf-8")


def test_the_latest_release_at_the_root_is_its_own_pages_with_site_links_made_relative_to_each_copy(review):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    assert run(review, "build") == 0
    site = review / "site"
    link = re.compile(r'(?:href|src|value|data-fallback)="([^"#?:]*)"')
    for page in ("index.html", "studies/alpha-2019.html", "studies/index.html", "figures/ladder.html"):
        at_root = (site / page).read_text(encoding="utf-8")
        at_version = (site / "v/1.0" / page).read_text(encoding="utf-8")
        # Apart from where links lead, the two copies are the same page.
        assert link.sub('""', at_root) == link.sub('""', at_version), page
        root_targets = [posixpath.normpath(posixpath.join(posixpath.dirname(page), t))
                        for t in link.findall(at_root)]
        version_targets = [posixpath.normpath(posixpath.join(posixpath.dirname("v/1.0/" + page), t))
                           for t in link.findall(at_version)]
        assert len(root_targets) == len(version_targets) > 5
        for from_root, from_version in zip(root_targets, version_targets, strict=True):
            # a link inside the edition stays inside its own copy; a link to the rest of the site
            # (assets, feed, changelog, other editions) leads to the same file from both
            assert from_version in (from_root, "v/1.0/" + from_root), (page, from_root, from_version)
        assert "assets/style.css" in root_targets and "feed.xml" in root_targets
        assert f"v/1.0/{page}" in root_targets and f"draft/{page}" in root_targets  # the switcher's choices


def _switcher(page: str) -> dict[str, str]:
    """The version switcher's choices on a page: version label → where it leads."""
    return {label: target for target, label in
            re.findall(r'<option value="([^"]*)" data-edition="([^"]*)"', page)}


def test_the_version_switcher_leads_to_the_same_page_in_each_version(review):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, GAMMA)
    assert run(review, "build") == 0
    site = review / "site"
    draft_study = (site / "draft/studies/alpha-2019.html").read_text(encoding="utf-8")
    assert _switcher(draft_study) == {"1.0": "../../v/1.0/studies/alpha-2019.html",
                                      "draft": "alpha-2019.html"}
    assert _switcher((site / "v/1.0/about.html").read_text(encoding="utf-8"))["draft"] == "../../draft/about.html"
    # A study only in the draft is not in 1.0: there, the study table searches for it.
    gamma = (site / "draft/studies/gamma-2021.html").read_text(encoding="utf-8")
    assert _switcher(gamma)["1.0"] == "../../v/1.0/studies/index.html?q=gamma-2021"
    assert '<a href="../../v/1.0/studies/index.html?q=gamma-2021">1.0</a>' in gamma  # without scripts too


def test_a_page_of_a_version_names_its_lasting_address_and_a_release_its_citation(review):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    assert run(review, "build") == 0
    site = review / "site"
    for copy in ("index.html", "v/1.0/index.html"):  # the root copy points at the version's own address
        page = (site / copy).read_text(encoding="utf-8")
        assert '<link rel="canonical" href="https://example.org/gardens/v/1.0/index.html">' in page
        assert "<title>Home · Gardens · version 1.0</title>" in page or "version 1.0</title>" in page
        assert '<meta name="citation_publication_date" content="2026/01/15">' in page
        assert '<meta name="citation_author" content="' in page
        record = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
        assert record["version"] == "1.0" and record["datePublished"] == "2026-01-15"
        assert record["url"] == "https://example.org/gardens/v/1.0/index.html"
    draft = (site / "draft/index.html").read_text(encoding="utf-8")
    assert "citation_title" not in draft and "application/ld+json" not in draft
    assert '<link rel="canonical" href="https://example.org/gardens/draft/index.html">' in draft
    assert "No change since the latest release" in draft
    assert "Draft edition: no study changed since the latest release" in draft  # the home page says the same


def test_the_changelog_lists_the_studies_a_version_added_and_counts_those_of_the_first(review):
    """A first edition's studies are all new: its entry counts them and points to its table, which lists them
    (as the feed does), so that a large review's changelog does not repeat its table."""
    assert run(review, "build") == 0
    draft = _changelog_section(review, "draft")
    assert "The first edition: its 2 studies are all new" in draft and 'href="studies/index.html"' in draft
    assert "alpha-2019.html" not in draft and "beta-2020.html" not in draft
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, GAMMA)
    assert run(review, "build") == 0
    first = _changelog_section(review, "v1.0")
    assert "its 2 studies are all new" in first and 'href="v/1.0/studies/index.html"' in first
    assert "alpha-2019.html" not in first
    draft = _changelog_section(review, "draft")
    assert "Studies added (1)" in draft and 'href="draft/studies/gamma-2021.html"' in draft


def _changelog_section(review: Path, section: str) -> str:
    page = (review / "site/changelog.html").read_text(encoding="utf-8")
    return re.search(rf'<section class="release" id="{re.escape(section)}">(.*?)</section>', page, re.S).group(1)


def test_the_draft_banner_points_to_what_is_not_yet_released_and_home_counts_it(review):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, GAMMA)
    write_study(review, BETA_LEADING)
    assert run(review, "build") == 0
    banner = re.search(r'<div class="banner banner-draft"[^>]*>(.*?)</div>',
                       (review / "site/draft/about.html").read_text(encoding="utf-8")).group(1)
    # every page says there are changes and links to them; only the home page counts them, so that an edit
    # changing the count does not change every page of the draft
    assert "Changes not yet released" in banner and '<a href="../changelog.html#draft">' in banner
    assert "No change since" not in banner
    changelog = (review / "site/changelog.html").read_text(encoding="utf-8")
    assert 'id="draft"' in changelog and "gamma-2021" in changelog
    home = (review / "site/draft/index.html").read_text(encoding="utf-8")
    assert "Draft edition: changes not yet released (1 study added, 1 corrected or recoded)" in home


def test_each_home_page_says_what_changed_since_the_version_before_it(review):
    _two_releases_and_a_draft(review)
    site = review / "site"

    def currency(page: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", "", (site / page).read_text(encoding="utf-8")).split())

    assert "against version" not in currency("v/1.0/index.html")  # the first version has none before it
    assert "This version, against version 1.0: 1 study added, 0 removed, 0 corrected or recoded" \
        in currency("v/1.1/index.html")
    assert "This draft, against version 1.1: 0 studies added, 0 removed, 1 corrected or recoded" \
        in currency("draft/index.html")


def test_a_title_cannot_close_the_citation_record_script(review):
    settings = review / "content/site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "title:", 'title: "</script><script>alert(1)</script>" #', 1), encoding="utf-8")
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    assert run(review, "build") == 0
    page = (review / "site/v/1.0/index.html").read_text(encoding="utf-8")
    record = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert json.loads(record)["name"] == "</script><script>alert(1)</script>"
    assert "<script>alert" not in page


def test_diff_reports_a_corrected_year_and_doi_although_no_code_changed(review, capsys):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    corrected = {**ALPHA, "year": 2018, "doi": "10.5555/alpha-corrected"}
    write_study(review, corrected)
    capsys.readouterr()
    assert run(review, "diff") == 0
    out = capsys.readouterr().out
    assert "No change" not in out
    assert "### Studies corrected or recoded (1)" in out
    assert "2019 → 2018" in out and "10\\.5555/alpha\\-corrected" in out


def test_each_edition_lists_the_references_of_its_own_bibliography(review):
    """A release keeps the bibliography it was made with; the draft shows references added since."""
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    bib = review / "content" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{later-2026, author = {Later, Lee}, "
                   "title = {A Reference Added After the Release}, year = {2026}}\n", encoding="utf-8")
    assert run(review, "build") == 0
    site = review / "site"
    assert "A Reference Added After the Release" in (site / "draft/references.html").read_text(encoding="utf-8")
    for page in ("v/1.0/references.html", "references.html"):
        listed = (site / page).read_text(encoding="utf-8")
        assert "A Made-up Review of Gardens" in listed and "A Reference Added After the Release" not in listed


def test_a_release_found_valid_is_not_checked_against_the_schemas_again_until_its_file_changes(review, monkeypatch):
    import livingreview.parallel as parallel
    import livingreview.release as release

    monkeypatch.setattr(parallel, "_may_fork", lambda: False)  # the validators asked for are counted here

    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    assert run(review, "build") == 0  # the release is found valid, and that is remembered
    asked: list[str] = []
    validator = release.fast_validator
    monkeypatch.setattr(release, "fast_validator", lambda schema: asked.append(schema) or validator(schema))
    write_study(review, GAMMA)  # the draft changes, the release file does not
    assert run(review, "build") == 0
    assert asked == []
    path = review / "releases" / "1.0.json"
    path.write_bytes(path.read_bytes() + b"\n")  # the same release in other bytes: checked again
    assert run(review, "build") == 0
    assert len(asked) == 2  # the release file's schema, and the schema of a study of its codebook


CALLED_BY = """
import importlib, os, sys
from livingreview.cli import main

root, record, module, name = sys.argv[1:5]
*path, last = name.split(".")
owner = importlib.import_module(module)
for part in path:
    owner = getattr(owner, part)
calling = getattr(owner, last)

def called(*args, **kwargs):
    with open(record, "a") as file:
        file.write(f"{os.getpid()}\\n")
    return calling(*args, **kwargs)

setattr(owner, last, called)
code = main(["--root", root, "check"])
print(os.getpid(), code)
"""


def _check_calling(review: Path, record: Path, module: str, name: str) -> tuple[str, set[str]]:
    """A check of the review in a fresh interpreter (a process with other threads, as a test run may have,
    does not fork): the id of its process, and those of the processes that called `module.name`."""
    done = subprocess.run([sys.executable, "-c", CALLED_BY, str(review), str(record), module, name],
                          capture_output=True, text=True, check=True, timeout=120)
    here, code = done.stdout.splitlines()[-1].split()
    assert code == "0"
    return here, set(record.read_text(encoding="utf-8").split()) if record.exists() else set()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the releases are read here")
def test_releases_not_found_valid_before_are_read_in_another_process_beside_the_draft(review, tmp_path):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    shutil.rmtree(review / ".cache")  # as in a fresh clone: the release was never found valid here
    record = tmp_path / "read-by"
    here, readers = _check_calling(review, record, "livingreview.release", "load_release")
    assert readers and here not in readers
    record.unlink()
    write_study(review, GAMMA)  # the draft changes, the release file does not
    here, readers = _check_calling(review, record, "livingreview.release", "load_release")
    assert readers == {here}  # found valid by the first check: read here, as it costs little


def test_the_latest_release_shown_again_at_the_root_shares_its_figures_computed_once(review, monkeypatch):
    from livingreview import pipeline
    from livingreview.project import Project

    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    computed: list[str] = []
    figures = pipeline._figures
    monkeypatch.setattr(pipeline, "_figures", lambda edition, cache: computed.append(edition.prefix) or
                        figures(edition, cache))
    planned = pipeline.plan(Project(review))
    shown = {edition.prefix: drawn for edition, drawn in zip(planned.context.editions, planned.figures, strict=True)}
    assert sorted(shown) == ["", "draft/", "v/1.0/"]  # 1.0 at v/1.0/ and again at the root
    assert sorted(computed) == ["draft/", "v/1.0/"]
    assert shown[""] is shown["v/1.0/"] and shown["v/1.0/"]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the releases are read here")
def test_a_check_compiles_the_draft_pages_from_what_the_process_beside_generated(review, tmp_path):
    # The process that checks the releases' pages generates the draft's pages' code too: they are mostly the
    # same pages, and this process meanwhile reads the studies. Here they are only compiled by Python.
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    shutil.rmtree(review / ".cache")  # as in a fresh clone: the release was never found valid here
    here, compilers = _check_calling(review, tmp_path / "compiled-by", "livingreview.pages", "_PAGES.compile")
    assert compilers and here not in compilers


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the releases are read here")
def test_a_check_encodes_what_the_process_beside_parsed_where_it_waits_for_that_process(review, tmp_path):
    # The process reading the releases hands over the data of the texts it parsed; the other one, which waits
    # for it anyway, encodes them for .cache/.
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    shutil.rmtree(review / ".cache")
    here, encoders = _check_calling(review, tmp_path / "encoded-by", "livingreview.cache", "_as_json")
    assert encoders == {here}


BESIDE_STARTS_WITH = """
import os, sys
from livingreview import pipeline
from livingreview.cli import main

root, record = sys.argv[1:3]
made = pipeline._Beside.made

def recording(self, pages):
    with open(record, "a") as file:
        file.write(f"{os.getpid()} {'jsonschema_rs' in sys.modules} {'pybtex.database.input.bibtex' in sys.modules}\\n")
    yield from made(self, pages)

pipeline._Beside.made = recording
print(os.getpid(), main(["--root", root, "check"]))
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the releases are read here")
def test_the_libraries_both_processes_of_a_check_read_with_are_imported_before_the_fork(review, tmp_path):
    # The release's schemas and BibTeX are read beside, the draft's here: the libraries are imported once.
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    shutil.rmtree(review / ".cache")
    record = tmp_path / "beside-started-with"
    done = subprocess.run([sys.executable, "-c", BESIDE_STARTS_WITH, str(review), str(record)],
                          capture_output=True, text=True, check=True, timeout=120)
    here, code = done.stdout.splitlines()[-1].split()
    assert code == "0"
    assert [line.split()[1:] for line in record.read_text(encoding="utf-8").splitlines()
            if line.split()[0] != here] == [["True", "True"]]


WITHOUT_PYYAML = """
import sys
sys.modules["yaml"] = None  # importing PyYAML now fails, here and in a process forked from here
from livingreview.cli import main
print(main(["--root", sys.argv[1], "check"]))
"""


def test_a_check_of_files_read_fast_never_imports_pyyaml(review):
    # yaml_fast reads each of the review's files, its baseline's percentages are written as Python writes them,
    # and nothing has a problem to place: PyYAML (14 ms to import) is not needed, in either process.
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    shutil.rmtree(review / ".cache")
    done = subprocess.run([sys.executable, "-c", WITHOUT_PYYAML, str(review)], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.split()[-1:] == ["0"], done.stderr


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the releases are read here")
def test_a_check_reads_the_screening_files_in_the_process_that_reads_the_releases(review, tmp_path):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    shutil.rmtree(review / ".cache")
    here, readers = _check_calling(review, tmp_path / "read-by", "livingreview.pipeline", "_screening_read")
    assert readers and here not in readers


@pytest.mark.parametrize("pages, first", [(True, ["releases", "screening"]), (False, ["screening"])])
def test_a_check_reads_the_releases_before_the_screening_files(review, monkeypatch, pages, first):
    # A check reads the releases first, whose latest holds the screening files' texts, parsed then once; a
    # build reads the screening files first, which the draft needs before the releases.
    from livingreview import pipeline
    from livingreview.project import Project

    read: list[str] = []
    monkeypatch.setattr(pipeline._Beside, "_editions", lambda self: read.append("releases") or [])
    monkeypatch.setattr(pipeline, "_screening_read", lambda project: read.append("screening") or "the files")
    made = pipeline._Beside(Project(review), None, None, None, None).made(pages)
    assert next(made) == "the files" and read == first
    next(made)
    assert read == ["releases", "screening"] if pages else ["screening", "releases"]


def _checked_with_a_draft_line(review: Path, capsys: pytest.CaptureFixture[str], added: str,
                               released: bool = False) -> tuple[int, str]:
    """With a release not yet found valid (checked again, and the draft's pages with it), a check after `added`
    is put at the end of the draft's about page (and with `released`, of the release's too, whose page is then
    the draft's word for word): the line it is on, and what the check reported."""
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    about = review / "content" / "pages" / "about.md"
    text = about.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{added}\n"
    about.write_text(text, encoding="utf-8")
    if released:
        path = review / "releases" / "1.0.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["content"]["pages/about.md"] = text
        path.write_text(json.dumps(data), encoding="utf-8")
    shutil.rmtree(review / ".cache")
    capsys.readouterr()
    assert run(review, "check") == 1
    return text.splitlines().index(added) + 1, capsys.readouterr().err


def test_a_draft_page_compiled_from_the_code_generated_beside_has_its_problem_at_its_line(review, capsys):
    # a page the release holds too: its code is generated beside, where the release's pages are rendered
    line, problems = _checked_with_a_draft_line(review, capsys, "The map: {{ figure('nowhere') }}", released=True)
    assert re.search(rf"(?m)^content/pages/about\.md:{line}:1: .*unknown figure 'nowhere'", problems), problems
    assert re.search(r"releases/1\.0\.json#content/pages/about\.md:\d+:1: .*unknown figure 'nowhere'", problems)


def test_a_draft_page_no_release_holds_is_compiled_where_it_is_rendered_and_reported_at_its_line(review, capsys):
    line, problems = _checked_with_a_draft_line(review, capsys, "The map: {{ figure('nowhere') }}")
    assert re.search(rf"(?m)^content/pages/about\.md:{line}:1: .*unknown figure 'nowhere'", problems), problems
    assert "releases/1.0.json" not in problems


def test_the_code_generated_beside_a_check_is_of_the_draft_pages_a_release_holds_too(review):
    from livingreview import pipeline
    from livingreview.content import page_bodies
    from livingreview.project import Project
    from livingreview.sources import Folder

    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    about = review / "content" / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nA sentence the release does not hold.\n",
                     encoding="utf-8")
    bodies = page_bodies(Folder(review / "content", "content"))
    changed = next(body for body in bodies if "the release does not hold" in body)
    made = pipeline._Beside(Project(review), None, None, None, None).made(True)
    next(made)  # the screening files
    next(made)  # what the draft shows of the latest release
    sources = next(made)
    assert set(sources) == set(bodies) - {changed} and len(bodies) > 1


def test_a_draft_page_that_does_not_compile_is_reported_at_its_line_while_a_release_is_checked(review, capsys):
    # The code generated beside leaves out a page that does not compile: it is compiled here, and fails here.
    line, problems = _checked_with_a_draft_line(review, capsys, "Unclosed: {{ count('involvement'")
    assert re.search(rf"content/pages/about\.md:{line}:1: template error", problems), problems


def test_check_names_the_page_problems_of_a_release_and_of_the_draft_in_one_run(review, capsys):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    path = review / "releases" / "1.0.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["content"]["pages/about.md"] += "{{ count('height', 'tall') }}\n"
    path.write_text(json.dumps(data), encoding="utf-8")  # a release file edited by hand: a problem of its own
    about = review / "content" / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "{{ figure('nowhere') }}\n", encoding="utf-8")
    shutil.rmtree(review / ".cache")  # as in a fresh clone
    capsys.readouterr()
    assert run(review, "check") == 1
    problems = capsys.readouterr().err
    assert re.search(r"releases/1\.0\.json#content/pages/about\.md:\d+:1: .*unknown field 'height'", problems), problems
    assert re.search(r"content/pages/about\.md:\d+:1: .*unknown figure 'nowhere'", problems), problems


def test_a_release_file_edited_to_hold_a_control_character_is_refused_at_its_place(review, capsys):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    assert run(review, "build") == 0  # the release is found valid, and that is remembered
    path = review / "releases" / "1.0.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["studies"][1]["title"] += "\u0007"
    path.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert run(review, "build") == 1
    assert "releases/1.0.json:1:1: /studies/1/title: holds a control character" in capsys.readouterr().err


_CONTROLS = "\x00\x01\x08\x0b\x0c\x1f\x7f\x80\x9f\ufffe\uffff"
_TEXT = st.text(alphabet=st.sampled_from([*_CONTROLS, "a", "é", "\u00a0", "\uffef", "\ufffd", "\\", '"', "/", "\n",
                                          "\t", "u", "b", "f", "0", "7", "\U0001f600"]), max_size=6)
_DATA = st.recursive(_TEXT | st.integers(), lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=8)


@settings(max_examples=500, deadline=None)
@given(data=_DATA, ascii_only=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_release_bytes_not_searched_for_control_characters_hold_none(data, ascii_only, encoding):
    """A release file's data is walked for control characters only where its bytes may hold one: bytes passed
    over hold none, however the file is written."""
    raw = json.dumps(data, ensure_ascii=ascii_only).encode(encoding)
    assert json.loads(raw) == data
    assert may_hold_control_characters(raw) or not _control_characters(data, "")


def test_a_release_without_control_characters_is_not_walked_for_them():
    text = json.dumps({"title": "Peer work – “co-production”\u00a0and café", "notes": "a/b, line\nbreak"},
                      ensure_ascii=False)
    assert not may_hold_control_characters(text.encode("utf-8"))
    for control in ("\u0007", "\u0085", "\uffff", "\u007f", "\b", "\f"):
        assert may_hold_control_characters(json.dumps({"t": control}).encode("utf-8"))
        assert may_hold_control_characters(json.dumps({"t": control}, ensure_ascii=False).encode("utf-8"))


def test_a_checks_plan_holds_the_draft_alone_showing_the_latest_release_as_a_build_does(review):
    from livingreview.cache import Cache
    from livingreview.pipeline import check, plan
    from livingreview.project import Project

    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, GAMMA)
    built = plan(Project(review)).context.editions
    checked = check(Project(review), Cache(review / ".cache")).context.editions
    assert [edition.label for edition in built] == ["1.0", "1.0", "draft"]  # the release, its alias, the draft
    assert [edition.label for edition in checked] == ["draft"]
    draft = checked[0]
    assert (draft.prefix, draft.is_latest, draft.previous_total, draft.previous_searches) == \
        (built[-1].prefix, built[-1].is_latest, built[-1].previous_total, built[-1].previous_searches) == \
        ("draft/", False, 2, built[-1].previous_searches)
    assert draft.aggregates == built[-1].aggregates and draft.aggregates.total == 3
