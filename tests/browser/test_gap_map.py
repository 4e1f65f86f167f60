"""The evidence gap map: each bubble opens the study table showing exactly its studies (as data/studies.json and
data/aggregates.json say), narrowing the map to one value of another field changes each count as the data says,
the map fits a 390 px phone, and cells ruled out by the codebook (in the fixture review) are marked as such."""

from __future__ import annotations

import shutil
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from .conftest import REPO, Site, run_cli

pytestmark = pytest.mark.browser

PAGE = "figures/gap-map.html"
PHONE_390 = (390, 844)


@pytest.fixture(scope="session")
def gap_map(site, studies, aggregates) -> dict[str, Any]:
    """The gap map's dimensions, and each cell's studies by (row, column), from the site's published data."""
    table = aggregates["crosstabs"].get("gap-map")
    if table is None:
        pytest.skip("this site has no cross-tabulation called gap-map")
    dataset = site.json("data/studies.json")
    fields = {f["key"]: f for f in dataset["codebook"]["fields"]}
    if not {table["rows"], table["columns"]} <= set(fields):
        pytest.skip(f"the gap map's dimensions ({table['rows']} × {table['columns']}) are not both codebook fields")
    not_coded = dataset["codebook"]["not_coded"]

    def of(study: dict[str, Any], field: str) -> list[Any]:
        value = study["codes"].get(field, not_coded)
        return [] if value == not_coded else (value if isinstance(value, list) else [value])

    cells = {}
    for row, column, count in table["cells"]:
        ids = {sid for sid, s in studies.items() if row in of(s, table["rows"]) and column in of(s, table["columns"])}
        assert len(ids) == count, f"aggregates.json says {count} studies for {row} × {column}, studies.json {len(ids)}"
        cells[(row, column)] = ids
    assert any(cells.values()), "every cell of the gap map is empty"
    return {"rows": table["rows"], "columns": table["columns"], "cells": cells, "fields": fields, "of": of}


def bubbles(ui) -> list[dict[str, Any]]:
    """Every cell of the map on the page: its filters (from its link, if it has one), count shown and whether it
    is ruled out."""
    return ui.js("""
        return Array.from(document.querySelectorAll('[data-gap-map] td.cell')).map(td => {
          const a = td.querySelector('a'), zero = td.querySelector('[data-zero]');
          const shown = a && !a.hidden;
          return {href: shown ? a.href : null, count: shown ? Number(a.querySelector('[data-n]').textContent) : 0,
                  zero: !!zero && !zero.hidden, ruledOut: td.classList.contains('ruled-out'),
                  where: td.dataset.where || null, label: shown ? a.getAttribute('aria-label') : null};
        });""")


def cell_of(gap_map, href: str) -> tuple[str, str]:
    filters = dict(parse_qsl(urlsplit(href).query))
    return filters[gap_map["rows"]], filters[gap_map["columns"]]


def shown_rows(ui) -> list[str]:
    return ui.js("""return Array.from(document.querySelectorAll('[data-study-table] tbody tr'))
                      .filter(r => r.getClientRects().length > 0).map(r => r.dataset.id);""")


def wait_for_table(ui) -> None:
    ui.wait(lambda d: "studies/index.html" in d.current_url, "the bubble did not open the study table")
    ui.wait(lambda d: ui.css("[data-study-filters]").is_displayed(), "the study table's filters did not appear")


def test_the_map_shows_every_cell_with_its_count(ui, gap_map):
    ui.open(PAGE)
    found = bubbles(ui)
    assert len(found) == len(gap_map["cells"])
    linked = {cell_of(gap_map, b["href"]): b["count"] for b in found if b["href"]}
    assert linked == {cell: len(ids) for cell, ids in gap_map["cells"].items() if ids}
    assert sum(b["zero"] for b in found) == sum(not ids for ids in gap_map["cells"].values())
    for b in found:
        if b["href"]:
            n = b["count"]
            assert b["label"] == f"{n} {'study' if n == 1 else 'studies'}: {b['where']}"


@pytest.mark.parametrize("page", [PAGE, "findings.html"])
def test_clicking_each_bubble_opens_the_study_table_showing_exactly_its_studies(ui, gap_map, page):
    ui.open(page)
    count = len([b for b in bubbles(ui) if b["href"]])
    assert count == len([ids for ids in gap_map["cells"].values() if ids])
    for index in range(count):
        ui.open(page)
        link = ui.all("[data-gap-map] td.cell a")[index]
        ui.js("arguments[0].scrollIntoView({block: 'center'})", link)
        cell = cell_of(gap_map, link.get_attribute("href"))
        link.click()
        wait_for_table(ui)
        for field, value in zip((gap_map["rows"], gap_map["columns"]), cell, strict=True):
            ticked = [box.get_attribute("value") for box in ui.all(f"[data-facet='{field}'] input") if box.is_selected()]
            assert ticked == [value], f"{cell}: the {field} filter has {ticked} ticked"
        assert set(shown_rows(ui)) == gap_map["cells"][cell], f"{cell}: the table shows {sorted(shown_rows(ui))}"


def test_a_bubble_opens_from_the_keyboard(ui, gap_map):
    from selenium.webdriver.common.keys import Keys

    cell = min((c for c, ids in gap_map["cells"].items() if ids), key=lambda c: len(gap_map["cells"][c]))
    ui.open(PAGE)
    ui.tab_to(f"e.tagName === 'A' && e.closest('[data-gap-map]') && e.href.includes('={cell[0]}&')"
              f" && e.href.endsWith('={cell[1]}')")
    ui.press(Keys.ENTER)
    wait_for_table(ui)
    assert set(shown_rows(ui)) == gap_map["cells"][cell]


def segments(ui) -> list[str]:
    return ui.js("return Array.from(document.querySelector('[data-gap-map-segment]').options).map(o => o.value)")


def choose(ui, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(ui.css("[data-gap-map-segment]")).select_by_value(value)


def test_narrowing_to_each_value_of_a_codebook_field_counts_as_the_data_says(ui, gap_map, studies):
    ui.open(PAGE)
    assert ui.css("[data-gap-map-segment]").is_displayed()
    fields, of = gap_map["fields"], gap_map["of"]
    checked = 0
    for value in segments(ui):
        if not value:
            continue
        field, wanted = next(iter(parse_qsl(value)))
        if field not in fields or fields[field]["kind"] not in ("single", "multiple"):
            continue  # regions and derived facts are computed, not in studies.json as such
        choose(ui, value)
        with_value = {sid for sid, s in studies.items() if wanted in of(s, field)}
        expected = {cell: len(ids & with_value) for cell, ids in gap_map["cells"].items()}
        found = {}
        for b in bubbles(ui):
            if b["href"]:
                assert dict(parse_qsl(urlsplit(b["href"]).query))[field] == wanted, "the link lost the narrowing"
                found[cell_of(gap_map, b["href"])] = b["count"]
        assert found == {cell: n for cell, n in expected.items() if n}, f"narrowed to {value}"
        on_map = set().union(*gap_map["cells"].values()) & with_value
        status = ui.css("[data-gap-map-status]").text
        assert status.startswith(f"Showing the {len(on_map)} stud"), f"{value}: {status!r}"
        checked += 1
    assert checked >= 10, f"only {checked} values of codebook fields to narrow by"
    choose(ui, "")
    assert {cell_of(gap_map, b["href"]): b["count"] for b in bubbles(ui) if b["href"]} == {
        cell: len(ids) for cell, ids in gap_map["cells"].items() if ids}, "choosing 'any value' did not restore the map"


def test_a_narrowed_bubble_opens_the_table_with_the_narrowing(ui, gap_map, studies):
    ui.open(PAGE)
    field, value = "study_design", None
    for option in segments(ui):
        if option.startswith(field + "="):
            value = option
            break
    if value is None:
        pytest.skip("the map cannot be narrowed by study design")
    choose(ui, value)
    wanted = dict(parse_qsl(value))[field]
    link = next(a for a in ui.all("[data-gap-map] td.cell a") if a.is_displayed())
    cell = cell_of(gap_map, link.get_attribute("href"))
    link.click()
    wait_for_table(ui)
    expected = {sid for sid in gap_map["cells"][cell] if wanted in gap_map["of"](studies[sid], field)}
    assert expected and set(shown_rows(ui)) == expected


@pytest.mark.parametrize("page", [PAGE, "findings.html", "draft/" + PAGE])
def test_the_map_fits_a_390_px_phone_without_sideways_scrolling(ui, page):
    ui.viewport(*PHONE_390, mobile=True)
    ui.open(page)
    width = ui.js("return document.documentElement.scrollWidth")
    assert width <= PHONE_390[0], f"{page} is {width} px wide on a {PHONE_390[0]} px phone"
    outside = ui.js("""return Array.from(document.querySelectorAll('[data-gap-map] td.cell, [data-gap-map] select'))
                         .filter(e => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > arguments[0]; })
                         .length""", PHONE_390[0])
    assert outside == 0, f"{outside} cells or controls of the map lie outside the screen"
    choose(ui, segments(ui)[1])
    assert ui.js("return document.documentElement.scrollWidth") <= PHONE_390[0], "narrowing made the page wider"


# --- a review whose codebook rules a cell out: the fixture review --------------------------------

@pytest.fixture(scope="module")
def fixture_site(site: Site) -> Site:
    """The fixture review (its codebook rules out Leading × Harvest), built and served beside the site."""
    root = site.serve_root / "fixture"
    if not root.exists():
        shutil.copytree(REPO / "tests" / "fixtures" / "review", root, ignore=shutil.ignore_patterns("README.md"))
        run_cli(root, "build")
    return Site(root / "site", site.serve_root, site.origin, "fixture/site", site.failures)


def test_a_ruled_out_cell_is_hatched_and_said_to_be_impossible_not_a_gap(ui, fixture_site, axe_source):
    ui.site = fixture_site
    ui.open("figures/map.html")
    cells = bubbles(ui)
    ruled_out = [b for b in cells if b["ruledOut"]]
    assert len(ruled_out) == 1 and not ruled_out[0]["href"] and not ruled_out[0]["zero"]
    hatch = ui.js("return getComputedStyle(document.querySelector('[data-gap-map] td.ruled-out')).backgroundImage")
    assert "repeating-linear-gradient" in hatch
    text = ui.css("[data-gap-map] td.ruled-out").get_attribute("textContent")
    assert "not possible by definition" in text and "does not lead the garden" in text
    legend = ui.css(".gap-map-legend").text
    assert "not possible by definition" in legend and "a gap in the evidence" in legend
    violations = [v for v in ui.axe(axe_source) if v["impact"] in ("serious", "critical")]
    assert not violations, ui.describe_violations(violations)


def test_the_fixture_map_says_how_many_studies_are_not_yet_coded(ui, fixture_site):
    ui.site = fixture_site
    ui.open("figures/map.html")
    assert "1 study not yet coded for community involvement or garden stages is not shown" in \
        ui.css("figure figcaption").text


def test_without_scripts_the_links_still_lead_to_the_table(ui, gap_map):
    ui.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        ui.open(PAGE)
        assert not ui.css("[data-gap-map-tools]").is_displayed(), "a narrowing that cannot work is shown"
        link = next(a for a in ui.all("[data-gap-map] td.cell a"))
        link.click()
        ui.wait(lambda d: "studies/index.html?" in d.current_url, "the bubble did not lead to the study table")
        assert len(shown_rows(ui)) == ui.js("return document.querySelectorAll('[data-study-table] tbody tr').length")
    finally:
        ui.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_without_scripts_every_list_is_on_the_page(site, gap_map):
    """The cells' lists are in the HTML itself (the figure's page works without site.js)."""
    html = (site.folder / PAGE).read_text(encoding="utf-8")
    for (row, column), ids in gap_map["cells"].items():
        assert f'id="cell-{row}-{column}"' in html
        for sid in ids:
            assert f'href="../studies/{sid}.html"' in html

