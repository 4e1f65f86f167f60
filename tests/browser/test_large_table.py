"""The study table of a large review (2,000 synthetic studies): a page of rows at first, every study a search
away, counts that narrow, downloads of exactly the studies shown, pages that reach every study without
scripts, and all of it from file:// too."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, Site, run_cli
from .test_study_table import assert_rows, choose, exported, having, matching, open_table, tick, visible_ids

pytestmark = pytest.mark.browser

SIZE = 2000
FIXTURE = REPO / "tests" / "fixtures" / "review"
PAGE = 200  # rows a page of the table lists (render.TABLE_PAGE_SIZE)
FIRST = 20  # rows site.js lists after a change, in any table (LIST_FIRST in site.js)


@pytest.fixture(scope="module")
def large(site: Site) -> Site:
    """2,000 synthetic studies coded by the fixture review's codebook, built and served at /large/site/."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import synthetic

    root = synthetic.generate(SIZE, 0, site.serve_root / "large", source=FIXTURE)
    run_cli(root, "build")
    return Site(root / "site", site.serve_root, site.origin, "large/site", site.failures)


@pytest.fixture(scope="module")
def large_studies(large: Site) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in large.json("data/studies.json")["studies"]}


@pytest.fixture
def big(ui, large):
    ui.site = large
    return ui


def order(site: Site) -> list[str]:
    """The table's own order (the rows of its pages for readers without scripts, one after the other)."""
    import re

    ids = []
    for number in range(1, SIZE // PAGE + 1):
        page = "studies/index.html" if number == 1 else f"studies/page/{number}.html"
        ids += re.findall(r'<tr id="row-([a-z0-9-]+)"', (site.folder / page).read_text(encoding="utf-8"))
    return ids


def commonest_year(studies: dict[str, dict[str, Any]]) -> str:
    from collections import Counter

    return str(Counter(s["year"] for s in studies.values()).most_common(1)[0][0])


def errors(ui) -> list[str]:
    return [message for message in ui.console_errors() if "favicon.ico" not in message]  # asked for by Chromium


def listing(ui) -> str:
    more = ui.css("[data-show-more]")
    return more.text if more.is_displayed() else ""


def test_the_table_shows_its_first_page_and_offers_the_rest(big, large, large_studies):
    open_table(big)
    ids = order(large)
    assert len(ids) == SIZE and set(ids) == set(large_studies)
    assert visible_ids(big) == ids[:PAGE]
    assert big.css("[data-result-count]").text == f"{SIZE} of {SIZE} studies shown"
    assert not big.css("[data-pager]").is_displayed(), "the pages for readers without scripts are offered too"
    assert listing(big) == f"Show 100 more ({PAGE} of {SIZE} listed)"
    big.css("[data-show-more] button").click()
    assert visible_ids(big) == ids[:PAGE + 100]
    assert not errors(big)


def test_a_search_finds_a_study_beyond_the_first_page(big, large, large_studies):
    last = order(large)[-1]
    open_table(big)
    assert last not in visible_ids(big)
    big.css("input[type=search]").send_keys(last.upper())
    assert_rows(big, {last}, SIZE, f"search {last}")
    assert listing(big) == ""


def test_a_search_lists_a_page_of_what_it_finds_and_more_on_request(big, large, large_studies):
    word = commonest_year(large_studies)
    want = matching(large_studies, word)
    assert len(want) > FIRST + 100, f"pick a commoner word than {word!r}"
    open_table(big)
    big.css("input[type=search]").send_keys(word)
    big.wait(lambda d: big.css("[data-result-count]").text == f"{len(want)} of {SIZE} studies shown", "no count")
    listed = visible_ids(big)
    ids = order(large)
    assert listed == [sid for sid in ids if sid in want][:FIRST], "not the first studies found, in the table's order"
    assert listing(big) == f"Show 100 more ({FIRST} of {len(want)} listed)"
    big.css("[data-show-more] button").click()
    assert visible_ids(big) == [sid for sid in ids if sid in want][:FIRST + 100]


def test_filter_counts_narrow_with_the_other_filters(big, large_studies):
    open_table(big)
    choose(big, "involvement", "leading")
    big.js("document.querySelector(`[data-facet='design']`).open = true;")
    labels = {box.get_attribute("value"): box.find_element("xpath", "..").text
              for box in big.all("[data-facet='design'] input[type=checkbox]")}
    leading = having(large_studies, involvement="leading")
    assert 0 < len(leading) < SIZE
    for design, label in labels.items():
        expected = len(leading & having(large_studies, design=design))
        assert label.endswith(f"({expected})"), f"design={design} reads {label!r}, {expected} leading studies have it"
    tick(big, "design", "trial")
    want = leading & having(large_studies, design="trial")
    big.wait(lambda d: big.css("[data-result-count]").text == f"{len(want)} of {SIZE} studies shown",
             "the count does not follow the two filters")
    shown = set(visible_ids(big))
    assert shown <= want and len(shown) == min(len(want), FIRST)


def test_the_download_holds_exactly_the_studies_shown(big, large, large_studies):
    import csv
    import io

    import rispy
    from pybtex.database import parse_string

    ids = order(large)
    word = commonest_year(large_studies)
    want = having(large_studies, involvement="consulted") & matching(large_studies, word)
    assert FIRST < len(want), "pick a selection longer than a listing"
    open_table(big, f"?involvement=consulted&q={word}")
    big.wait(lambda d: big.css("[data-result-count]").text == f"{len(want)} of {SIZE} studies shown",
             "the URL's search and filter were not applied")
    in_order = [sid for sid in ids if sid in want]
    assert visible_ids(big) == in_order[:FIRST]
    rows = list(csv.DictReader(io.StringIO(exported(big, "csv"))))
    assert [row["id"] for row in rows] == in_order, "the CSV does not hold the studies shown, in their order"
    assert [r["id"] for r in rispy.loads(exported(big, "ris"))] == in_order
    assert list(parse_string(exported(big, "bib"), "bibtex").entries) == in_order
    # narrowed to the rows listed: the download is those rows
    big.css("input[type=search]").send_keys(" " + large_studies[in_order[0]]["id"])
    assert_rows(big, {in_order[0]}, SIZE, "one study")
    assert [row["id"] for row in csv.DictReader(io.StringIO(exported(big, "csv")))] == [in_order[0]]


def test_sorting_sorts_every_study_and_keeps_not_yet_coded_last(big, large_studies):
    open_table(big)
    big.css("[data-study-table] thead button[data-sort='year']").click()
    big.css("[data-study-table] thead button[data-sort='year']").click()  # newest first
    years = [large_studies[sid]["year"] for sid in visible_ids(big)]
    assert years == sorted(years, reverse=True) and years[0] == max(s["year"] for s in large_studies.values())
    big.css("[data-study-table] thead button[data-sort='involvement']").click()
    big.css("[data-study-table] thead button[data-sort='involvement']").click()
    big.css("input[type=search]").send_keys("2013")
    want = matching(large_studies, "2013")
    shown = visible_ids(big)
    missing = [large_studies[sid]["codes"].get("involvement", "not yet coded") == "not yet coded" for sid in shown]
    assert len(shown) == min(FIRST, len(want)) and missing == sorted(missing)


@pytest.fixture
def no_scripts(big):
    big.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    yield big
    big.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_without_scripts_the_pages_reach_every_study(no_scripts, large_studies):
    ui = no_scripts
    ui.open("studies/index.html")
    assert not ui.css("[data-study-filters]").is_displayed()
    seen: list[str] = []
    for _ in range(SIZE // PAGE + 1):
        seen += [row.get_attribute("data-id") for row in ui.all("[data-study-table] tbody tr, table.studies tbody tr")
                 if row.is_displayed()]
        following = ui.all("[data-pager] a[rel=next]")
        if not following:
            break
        following[0].click()
    assert len(seen) == len(set(seen)) == SIZE and set(seen) == set(large_studies)
    assert ui.site.path_of(ui.driver.current_url) == f"studies/page/{SIZE // PAGE}.html"
    link = ui.css("table.studies tbody tr a")
    sid = link.find_element("xpath", "../..").get_attribute("data-id")
    link.click()
    ui.wait(lambda d: ui.site.path_of(d.current_url) == f"studies/{sid}.html", "a study link of the last page")
    assert not ui.site.failures, ui.site.failures


def test_from_file_the_table_searches_every_study(big, large):
    base = Path(large.folder).resolve().as_uri() + "/"
    last = order(large)[-1]
    big.driver.get(base + f"studies/index.html?q={last}")
    big.wait(lambda d: big.css("[data-study-filters]").is_displayed(), "site.js or the table's data did not load")
    big.wait(lambda d: visible_ids(big) == [last], f"?q={last} does not find the study from file://")
    assert big.css("[data-result-count]").text == f"1 of {SIZE} studies shown"
    assert "1 of" in big.css("[data-result-count]").text and not errors(big)
