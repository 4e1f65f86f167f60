"""The consistency checks of a published baseline: each kind of check and each level, on hand-made figures whose
answers are worked out here; validation of content/baseline.yaml's checks and citation errors; and the fixture
review's consistency page."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import FIXTURE, check_quietly, parse_diagnostic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livingreview.citations import citation_year, cited_authors, listed_authors, read_citations
from livingreview.cli import main
from livingreview.consistency import Check, evaluate, read_checks


@dataclass(frozen=True)
class Figure:
    key: str
    value: int
    percent: float | None = None
    of: str | None = None
    percent_decimals: int | None = None

    @property
    def label(self) -> str:
        return self.key.capitalize()


def read(items: list[dict[str, Any]], figures: list[Figure]) -> tuple[tuple[Check, ...], list[str]]:
    """Checks read from plain data, and the problems reported."""
    problems: list[str] = []
    checks = read_checks(items, {f.key for f in figures}, lambda message, where, key: problems.append(message))
    return checks, problems


def outcome(item: dict[str, Any], figures: list[Figure]):
    checks, problems = read([item], figures)
    assert problems == [] and len(checks) == 1
    result = evaluate(figures, checks)
    return (result.findings + result.holding)[0]


SAID = [{"quote": "as the text says", "where": "Results"}]


def window(cited: list[str], until: str = "2020-06-30", end: int = 2020) -> dict[str, Any]:
    return {"kind": "window", "label": "w", "from": 2015, "to": end, "searched_until": until, "statements": SAID,
            "cited": [{"cite": cite, "quote": f"as found ({cite})", "where": "Results"} for cite in cited]}


@pytest.mark.parametrize(("value", "of", "printed", "decimals", "level"), [
    (116, 172, 67.4, 1, None),  # 67.44 rounds to 67.4
    (142, 172, 82.56, 2, None),  # 82.558 rounds to 82.56
    (142, 172, 82.6, 1, None),
    (75, 172, 43.7, 1, "rounding"),  # 43.605: 0.095 from the printed value, within 0.1
    (8, 172, 4.6, 1, "rounding"),  # 4.651 cut, not rounded: 0.051 away
    (2, 5, 40.1, 1, "rounding"),  # exactly one unit of the last digit away
    (15, 172, 8.6, 1, "arithmetic"),  # 8.721: 0.121 away, more than 0.1
    (167, 172, 96.6, 1, "arithmetic"),  # 97.093
    (29, 145, 20, 0, None),  # exactly 20
    (29, 145, 21, 0, "rounding"),  # one unit of a whole percentage
    (29, 145, 22, 0, "arithmetic"),
    (1, 3, 33.30, 2, "arithmetic"),  # 33.333 printed with two decimals: 0.033 away, more than 0.01
])
def test_a_printed_percentage_is_judged_at_the_precision_printed(value, of, printed, decimals, level):
    figures = [Figure("part", value, printed, "whole", decimals), Figure("whole", of)]
    result = evaluate(figures, [])
    [found] = result.findings + result.holding
    assert found.level == level


def test_without_its_written_form_a_percentage_has_the_decimals_of_the_number():
    figures = [Figure("part", 2, 40.1, "whole"), Figure("whole", 5)]
    assert evaluate(figures, []).findings[0].level == "rounding"  # 40.1: one decimal, 0.1 away


def test_a_percentage_of_a_zero_total_or_without_a_denominator_is_not_checked():
    figures = [Figure("part", 0, 10, "whole"), Figure("whole", 0), Figure("alone", 3, 50)]
    result = evaluate(figures, [])
    assert result.findings == () and result.holding == ()


def test_a_sum_that_does_not_add_up_is_an_arithmetic_error():
    figures = [Figure("a", 3), Figure("b", 4), Figure("total", 8), Figure("seven", 7)]
    failed = outcome({"label": "a and b", "sum": ["a", "b"], "equals": "total"}, figures)
    held = outcome({"kind": "sum", "label": "a and b", "sum": ["a", "b"], "equals": "seven"}, figures)
    assert (failed.level, failed.computed) == ("arithmetic", "7")
    assert held.level is None


def test_named_studies_against_their_count_are_a_contradiction_when_they_differ():
    figures = [Figure("trials", 2)]
    three = outcome({"kind": "named", "label": "trials", "count": "trials", "statements": SAID,
                     "named": ["Doe, 2019", "Roe et al., 2020", "Poe & Loe, 2021"]}, figures)
    two = outcome({"kind": "named", "label": "trials", "count": "trials", "statements": SAID,
                   "named": ["Doe, 2019", "Roe et al., 2020"]}, figures)
    assert (three.level, three.computed) == ("contradiction", "3 studies named")
    assert two.level is None


def test_each_step_of_a_selection_follows_from_the_number_stated_before_it():
    figures = [Figure("found", 10), Figure("dropped", 3), Figure("kept", 8), Figure("refused", 2), Figure("in", 6)]
    steps = [{"start": "found"}, {"less": "dropped"}, {"gives": "kept"}, {"less": "refused"}, {"gives": "in"}]
    result = outcome({"kind": "selection", "label": "selection", "steps": steps, "statements": SAID}, figures)
    # 10 - 3 = 7, not the stated 8; from the stated 8, 8 - 2 = 6 as stated: only the first step fails
    assert (result.level, result.computed, result.stated) == ("arithmetic", "7", "8 (Kept)")
    assert "computed 6, stated 6" in " ".join(result.working)


def test_a_selection_that_adds_studies_from_other_routes_is_counted():
    figures = [Figure("assessed", 20), Figure("excluded", 16), Figure("other", 2), Figure("included", 4)]
    steps = [{"start": "assessed"}, {"less": "excluded"}, {"plus": "other"}, {"gives": "included"}]
    result = outcome({"kind": "selection", "label": "s", "steps": steps, "statements": SAID}, figures)
    assert (result.level, result.computed) == ("arithmetic", "6")


@pytest.mark.parametrize(("counts", "named", "level"), [
    ((3, 3), ((), ()), "contradiction"),  # 6 in exclusive categories of 5
    ((2, 1), (("Doe, 2019",), ("Doe, 2019",)), "contradiction"),  # one study in both
    ((2, 1), (("Doe, 2019",), ("Roe, 2020",)), None),
    ((3, 2), ((), ()), None),  # exactly the total
])
def test_exclusive_categories_may_neither_exceed_their_total_nor_share_a_study(counts, named, level):
    figures = [Figure("total", 5), Figure("one", counts[0]), Figure("two", counts[1])]
    categories = [{"figure": key, **({"named": list(names)} if names else {})}
                  for key, names in zip(("one", "two"), named, strict=True)]
    result = outcome({"kind": "overlap", "label": "o", "total": "total", "categories": categories,
                      "statements": SAID}, figures)
    assert result.level == level


def test_a_study_named_outside_the_window_or_after_the_search_is_a_contradiction():
    assert outcome(window(["Doe, 2015", "Roe et al., 2020"]), []).level is None
    assert outcome(window(["Doe, 2014"]), []).level == "contradiction"  # before the window
    assert outcome(window(["Doe, 2021"]), []).level == "contradiction"  # after the window and the search
    # a window that runs past the year the search ended contradicts it, whatever the studies
    assert outcome(window(["Doe, 2016"], until="2018-12-31", end=2019), []).level == "contradiction"


def test_findings_come_most_serious_first_with_a_count_per_level():
    figures = [Figure("a", 1, 34, "whole"), Figure("whole", 3), Figure("b", 3), Figure("c", 2),
               Figure("d", 2, 67, "whole")]  # a: 33.3 printed 34 (rounding); d: 66.7 printed 67 (holds)
    items = [{"label": "sum", "sum": ["b"], "equals": "c"},  # arithmetic
             {"kind": "named", "label": "named", "count": "c", "named": ["Doe, 2019"], "statements": SAID}]
    checks, problems = read(items, figures)
    assert problems == []
    result = evaluate(figures, checks)
    assert [o.level for o in result.findings] == ["contradiction", "arithmetic", "rounding"]
    assert [(level.key, level.count, level.words) for level in result.levels] == [
        ("contradiction", 1, "contradiction"), ("arithmetic", 1, "arithmetic error"),
        ("rounding", 1, "rounding difference")]
    assert [o.level_words for o in result.findings] == ["Contradiction", "Arithmetic error", "Rounding difference"]
    assert [o.label for o in result.holding] == ["Printed percentage of “D”"]


@pytest.mark.parametrize(("item", "expected"), [
    ({"kind": "total", "label": "x"}, "unknown kind of check 'total'"),
    ({"kind": "named", "label": "x", "count": "nowhere", "named": ["Doe, 2019"], "statements": SAID},
     "'nowhere' is not a key of a published figure"),
    ({"kind": "named", "label": "x", "count": "a", "named": ["Doe, 2019", "Doe, 2019"], "statements": SAID},
     "'Doe, 2019' is named twice"),
    ({"kind": "named", "label": "x", "count": "a", "named": ["Doe and others"], "statements": SAID},
     "is not a citation with one year"),
    ({"kind": "named", "label": "x", "count": "a", "named": ["Doe, 2019"]}, "needs `statements:`"),
    ({"kind": "named", "label": "x", "count": "a", "named": ["Doe, 2019"],
      "statements": [{"quote": " ".join(["word"] * 26), "where": "Results"}]}, "the quotation has 26 words"),
    ({"kind": "named", "label": "x", "count": "a", "statements": SAID}, "needs `named:`"),
    ({"kind": "selection", "label": "x", "steps": [{"start": "a"}, {"less": "a"}], "statements": SAID},
     "at least one `gives:`"),
    ({"kind": "selection", "label": "x", "steps": [{"less": "a"}, {"gives": "a"}], "statements": SAID},
     "the first step, and only the first, is `start:`"),
    ({"kind": "window", "label": "x", "from": 2015, "to": 2020, "searched_until": "30 June 2020",
      "statements": SAID, "cited": [{"cite": "Doe, 2019", "quote": "as found (Doe, 2019)", "where": "R"}]},
     "is not a date"),
    ({"kind": "window", "label": "x", "from": 2015, "to": 2020, "searched_until": "2020-06-30",
      "statements": SAID, "cited": [{"cite": "Doe, 2019", "quote": "as found", "where": "R"}]},
     "the quotation must contain the citation"),
    ({**window(["Doe, 2019"]), "from": 2021}, "its first year comes first"),
    ({"label": "x", "sum": ["a"], "equals": "a", "extra": 1}, "has no setting 'extra'"),
    ({"sum": ["a"], "equals": "a"}, "a check needs `label:`"),
])
def test_a_check_that_its_kind_does_not_accept_is_reported(item, expected):
    checks, problems = read([item], [Figure("a", 1)])
    assert checks == ()
    assert any(expected in problem for problem in problems), problems


def citation(**item: Any) -> tuple[tuple, list[str]]:
    problems: list[str] = []
    found = read_citations([item], lambda message, where, key: problems.append(message))
    return found, problems


def test_a_citation_error_is_confirmed_from_its_two_texts():
    [year], _ = citation(kind="year", cited="Doe, 2018", quote="as found (Doe, 2018)", where="R",
                         listed="Doe, J. (2019). Title.")
    assert year.finding == "cited as 2018, listed as 2019"
    [name], _ = citation(kind="name", cited="Smyth & Jones, 2017", quote="(Smyth & Jones, 2017)", where="R",
                         listed="Smith, A., & Jones, B. (2017). Title.")
    assert name.finding == "cited as Smyth, listed as Smith"
    [authors], _ = citation(kind="authors", cited="Doe et al., 2017", quote="(Doe et al., 2017)", where="R",
                            listed="Doe, A., & Roe, B. (2017). Title.")
    assert "the entry lists 2" in authors.finding


@pytest.mark.parametrize(("item", "expected"), [
    ({"kind": "year", "listed": "Doe, J. (2018). Title."}, "do not show this error"),  # the same year
    ({"kind": "name", "listed": "Doe, J. (2018). Title."}, "do not show this error"),  # the same name
    ({"kind": "authors", "listed": "Doe, J. (2018). Title."}, "do not show this error"),  # one author, cited so
    ({"kind": "no-entry", "listed": "Doe, J. (2018). Title."}, "has no setting 'listed'"),
    ({"kind": "entry", "listed": "Doe, J. (2018). Title."}, "needs `note:`"),
    ({"kind": "year"}, "needs `listed:`"),
    ({"kind": "typo"}, "unknown kind of citation error 'typo'"),
    ({"kind": "year", "listed": "Doe, J. (2019). Title.", "quote": "as found"}, "must contain the citation"),
])
def test_a_citation_error_its_texts_do_not_show_is_reported(item, expected):
    found, problems = citation(**{"cited": "Doe, 2018", "quote": "as found (Doe, 2018)", "where": "R", **item})
    assert found == ()
    assert any(expected in problem for problem in problems), problems


FAMILY = st.from_regex(r"[A-Z][a-z]{2,10}", fullmatch=True)
YEAR = st.integers(1900, 2099)


@given(FAMILY, st.lists(FAMILY, max_size=3), YEAR, st.sampled_from(["", "a", "b"]))
def test_an_in_text_citation_gives_its_year_and_authors(first, others, year, letter):
    if len(others) >= 2:
        cited, names, et_al = f"{first} et al., {year}{letter}", [first], True
    elif others:
        cited, names, et_al = f"{first} & {others[0]} ({year}{letter})", [first, others[0]], False
    else:
        cited, names, et_al = f"{first}, {year}{letter}", [first], False
    assert citation_year(cited) == year
    assert cited_authors(cited) == (names, et_al)


@given(st.lists(st.tuples(FAMILY, st.from_regex(r"[A-Z]\.( [A-Z]\.)?", fullmatch=True)), min_size=1, max_size=7),
       YEAR)
def test_a_reference_list_entry_gives_its_authors(authors, year):
    names = [f"{family}, {initials}" for family, initials in authors]
    listed = (names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]) + f" ({year}). Title."
    assert listed_authors(listed) == ([family for family, _ in authors], False)


JSONISH = st.recursive(st.none() | st.booleans() | st.integers(-5, 3000) | st.text(max_size=12),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                           st.sampled_from(["kind", "label", "sum", "equals", "count", "named", "steps", "start",
                                            "less", "gives", "total", "categories", "figure", "from", "to",
                                            "searched_until", "cited", "cite", "quote", "where", "statements",
                                            "note", "listed", "a", "b"]), inner, max_size=6),
                       max_leaves=20)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(JSONISH, max_size=4), JSONISH)
def test_any_data_is_either_read_as_checks_or_reported(items, citations):
    figures = [Figure("a", 1), Figure("b", 2)]
    problems: list[str] = []
    checks = read_checks(items, {"a", "b"}, lambda message, where, key: problems.append(message))
    read_citations(citations, lambda message, where, key: problems.append(message))
    assert len(checks) == len(items) or problems  # every check is read, or a problem says why not
    evaluate(figures, checks)  # whatever was read computes


# --- validation of the file, and the page, in the fixture review --------------------------------------------

BAD_CHECKS = """
  - kind: named
    label: Trials named
    count: trials
    named: ["Adams et al., 2018", "Adams et al., 2018"]
    statements:
      - {quote: "two trials", where: Results}
  - kind: windows
    label: A kind that does not exist
citations:
  - kind: year
    cited: "Evans, 2019"
    quote: "a survey (Evans, 2019)"
    where: Results
    listed: "Evans, E. (2019). A survey."
"""


def test_every_problem_of_the_checks_is_reported_at_its_line(tmp_path):
    root = tmp_path / "review"
    shutil.copytree(FIXTURE, root)
    baseline = root / "content" / "baseline.yaml"
    text = baseline.read_text(encoding="utf-8")
    text = text[: text.index("citations:")].replace("checks:\n", "checks:" + BAD_CHECKS.split("citations:")[0], 1)
    baseline.write_text(text + "citations:" + BAD_CHECKS.split("citations:")[1], encoding="utf-8")
    lines = text.splitlines()
    result = check_quietly(root)
    assert result.code == 1
    found = [parse_diagnostic(line) for line in result.lines]
    by_message = {d.message.split(";")[0]: d for d in found}
    twice = by_message["'Adams et al., 2018' is named twice"]
    assert twice.path == "content/baseline.yaml" and "Adams et al., 2018" in lines[twice.line - 1]
    unknown = next(d for d in found if d.message.startswith("unknown kind of check 'windows'"))
    assert lines[unknown.line - 1].strip() == "- kind: windows"
    same_year = next(d for d in found if "do not show this error" in d.message)
    assert (root / "content" / "baseline.yaml").read_text(encoding="utf-8").splitlines()[
        same_year.line - 1].strip() == "- kind: year"
    assert len([d for d in found if d.path == "content/baseline.yaml"]) == 3


@pytest.fixture(scope="module")
def fixture_page(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("consistency") / "review"
    shutil.copytree(FIXTURE, root)
    assert main(["--root", str(root), "build"]) == 0
    return (root / "site" / "consistency.html").read_text(encoding="utf-8")


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_the_page_counts_each_level_in_words_at_the_top(fixture_page):
    summary = text_of(fixture_page[fixture_page.index('id="summary"'): fixture_page.index('id="findings"')])
    # the fixture's baseline: overlap by sum, overlap by a shared study, named, window; sum, selection, Asia's
    # percentage; the surveys' 20.1 % of 20 %; five citation errors; the trials' percentage and the surveys named
    for words in ("4 contradictions", "3 arithmetic errors", "1 rounding difference",
                  "5 errors of citation or reference list", "2 checks hold"):
        assert words in summary


def test_the_page_lists_findings_most_serious_first_each_with_its_level_in_words(fixture_page):
    levels = re.findall(r'<li class="finding level-(\w+)">\s*<h3[^>]*><span class="level level-\1">([^<]+)</span>',
                        fixture_page)
    assert [level for level, _ in levels] == ["contradiction"] * 4 + ["arithmetic"] * 3 + ["rounding"]
    assert {words for _, words in levels} == {"Contradiction", "Arithmetic error", "Rounding difference"}


def test_the_page_shows_both_statements_of_a_contradiction(fixture_page):
    finding = fixture_page[fixture_page.index("No study is named as both a trial and a survey"):]
    finding = text_of(finding[: finding.index("</li>")])
    assert "“two trials (Adams et al., 2018; Baker & Chen, 2020)”" in finding
    assert "“one survey (Adams et al., 2018)”" in finding
    assert "Adams et al., 2018: named under Trials and Surveys" in finding


def test_the_page_lists_each_citation_error_with_its_quotation(fixture_page):
    table = text_of(fixture_page[fixture_page.index('id="citations"'): fixture_page.index('id="published"')])
    assert "cited as 2018, listed as 2019" in table and "“a survey of gardeners (Evans, 2018)”" in table
    assert "Green Council, 2019" in table and "no entry" in table


def test_a_review_without_checks_still_checks_its_printed_percentages(tmp_path):
    root = tmp_path / "review"
    shutil.copytree(FIXTURE, root)
    baseline = root / "content" / "baseline.yaml"
    text = baseline.read_text(encoding="utf-8")
    baseline.write_text(text[: text.index("checks:")] + text[text.index("\nstudies:"):], encoding="utf-8")
    assert main(["--root", str(root), "build"]) == 0
    page = text_of((root / "site" / "consistency.html").read_text(encoding="utf-8"))
    assert "0 contradictions" in page and "1 arithmetic error" in page and "1 rounding difference" in page
