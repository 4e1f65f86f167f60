"""The evidence gap map: a cell lists exactly its studies (data/aggregates.json and data/studies.json agree)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PAGE = "figures/gap-map.html"


@pytest.fixture(scope="session")
def cells(site, studies, aggregates) -> dict[str, dict[str, Any]]:
    """Every cell of the gap map, by its element id: row and column values, count and study ids."""
    table = aggregates["crosstabs"].get("gap-map")
    if table is None:
        pytest.skip("this site has no cross-tabulation called gap-map")
    dataset = site.json("data/studies.json")
    fields = {f["key"] for f in dataset["codebook"]["fields"]}
    if not {table["rows"], table["columns"]} <= fields:
        pytest.skip(f"the gap map's dimensions ({table['rows']} × {table['columns']}) are not both codebook fields")
    not_coded = dataset["codebook"]["not_coded"]

    def of(study: dict[str, Any], field: str) -> list[Any]:
        value = study["codes"].get(field, not_coded)
        return [] if value == not_coded else (value if isinstance(value, list) else [value])

    out = {}
    for row, column, count in table["cells"]:
        ids = {sid for sid, s in studies.items() if row in of(s, table["rows"]) and column in of(s, table["columns"])}
        assert len(ids) == count, f"aggregates.json says {count} studies for {row} × {column}, studies.json {len(ids)}"
        out[f"cell-{row}-{column}"] = {"row": row, "column": column, "count": count, "ids": ids,
                                       "rows": table["rows"], "columns": table["columns"]}
    assert any(c["count"] for c in out.values()), "every cell of the gap map is empty"
    return out


def open_map(ui, fragment: str = "") -> None:
    ui.open(PAGE + fragment)
    ui.wait(lambda d: ui.js("return document.querySelector('.cell-lists').classList.contains('js-enhanced')"),
            "site.js did not enhance the gap map")


def shown_lists(ui) -> list[str]:
    """The ids of the cell lists a reader sees."""
    return ui.js("""return Array.from(document.querySelectorAll('[data-cell-list]'))
                      .filter(s => s.getClientRects().length > 0).map(s => s.id);""")


def listed_studies(ui, cell_id: str) -> list[str]:
    """The study ids the links of one cell list point at (from the resolved href)."""
    hrefs = ui.js("""return Array.from(document.getElementById(arguments[0]).querySelectorAll('li a'))
                       .map(a => a.href);""", cell_id)
    ids = []
    for href in hrefs:
        path = ui.site.path_of(href)
        assert path.startswith("studies/") and path.endswith(".html"), f"{cell_id} links to {href}"
        ids.append(path[len("studies/"):-len(".html")])
    return ids


def assert_showing(ui, cells, cell_id: str, focused: bool = True) -> None:
    cell = cells[cell_id]
    try:
        ui.wait(lambda d: shown_lists(ui) == [cell_id], "")
    except Exception:  # noqa: BLE001 - the assertion below says what is wrong
        pass
    assert shown_lists(ui) == [cell_id], f"after selecting {cell_id} the page shows the lists {shown_lists(ui)}"
    listed = listed_studies(ui, cell_id)
    assert len(listed) == len(set(listed)), f"{cell_id} lists a study twice: {listed}"
    assert set(listed) == cell["ids"], (f"{cell_id} lists the wrong studies\n  missing: {sorted(cell['ids'] - set(listed))}"
                                        f"\n  unexpected: {sorted(set(listed) - cell['ids'])}")
    pressed = ui.js("""return Array.from(document.querySelectorAll('[data-gap-map] [data-cell]'))
                         .filter(a => a.getAttribute('aria-pressed') === 'true').map(a => a.dataset.cell);""")
    assert pressed == [cell_id], f"aria-pressed is true on {pressed}"
    if focused:
        assert ui.js("return document.activeElement.id") == cell_id, "the focus did not move to the cell's list"
    if not cell["ids"]:
        assert "No study yet" in ui.css(f"#{cell_id}").text


def test_table_cells_match_the_aggregates(ui, cells):
    open_map(ui)
    links = ui.js("""return Array.from(document.querySelectorAll('[data-gap-map] [data-cell]'))
                       .map(a => [a.dataset.cell, a.textContent.trim()]);""")
    assert {cid: int(text) for cid, text in links} == {cid: c["count"] for cid, c in cells.items()}
    names = ui.js("""return Array.from(document.querySelectorAll('[data-gap-map] [data-cell]'))
                       .map(a => [a.dataset.cell, a.getAttribute('aria-label') || '']);""")
    for cell_id, name in names:
        count = cells[cell_id]["count"]
        assert name.startswith(f"{count} {'study' if count == 1 else 'studies'}: "), \
            f"the accessible name of {cell_id} is {name!r}"
    assert shown_lists(ui) == [], "with scripts on, no cell list is open before a cell is selected"


def test_clicking_each_cell_lists_exactly_its_studies(ui, cells):
    open_map(ui)
    for cell_id in cells:
        ui.css(f"[data-gap-map] [data-cell='{cell_id}']").click()
        assert_showing(ui, cells, cell_id)


def test_keyboard_tab_to_a_cell_and_press_enter(ui, cells):
    from selenium.webdriver.common.keys import Keys

    cell_id = max(cells, key=lambda c: (0 < cells[c]["count"], -cells[c]["count"]))  # the smallest filled cell
    open_map(ui)
    ui.tab_to(f"e.getAttribute('data-cell') === '{cell_id}'")
    ui.press(Keys.ENTER)
    assert_showing(ui, cells, cell_id)


def test_keyboard_space_activates_a_cell_like_a_button(ui, cells):
    """The cells are announced as buttons (role=button), so Space must work as well as Enter."""
    from selenium.webdriver.common.keys import Keys

    first, second = [c for c in cells if cells[c]["count"]][:2]
    open_map(ui)
    ui.tab_to(f"e.getAttribute('data-cell') === '{first}'")
    ui.press(Keys.SPACE)
    assert_showing(ui, cells, first)
    ui.tab_to(f"e.getAttribute('data-cell') === '{second}'")
    ui.press(Keys.SPACE)
    assert_showing(ui, cells, second)


def test_a_link_to_a_cell_opens_its_list(ui, cells):
    cell_id = max(cells, key=lambda c: cells[c]["count"])
    open_map(ui, "#" + cell_id)
    assert_showing(ui, cells, cell_id, focused=False)


def test_open_in_the_study_table(ui, cells):
    """A cell's "Open in the study table" link filters the table to exactly the cell's studies."""
    cell_id = min((c for c in cells if cells[c]["count"]), key=lambda c: cells[c]["count"])
    cell = cells[cell_id]
    open_map(ui)
    ui.css(f"[data-gap-map] [data-cell='{cell_id}']").click()
    ui.css(f"#{cell_id} a[href*='studies/index.html?']").click()
    ui.wait(lambda d: "studies/index.html" in d.current_url, "the link did not open the study table")
    ui.wait(lambda d: ui.css("[data-study-filters]").is_displayed(), "the filters did not appear")
    for field, value in ((cell["rows"], cell["row"]), (cell["columns"], cell["column"])):
        ticked = [box.get_attribute("value") for box in ui.all(f"[data-facet='{field}'] input") if box.is_selected()]
        assert ticked == [value]
    shown = ui.js("""return Array.from(document.querySelectorAll('[data-study-table] tbody tr'))
                       .filter(r => r.getClientRects().length > 0).map(r => r.dataset.id);""")
    assert set(shown) == cell["ids"], f"the table shows {sorted(shown)}, the cell holds {sorted(cell['ids'])}"


def test_without_scripts_every_list_is_on_the_page(site, cells):
    """The lists are in the HTML itself (the page works without site.js)."""
    html = (site.folder / PAGE).read_text(encoding="utf-8")
    for cell_id, cell in cells.items():
        assert f'id="{cell_id}"' in html
        for sid in cell["ids"]:
            assert f'href="../studies/{sid}.html"' in html
