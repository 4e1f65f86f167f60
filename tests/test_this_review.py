"""Tests of this repository's own review (its content/, studies/ and releases/), not of the engine.

The engine's tests run on the made-up review in tests/fixtures/review/; these check that the review
this repository publishes passes `check`, holds a release, and builds that release at its address.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
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


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """This review built once, in a copy of its folders: the folder the site is in."""
    root = tmp_path_factory.mktemp("this-review") / "repo"
    for name in ("content", "studies", "templates", "releases"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    assert main(["--root", str(root), "build"]) == 0
    return root


def test_the_built_site_shows_the_first_release_at_its_permanent_address(built):
    root = built
    first = sorted((REPO / "releases").glob("*.json"))[0].stem
    page = (root / "site" / "v" / first / "index.html").read_text(encoding="utf-8")
    assert "How to cite this version" in page
    assert f"/v/{first}/" in page and "@misc{" in page
    assert (root / "site" / "v" / first / "studies" / "nelson-2016.html").exists()


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def findings_of(page: str) -> dict[str, str]:
    """Each finding's label on the consistency page, with its level in words."""
    found = re.findall(r'<h3 id="finding-\d+"><span class="level level-\w+">([^<]+)</span>(.*?)</h3>', page)
    return {text_of(label): level for level, label in found}


def test_the_consistency_page_lists_the_inconsistencies_recorded_from_the_published_review(built):
    """The contradictions, arithmetic errors and rounding differences found in Åkerblom & Ness (2022), and its
    citation errors, each at its level, most serious first (content/baseline.yaml records their quotations)."""
    page = (built / "site" / "draft" / "consistency.html").read_text(encoding="utf-8")
    found = findings_of(page)
    contradictions = {
        "The regions in which the studies were conducted do not exceed the included studies",  # 178 of 172
        "Studies solely in co-production and studies in co-creation do not exceed the included studies",  # 173
        "The research focus of the peer-support studies does not exceed the peer-support studies",  # 146 of 145
        "No outcome study is named under two peer-worker roles",  # O'Connell, Ranzenhofer, Rogers, Agrawal
        "The studies the section names as providers of pre-determined services do not outnumber all such studies",
        "The qualitative peer-support outcome studies the text names are as many as it counts",  # 18 of 19
        "The included studies the text names fall inside its publication window and its search dates",  # 2022
    }
    arithmetic = {"Full texts assessed, less those excluded, plus the studies the text adds from reference lists, "
                  "experts and scanning, give the included studies"}  # 445 - 273 + 6 + 2 + 3 = 183, not 172
    arithmetic |= {f"Printed percentage of “{region}”" for region in (
        "Oceania", "Great Britain", "Canada", "Europe excluding Great Britain",
        "Co-production only (point of service delivery)")}  # 20.9, 14.0, 8.7, 11.0, 97.1 printed otherwise
    rounding = {f"Printed percentage of “{name}”" for name in ("United States", "Asia", "Co-creation")}
    assert found == {**{label: "Contradiction" for label in contradictions},
                     **{label: "Arithmetic error" for label in arithmetic},
                     **{label: "Rounding difference" for label in rounding}}
    order = list(found.values())
    assert order == sorted(order, key=["Contradiction", "Arithmetic error", "Rounding difference"].index)
    summary = text_of(page[page.index('id="summary"'): page.index('id="findings"')])
    assert "7 contradictions" in summary and "6 arithmetic errors" in summary and "3 rounding differences" in summary
    citations = text_of(page[page.index('id="citations"'): page.index('id="published"')])
    for cited in ("World Health Organization, 2022", "Chrisholm & Petrakis, 2020", "Jones & Pietila, 2020",
                  "Jones et al., 2020", "Wusinisch et al., 2020", "Meerkerk & Edelenbos, 2018", "Park, 2020"):
        assert cited in citations
    assert "7 errors of citation or reference list" in summary


def test_every_quotation_of_the_checks_is_on_the_consistency_page(built):
    """Each check and citation error shows the published sentences it concerns."""
    page = text_of((built / "site" / "draft" / "consistency.html").read_text(encoding="utf-8"))
    baseline = yaml.safe_load((REPO / "content" / "baseline.yaml").read_text(encoding="utf-8"))
    quotes = [s["quote"] for check in baseline["checks"] for s in check.get("statements", [])]
    quotes += [c["quote"] for check in baseline["checks"] for c in check.get("cited", []) + check.get("categories", [])
               if "quote" in c]
    quotes += [c["quote"] for c in baseline["citations"]]
    assert len(quotes) > 40
    missing = [quote for quote in quotes if f"“{' '.join(quote.split())}”" not in page]
    assert missing == []
