"""Tests of this repository's own review (its content/, studies/ and releases/), not of the engine.

The engine's tests run on the made-up review in tests/fixtures/review/; these check that the review
this repository publishes passes `check`, holds a release, and builds that release at its address.
"""

from __future__ import annotations

import json
import re
import shutil

import yaml
from conftest import REPO

from livingreview.cli import main


def test_the_real_review_passes_check(run_check):
    result = run_check(REPO)
    assert result.code == 0, result.err
    studies = len(list((REPO / "studies").glob("*.yaml")))
    assert re.fullmatch(rf"check: {studies} studies valid against content/codebook\.yaml \(\d+ fields\); "
                        r"content, figures and releases checked; no problems\n", result.out)


def test_the_repository_holds_a_release_and_its_citation_files_describe_the_latest():
    releases = sorted((REPO / "releases").glob("*.json"))
    assert releases, "the review has a first release made with `livingreview release`"
    latest = json.loads(releases[-1].read_text(encoding="utf-8"))
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    zenodo = json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0" and cff["version"] == latest["version"]
    assert str(cff["date-released"]) == latest["date"]
    assert zenodo["version"] == latest["version"] and zenodo["publication_date"] == latest["date"]
    assert len(latest["studies"]) == len(list((REPO / "studies").glob("*.yaml"))) or latest["version"] != "1.0.0"


def test_the_built_site_shows_the_first_release_at_its_permanent_address(tmp_path):
    root = tmp_path / "repo"
    for name in ("content", "studies", "templates", "releases"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    assert main(["--root", str(root), "build"]) == 0
    first = sorted((REPO / "releases").glob("*.json"))[0].stem
    page = (root / "site" / "v" / first / "index.html").read_text(encoding="utf-8")
    assert "How to cite this version" in page
    assert f"/v/{first}/" in page and "@misc{" in page
    assert (root / "site" / "v" / first / "studies" / "nelson-2016.html").exists()


def test_the_home_pages_key_messages_are_counted_from_the_studies(tmp_path):
    root = tmp_path / "repo"
    for name in ("content", "studies", "templates", "releases"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    assert main(["--root", str(root), "build"]) == 0
    studies = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((root / "studies").glob("*.yaml"))]
    phases = [s["codes"]["phases"] for s in studies if isinstance(s["codes"].get("phases"), list)]
    early = sum(bool({"commissioning", "design"} & set(p)) and "delivery" in p for p in phases)
    roles = sum(s["codes"].get("role", "not yet coded") != "not yet coded" for s in studies)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (root / "site/draft/index.html").read_text(encoding="utf-8")))
    assert f"in {early} of the {len(phases)} studies coded for the phases" in text
    assert f"It holds {len(studies)} studies; the role of the peer workers is coded for {roles} of them" in text
