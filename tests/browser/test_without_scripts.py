"""Every page works without site.js: the table lists every study, the gap map every cell, the versions as links."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def no_scripts(ui):
    ui.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    yield ui
    ui.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_study_table_lists_every_study(no_scripts, studies):
    ui = no_scripts
    ui.open("studies/index.html")
    shown = [row.get_attribute("data-id") for row in ui.all("[data-study-table] tbody tr") if row.is_displayed()]
    assert set(shown) == set(studies)
    assert not ui.css("[data-study-filters]").is_displayed(), "filters that cannot work are shown without scripts"


def test_gap_map_lists_every_cell(no_scripts, aggregates):
    ui = no_scripts
    ui.open("figures/gap-map.html")
    lists = [s.get_attribute("id") for s in ui.all(".cell-list") if s.is_displayed()]
    assert len(lists) == len(aggregates["crosstabs"]["gap-map"]["cells"])
    link = ui.all("[data-gap-map] td.cell a")[0]
    link.click()
    ui.wait(lambda d: "studies/index.html?" in d.current_url, "a bubble does not lead to the study table")


def test_versions_are_links_without_scripts(no_scripts, released_site):
    ui = no_scripts
    ui.site = released_site
    ui.open("index.html")
    everything = ui.all(".versions a")
    assert everything, "the version switcher has no links for readers without scripts"
    links = [a for a in everything if a.is_displayed()]
    assert links, "without scripts the version switcher cannot work, and its links are hidden"
    assert not ui.css("#version-select").is_displayed(), "a version menu that cannot work is shown without scripts"
    target = links[0].get_attribute("href")
    links[0].click()
    ui.wait(lambda d: d.current_url == target, f"the version link did not open {target}")
