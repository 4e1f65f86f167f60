"""The site opened straight from the disk (file://), as a reader of a downloaded copy would."""

from __future__ import annotations

import pytest

from .test_study_table import listed_ids

pytestmark = pytest.mark.browser


def test_study_table_and_links_work_from_file(ui, site, studies):
    base = site.folder.resolve().as_uri() + "/"
    ui.driver.get(base + "studies/index.html?role=peer-support")
    ui.wait(lambda d: ui.css("[data-study-filters]").is_displayed(), "site.js did not run from file://")
    assert ui.js("return getComputedStyle(document.body).marginTop") == "0px", "style.css did not load from file://"
    want = {sid for sid, s in studies.items() if s["codes"].get("role") == "peer-support"}
    assert set(listed_ids(ui)) == want
    ui.js("const box = document.querySelector(\"[data-facet='role'] input[value='peer-support']\");"
          "box.closest('details').open = true; box.click();")
    assert len(listed_ids(ui)) == len(studies)
    sid = sorted(want)[0]
    ui.css(f"tr[data-id='{sid}'] a").click()
    ui.wait(lambda d: d.current_url == base + f"studies/{sid}.html", f"the link did not open {sid}'s page")
    assert ui.css("h1").text == studies[sid]["title"]
    ui.css(".site-title").click()
    ui.wait(lambda d: d.current_url == base + "index.html", "the site title does not lead to index.html")
    assert not ui.console_errors()


# The gap map from file:// is tested in test_gap_map.py (its bubbles open the study table filtered to them).
