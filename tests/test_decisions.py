"""`livingreview decisions`: the screening decisions of Rayyan, Covidence and ASReview exports recorded on the fixture
review's records (tests/fixtures/screening-exports/, see its README for what is copied and what is hand-made).

The fixture review's records (tests/fixtures/review/screening/): fox-2023 (included, study evans-2019), gray-2023,
hill-2024, ives-2024 (search 2024-06-01-db, 6 found) and fox-2023-again (a duplicate), jay-2023 (search
2024-06-02-hand)."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURE, parse_diagnostic
from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview.cli import main
from livingreview.decisions import decision_text, decisions_command, insert_decisions, read_asreview, tool_of
from livingreview.diagnostics import BuildError
from livingreview.project import Project

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "screening-exports"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))
    return root


def record(root: Path, name: str, record_id: str) -> dict:
    data = yaml.safe_load((root / "screening" / name).read_text(encoding="utf-8"))
    return next(r for r in data["records"] if r["id"] == record_id)


def decided(root: Path, name: str, record_id: str) -> list[tuple]:
    return [(d["stage"], d["decision"], d.get("reason"), d["screener"], str(d["date"]))
            for d in record(root, name, record_id).get("decisions", [])]


def run(root: Path, *files: str, **options) -> tuple[int, str]:
    out = io.StringIO()
    options.setdefault("date", "2024-06-10")
    code = decisions_command(Project(root), [str(EXPORTS / f) for f in files], out=out, **options)
    return code, out.getvalue()


def check(root: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), "check"])
    return code, err.getvalue()


def problems(root: Path, *files: str, **options) -> list[str]:
    with pytest.raises(BuildError) as raised:
        run(root, *files, **options)
    for diagnostic in raised.value.diagnostics:
        parse_diagnostic(str(diagnostic))
    return [d.message for d in raised.value.diagnostics]


def test_rayyan_reasons_and_records_it_cannot_place_are_reported_and_nothing_is_written(review):
    before = {p.name: p.read_bytes() for p in (review / "screening").iterdir()}
    found = problems(review, "rayyan.csv")
    assert any("'wrong setting' is no reason" in m and "--reason 'wrong setting=KEY'" in m for m in found)
    assert any("Seed libraries in community gardens" in m and "--search ID" in m for m in found)
    assert len(found) == 2  # "Not a research article" is the label of not-research: it maps by itself
    assert {p.name: p.read_bytes() for p in (review / "screening").iterdir()} == before


def test_rayyan_decisions_are_recorded_one_per_screener(review):
    code, out = run(review, "rayyan.csv", reasons=["wrong setting=no-garden"], search="2024-06-01-db")
    assert code == 0
    db, hand = "2024-06-01-db.yaml", "2024-06-02-hand.yaml"
    # ives: Tester One's maybe was recorded already (as was Tester One's exclusion of jay); Tester Three's is added
    assert decided(review, db, "ives-2024") == [
        ("title-abstract", "maybe", None, "Tester One", "2024-06-03"),
        ("title-abstract", "include", None, "Tester Three", "2024-06-10")]
    assert decided(review, db, "hill-2024")[-1] == ("title-abstract", "exclude", "no-garden", "Tester Three",
                                                    "2024-06-10")
    assert decided(review, hand, "jay-2023")[-1] == ("title-abstract", "exclude", "not-research", "Tester Three",
                                                     "2024-06-10")
    assert "its reasons: Not a research article" in record(review, hand, "jay-2023")["decisions"][-1]["note"]
    # the row that is no record yet becomes one of the search named, with its decision
    new = yaml.safe_load((review / "screening" / "2024-06-10-01-decisions.yaml").read_text(encoding="utf-8"))
    assert new["search"] == "2024-06-01-db"
    [seed] = new["records"]
    assert (seed["id"], seed["doi"], seed["pmid"], seed["authors"]) == ("quinn-2024", "10.5555/quinn-2024",
                                                                        "39000010", "Quinn, R.; Ortiz, L.")
    assert [(d["decision"], d["screener"]) for d in seed["decisions"]] == [("include", "Tester Three")]
    assert "2 already recorded" in out and "already the study baker-2020" in out and "1 rows without a decision" in out
    assert check(review) == (0, "")


def test_an_import_run_twice_adds_nothing_the_second_time(review):
    options = {"reasons": ["wrong setting=no-garden"], "search": "2024-06-01-db"}
    assert run(review, "rayyan.csv", **options)[0] == 0
    after = {p.name: p.read_bytes() for p in (review / "screening").iterdir()}
    code, out = run(review, "rayyan.csv", **options)
    assert code == 0 and "0 decisions recorded" in out
    assert {p.name: p.read_bytes() for p in (review / "screening").iterdir()} == after


def test_comments_and_layout_of_a_hand_written_file_are_kept(review):
    path = review / "screening" / "2024-06-02-hand.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - id: jay-2023\n",
                                                             "  # read in the printed issue\n  - id: jay-2023\n"),
                    encoding="utf-8")
    original = path.read_text(encoding="utf-8")
    assert run(review, "rayyan.csv", reasons=["wrong setting=no-garden"], search="2024-06-01-db")[0] == 0
    changed = path.read_text(encoding="utf-8")
    added = [line for line in changed.splitlines() if line not in original.splitlines()]
    assert len(added) == 1 and added[0].startswith("      - {stage: title-abstract, decision: exclude")
    assert changed.replace(added[0] + "\n", "") == original


def test_a_decision_that_contradicts_a_recorded_one_is_reported_not_overwritten(review, tmp_path):
    export = tmp_path / "rayyan-conflict.csv"
    export.write_text('key,title,year,authors,notes\nr1,Another opinion on gardens,2023,"Jay, K.",'
                      '"RAYYAN-INCLUSION: {""Tester One""=>""Included""}"\n', encoding="utf-8")
    with pytest.raises(BuildError) as raised:
        decisions_command(Project(review), [str(export)], date="2024-06-10", out=io.StringIO())
    [problem] = raised.value.diagnostics
    assert problem.line == 2 and "recorded as exclude, but the export says include" in problem.message


def test_covidence_lists_give_the_stages_their_names_imply(review):
    code, _ = run(review, "review_1234_excluded_csv_20240610120000.csv", "review_1234_included_csv_20240610120000.csv")
    assert code == 0
    db = "2024-06-01-db.yaml"
    # excluded at full text: it passed the title and abstract; the reason from its Exclusion reason column
    assert decided(review, db, "hill-2024")[-2:] == [
        ("title-abstract", "include", None, "Covidence (consensus)", "2024-06-10"),
        ("full-text", "exclude", "no-garden", "Covidence (consensus)", "2024-06-10")]
    assert decided(review, db, "fox-2023")[-2:] == [
        ("title-abstract", "include", None, "Covidence (consensus)", "2024-06-10"),
        ("full-text", "include", None, "Covidence (consensus)", "2024-06-10")]
    assert check(review) == (0, "")


def test_an_exclusion_without_a_reason_needs_one_named(review):
    irrelevant = "review_1234_irrelevant_csv_20240610120000.csv"
    [message] = problems(review, irrelevant)
    assert "without a reason" in message and "--no-reason KEY" in message
    assert run(review, irrelevant, no_reason="not-research", screener="Team")[0] == 0
    assert decided(review, "2024-06-01-db.yaml", "gray-2023")[-1] == ("title-abstract", "exclude", "not-research",
                                                                       "Team", "2024-06-10")
    assert check(review) == (0, "")


def test_asreview_labels_become_decisions_and_unseen_records_none(review):
    code, out = run(review, "asreview.csv", no_reason="not-research", screener="Tester Four")
    assert code == 0 and "1 rows without a decision" in out
    db = "2024-06-01-db.yaml"
    assert decided(review, db, "fox-2023")[-1] == ("title-abstract", "include", None, "Tester Four", "2024-06-10")
    assert decided(review, db, "gray-2023")[-1][:4] == ("title-abstract", "exclude", "not-research", "Tester Four")
    assert [d[3] for d in decided(review, db, "ives-2024")] == ["Tester One"]


def test_asreviews_own_test_data_is_read():
    text = (EXPORTS / "asreview-generic_partial_labels.csv").read_text(encoding="utf-8")
    assert tool_of(text) == "asreview"
    rows = list(read_asreview(text, "generic_partial_labels.csv", "ASReview"))
    assert [r.votes[0].decision if r.votes else None for r in rows] == [
        "include", "exclude", None, None, "include", "exclude"]
    assert [(a.family, a.given) for a in rows[0].draft.authors] == [("Marx", "Karl"), ("Lindgren", "Astrid")]
    assert rows[1].draft.title == "The title of the reference" and rows[1].draft.year == "2006//"
    assert rows[0].where == "generic_partial_labels.csv:2"


@pytest.mark.parametrize("options, message", [
    ({"stage": "reading"}, "'reading' is not a stage"),
    ({"reasons": ["boring"]}, "is not TEXT=KEY"),
    ({"reasons": ["boring=dull"]}, "is not TEXT=KEY"),
    ({"no_reason": "dull"}, "'dull' is not a reason"),
    ({"search": "2024-06-09-x"}, "not the id of a search"),
    ({"date": "June"}, "not a date"),
])
def test_options_that_name_nothing_of_the_review_are_reported(review, options, message):
    assert any(message in m for m in problems(review, "asreview.csv", **options))


def test_an_export_of_no_known_tool_is_reported_by_the_command_line(review, tmp_path):
    export = tmp_path / "other.csv"
    export.write_text("name,value\na,b\n", encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["--root", str(review), "decisions", str(export)])
    assert code == 1 and "give --tool" in err.getvalue() and "Traceback" not in err.getvalue()


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=100, deadline=None)
@given(screener=_TEXT.filter(lambda s: s.strip()), note=_TEXT, comment=_TEXT, flow=st.booleans())
def test_inserted_decisions_read_back_as_given_whatever_their_text(screener, note, comment, flow):
    """The insertion keeps the file valid YAML holding exactly the decision given, in either layout of the record."""
    comment = comment.replace("\n", " ").replace("\r", " ")
    record = ("  - {id: a-2020, title: A, year: 2020}\n" if flow
              else "  - id: a-2020\n    title: A\n    year: 2020\n")
    text = f"search: s\nrecords:\n{record}  # {comment}\n  - id: b-2021\n    title: B\n    year: 2021\n"
    decision = {"stage": "screen", "decision": "include", "screener": screener, "date": "2024-01-01"}
    if note.strip():
        decision["note"] = note
    data = yaml.safe_load(insert_decisions(text, {0: [decision]}))
    [read] = data["records"][0]["decisions"]
    assert {**read, "date": str(read["date"])} == decision
    assert "decisions" not in data["records"][1]
    assert decision_text(decision).startswith("{stage: screen, decision: include")


_NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\{}|'), min_size=1,
                max_size=20).filter(lambda s: s.strip() == s and s)


@settings(max_examples=100, deadline=None)
@given(votes=st.dictionaries(_NAME, st.sampled_from(["Included", "Excluded", "Maybe"]), min_size=1, max_size=4),
       reasons=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=",|"),
                                min_size=1, max_size=15).filter(lambda s: s.strip() == s and s), max_size=3))
def test_rayyan_notes_give_back_every_screeners_decision(votes, reasons):
    import csv

    from livingreview.decisions import read_rayyan

    notes = "RAYYAN-INCLUSION: {" + ", ".join(f'"{name}"=>"{said}"' for name, said in votes.items()) + "}"
    if reasons:
        notes += " | RAYYAN-EXCLUSION-REASONS: " + ",".join(reasons)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["key", "title", "year", "authors", "notes"],
                                                    ["r1", "A title", "2024", "Doe, J.", notes]])
    [row] = read_rayyan(out.getvalue(), "export.csv", "Someone")
    expected = {"Included": "include", "Excluded": "exclude", "Maybe": "maybe"}
    assert [(v.screener, v.decision) for v in row.votes] == [(n, expected[s]) for n, s in votes.items()]
    assert all(v.reasons == (tuple(reasons) if v.decision == "exclude" else ()) for v in row.votes)
