"""The study table: search, filters, URL parameters, sorting and links, checked against data/studies.json."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

TABLE = "studies/index.html"
FIRST = 20  # rows site.js lists after a change, in any table (LIST_FIRST in site.js)


# --- what the data say ------------------------------------------------------------------------

def values(study: dict[str, Any], field: str, not_coded: str = "not yet coded") -> list[Any] | None:
    """A study's values on a codebook field, or None when it is not yet coded."""
    value = study["codes"].get(field, not_coded)
    if value == not_coded:
        return None
    return list(value) if isinstance(value, list) else [value]


def having(studies: dict[str, dict[str, Any]], **wanted: str) -> set[str]:
    """Ids of the studies coded with every wanted field=value ("not-coded" for not yet coded)."""
    def ok(study: dict[str, Any]) -> bool:
        for field, value in wanted.items():
            found = values(study, field)
            if value == "not-coded":
                if found is not None:
                    return False
            elif found is None or value not in [str(v).lower() if isinstance(v, bool) else str(v) for v in found]:
                return False
        return True

    return {sid for sid, study in studies.items() if ok(study)}


def fold(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def text_of(study: dict[str, Any]) -> str:
    """What the search box searches: title, authors' names, journal, year and id, accents set aside."""
    words = [study["title"], *(f"{a.get('given', '')} {a['family']}" for a in study["authors"]),
             study.get("journal") or "", str(study["year"]), study["id"]]
    return fold(" ".join(words))


def matching(studies: dict[str, dict[str, Any]], query: str) -> set[str]:
    """The studies a search shows: every word of the query in the study's text."""
    words = fold(query).split()
    return {sid for sid, s in studies.items() if all(word in text_of(s) for word in words)}


# --- what the page shows ----------------------------------------------------------------------

def visible_ids(ui) -> list[str]:
    """The ids of the rows a reader sees, top to bottom."""
    return ui.js("""return Array.from(document.querySelectorAll('[data-study-table] tbody tr'))
                     .filter(r => r.getClientRects().length > 0).map(r => r.getAttribute('data-id'));""")


def listed_ids(ui) -> list[str]:
    """The ids of every row a reader can list, top to bottom: those listed, then those each "show more" adds
    until none is offered."""
    ui.js("""const more = document.querySelector('[data-show-more]');
             while (more && !more.hidden) more.querySelector('button').click();""")
    return visible_ids(ui)


def open_table(ui, query: str = "") -> None:
    ui.open(TABLE + query)
    ui.wait(lambda d: ui.css("[data-study-filters]").is_displayed(),
            "the filter form stays hidden: site.js did not run on the study table")


def assert_rows(ui, want: Iterable[str], total: int, what: str) -> None:
    """The rows a reader can list are exactly `want` (the first ones listed at once, the rest on "show
    more"), and the live count says so."""
    want = set(want)
    try:  # the table reacts synchronously; the wait only absorbs a slow machine
        ui.wait(lambda d: ui.css("[data-result-count]").text.startswith(f"{len(want)} of "), "", timeout=2)
    except Exception:  # noqa: BLE001 - the assertions below say what is wrong
        pass
    count = ui.css("[data-result-count]").text
    assert count == f"{len(want)} of {total} studies shown", f"{what}: result count reads {count!r}"
    shown = listed_ids(ui)
    missing, extra = sorted(want - set(shown)), sorted(set(shown) - want)
    assert not missing and not extra, (
        f"{what}: expected {len(want)} rows, the table lists {len(shown)}\n"
        f"  missing: {missing[:20]}{' …' if len(missing) > 20 else ''}\n"
        f"  unexpected: {extra[:20]}{' …' if len(extra) > 20 else ''}")
    assert len(shown) == len(set(shown)), f"{what}: a row is shown twice: {shown}"


def address(ui, ready) -> str:
    """The page's address once `ready(address)` holds: the table writes its search and filters into the
    address when the reader pauses, a moment after the rows change (the assertion that follows says what is
    wrong if it never holds)."""
    try:
        ui.wait(lambda d: ready(d.current_url), "", timeout=2)
    except Exception:  # noqa: BLE001 - the caller's assertion says what is wrong
        pass
    return ui.driver.current_url


def tick(ui, field: str, value: str) -> None:
    """Tick one value of a field's filter (opening its fold first, as a reader would)."""
    ui.js("const d = document.querySelector(`[data-facet='${arguments[0]}']`); if (d) d.open = true;", field)
    box = ui.css(f"[data-facet='{field}'] input[value='{value}']")
    if not box.is_selected():
        box.click()


def choose(ui, field: str, value: str) -> None:
    """Filter a field by one value alone ("" for none): untick its other values, tick this one."""
    ui.js("const d = document.querySelector(`[data-facet='${arguments[0]}']`); if (d) d.open = true;", field)
    for box in ui.all(f"[data-facet='{field}'] input[type=checkbox]"):
        if box.is_selected() and box.get_attribute("value") != value:
            box.click()
    if value:
        tick(ui, field, value)


def selected(ui, field: str) -> str:
    """The ticked values of a field's filter, comma-separated as in the URL."""
    return ",".join(box.get_attribute("value") for box in ui.all(f"[data-facet='{field}'] input[type=checkbox]")
                    if box.is_selected())


def check_role_filter(ui, studies: dict[str, dict[str, Any]], role: str = "peer-support") -> None:
    """Choosing a role lists exactly the studies coded with that role (used by the break test too)."""
    want = having(studies, role=role)
    assert want, f"no study is coded role={role}: choose another value for this test"
    open_table(ui)
    assert_rows(ui, studies, len(studies), "before any filter")
    choose(ui, "role", role)
    assert_rows(ui, want, len(studies), f"role = {role}")
    url = address(ui, lambda url: f"role={role}" in url)
    assert f"role={role}" in url, f"the filter is not kept in the URL: {url}"


# --- the tests --------------------------------------------------------------------------------

def test_table_lists_every_study_before_filtering(ui, studies):
    open_table(ui)
    assert len(studies) <= 200, "the fixture's table is one page: a larger one is test_large_table's"
    assert sorted(visible_ids(ui)) == sorted(studies), "a table of one page lists all its rows before any change"
    assert_rows(ui, studies, len(studies), "no filter")
    assert selected(ui, "role") == ""


def test_a_change_lists_the_first_rows_found_and_the_rest_on_request(ui, studies):
    """Whatever the table's size, a search or filter lists the first FIRST rows it finds, in the table's order
    (a throttled browser answers a click at once), and "show more" lists the others."""
    open_table(ui)
    order = visible_ids(ui)
    want = having(studies, role="peer-support")
    assert len(want) > FIRST, "pick a value more than FIRST studies have"
    choose(ui, "role", "peer-support")
    found = [sid for sid in order if sid in want]
    assert visible_ids(ui) == found[:FIRST]
    more = ui.css("[data-show-more]")
    assert more.is_displayed() and more.text == f"Show {min(100, len(want) - FIRST)} more ({FIRST} of {len(want)} listed)"
    ui.css("[data-show-more] button").click()
    assert visible_ids(ui) == found[:FIRST + 100]


@pytest.mark.parametrize("role", ["peer-support", "pre-determined", "co-creation-partner", "not-coded"])
def test_role_filter_shows_exactly_the_studies_with_that_role(ui, studies, role):
    if role == "peer-support":
        check_role_filter(ui, studies, role)
        return
    open_table(ui)
    choose(ui, "role", role)
    assert_rows(ui, having(studies, role=role), len(studies), f"role = {role}")


def test_multi_valued_filter(ui, studies):
    """A study coded with several phases is listed under each of them."""
    open_table(ui)
    for phase in ("delivery", "design", "commissioning"):
        choose(ui, "phases", phase)
        assert_rows(ui, having(studies, phases=phase), len(studies), f"phases = {phase}")


def test_text_search_for_an_author(ui, studies):
    from selenium.webdriver.common.keys import Keys

    author = "Byrne"
    by_author = {sid for sid, s in studies.items() if any(a["family"].lower() == author.lower() for a in s["authors"])}
    assert len(by_author) >= 2, f"pick an author with several studies; {author} has {sorted(by_author)}"
    assert by_author == {sid for sid, s in studies.items() if author.lower() in text_of(s)}, \
        f"'{author}' also occurs in titles or journals: pick another author for this test"
    open_table(ui)
    box = ui.css("input[type=search]")
    box.send_keys("  bYrNe ")  # case and surrounding spaces do not matter
    assert_rows(ui, by_author, len(studies), f"search {author!r}")
    assert "q=bYrNe" in address(ui, lambda url: "q=bYrNe" in url)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    assert_rows(ui, studies, len(studies), "search box emptied")


def test_text_search_for_a_title_phrase(ui, studies):
    phrase = "peer support"
    want = matching(studies, phrase)
    assert 0 < len(want) < len(studies)
    open_table(ui)
    ui.css("input[type=search]").send_keys("Peer Support")
    assert_rows(ui, want, len(studies), f"search {phrase!r}")


def test_search_without_match_shows_no_row(ui, studies):
    open_table(ui)
    ui.css("input[type=search]").send_keys("zzqx no such study")
    assert_rows(ui, set(), len(studies), "search without match")


def test_two_filters_combine(ui, studies):
    open_table(ui)
    choose(ui, "role", "co-creation-partner")
    choose(ui, "phases", "design")
    want = having(studies, role="co-creation-partner", phases="design")
    assert want and want != having(studies, role="co-creation-partner"), "pick filters that narrow each other"
    assert_rows(ui, want, len(studies), "role = co-creation-partner and phases = design")
    url = address(ui, lambda url: "role=co-creation-partner" in url and "phases=design" in url)
    assert "role=co-creation-partner" in url and "phases=design" in url, url


def test_search_and_filter_combine(ui, studies):
    open_table(ui)
    choose(ui, "role", "pre-determined")
    ui.css("input[type=search]").send_keys("veteran")
    want = having(studies, role="pre-determined") & matching(studies, "veteran")
    assert want, "pick a search that matches some pre-determined studies"
    assert_rows(ui, want, len(studies), "role = pre-determined and search 'veteran'")


def test_clear_filters_shows_every_study_again(ui, studies):
    open_table(ui)
    choose(ui, "role", "peer-support")
    choose(ui, "research_focus", "outcomes")
    ui.css("input[type=search]").send_keys("peer")
    assert len(listed_ids(ui)) < len(studies)
    ui.css("[data-study-filters] button[type=reset]").click()
    assert_rows(ui, studies, len(studies), "after Clear filters")
    assert selected(ui, "role") == "" and selected(ui, "research_focus") == ""
    assert ui.css("input[type=search]").get_attribute("value") == ""
    url = address(ui, lambda url: "?" not in url)
    assert "?" not in url, f"the URL keeps old filters: {url}"


@pytest.mark.parametrize("query, wanted", [
    ("?role=pre-determined", {"role": "pre-determined"}),
    ("?role=peer-support&phases=delivery", {"role": "peer-support", "phases": "delivery"}),
    ("?role=not-coded", {"role": "not-coded"}),
])
def test_url_parameters_preset_the_filters(ui, studies, query, wanted):
    open_table(ui, query)
    for field, value in wanted.items():
        assert selected(ui, field) == value, f"{query} does not preset the {field} filter"
    assert_rows(ui, having(studies, **wanted), len(studies), query)


def test_url_parameter_presets_the_search(ui, studies):
    open_table(ui, "?q=byrne&role=peer-support")
    assert ui.css("input[type=search]").get_attribute("value") == "byrne"
    want = having(studies, role="peer-support") & matching(studies, "byrne")
    assert_rows(ui, want, len(studies), "?q=byrne&role=peer-support")


def test_unknown_url_parameter_value_is_ignored(ui, studies):
    open_table(ui, "?role=no-such-role")
    assert selected(ui, "role") == ""
    assert_rows(ui, studies, len(studies), "?role=no-such-role")


def header(ui, key: str):
    return ui.css(f"[data-study-table] thead button[data-sort='{key}']")


def sort_state(ui) -> dict[str, str]:
    return ui.js("""const out = {};
        document.querySelectorAll('[data-study-table] thead th').forEach(th => {
          const b = th.querySelector('[data-sort]'); if (th.hasAttribute('aria-sort')) out[b ? b.dataset.sort : th.textContent] = th.getAttribute('aria-sort'); });
        return out;""")


def test_sorting_by_year(ui, studies):
    open_table(ui)
    header(ui, "year").click()
    order = listed_ids(ui)
    years = [studies[sid]["year"] for sid in order]
    assert set(order) == set(studies) and years == sorted(years), f"not ascending by year: {years}"
    assert sort_state(ui) == {"year": "ascending"}
    header(ui, "year").click()
    years = [studies[sid]["year"] for sid in listed_ids(ui)]
    assert years == sorted(years, reverse=True), f"not descending by year: {years}"
    assert sort_state(ui) == {"year": "descending"}


def test_sorting_keeps_the_filter(ui, studies):
    open_table(ui, "?role=peer-support")
    header(ui, "year").click()
    order = listed_ids(ui)
    assert set(order) == having(studies, role="peer-support")
    years = [studies[sid]["year"] for sid in order]
    assert years == sorted(years)
    choose(ui, "role", "")
    assert_rows(ui, studies, len(studies), "filter cleared after sorting")
    years = [studies[sid]["year"] for sid in listed_ids(ui)]
    assert years == sorted(years), "clearing the filter lost the sort order"


def test_sorting_by_role_groups_the_roles(ui, studies):
    open_table(ui)
    header(ui, "role").click()
    listed_ids(ui)
    labels = ui.js("""return Array.from(document.querySelectorAll('[data-study-table] tbody tr'))
                        .map(r => r.cells[3].textContent.trim());""")
    runs = [label for i, label in enumerate(labels) if i == 0 or label != labels[i - 1]]
    assert len(runs) == len(set(runs)), f"rows of one role are not together after sorting by role: {runs}"


def test_opening_a_study_from_the_table(ui, studies):
    # a title with quotation marks, to see it escaped and unescaped on the way
    sid = next((sid for sid, s in sorted(studies.items()) if '"' in s["title"]), sorted(studies)[0])
    open_table(ui)
    ui.css("input[type=search]").send_keys(studies[sid]["title"][:40])
    link = ui.css(f"tr[data-id='{sid}'] a")
    link.click()
    ui.wait(lambda d: d.current_url.split("?")[0].endswith(f"studies/{sid}.html"),
            f"clicking the link of {sid} did not open its page")
    assert ui.site.path_of(ui.driver.current_url) == f"studies/{sid}.html"
    assert ui.css("h1").text == studies[sid]["title"]
    assert not ui.site.failures, ui.site.failures


def test_a_coded_value_on_a_study_page_opens_the_filtered_table(ui, studies):
    sid = next(sid for sid in sorted(studies) if values(studies[sid], "role"))
    role = values(studies[sid], "role")[0]
    ui.open(f"studies/{sid}.html")
    ui.css(f"a[href$='index.html?role={role}']").click()
    ui.wait(lambda d: "role=" in d.current_url, "the coded value's link did not open the table")
    assert selected(ui, "role") == role
    assert_rows(ui, having(studies, role=role), len(studies), f"from {sid}'s page, role = {role}")
    assert sid in visible_ids(ui)


def test_a_broken_filter_script_is_caught(ui, studies):
    """The role-filter check fails against a copy of the site whose site.js ignores the filters."""
    def break_filter(folder):
        script = folder / "assets" / "site.js"
        text = script.read_text(encoding="utf-8")
        needle = "if (!passes(ticked[t], index)) {"
        assert needle in text, "site.js changed: update how this test breaks the filter"
        script.write_text(text.replace(needle, "if (false) {"), encoding="utf-8")

    broken = ui.site.copy("site-broken-filter", break_filter)
    ui.site = broken
    with pytest.raises(AssertionError, match="role = peer-support: result count reads"):
        check_role_filter(ui, studies)


def test_every_filter_option_shows_as_many_rows_as_it_says(ui, studies, aggregates):
    """Each option's "(n)" and each "Not yet coded" match the rows shown and data/aggregates.json."""
    open_table(ui)
    results = ui.js("""
        const out = [];
        for (const facet of document.querySelectorAll('[data-study-filters] [data-facet]')) {
          facet.open = true;
          for (const box of facet.querySelectorAll('input[type=checkbox]')) {
            const label = box.parentNode.textContent.trim();  // before ticking: every other filter is clear
            box.click();
            const more = document.querySelector('[data-show-more]');
            while (!more.hidden) more.querySelector('button').click();
            const shown = Array.from(document.querySelectorAll('[data-study-table] tbody tr'))
                            .filter(r => r.getClientRects().length > 0).length;
            out.push([box.name, box.value, label, shown]);
            box.click();
          }
        }
        return out;""")
    assert results, "the study table has no filter"
    wrong = []
    for field, value, label, shown in results:
        tally = aggregates["tallies"].get(field)
        if value == "not-coded":
            expected = tally["not_coded"] if tally else None
        elif value == "none":  # coded with an empty list: none of the values
            expected = tally["none"] if tally else None
        else:
            counts = {str(v).lower() if isinstance(v, bool) else str(v): c for v, c in (tally or {"counts": []})["counts"]}
            expected = counts.get(value)
            if not label.endswith(f"({shown})"):
                wrong.append(f"{field}={value}: the option reads {label!r} but shows {shown} rows")
        if expected != shown:
            wrong.append(f"{field}={value}: {shown} rows shown, aggregates.json counts {expected}")
    assert not wrong, "\n".join(wrong)


# --- reading the table as a reader would ---------------------------------------------------------

@pytest.mark.parametrize("query", ["balkova", "BALKOVÁ 2022", "czech 2022 qualitative"])
def test_search_sets_accents_and_case_aside_and_takes_several_words_and_years(ui, studies, query):
    want = matching(studies, query)
    assert "balkova-2022" in want and len(want) < len(studies)
    open_table(ui)
    ui.css("input[type=search]").send_keys(query)
    assert_rows(ui, want, len(studies), f"search {query!r}")


def test_a_year_alone_finds_the_studies_of_that_year(ui, studies):
    want = {sid for sid, s in studies.items() if str(s["year"]) == "2014"} | matching(studies, "2014")
    assert want == matching(studies, "2014") and want
    open_table(ui)
    ui.css("input[type=search]").send_keys("2014")
    assert_rows(ui, want, len(studies), "search 2014")


def test_values_ticked_in_one_field_widen_the_selection(ui, studies):
    open_table(ui)
    tick(ui, "role", "peer-support")
    tick(ui, "role", "pre-determined")
    want = having(studies, role="peer-support") | having(studies, role="pre-determined")
    assert_rows(ui, want, len(studies), "role = peer-support or pre-determined")
    from urllib.parse import parse_qs, urlsplit

    url = address(ui, lambda url: "pre-determined" in url and "peer-support" in url)
    kept = parse_qs(urlsplit(url).query)["role"][0].split(",")
    assert sorted(kept) == ["peer-support", "pre-determined"], url


def test_the_counts_of_a_field_narrow_with_the_other_filters(ui, studies):
    open_table(ui)
    choose(ui, "role", "co-creation-partner")
    ui.js("document.querySelector(`[data-facet='phases']`).open = true;")
    shown = {box.get_attribute("value"): box.find_element("xpath", "..").text
             for box in ui.all("[data-facet='phases'] input[type=checkbox]")}
    partners = having(studies, role="co-creation-partner")
    for phase, label in shown.items():
        expected = len(partners & having(studies, phases=phase))
        assert label.endswith(f"({expected})"), f"phases={phase} reads {label!r}, {expected} partner studies have it"


def test_a_search_without_result_says_so_and_offers_to_clear(ui, studies):
    open_table(ui, "?role=co-creation-partner")
    ui.css("input[type=search]").send_keys("zzqx no such study")
    message = ui.css("[data-no-results]")
    assert message.is_displayed() and not ui.css("[data-export]").is_displayed()
    message.find_element("css selector", "button").click()
    assert_rows(ui, studies, len(studies), "after clearing from the message")
    assert not ui.css("[data-no-results]").is_displayed()


def exported(ui, format: str) -> str:
    """What 'download the studies shown' gives, read from the file the page hands to the browser."""
    ui.js("""window.__exported = null; const make = URL.createObjectURL.bind(URL);
             URL.createObjectURL = blob => { window.__exported = blob; return make(blob); };""")
    ui.css(f"[data-export-format='{format}']").click()
    # the records are loaded on the first click (studies/table-exports.js): the file may come a moment later
    return ui.driver.execute_async_script("""const done = arguments[0];
        const wait = () => window.__exported ? window.__exported.text().then(done) : setTimeout(wait, 20);
        wait();""")


def test_the_studies_shown_can_be_downloaded_as_csv_ris_and_bibtex(ui, studies):
    import csv
    import io

    import rispy
    from pybtex.database import parse_string

    open_table(ui, "?role=co-creation-partner")
    header(ui, "year").click()
    order = listed_ids(ui)
    rows = list(csv.DictReader(io.StringIO(exported(ui, "csv"))))
    assert [row["id"] for row in rows] == order
    records = rispy.loads(exported(ui, "ris"))
    assert [r["id"] for r in records] == order
    assert list(parse_string(exported(ui, "bib"), "bibtex").entries) == order


def test_not_yet_coded_goes_last_whichever_way_a_column_is_sorted(ui, studies):
    open_table(ui)
    for _ in range(2):
        header(ui, "research_focus").click()
        missing = [values(studies[sid], "research_focus") is None for sid in listed_ids(ui)]
        assert any(missing) and missing == sorted(missing), "a study not yet coded is sorted among the values"
