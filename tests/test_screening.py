"""Searches and screening as data: validated by check, counted into the update's PRISMA arm, shown on the site,
and frozen with each release. The fixture review's update (tests/fixtures/review/searches and screening) is
small on purpose; every count below is worked out by hand from its files."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURE, parse_diagnostic

from livingreview.cli import main


def run(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def review(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))
    return root


def flow(root: Path, prefix: str = "") -> dict[tuple[str, str], int]:
    rows = csv.DictReader(io.StringIO((root / "site" / prefix / "figures" / "flow.csv").read_text(encoding="utf-8")))
    return {(row["Part"], row["Stage"]): int(row["Records or studies"].replace(",", "")) for row in rows}


def test_the_update_arm_is_counted_from_the_records(review):
    assert run(review, "build")[0] == 0
    counts = flow(review)
    new = {stage: n for (part, stage), n in counts.items() if part == "New studies (update)"}
    # Two searches found 6 + 2 records; 6 are listed as candidates (fox, gray, hill, ives; fox again, jay).
    assert new == {"Records found: database search": 6, "Records found: hand search": 2,
                   "Removed before screening: not candidate articles": 2, "Candidate records listed": 6,
                   "Duplicates removed": 1, "Records screened": 5,
                   "Excluded at screening: not a research article": 2,  # gray and jay (the first screener's word)
                   "Full-text reports assessed": 2,  # fox and hill
                   "Excluded at full text: not about a garden": 1,  # hill
                   "New studies included": 1,  # fox, entered as evans-2019
                   "Records still being screened": 1}  # ives: maybe, not yet read in full


def test_the_flow_diagram_adds_up(review):
    assert run(review, "build")[0] == 0
    counts = flow(review)
    new = {stage: n for (part, stage), n in counts.items() if part == "New studies (update)"}
    found = sum(n for stage, n in new.items() if stage.startswith("Records found:"))
    assert found - new["Removed before screening: not candidate articles"] == new["Candidate records listed"]
    assert new["Candidate records listed"] - new["Duplicates removed"] == new["Records screened"]
    excluded = sum(n for stage, n in new.items() if stage.startswith("Excluded at screening:"))
    assert new["Records screened"] - excluded - new["Records still being screened"] == new["Full-text reports assessed"]
    excluded = sum(n for stage, n in new.items() if stage.startswith("Excluded at full text:"))
    awaiting = new.get("Full texts awaiting classification", 0)
    assert new["Full-text reports assessed"] - excluded - awaiting == new["New studies included"]
    previous = {stage: n for (part, stage), n in counts.items() if part == "Previous studies"}
    assert previous["Studies included in the published review"] == 5  # content/baseline.yaml
    assert previous["of which entered in this edition so far"] == 2  # adams and baker say in_baseline
    total = {stage: n for (part, stage), n in counts.items() if part == "This edition"}
    # evans came from the update; chen and diaz are held from neither: the total adds up all three parts
    assert total["Studies in this edition"] == 5 == 2 + 1 + total[
        "Other studies held (neither in the published review nor from the update's screening)"]


def test_when_the_published_numbers_do_not_add_up_the_diagram_says_so(review):
    assert run(review, "build")[0] == 0
    # the fixture's baseline: 20 assessed, 16 excluded, 5 included: 20 - 16 = 4, not 5
    page = (review / "site" / "figures" / "flow.html").read_text(encoding="utf-8")
    assert "The published numbers do not add up: 20 assessed less 16 excluded is 4, not 5" in page


def test_the_agreement_of_two_screeners_is_computed(review):
    assert run(review, "build")[0] == 0
    page = (review / "site" / "screening.html").read_text(encoding="utf-8")
    row = page.split('<th scope="row">Title and abstract</th>')[1].split("</tr>")[0]
    # fox: include/include; gray: exclude/include. Observed 1/2; by chance (1·2 + 1·0)/4 = 1/2; kappa 0.
    assert "<td>2</td><td>1 (50.0&#8239;%)</td><td>0.00</td>" in row


def test_the_screening_page_lists_every_search_and_record(review):
    assert run(review, "build")[0] == 0
    page = (review / "site" / "screening.html").read_text(encoding="utf-8")
    for record in ("fox-2023", "gray-2023", "hill-2024", "ives-2024", "fox-2023-again", "jay-2023"):
        assert f'id="record-{record}"' in page
    for search in ("2024-06-01-db", "2024-06-02-hand"):
        assert f'id="search-{search}"' in page
    assert 'href="https://example.org/fox-2023"' in page and 'href="studies/evans-2019.html"' in page


@pytest.mark.parametrize("edit, message", [
    (("screening/2024-06-01-db.yaml", "reason: not-research", "reason: boring"), "needs a reason"),
    (("screening/2024-06-01-db.yaml", ", reason: no-garden", ""), "needs a reason"),
    (("screening/2024-06-02-hand.yaml", "duplicate_of: fox-2023", "duplicate_of: nobody-2023"), "nobody-2023"),
    (("screening/2024-06-01-db.yaml", "study: evans-2019", "study: missing-2023"), "missing-2023"),
    (("screening/2024-06-02-hand.yaml", "search: 2024-06-02-hand", "search: 2024-06-09-x"), "2024-06-09-x"),
    (("searches/2024-06-01-db.yaml", "found: 6", "found: 3"), "lists 4 records but says it found 3"),
    (("searches/2024-06-01-db.yaml", "route: database", "route: rumour"), "rumour"),
    (("searches/2024-06-01-db.yaml", "date: 2024-06-01", "date: June"), "not a date"),
    (("screening/2024-06-01-db.yaml", "decision: maybe", "decision: perhaps"), "decision must be one of"),
])
@pytest.mark.parametrize("released", [False, True], ids=["draft", "beside-a-new-release"])
def test_check_refuses_screening_data_that_does_not_hold_together(review, edit, message, released):
    if released:  # a release not yet found valid: the screening files are read in a second process
        assert run(review, "release", "1.0.0", "--date", "2024-07-01")[0] == 0
        shutil.rmtree(review / ".cache")
    name, old, new = edit
    path = review / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, _, err = run(review, "check")
    assert code == 1 and "Traceback" not in err
    assert any(message in line for line in err.splitlines()), err
    for line in err.splitlines()[:-1]:
        parse_diagnostic(line)  # every problem as path:line:column: message


def test_a_later_stage_after_an_exclusion_is_refused(review):
    path = review / "screening" / "2024-06-02-hand.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "      - {stage: full-text, decision: include, "
                                                        "screener: Tester One, date: 2024-06-05}\n", encoding="utf-8")
    code, _, err = run(review, "check")
    assert code == 1 and "jay-2023 was excluded at title-abstract but has a decision at full-text" in err


def test_a_release_freezes_its_screening(review):
    assert run(review, "release", "1.0.0", "--date", "2024-07-01")[0] == 0
    path = review / "screening" / "2024-06-01-db.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "{stage: title-abstract, decision: maybe, screener: Tester One, date: 2024-06-03}",
        "{stage: title-abstract, decision: exclude, reason: no-garden, screener: Tester One, date: 2024-06-03}"),
        encoding="utf-8")
    assert run(review, "build")[0] == 0
    assert flow(review, "v/1.0.0")[("New studies (update)", "Records still being screened")] == 1
    released = (review / "site" / "v" / "1.0.0" / "screening.html").read_text(encoding="utf-8")
    draft = (review / "site" / "draft" / "screening.html").read_text(encoding="utf-8")
    row = '<tr id="record-ives-2024">'
    assert "(not about a garden)" not in released.split(row)[1].split("</tr>")[0]
    assert "(not about a garden)" in draft.split(row)[1].split("</tr>")[0]


def test_the_flow_of_a_version_counts_the_searches_run_since_the_version_before(review):
    """PRISMA 2020 for an updated review: the previous version's studies, and the new studies of this update's
    searches; a search counted in one version is not counted again in the next."""
    assert run(review, "release", "1.0.0", "--date", "2024-07-01")[0] == 0
    assert run(review, "build")[0] == 0
    draft = flow(review, "draft")  # no search since 1.0.0: no update, nothing added otherwise
    assert not any(part == "New studies (update)" for part, _ in draft)
    assert draft[("Previous studies", "Studies in the previous version")] == 5
    assert draft[("This edition", "Studies in this edition")] == 5
    assert not any("otherwise" in stage for _, stage in draft)
    (review / "searches" / "2024-08-01-db.yaml").write_text(
        "id: 2024-08-01-db\ndate: 2024-08-01\nroute: database\nsource: Database One\nquery: \"garden*\"\n"
        "limits: 2024 onwards\nfound: 3\n", encoding="utf-8")
    (review / "screening" / "2024-08-01-db.yaml").write_text(
        "search: 2024-08-01-db\nrecords:\n  - id: kay-2024\n    title: Gardens for all\n    year: 2024\n"
        "    decisions:\n      - {stage: title-abstract, decision: exclude, reason: no-garden, screener: T, "
        "date: 2024-08-02}\n", encoding="utf-8")
    assert run(review, "build")[0] == 0
    new = {stage: n for (part, stage), n in flow(review, "draft").items() if part == "New studies (update)"}
    assert new == {"Records found: database search": 3, "Removed before screening: not candidate articles": 2,
                   "Candidate records listed": 1, "Duplicates removed": 0, "Records screened": 1,
                   "Excluded at screening: not about a garden": 1, "Full-text reports assessed": 0,
                   "New studies included": 0}


def test_a_full_text_not_yet_decided_is_counted_as_awaiting_classification(review):
    path = review / "screening" / "2024-06-01-db.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "{stage: full-text, decision: exclude, reason: no-garden, screener: Tester One, date: 2024-06-05}",
        "{stage: full-text, decision: maybe, screener: Tester One, date: 2024-06-05}"), encoding="utf-8")
    assert run(review, "build")[0] == 0
    counts = flow(review)
    assert counts[("New studies (update)", "Full texts awaiting classification")] == 1  # hill
    assert counts[("New studies (update)", "Full-text reports assessed")] == 2
    assert counts[("New studies (update)", "New studies included")] == 1


def test_an_included_record_becomes_a_study_file_by_one_command(review):
    path = review / "screening" / "2024-06-02-hand.yaml"
    path.write_text(path.read_text(encoding="utf-8") + """  - id: kim-2024
    title: "Gardens on hospital grounds: a trial"
    authors: "Kim, Soo-ah; Lee, J."
    year: 2024
    journal: Journal of Test Fixtures
    doi: 10.5555/kim-2024
    decisions:
      - {stage: title-abstract, decision: include, screener: Tester One, date: 2024-06-03}
      - {stage: full-text, decision: include, screener: Tester One, date: 2024-06-05}
""", encoding="utf-8")
    searches = review / "searches" / "2024-06-02-hand.yaml"
    searches.write_text(searches.read_text(encoding="utf-8").replace("found: 2", "found: 3"), encoding="utf-8")
    code, out, err = run(review, "include", "kim-2024")
    assert code == 0, err
    import yaml

    study = yaml.safe_load((review / "studies" / "kim-2024.yaml").read_text(encoding="utf-8"))
    assert study["title"] == "Gardens on hospital grounds: a trial" and study["doi"] == "10.5555/kim-2024"
    assert study["authors"] == [{"family": "Kim", "given": "Soo-ah"}, {"family": "Lee", "given": "J."}]
    assert "study: kim-2024" in out
    path.write_text(path.read_text(encoding="utf-8") + "    study: kim-2024\n", encoding="utf-8")
    assert run(review, "check")[0] == 0
    assert run(review, "include", "kim-2024")[0] == 1  # a second time: the study exists, nothing written


def test_a_record_not_included_is_refused_by_include(review):
    code, _, err = run(review, "include", "gray-2023")
    assert code == 1 and "not included" in err
    assert run(review, "include", "nobody")[0] == 1


def _git(root: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-C", str(root), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   check=True, capture_output=True)


def _one_more_search_and_decision(review: Path) -> None:
    """Against the fixture: a new search (with one record) and a second screener's decision on ives-2024."""
    (review / "searches" / "2024-07-01-db.yaml").write_text(
        "id: 2024-07-01-db\ndate: 2024-07-01\nroute: database\nsource: Database One\nquery: \"garden*\"\n"
        "limits: 2024 onwards\nfound: 1\n", encoding="utf-8")
    (review / "screening" / "2024-07-01-db.yaml").write_text(
        "search: 2024-07-01-db\nrecords:\n  - id: kay-2024\n    title: Gardens for all\n    year: 2024\n",
        encoding="utf-8")
    path = review / "screening" / "2024-06-01-db.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "      - {stage: title-abstract, decision: maybe, screener: Tester One, date: 2024-06-03}\n",
        "      - {stage: title-abstract, decision: maybe, screener: Tester One, date: 2024-06-03}\n"
        "      - {stage: title-abstract, decision: include, screener: Tester Two, date: 2024-07-02}\n"),
        encoding="utf-8")


def test_diff_says_how_many_searches_and_screening_records_changed_since_the_release(review):
    assert run(review, "release", "1.0.0", "--date", "2024-07-01")[0] == 0
    code, out, _ = run(review, "diff")
    assert code == 0 and "No change to the studies" in out and "Searches and screening" not in out
    _one_more_search_and_decision(review)
    code, out, err = run(review, "diff")
    assert code == 0, err
    lines = out.splitlines()
    section = lines[lines.index("### Searches and screening"):]
    assert section[:6] == ["### Searches and screening", "",
                           "1 search added; 1 screening record added, 1 changed.", "",
                           "- Searches added (1): `2024-07-01-db`",
                           "- Screening records added (1): `kay-2024`"]
    assert section[6] == "- Screening records changed (1): `ives-2024`"
    assert run(review, "build")[0] == 0
    home = (review / "site" / "draft" / "index.html").read_text(encoding="utf-8")  # the page that counts them
    assert "Draft edition: changes not yet released (1 search added; 1 screening record added, 1 changed)" in home
    changelog = (review / "site" / "changelog.html").read_text(encoding="utf-8")
    assert "<p>1 search added; 1 screening record added, 1 changed." in changelog


def test_diff_against_a_git_revision_compares_its_screening_too(review):
    _git(review, "init", "-q")
    _git(review, "add", "-A")
    _git(review, "commit", "-qm", "fixture")
    _one_more_search_and_decision(review)
    (review / "screening" / "2024-06-02-hand.yaml").unlink()  # its two records go
    searches = review / "searches" / "2024-06-02-hand.yaml"
    searches.unlink()
    code, out, err = run(review, "diff", "HEAD")
    assert code == 0, err
    assert "1 search added, 1 removed; 1 screening record added, 1 changed, 2 removed." in out
    assert "- Screening records removed (2): `fox-2023-again`, `jay-2023`" in out
