"""The evidence gap map in a browser: each bubble opens the study table showing exactly its studies, cells the
codebook rules out are marked and are not links, the studies not yet coded for the map are counted, narrowing the
map to one value of another field changes each count as the data says, and the map fits a 390 px phone.

What each cell should hold is computed here from the site's published data (data/studies.json and the cross-tab
in data/aggregates.json), never read back from the map itself. The study table is read only through what any
version of it must keep: its filters in the address (?field=value) and a link to each shown study's page.
"""

from __future__ import annotations

import re
import shutil
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from .conftest import REPO, UI, Site, run_cli

pytestmark = pytest.mark.browser

PAGE = "figures/gap-map.html"  # this review's map (its figure key is gap-map)
FIXTURE_PAGE = "figures/map.html"  # the fixture review's map (its key is map)
PHONE_390 = (390, 844)
UNCODED = re.compile(r"(\d+) stud(?:y|ies) not yet coded for")


def map_data(site: Site, key: str) -> dict[str, Any]:
    """A map's dimensions and each cell's studies by (row value, column value), from the site's data files."""
    table = site.json("data/aggregates.json")["crosstabs"].get(key)
    if table is None:
        pytest.skip(f"this site has no cross-tabulation called {key}")
    dataset = site.json("data/studies.json")
    studies = {s["id"]: s for s in dataset["studies"]}
    fields = {f["key"]: f for f in dataset["codebook"]["fields"]}
    if not {table["rows"], table["columns"]} <= set(fields):
        pytest.skip(f"the map's dimensions ({table['rows']} × {table['columns']}) are not both codebook fields")
    not_coded = dataset["codebook"]["not_coded"]

    def of(study: dict[str, Any], field: str) -> list[Any] | None:
        """A study's values of a field as the table's filters name them; None if not yet coded."""
        value = study["codes"].get(field, not_coded)
        if value == not_coded:
            return None
        return [str(v).lower() if isinstance(v, bool) else v for v in (value if isinstance(value, list) else [value])]

    cells = {}
    for row, column, _ in table["cells"]:
        cells[(row, column)] = {sid for sid, s in studies.items()
                                if row in (of(s, table["rows"]) or ()) and column in (of(s, table["columns"]) or ())}
    assert any(cells.values()), "every cell of the map is empty"
    uncoded = {sid for sid, s in studies.items() if of(s, table["rows"]) is None or of(s, table["columns"]) is None}
    labels = {key: {v["key"]: v["label"] for v in fields[key]["values"]} for key in (table["rows"], table["columns"])}
    at = {(labels[table["rows"]][r], labels[table["columns"]][c]): (r, c) for r, c in cells}  # by the map's headings
    return {"rows": table["rows"], "columns": table["columns"], "cells": cells, "fields": fields, "of": of,
            "studies": studies, "uncoded": uncoded, "at": at}


@pytest.fixture(scope="session")
def gap_map(site: Site) -> dict[str, Any]:
    return map_data(site, "gap-map")


@pytest.fixture(scope="module")
def fixture_site(site: Site) -> Site:
    """The fixture review (its codebook rules out a cell of its map), built and served beside this review's site."""
    root = site.serve_root / "fixture"
    if not root.exists():
        shutil.copytree(REPO / "tests" / "fixtures" / "review", root, ignore=shutil.ignore_patterns("README.md"))
        run_cli(root, "build")
    return Site(root / "site", site.serve_root, site.origin, "fixture/site", site.failures)


@pytest.fixture(scope="module")
def fixture_map(fixture_site: Site) -> dict[str, Any]:
    return map_data(fixture_site, "map")


def bubbles(ui: UI) -> list[dict[str, Any]]:
    """Every cell of the map on the page: its row and column headings, its link (if shown), the count it shows,
    whether it shows a zero or is marked ruled out, and its text (a screen reader's too)."""
    return ui.js("""
        return Array.from(document.querySelectorAll('[data-gap-map] tbody td')).map(td => {
          const tr = td.closest('tr'), table = td.closest('table');
          const column = table.tHead.rows[0].cells[td.cellIndex].textContent.trim();
          const a = td.querySelector('a'), zero = td.querySelector('[data-zero]');
          const shown = !!a && a.getClientRects().length > 0;
          return {row: tr.querySelector('th').textContent.trim(), column: column,
                  href: shown ? a.href : null, count: shown ? Number(a.querySelector('[data-n]').textContent) : 0,
                  zero: !!zero && zero.getClientRects().length > 0, ruledOut: td.classList.contains('ruled-out'),
                  focusable: !!td.querySelector('a, button, input, select, [tabindex]'),
                  where: td.dataset.where || null, label: shown ? a.getAttribute('aria-label') : null,
                  text: td.textContent};
        });""")


def cell_of(data: dict[str, Any], href: str) -> tuple[str, str]:
    """The cell a link's filters select; they must name the map's two fields and nothing else."""
    filters = parse_qsl(urlsplit(href).query)
    assert sorted(f for f, _ in filters) == sorted((data["rows"], data["columns"])), f"{href} filters by {filters}"
    return dict(filters)[data["rows"]], dict(filters)[data["columns"]]


def shown_studies(ui: UI) -> set[str]:
    """The studies the study table shows: those whose page a visible link on it leads to, once every row it
    offers is listed ("show more" until none is offered)."""
    return set(ui.js(r"""
        const more = document.querySelector('[data-show-more]');
        while (more && !more.hidden) more.querySelector('button').click();
        return Array.from(document.querySelectorAll('main a[href]'))
          .filter(a => a.getClientRects().length > 0)
          .map(a => new URL(a.href).pathname.match(/\/studies\/([^/]+)\.html$/))
          .filter(m => m && m[1] !== 'index').map(m => decodeURIComponent(m[1]));"""))


def table_shows(ui: UI, expected: set[str], what: str) -> None:
    """Wait for the study table (filtered by its script as it loads) to show exactly `expected`; else fail saying
    which studies it shows that it should not, and which it leaves out."""
    from selenium.common.exceptions import TimeoutException

    ui.wait(lambda d: "/studies/index.html" in d.current_url, f"{what}: the study table did not open")
    try:
        ui.wait(lambda d: d.execute_script("return document.readyState") == "complete"
                and shown_studies(ui) == expected, what)
    except TimeoutException:
        shown = shown_studies(ui)
        raise AssertionError(f"{what}: the study table shows {len(shown)} studies, not {len(expected)}; "
                             f"extra {sorted(shown - expected)[:10]}, missing {sorted(expected - shown)[:10]}") from None


def click_each_bubble(ui: UI, data: dict[str, Any], page: str) -> int:
    """Click every bubble of the map on `page` in turn; each must open the table showing exactly the studies of
    the cell it stands in (found by its row's and column's headings)."""
    ui.open(page)
    count = len([b for b in bubbles(ui) if b["href"]])
    assert count == len([ids for ids in data["cells"].values() if ids]), "a cell with studies has no bubble"
    for index in range(count):
        ui.open(page)
        shown = [b for b in bubbles(ui) if b["href"]][index]
        cell = data["at"][(shown["row"], shown["column"])]
        link = [a for a in ui.all("[data-gap-map] td a") if a.is_displayed()][index]
        assert cell_of(data, link.get_attribute("href")) == cell, f"the bubble of {cell} links to another cell"
        ui.js("arguments[0].scrollIntoView({block: 'center'})", link)
        link.click()
        table_shows(ui, data["cells"][cell], f"the bubble of {cell} on {page}")
    return count


# --- the map and its links ---------------------------------------------------------------------

def test_the_map_shows_every_cell_with_its_count(ui, gap_map):
    ui.open(PAGE)
    found = bubbles(ui)
    assert {gap_map["at"][(b["row"], b["column"])]: b["count"] for b in found} == {
        cell: len(ids) for cell, ids in gap_map["cells"].items()}
    assert all(b["zero"] == (b["count"] == 0) and bool(b["href"]) == (b["count"] > 0) for b in found)
    for b in found:  # a screen reader names the count and the cell, not just a number
        if b["href"]:
            assert b["label"].startswith(f"{b['count']} stud") and b["where"] in b["label"]


@pytest.mark.parametrize("page", [PAGE, "findings.html"])
def test_clicking_each_bubble_opens_the_study_table_showing_exactly_its_studies(ui, gap_map, page):
    assert click_each_bubble(ui, gap_map, page) > 1


def test_each_bubble_of_the_fixture_map_opens_exactly_its_studies(ui, fixture_site, fixture_map):
    ui.site = fixture_site
    assert click_each_bubble(ui, fixture_map, FIXTURE_PAGE) > 1


def test_a_bubble_opens_from_the_keyboard(ui, gap_map):
    from selenium.webdriver.common.keys import Keys

    cell = min((c for c, ids in gap_map["cells"].items() if ids), key=lambda c: len(gap_map["cells"][c]))
    ui.open(PAGE)
    ui.tab_to(f"e.tagName === 'A' && e.closest('[data-gap-map]') && e.href.includes('={cell[0]}&')"
              f" && e.href.endsWith('={cell[1]}')")
    ui.press(Keys.ENTER)
    table_shows(ui, gap_map["cells"][cell], f"Enter on the bubble of {cell}")


def test_from_the_disk_a_bubble_opens_the_table_showing_exactly_its_studies(ui, site, gap_map):
    """A downloaded copy of the site, opened as file://, filters the table from the bubble's link alike."""
    ui.driver.get(site.folder.resolve().as_uri() + "/" + PAGE)
    link = next(a for a in ui.all("[data-gap-map] td a") if a.is_displayed())
    cell = cell_of(gap_map, link.get_attribute("href"))
    link.click()
    table_shows(ui, gap_map["cells"][cell], f"the bubble of {cell}, from file://")


# --- cells the codebook rules out, and studies not yet coded -----------------------------------

def ruled_out_by_rules(root_codebook: dict[str, Any], data: dict[str, Any]) -> dict[tuple[str, str], str]:
    """The cells a rule of the form 'a study with column value C holds one of these row values' rules out (the
    fixture's only rule between its map's fields that rules a cell out), with the rule's message."""
    rows, columns = data["rows"], data["columns"]
    row_values = {r for r, _ in data["cells"]}
    found = {}
    for rule in root_codebook["rules"]:
        if rule["when"]["field"] == columns and rule["then"]["field"] == rows:
            then = rule["then"]
            allowed = set(then.get("includes_any", ())) | ({then["equals"]} if "equals" in then else set())
            for column in rule["when"].get("includes_any", ()):
                found |= {(row, column): rule["message"] for row in row_values - allowed}
    return found


def test_a_ruled_out_cell_is_hatched_said_to_be_impossible_and_not_a_link(ui, fixture_site, fixture_map, axe_source):
    codebook = yaml.safe_load((REPO / "tests" / "fixtures" / "review" / "content" / "codebook.yaml").read_text("utf-8"))
    expected = ruled_out_by_rules(codebook, fixture_map)
    assert expected, "the fixture's codebook rules out no cell of its map"
    ui.site = fixture_site
    ui.open(FIXTURE_PAGE)
    cells = {fixture_map["at"][(b["row"], b["column"])]: b for b in bubbles(ui)}
    assert {cell for cell, b in cells.items() if b["ruledOut"]} == set(expected)
    for cell, message in expected.items():
        assert not fixture_map["cells"][cell], f"a study sits in {cell}, which the codebook rules out"
        shown = cells[cell]
        assert not shown["href"] and not shown["focusable"] and not shown["zero"], f"{cell} acts as a gap"
        assert message in shown["text"], f"{cell} does not give the rule that rules it out: {shown['text']!r}"
    gaps = {cell for cell, ids in fixture_map["cells"].items() if not ids} - set(expected)
    assert {cell for cell, b in cells.items() if b["zero"]} == gaps, "a gap is not shown as a zero"
    # hatched: a pattern where a gap has a plain background, and a legend entry that says what it means
    style = "return getComputedStyle(document.querySelector(arguments[0])).backgroundImage"
    assert ui.js(style, "[data-gap-map] td.ruled-out") != "none"
    assert ui.js(style, "[data-gap-map] td.gap") == "none"
    assert ui.all(".gap-map-legend .ruled-out"), "the legend does not show the hatching"
    violations = [v for v in ui.axe(axe_source) if v["impact"] in ("serious", "critical")]
    assert not violations, ui.describe_violations(violations)


def uncoded_said(ui: UI) -> list[int]:
    """The numbers of studies 'not yet coded' that the map's caption gives."""
    return [int(n) for n in UNCODED.findall(ui.css("[data-gap-map]").find_element("xpath", "..").text)]


@pytest.mark.parametrize("page", [PAGE, "findings.html"])
def test_the_map_says_how_many_studies_are_not_yet_coded_for_it(ui, gap_map, page):
    ui.open(page)
    uncoded = len(gap_map["uncoded"])
    assert uncoded_said(ui) == ([uncoded] if uncoded else []), f"{uncoded} studies are not yet coded for the map"


def test_the_fixture_map_counts_its_uncoded_study(ui, fixture_site, fixture_map):
    assert fixture_map["uncoded"], "every study of the fixture is coded for its map"
    ui.site = fixture_site
    ui.open(FIXTURE_PAGE)
    assert uncoded_said(ui) == [len(fixture_map["uncoded"])]


# --- narrowing the map to one value of another field ------------------------------------------

def segments(ui: UI) -> list[str]:
    return ui.js("return Array.from(document.querySelector('[data-gap-map-segment]').options).map(o => o.value)")


def choose(ui: UI, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(ui.css("[data-gap-map-segment]")).select_by_value(value)


def coded_segments(ui: UI, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The narrowing choices on codebook fields of listed values: (choice, field, value)."""
    found = []
    for option in segments(ui):
        if option:
            field, value = parse_qsl(option)[0]
            if field in data["fields"] and data["fields"][field]["kind"] in ("single", "multiple"):
                found.append((option, field, value))
    return found


def test_narrowing_to_each_value_of_a_codebook_field_counts_as_the_data_says(ui, gap_map):
    ui.open(PAGE)
    assert ui.css("[data-gap-map-segment]").is_displayed()
    of, on_map = gap_map["of"], set().union(*gap_map["cells"].values())
    choices = coded_segments(ui, gap_map)
    assert len(choices) >= 10, f"only {len(choices)} values of codebook fields to narrow by"
    for option, field, wanted in choices:
        choose(ui, option)
        with_value = {sid for sid, s in gap_map["studies"].items() if wanted in (of(s, field) or ())}
        found = {}
        for b in bubbles(ui):
            if b["href"]:
                filters = dict(parse_qsl(urlsplit(b["href"]).query))
                assert filters.pop(field) == wanted, "the link lost the narrowing"
                found[(filters[gap_map["rows"]], filters[gap_map["columns"]])] = b["count"]
        expected = {cell: len(ids & with_value) for cell, ids in gap_map["cells"].items()}
        assert found == {cell: n for cell, n in expected.items() if n}, f"narrowed to {option}"
        status = ui.css("[data-gap-map-status]").text
        assert re.search(rf"\b{len(on_map & with_value)} stud", status), f"{option}: {status!r}"
        uncoded = len({sid for sid in on_map if of(gap_map["studies"][sid], field) is None})
        said = re.findall(r"(\d+) stud(?:y|ies) on the map (?:is|are) not yet coded", status)
        assert said == ([str(uncoded)] if uncoded else []), f"{option}: {status!r}"
    choose(ui, "")
    assert {cell_of(gap_map, b["href"]): b["count"] for b in bubbles(ui) if b["href"]} == {
        cell: len(ids) for cell, ids in gap_map["cells"].items() if ids}, "choosing 'any value' did not restore the map"


def test_a_narrowed_bubble_opens_the_table_with_the_narrowing(ui, gap_map):
    ui.open(PAGE)
    option, field, wanted = coded_segments(ui, gap_map)[0]
    choose(ui, option)
    link = next(a for a in ui.all("[data-gap-map] td a") if a.is_displayed())
    filters = dict(parse_qsl(urlsplit(link.get_attribute("href")).query))
    cell = (filters[gap_map["rows"]], filters[gap_map["columns"]])
    link.click()
    expected = {sid for sid in gap_map["cells"][cell] if wanted in (gap_map["of"](gap_map["studies"][sid], field) or ())}
    assert expected, f"a bubble of {cell} is shown for {option}, which none of its studies has"
    table_shows(ui, expected, f"the bubble of {cell} narrowed to {option}")


# --- a phone -----------------------------------------------------------------------------------

def assert_fits(ui: UI, what: str) -> None:
    width = PHONE_390[0]
    assert ui.js("return document.documentElement.scrollWidth") <= width, f"{what} scrolls sideways"
    inner = ui.js("""return Array.from(document.querySelectorAll('[data-gap-map], [data-gap-map] .table-scroll'))
                       .filter(e => e.scrollWidth > e.clientWidth + 1).length""")
    assert not inner, f"{what}: the map scrolls sideways inside its box"
    outside = ui.js("""return Array.from(document.querySelectorAll('[data-gap-map] :is(td, th, select)'))
                         .filter(e => e.getClientRects().length > 0)
                         .filter(e => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > arguments[0]; })
                         .length""", width)
    assert outside == 0, f"{what}: {outside} cells or controls of the map lie outside the screen"


def assert_a_card_per_row(ui: UI, what: str) -> None:
    """Each row of the map reads downwards: its heading, then each of its cells below the one before."""
    overlaps = ui.js("""
        return Array.from(document.querySelectorAll('[data-gap-map] tbody tr')).filter(tr => {
          const boxes = Array.from(tr.children).map(e => e.getBoundingClientRect());
          return boxes.some((box, i) => i > 0 && box.top < boxes[i - 1].bottom - 1);
        }).length""")
    assert overlaps == 0, f"{what}: {overlaps} rows of the map put cells side by side"


@pytest.mark.parametrize("page", [PAGE, "findings.html", "draft/" + PAGE])
def test_the_map_fits_a_390_px_phone_as_a_card_per_row(ui, page):
    ui.viewport(*PHONE_390, mobile=True)
    ui.open(page)
    assert_fits(ui, page)
    assert_a_card_per_row(ui, page)
    choose(ui, segments(ui)[1])
    assert_fits(ui, f"{page}, narrowed")


def test_the_fixture_map_with_its_ruled_out_cell_fits_a_390_px_phone(ui, fixture_site):
    ui.site = fixture_site
    ui.viewport(*PHONE_390, mobile=True)
    ui.open(FIXTURE_PAGE)
    assert_fits(ui, FIXTURE_PAGE)
    assert_a_card_per_row(ui, FIXTURE_PAGE)


# --- without scripts ---------------------------------------------------------------------------

def test_without_scripts_the_links_still_lead_to_the_table(ui, gap_map):
    ui.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        ui.open(PAGE)
        assert not ui.css("[data-gap-map-tools]").is_displayed(), "a narrowing that cannot work is shown"
        link = next(a for a in ui.all("[data-gap-map] td a"))
        link.click()
        table_shows(ui, set(gap_map["studies"]), "without scripts, the table (which cannot filter)")
    finally:
        ui.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_without_scripts_every_list_is_on_the_page(site, gap_map):
    """The cells' lists are in the HTML itself (the figure's page works without site.js)."""
    html = (site.folder / PAGE).read_text(encoding="utf-8")
    for (row, column), ids in gap_map["cells"].items():
        assert f'id="cell-{row}-{column}"' in html
        for sid in ids:
            assert f'href="../studies/{sid}.html"' in html
