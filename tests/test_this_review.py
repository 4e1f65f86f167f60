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


def test_the_home_pages_key_messages_are_counted_from_the_studies(built):
    root = built
    studies = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((root / "studies").glob("*.yaml"))]
    phases = [s["codes"]["phases"] for s in studies if isinstance(s["codes"].get("phases"), list)]
    early = sum(bool({"commissioning", "design"} & set(p)) and "delivery" in p for p in phases)
    roles = sum(s["codes"].get("role", "not yet coded") != "not yet coded" for s in studies)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (root / "site/draft/index.html").read_text(encoding="utf-8")))
    assert f"in {early} of the {len(phases)} studies coded for the phases" in text
    assert f"It holds {len(studies)} studies; the role of the peer workers is coded for {roles} of them" in text


# --- The PRISMA flow, counted again from the files ----------------------------------------------------------
#
# Every number of the flow diagram, recounted here by reading the YAML of searches/ and screening/ (or their
# frozen copies in a release file) with nothing of the engine but its output's labels, and compared with the
# engine's figure data; then the diagram's own sums.

UPDATE, PREVIOUS, TOTAL = "New studies (update)", "Previous studies", "This edition"


def _first(record: dict, stage: str) -> dict | None:
    """The first-listed decision at a stage: the one the review counts."""
    return next((d for d in record.get("decisions", []) if d["stage"] == stage), None)


def recount_update(files: dict[str, str], searches: set[str]) -> dict[str, int]:
    """The update arm of the searches named, from the texts of content/screening.yaml, searches/ and screening/."""
    from collections import Counter

    words = yaml.safe_load(files["screening.yaml"])
    routes = {t["key"]: t["label"] for t in words["routes"]}
    reasons = {t["key"]: t["label"] for t in words["reasons"]}
    first, last = words["stages"][0]["key"], words["stages"][-1]["key"]
    found = Counter()
    for name, text in files.items():
        data = yaml.safe_load(text) if name.startswith("searches/") else None
        if data and data["id"] in searches:
            found[routes[data["route"]]] += data["found"]
    records = [r for name, text in sorted(files.items()) if name.startswith("screening/")
               for r in (yaml.safe_load(text) if yaml.safe_load(text)["search"] in searches else {"records": []})
               ["records"]]
    unique = [r for r in records if "duplicate_of" not in r]
    counts = {f"Records found: {route.lower()}": n for route, n in found.items()}
    counts.update({"Removed before screening: not candidate articles": sum(found.values()) - len(records),
                   "Candidate records listed": len(records), "Duplicates removed": len(records) - len(unique),
                   "Records screened": len(unique)})
    screened_out = Counter(reasons[_first(r, first)["reason"]] for r in unique
                           if _first(r, first) and _first(r, first)["decision"] == "exclude")
    assessed = [r for r in unique if _first(r, last)]
    read_out = Counter(reasons[_first(r, last)["reason"]] for r in assessed if _first(r, last)["decision"] == "exclude")
    counts.update({f"Excluded at screening: {reason.lower()}": n for reason, n in screened_out.items()})
    counts.update({f"Excluded at full text: {reason.lower()}": n for reason, n in read_out.items()})
    counts["Full-text reports assessed"] = len(assessed)
    counts["New studies included"] = sum(_first(r, last)["decision"] == "include" for r in assessed)
    awaiting = sum(_first(r, last)["decision"] == "maybe" for r in assessed)
    undecided = sum(1 for r in unique if not _first(r, first)
                    or _first(r, first)["decision"] == "maybe" and not _first(r, last))
    if awaiting:
        counts["Full texts awaiting classification"] = awaiting
    if undecided:
        counts["Records still being screened"] = undecided
    return counts


def _rows(figure) -> dict[tuple[str, str], int]:
    return {(row[0].text, row[1].text): int(row[2].text.replace(",", "")) for row in figure.rows}


def _flows() -> dict[str, dict[tuple[str, str], int]]:
    """The flow diagram's numbers in every edition the site shows, as the engine computes them."""
    from livingreview.pipeline import plan
    from livingreview.project import Project

    built = plan(Project(REPO))
    return {edition.label if edition.is_release else "draft": _rows(next(f for f in figures if f.kind == "flow"))
            for edition, figures in zip(built.context.editions, built.figures, strict=True) if not edition.is_alias}


def _release(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _search_ids(files: dict[str, str]) -> set[str]:
    return {yaml.safe_load(text)["id"] for name, text in files.items() if name.startswith("searches/")}


def _working_files() -> dict[str, str]:
    files = {"screening.yaml": (REPO / "content" / "screening.yaml").read_text(encoding="utf-8")}
    for folder in ("searches", "screening"):
        files.update({f"{folder}/{p.name}": p.read_text(encoding="utf-8") for p in (REPO / folder).glob("*.yaml")})
    return files


def test_the_flow_of_each_release_is_what_its_frozen_searches_and_screening_count():
    flows = _flows()
    releases = sorted((REPO / "releases").glob("*.json"), key=lambda p: [int(n) for n in p.stem.split(".")])
    figures = yaml.safe_load((REPO / "content" / "figures.yaml").read_text(encoding="utf-8"))["figures"]
    settings = next(f for f in figures if f["kind"] == "flow")
    before: dict | None = None
    for path in releases:
        release = _release(path)
        flow = flows[release["version"]]
        files = release["content"]
        if "screening.yaml" in files:
            new = _search_ids(files) - (_search_ids(before["content"]) if before else set())
            update = {stage: n for (part, stage), n in flow.items() if part == UPDATE}
            assert update == recount_update(files, new), release["version"]
            published = {f["key"]: f["value"] for f in yaml.safe_load(files["baseline.yaml"])["figures"]}
            assert flow[(PREVIOUS, "Records screened")] == published[settings["previous_screened"]]
            assert flow[(PREVIOUS, "Full-text reports assessed")] == published[settings["previous_assessed"]]
            assert flow[(PREVIOUS, "Full-text reports excluded")] == published[settings["previous_excluded"]]
            assert flow[(PREVIOUS, "of which entered in this edition so far")] == sum(
                bool(s.get("in_baseline")) for s in release["studies"])
        if before is not None:
            assert flow[(PREVIOUS, "Studies in the previous version")] == len(before["studies"])
        assert flow[(TOTAL, "Studies in this edition")] == len(release["studies"])
        before = release


def test_the_draft_counts_the_searches_since_the_latest_release_from_the_files():
    """The draft (the working tree) counts the searches of searches/ that no release holds yet, if any."""
    latest = _release(max((REPO / "releases").glob("*.json"), key=lambda p: [int(n) for n in p.stem.split(".")]))
    files = _working_files()
    new = _search_ids(files) - _search_ids(latest["content"])
    draft = _flows()["draft"]
    update = {stage: n for (part, stage), n in draft.items() if part == UPDATE}
    assert update == (recount_update(files, new) if new else {})
    assert draft[(PREVIOUS, "Studies in the previous version")] == len(latest["studies"])
    assert draft[(TOTAL, "Studies in this edition")] == len(list((REPO / "studies").glob("*.yaml")))


def test_the_screening_page_counts_every_search_and_record_of_the_files():
    """The searches-and-screening page counts all the update's searches at once (not only the newest)."""
    from livingreview.pipeline import load_review
    from livingreview.project import Project
    from livingreview.screening import arm

    files = _working_files()
    everything = arm(load_review(Project(REPO)).screening)
    counted = recount_update(files, _search_ids(files))
    assert counted["Candidate records listed"] == everything.identified == 105
    assert counted["Duplicates removed"] == everything.duplicates
    assert counted["Records screened"] == everything.screened
    assert counted["Full-text reports assessed"] == everything.assessed
    assert counted["New studies included"] == everything.included
    assert counted.get("Full texts awaiting classification", 0) == everything.awaiting
    assert sum(n for stage, n in counted.items() if stage.startswith("Records found:")) == sum(
        n for _, n in everything.found)


def test_every_flow_diagram_adds_up():
    for label, flow in _flows().items():
        assert all(n >= 0 for n in flow.values()), (label, flow)
        update = {stage: n for (part, stage), n in flow.items() if part == UPDATE}
        new = update.get("New studies included", 0)
        if update:
            found = sum(n for stage, n in update.items() if stage.startswith("Records found:"))
            assert found - update["Removed before screening: not candidate articles"] == update[
                "Candidate records listed"], label
            assert update["Candidate records listed"] - update["Duplicates removed"] == update["Records screened"]
            screened_out = sum(n for stage, n in update.items() if stage.startswith("Excluded at screening:"))
            assert update["Records screened"] - screened_out - update.get("Records still being screened", 0) == \
                update["Full-text reports assessed"], label
            read_out = sum(n for stage, n in update.items() if stage.startswith("Excluded at full text:"))
            assert update["Full-text reports assessed"] - read_out - update.get(
                "Full texts awaiting classification", 0) == new, label
        if set(flow) == {(TOTAL, "Studies in this edition")}:
            continue  # a version frozen before the diagram had its parts (1.0.0): nothing to add up
        start = flow.get((PREVIOUS, "Studies in the previous version"),
                         flow.get((PREVIOUS, "of which entered in this edition so far"), 0))
        other = sum(n for (part, stage), n in flow.items() if part == TOTAL and stage != "Studies in this edition")
        assert start + new + other == flow[(TOTAL, "Studies in this edition")], label
        if (PREVIOUS, "Studies in the previous version") in flow:
            assert other == 0, (label, "every study of this edition is the previous version's or the update's")
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
