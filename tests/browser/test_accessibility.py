"""Accessibility: axe-core finds no serious or critical violation, and everything works from the keyboard."""

from __future__ import annotations

import pytest

from .test_study_table import listed_ids

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")
PAGES = {"home": "index.html", "studies": "studies/index.html", "study": "STUDY", "methods": "methods.html",
         "gap-map": "figures/gap-map.html"}


@pytest.fixture(scope="session")
def a_study(studies) -> str:
    """A study page with as much on it as possible: the most coded fields, then the longest notes."""
    def richness(sid: str):
        codes = studies[sid]["codes"].values()
        return (sum(v != "not yet coded" for v in codes), len(studies[sid].get("notes") or ""), sid)

    return max(studies, key=richness)


def page_path(name: str, a_study: str) -> str:
    return f"studies/{a_study}.html" if PAGES[name] == "STUDY" else PAGES[name]


def assert_no_blocking(ui, axe_source, where: str) -> None:
    violations = [v for v in ui.axe(axe_source) if v["impact"] in BLOCKING]
    assert not violations, f"axe-core on {where}: {len(violations)} serious or critical violations\n" \
                           + ui.describe_violations(violations)


@pytest.mark.parametrize("view", ["light", "dark", "phone"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violation(ui, axe_source, a_study, name, view):
    """Each main page in the light and dark colour schemes, and on a phone (where wide tables scroll)."""
    if view == "dark":
        ui.dark()
    if view == "phone":
        ui.phone()
    ui.open(page_path(name, a_study))
    assert_no_blocking(ui, axe_source, f"{page_path(name, a_study)} ({view})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_the_gap_map_narrowed_to_one_value(ui, axe_source, scheme):
    """Narrowed, some bubbles give way to zeros and the status line speaks: still no serious violation."""
    if scheme == "dark":
        ui.dark()
    ui.open("figures/gap-map.html")
    ui.js("""const select = document.querySelector('[data-gap-map-segment]');
             select.selectedIndex = select.options.length - 1;
             select.dispatchEvent(new Event('change'));""")
    assert ui.css("[data-gap-map-status]").text, "narrowing the map said nothing"
    assert_no_blocking(ui, axe_source, f"the gap map narrowed to one value ({scheme})")


def test_axe_on_the_filtered_study_table(ui, axe_source):
    ui.open("studies/index.html?role=peer-support&q=peer")
    assert_no_blocking(ui, axe_source, "the filtered study table")
    ui.open("studies/index.html?q=zzqx")
    assert_no_blocking(ui, axe_source, "the study table with no row left")


@pytest.mark.parametrize("view", ["desktop", "phone"])
def test_axe_on_every_other_page(ui, axe_source, site, view):
    """Content pages, every figure page, references, consistency and changelog (study pages are all alike)."""
    pages = sorted(p.relative_to(site.folder).as_posix() for p in site.folder.glob("*.html"))
    pages += sorted(p.relative_to(site.folder).as_posix() for p in site.folder.glob("figures/*.html"))
    pages = [p for p in pages if p not in PAGES.values()]
    if view == "phone":
        ui.phone()
    found = {}
    for page in pages:
        ui.open(page)
        violations = [v for v in ui.axe(axe_source) if v["impact"] in BLOCKING]
        if violations:
            found[page] = ui.describe_violations(violations)
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(
        f"--- {page}\n{text}" for page, text in found.items())


# --- keyboard -----------------------------------------------------------------------------------

def test_skip_link_is_first_and_visible_when_focused(ui):
    from selenium.webdriver.common.keys import Keys

    ui.open("studies/index.html")
    ui.press(Keys.TAB)
    assert ui.js("return document.activeElement.classList.contains('skip')"), \
        f"the first Tab goes to {ui.focused()}, not the skip link"
    box = ui.js("const r = document.activeElement.getBoundingClientRect(); return [r.left, r.top, r.width];")
    assert box[0] >= 0 and box[1] >= 0 and box[2] > 0, f"the focused skip link is off screen: {box}"
    ui.press(Keys.ENTER)
    ui.wait(lambda d: d.current_url.endswith("#main"), "the skip link does not lead to #main")
    ui.press(Keys.TAB)
    inside = ui.js("return document.getElementById('main').contains(document.activeElement)")
    assert inside, f"after skipping, Tab goes to {ui.focused()}, outside the main content"


def test_every_control_of_the_study_table_is_reachable_by_tab(ui):
    """Tab reaches the search box, every filter's fold, Clear filters, the downloads and every sort button,
    each with a visible focus."""
    from selenium.webdriver.common.keys import Keys

    name_of = """(e => e.id || e.getAttribute('data-sort') || e.getAttribute('data-export-format')
                  || (e.tagName === 'SUMMARY' ? 'facet-' + e.parentNode.getAttribute('data-facet') : '') || e.type)"""
    ui.open("studies/index.html")
    ui.wait(lambda d: ui.css("[data-study-filters]").is_displayed(), "the filters did not appear")
    wanted = ui.js(f"""return Array.from(document.querySelectorAll(
            '[data-study-filters] input[type=search], [data-study-filters] summary, [data-study-filters] button, [data-export] button, [data-study-table] thead button'))
          .map({name_of});""")
    reached, no_outline = [], []
    for _ in range(160):
        ui.press(Keys.TAB)
        name, outlined = ui.js(f"""const e = document.activeElement, s = getComputedStyle(e);
            return [{name_of}(e) || e.tagName, s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0];""")
        reached.append(name)
        if not outlined:
            no_outline.append(name)
        if name == wanted[-1]:
            break
    missing = [w for w in wanted if w not in reached]
    assert not missing, f"not reachable by Tab: {missing}; Tab went {reached}"
    order = [name for name in reached if name in wanted]
    assert order == wanted, f"Tab visits the controls as {order}, the page has them as {wanted}"
    assert not no_outline, f"no visible focus outline on: {no_outline}"


def test_filters_and_sorting_work_from_the_keyboard(ui, studies):
    from selenium.webdriver.common.keys import Keys

    def shown() -> list[str]:
        return listed_ids(ui)

    ui.open("studies/index.html")
    ui.wait(lambda d: ui.css("[data-study-filters]").is_displayed(), "the filters did not appear")
    first_role = ui.js("return document.querySelector(\"[data-facet='role'] input\").value")

    # search: Tab into the box and type
    ui.tab_to("e.type === 'search'")
    ui.press("peer")
    want_text = {sid for sid, s in studies.items() if "peer" in " ".join(
        [s["title"], *(f"{a.get('given', '')} {a['family']}" for a in s["authors"]), s.get("journal") or "",
         str(s["year"]), sid]).lower()}
    assert set(shown()) == want_text, "typing in the search box did not filter the rows"

    # a filter: Tab to the role fold, Enter opens it, Tab to its first value, Space ticks it
    ui.tab_to("e.tagName === 'SUMMARY' && e.parentNode.getAttribute('data-facet') === 'role'")
    ui.press(Keys.ENTER)
    ui.tab_to(f"e.name === 'role' && e.value === '{first_role}'")
    ui.press(Keys.SPACE)
    want = {sid for sid in want_text if studies[sid]["codes"]["role"] == first_role}
    ui.wait(lambda d: set(shown()) == want, f"role = {first_role} and search 'peer' from the keyboard: "
                                            f"expected {sorted(want)}, shown {sorted(shown())}")

    # clear: Tab to the button, press Enter
    ui.tab_to("e.type === 'reset'")
    ui.press(Keys.ENTER)
    ui.wait(lambda d: len(shown()) == len(studies), "Enter on Clear filters did not show every study again")
    assert not ui.js("return document.querySelector(\"[data-facet='role'] input\").checked")

    # sorting: Tab to the Year button; Enter sorts ascending, Space descending
    ui.tab_to("e.getAttribute('data-sort') === 'year'")
    ui.press(Keys.ENTER)
    years = [studies[sid]["year"] for sid in shown()]
    assert years == sorted(years), "Enter on the Year heading did not sort by year"
    ui.press(Keys.SPACE)
    years = [studies[sid]["year"] for sid in shown()]
    assert years == sorted(years, reverse=True), "Space on the Year heading did not reverse the order"
    assert ui.js("return document.activeElement.getAttribute('data-sort')") == "year", \
        "sorting lost the keyboard focus"


def test_a_wide_table_on_a_phone_scrolls_from_the_keyboard(ui):
    """On a phone the published-figures table is wider than the screen: Tab reaches it, arrows scroll it."""
    from selenium.webdriver.common.keys import Keys

    ui.phone()
    ui.open("index.html")
    wide = ui.js("""return Array.from(document.querySelectorAll('.table-scroll'))
                      .filter(b => b.scrollWidth > b.clientWidth + 1).length""")
    if not wide:
        pytest.skip("no table on the home page is wider than a phone")
    ui.tab_to("e.classList.contains('table-scroll')")
    assert ui.js("return document.activeElement.getAttribute('aria-label')"), "the focused table box has no name"
    before = ui.js("return document.activeElement.scrollLeft")
    ui.press(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    ui.wait(lambda d: ui.js("return document.activeElement.scrollLeft") > before,
            "the arrow keys do not scroll the focused table")
    ui.desktop()
    ui.wait(lambda d: not ui.js("return document.querySelector('.table-scroll[data-scroll-focus]')"),
            "a table that fits the screen stays in the tab order")


def test_gap_map_bubbles_are_reachable_by_tab_in_reading_order(ui):
    ui.open("figures/gap-map.html")
    links = ui.js("return Array.from(document.querySelectorAll('[data-gap-map] td.cell a')).map(a => a.href)")
    assert links, "the gap map has no bubble to select"
    path = []
    for _ in range(len(links)):
        ui.tab_to("e.tagName === 'A' && !!e.closest('[data-gap-map] td.cell')")
        path.append(ui.js("return document.activeElement.href"))
    assert path == links, f"Tab visits the bubbles as {path}, the map has them as {links}"


def test_the_axe_check_catches_a_real_violation(ui, axe_source, site):
    """Against a copy of the site whose search box lost its label, the check above fails."""
    def drop_label(folder):
        page = folder / "studies" / "index.html"
        html = page.read_text(encoding="utf-8")
        assert '<label for="filter-text">' in html, "studies.html changed: update how this test breaks it"
        page.write_text(html.replace('<label for="filter-text">', '<label>'), encoding="utf-8")

    ui.site = site.copy("site-broken-label", drop_label)
    ui.open("studies/index.html")
    with pytest.raises(AssertionError, match="label"):
        assert_no_blocking(ui, axe_source, "a copy of the study table without the role filter's label")


def test_axe_on_a_site_with_releases(ui, axe_source, released_site):
    """The version switcher, the draft and old-version banners and the changelog of a site with releases."""
    ui.site = released_site
    ui.open("index.html")
    pages = ["index.html", "draft/index.html", "changelog.html"] + [
        o.get_attribute("value") for o in ui.all("#version-select option")]
    found = {}
    for page in dict.fromkeys(pages):
        ui.open(page)
        violations = [v for v in ui.axe(axe_source) if v["impact"] in BLOCKING]
        if violations:
            found[page] = ui.describe_violations(violations)
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(
        f"--- {page}\n{text}" for page, text in found.items())


@pytest.mark.parametrize("view", ["light", "dark", "phone"])
def test_axe_on_the_consistency_page_with_every_kind_of_finding(ui, axe_source, site, view):
    """The draft's consistency page, which holds this edition's checks (a release shows those it froze)."""
    page = "draft/consistency.html" if (site.folder / "draft" / "consistency.html").is_file() else "consistency.html"
    assert "level-contradiction" in (site.folder / page).read_text(encoding="utf-8")
    if view == "dark":
        ui.dark()
    if view == "phone":
        ui.phone()
    ui.open(page)
    assert_no_blocking(ui, axe_source, f"{page} ({view})")
