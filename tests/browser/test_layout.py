"""Layout: no sideways scrolling on a phone, screenshots for review, and the version switcher."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
MAIN_PAGES = ["index.html", "studies/index.html", "STUDY", "methods.html", "figures/gap-map.html"]
SHOTS = {"home": "index.html", "studies": "studies/index.html", "gap-map": "figures/gap-map.html"}


@pytest.fixture(scope="session")
def long_study(studies) -> str:
    """The study page most likely to overflow: the longest title."""
    return max(sorted(studies), key=lambda sid: len(studies[sid]["title"]))


def resolve(page: str, long_study: str) -> str:
    return f"studies/{long_study}.html" if page == "STUDY" else page


def overflow(ui) -> dict:
    """How far the page scrolls sideways, and the elements that stick out of the viewport."""
    return ui.js("""
        const root = document.documentElement, width = root.clientWidth;
        const culprits = [];
        for (const e of document.body.querySelectorAll('*')) {
          const r = e.getBoundingClientRect();
          if (r.width && r.right > width + 1 && !e.closest('.table-scroll')) {
            culprits.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ' right=' + Math.round(r.right));
            if (culprits.length >= 8) break;
          }
        }
        return {scrollWidth: root.scrollWidth, clientWidth: width, innerWidth: window.innerWidth, culprits};""")


@pytest.mark.parametrize("page", MAIN_PAGES)
def test_no_horizontal_scrolling_on_a_phone(ui, long_study, page):
    page = resolve(page, long_study)
    ui.phone()
    ui.open(page)
    found = overflow(ui)
    assert found["innerWidth"] == 375, f"the phone viewport is {found['innerWidth']} px wide, not 375"
    assert found["scrollWidth"] <= found["clientWidth"], (
        f"{page} scrolls sideways on a 375 px phone: content {found['scrollWidth']} px wide in "
        f"{found['clientWidth']} px; sticking out: {found['culprits']}")


def test_no_horizontal_scrolling_on_a_phone_anywhere_else(ui, site):
    """Every other page outside the study pages (all alike): content pages, figures, references."""
    pages = sorted(p.relative_to(site.folder).as_posix() for p in site.folder.rglob("*.html")
                   if "studies" not in p.relative_to(site.folder).parts)
    pages = [p for p in pages if p not in MAIN_PAGES]
    ui.phone()
    wide = {}
    for page in pages:
        ui.open(page)
        found = overflow(ui)
        if found["scrollWidth"] > found["clientWidth"]:
            wide[page] = f"{found['scrollWidth']} > {found['clientWidth']}: {found['culprits']}"
    assert not wide, "pages that scroll sideways on a 375 px phone:\n" + "\n".join(f"  {p}: {w}" for p, w in wide.items())


def test_study_table_filters_fit_a_phone(ui):
    ui.phone()
    ui.open("studies/index.html")
    ui.wait(lambda d: ui.css("[data-study-filters]").is_displayed(), "the filters did not appear")
    too_wide = ui.js("""return Array.from(document.querySelectorAll('[data-study-filters] select, [data-study-filters] input, [data-study-filters] button'))
                          .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
                          .map(e => e.name || e.textContent);""")
    assert not too_wide, f"filter controls stick out of a phone screen: {too_wide}"


def test_on_a_phone_the_first_study_comes_soon_and_no_column_is_hidden(ui):
    ui.phone()
    ui.open("studies/index.html")
    ui.wait(lambda d: ui.css("[data-study-filters]").is_displayed(), "the filters did not appear")
    found = ui.js("""const row = document.querySelector('[data-study-table] tbody tr');
        return {top: row.getBoundingClientRect().top + window.scrollY, screen: window.innerHeight,
                hidden: Array.from(row.cells).filter(c => c.getClientRects().length === 0).map(c => c.dataset.label),
                clipped: Array.from(row.cells).filter(c => c.getBoundingClientRect().right >
                                                       document.documentElement.clientWidth + 1).map(c => c.dataset.label)};""")
    # The filters fold away: a reader reaches the first study within about two screens, not after 14 open lists.
    assert found["top"] < 2 * found["screen"], f"the first study starts {found['top']} px down a {found['screen']} px screen"
    assert found["hidden"] == [] and found["clipped"] == [], found


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or REPO / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def full_page_png(driver) -> bytes:
    import base64

    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    return base64.b64decode(shot["data"])


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_screenshots(ui, size):
    folder = screenshot_dir()
    ui.phone() if size == "phone" else ui.desktop()
    for name, page in SHOTS.items():
        ui.open(page)
        if name == "gap-map":  # narrowed to one value, as a reader would
            ui.js("""const select = document.querySelector('[data-gap-map-segment]');
                     select.selectedIndex = 1;
                     select.dispatchEvent(new Event('change'));""")
        target = folder / f"{name}-{size}.png"
        target.write_bytes(full_page_png(ui.driver))
        data = target.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5000, f"{target} is not a real screenshot"


def test_pages_load_without_script_errors_or_missing_files(ui, site, long_study):
    site.failures.clear()
    ui.console_errors()  # start afresh
    errors = {}
    for page in [resolve(p, long_study) for p in MAIN_PAGES] + ["references.html", "consistency.html"]:
        ui.open(page)
        found = ui.console_errors()
        if found:
            errors[page] = found
    assert not errors, f"the browser logged errors: {errors}"
    assert not site.failures, f"requests that failed: {site.failures}"


@pytest.mark.parametrize("which", ["site", "released_site"])
def test_version_switcher(ui, request, which):
    """With more than one edition, choosing another version in the switcher opens that edition.

    `site` is the review as it is; `released_site` a copy with one more frozen release, so the
    switcher is tested even before the review's first release.
    """
    from selenium.webdriver.support.ui import Select

    site = request.getfixturevalue(which)
    ui.site = site
    ui.open("index.html")
    found = ui.all("select#version-select")
    if not found:
        pytest.skip("only one edition")
    starts = ["index.html"] + [o.get_attribute("value") for o in Select(found[0]).options]
    assert len(starts) > 2, "the version switcher offers no other edition"
    visited = set()
    for start in starts:
        ui.open(start)
        here = ui.driver.current_url
        options = [(o.get_attribute("value"), o.text) for o in Select(ui.css("select#version-select")).options]
        current = ui.css("select#version-select").get_attribute("value")
        for value, label in options:
            if value == current:
                continue  # choosing the edition already shown fires no change
            ui.open(start)
            target = ui.js("return new URL(arguments[0], document.baseURI).href", value)
            Select(ui.css("select#version-select")).select_by_value(value)
            ui.wait(lambda d, target=target: d.current_url == target,
                    f"on {here}, choosing {label!r} did not open {target}")
            visited.add(target)
            chosen = ui.css("select#version-select").get_attribute("value")
            assert ui.js("return new URL(arguments[0], document.baseURI).href", chosen) == target, \
                f"{target} shows {chosen!r} as its version, not itself"
            assert ui.js("return document.querySelector('link[rel=stylesheet]').sheet !== null"), \
                f"{target} did not load its stylesheet"
    assert visited, "no other edition was opened"
    assert not site.failures, f"requests that failed: {site.failures}"


def test_several_editions_fit_a_phone(ui, released_site):
    ui.site = released_site
    ui.phone()
    for page in ("index.html", "draft/index.html", "draft/studies/index.html"):
        ui.open(page)
        found = overflow(ui)
        assert found["scrollWidth"] <= found["clientWidth"], f"{page} of a site with releases scrolls sideways: {found}"


def test_version_switcher_keeps_the_page_or_searches_for_a_study_the_version_lacks(ui, released_site):
    """On a study's page the switcher opens that study in the chosen version; where that version does not
    hold the study, it opens that version's study table, searching for it."""
    from selenium.webdriver.support.ui import Select

    ui.site = released_site
    draft = {s["id"] for s in released_site.json("draft/data/studies.json")["studies"]}
    releases = {path.parent.parent.name: {s["id"] for s in json.loads(path.read_text(encoding="utf-8"))["studies"]}
                for path in (released_site.folder / "v").glob("*/data/studies.json")}
    everywhere = sorted(draft.intersection(*releases.values()))
    somewhere = sorted(draft - set.intersection(*releases.values()))
    checked = {"kept": 0, "searched": 0}
    for study in everywhere[:1] + somewhere[:1]:
        for label, held in releases.items():
            ui.open(f"draft/studies/{study}.html")
            Select(ui.css("select#version-select")).select_by_visible_text(
                next(o.text for o in Select(ui.css("select#version-select")).options
                     if o.get_attribute("data-edition") == label))
            if study in held:
                ui.wait(lambda d, label=label, study=study: d.current_url.endswith(f"/v/{label}/studies/{study}.html"),
                        f"choosing {label} did not open {study}'s page in that version")
                checked["kept"] += 1
            else:
                ui.wait(lambda d, label=label, study=study:
                        d.current_url.endswith(f"/v/{label}/studies/index.html?q={study}"),
                        f"choosing {label}, which lacks {study}, did not search its study table")
                assert ui.css("#filter-text").get_attribute("value") == study
                checked["searched"] += 1
    assert checked["kept"], "no study was opened in another version"
    # a page that is not a study's: the same page in the other version
    label = next(iter(releases))
    ui.open("draft/references.html")
    Select(ui.css("select#version-select")).select_by_visible_text(
        next(o.text for o in Select(ui.css("select#version-select")).options
             if o.get_attribute("data-edition") == label))
    ui.wait(lambda d: d.current_url.endswith(f"/v/{label}/references.html"), "the switcher left the references page")
