"""Releases: frozen editions, refused cases, the changelog and diff, citation files."""

import json
import re
from pathlib import Path

import pytest
import yaml

from livingreview.cli import main
from scratch import make_review, study, write_study


def run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


@pytest.fixture
def review(tmp_path):
    return make_review(tmp_path / "review", [
        study("alpha-2019", 2019, role="peer-support", phases=["delivery"]),
        study("beta-2020", 2020, role="pre-determined", phases=["delivery"]),
    ])


def test_a_release_keeps_its_numbers_after_the_studies_change(review, capsys):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, study("gamma-2021", 2021, role="peer-support", phases=["delivery"]))
    assert run(review, "release", "1.1", "--date", "2026-03-01") == 0
    write_study(review, study("beta-2020", 2020, role="peer-support", phases=["delivery"]))  # after 1.1
    assert run(review, "build") == 0
    site = review / "site"

    first = (site / "v/1.0/index.html").read_text()
    assert "This edition holds 2 studies; 1 describe peer support" in first
    assert "You are reading version 1.0" in first
    assert (site / "v/1.0/studies/alpha-2019.html").exists()
    assert not (site / "v/1.0/studies/gamma-2021.html").exists()

    root = (site / "index.html").read_text()  # the latest release, at the root
    assert "This edition holds 3 studies; 2 describe peer support" in root
    assert "How to cite this version" in root and "Version 1.1, 2026-03-01" in root
    draft = (site / "draft/index.html").read_text()
    assert "Draft edition." in draft and "3 describe peer support" in draft

    changelog = (site / "changelog.html").read_text()
    assert "gamma-2021.html" in changelog
    assert "Peer-worker role: Provider of pre-determined services → Provider of peer support" in changelog
    feed = (site / "feed.xml").read_text()
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


def test_diff_lists_an_added_and_a_recoded_study(review, capsys):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, study("gamma-2021", 2021, role="peer-support", phases=["delivery"]))
    write_study(review, study("beta-2020", 2020, role="peer-support", phases=["delivery"]))
    capsys.readouterr()
    assert run(review, "diff") == 0
    assert capsys.readouterr().out.splitlines() == [
        "## Changes to the evidence: release 1.0 → working tree",
        "",
        "### Studies added (1)",
        "",
        "- Gamma (2021): A study of peer work number gamma-2021 (`gamma-2021`)",
        "",
        "### Studies recoded (1)",
        "",
        "- Beta (2020) (`beta-2020`)",
        "  - Peer-worker role: Provider of pre-determined services → Provider of peer support",
        "",
        "### Headline figures",
        "",
        "| Figure | Before | After |",
        "|---|---|---|",
        "| Included studies | 2 | 3 |",
        "| Service-cycle phases: studies coded | 2 | 3 |",
        "| Service-cycle phases: Delivery | 2 (100.0\u202f%) | 3 (100.0\u202f%) |",
        "| Peer-worker role: studies coded | 2 | 3 |",
        "| Peer-worker role: Provider of pre-determined services | 1 (50.0\u202f%) | 0 (0.0\u202f%) |",
        "| Peer-worker role: Provider of peer support | 1 (50.0\u202f%) | 3 (100.0\u202f%) |",
        "| Co-creation: studies coded | 2 | 3 |",
        "",
    ]


def test_citation_files_describe_the_latest_release(review):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    assert run(review, "release", "1.1", "--date", "2026-02-01", "--doi", "10.5281/zenodo.123") == 0
    cff = yaml.safe_load((review / "CITATION.cff").read_text())
    for key in ("cff-version", "message", "title", "authors", "version", "date-released"):
        assert key in cff
    assert cff["cff-version"] == "1.2.0"
    assert (cff["version"], str(cff["date-released"]), cff["doi"]) == ("1.1", "2026-02-01", "10.5281/zenodo.123")
    assert cff["url"].endswith("/v/1.1/")
    zenodo = json.loads((review / ".zenodo.json").read_text())
    assert zenodo["version"] == "1.1" and zenodo["publication_date"] == "2026-02-01"
    assert zenodo["upload_type"] == "dataset" and zenodo["creators"]


def test_the_flow_diagram_of_a_later_release_counts_the_previous_version(review):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    write_study(review, study("gamma-2021", 2021, role="peer-support", phases=["delivery"]))
    assert run(review, "release", "1.1", "--date", "2026-03-01") == 0
    assert run(review, "build") == 0
    first = (review / "site/v/1.0/figures/prisma.csv").read_text()
    second = (review / "site/v/1.1/figures/prisma.csv").read_text()
    assert "previous version" not in first
    assert "Studies included in the previous version,2" in second
    assert "Studies included in this edition,3" in second


REPO = Path(__file__).resolve().parent.parent


def test_the_repository_holds_a_release_and_its_citation_files_describe_the_latest():
    releases = sorted((REPO / "releases").glob("*.json"))
    assert releases, "the review has a first release made with `build.py release`"
    latest = json.loads(releases[-1].read_text(encoding="utf-8"))
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    zenodo = json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["version"] == latest["version"]
    assert str(cff["date-released"]) == latest["date"]
    assert zenodo["version"] == latest["version"] and zenodo["publication_date"] == latest["date"]
    assert len(latest["studies"]) == len(list((REPO / "studies").glob("*.yaml"))) or latest["version"] != "1.0.0"


def test_the_built_site_shows_the_first_release_at_its_permanent_address(tmp_path):
    import shutil

    root = tmp_path / "repo"
    for name in ("content", "studies", "templates", "releases"):
        shutil.copytree(REPO / name, root / name)
    assert run(root, "build") == 0
    first = sorted((REPO / "releases").glob("*.json"))[0].stem
    page = (root / "site" / "v" / first / "index.html").read_text(encoding="utf-8")
    assert "How to cite this version" in page
    assert f"/v/{first}/" in page and "@misc{" in page
    assert (root / "site" / "v" / first / "studies" / "nelson-2016.html").exists()


def test_release_pages_are_reused_only_while_nothing_they_depend_on_changed(review, capsys):
    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    assert run(review, "build") == 0
    page = review / "site/v/1.0/index.html"
    page.write_text(page.read_text().replace("This edition holds", "Tampered"))
    write_study(review, study("gamma-2021", 2021, role="peer-support", phases=["delivery"]))
    assert run(review, "build") == 0  # a damaged page is not reused: the release is rendered again
    assert "This edition holds 2 studies" in page.read_text()
    assert "This edition holds 3 studies" in (review / "site/draft/index.html").read_text()

    template = review / "templates" / "home.html"
    template.write_text(template.read_text().replace("How to cite this version", "Citing this version"))
    assert run(review, "build") == 0  # a template change reaches the frozen release's pages too
    assert "Citing this version" in page.read_text()
    assert "Citing this version" in (review / "site/index.html").read_text()

    assert run(review, "release", "1.1", "--date", "2026-02-01") == 0
    assert run(review, "build") == 0  # a new edition changes the version switcher of the old one
    assert 'v/1.1/index.html' in page.read_text() or '../1.1/index.html' in page.read_text()


def test_the_latest_release_at_the_root_is_its_own_pages_with_site_links_made_relative_to_each_copy(review):
    import posixpath

    assert run(review, "release", "1.0", "--date", "2026-01-15") == 0
    assert run(review, "build") == 0
    site = review / "site"
    link = re.compile(r'(?:href|src|value)="([^"#?:]*)"')
    for page in ("index.html", "studies/alpha-2019.html", "studies/index.html", "figures/roles.html"):
        at_root = (site / page).read_text(encoding="utf-8")
        at_version = (site / "v/1.0" / page).read_text(encoding="utf-8")
        # Apart from where links lead, the two copies are the same page.
        assert link.sub('""', at_root) == link.sub('""', at_version), page
        root_targets = [posixpath.normpath(posixpath.join(posixpath.dirname(page), t))
                        for t in link.findall(at_root)]
        version_targets = [posixpath.normpath(posixpath.join(posixpath.dirname("v/1.0/" + page), t))
                           for t in link.findall(at_version)]
        assert len(root_targets) == len(version_targets) > 5
        for from_root, from_version in zip(root_targets, version_targets):
            # a link inside the edition stays inside its own copy; a link to the rest of the site
            # (assets, feed, changelog, other editions) leads to the same file from both
            assert from_version in (from_root, "v/1.0/" + from_root), (page, from_root, from_version)
        assert "assets/style.css" in root_targets and "feed.xml" in root_targets
        assert "v/1.0/index.html" in root_targets and "draft/index.html" in root_targets
