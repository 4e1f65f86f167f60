"""The evidence gap map of the fixture review: links that select exactly a cell's studies, cells ruled out by the
codebook, the studies not yet coded, the legend, and the data that narrows the map to one value of another field.

The fixture's map is community involvement × garden stages. Its five studies, read from their files:
  adams-2018  consulted      [tending]                      qualitative
  baker-2020  leading        [planning, tending]            trial
  chen-2021   collaborating  [building, tending, harvest]   trial
  diaz-2022   consulted      [harvest]                      survey (method not yet coded)
  evans-2019  not yet coded  not yet coded                  case-study
and its codebook rules that a community that shares the harvest does not lead the garden.
"""

from __future__ import annotations

import html.parser
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml
from conftest import FIXTURE, make_scratch_review, write_study, write_yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import livingreview.figures.gap_map
from livingreview.aggregate import aggregate, recount
from livingreview.cli import main
from livingreview.codebook import Codebook, load_codebook
from livingreview.figures import FigureInputs, FigureSpec
from livingreview.figures.gap_map import bubble, legend_counts
from livingreview.study import Author, Study

CELLS = {  # (involvement, stage) -> the studies in it
    ("consulted", "tending"): {"adams-2018"},
    ("consulted", "harvest"): {"diaz-2022"},
    ("collaborating", "building"): {"chen-2021"},
    ("collaborating", "tending"): {"chen-2021"},
    ("collaborating", "harvest"): {"chen-2021"},
    ("leading", "planning"): {"baker-2020"},
    ("leading", "tending"): {"baker-2020"},
}
GAPS = {("consulted", "planning"), ("consulted", "building"), ("collaborating", "planning"), ("leading", "building")}
RULED_OUT = {("leading", "harvest")}
LABELS = {"Consulted": "consulted", "Collaborating": "collaborating", "Leading": "leading", "Planning": "planning",
          "Building": "building", "Tending": "tending", "Harvest": "harvest"}


class Page(html.parser.HTMLParser):
    """The map's cells, the study table's rows, the narrowing choices and the map's data, from one page."""

    def __init__(self, text: str):
        super().__init__()
        self.cells: dict[tuple[str, str], dict[str, Any]] = {}
        self.rows: dict[str, dict[str, str]] = {}  # a table's rows: id -> attributes
        self.options: dict[str, str] = {}  # narrowing choice: value -> its text
        self.data: Any = None
        self._cell: dict[str, Any] | None = None
        self._row_label = ""
        self._in: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self._in.append(tag)
        if tag == "th" and a.get("scope") == "row":
            self._row_label = ""
        if tag == "td" and "cell" in a.get("class", "").split():
            self._cell = {"classes": set(a["class"].split()), "links": [], "text": "",
                          "index": int(a.get("data-cell-index") or -1), "count": a.get("data-count")}
            self.cells[(LABELS[self._row_label.strip()], LABELS[a["data-label"]])] = self._cell
        if tag == "a" and self._cell is not None:
            self._cell["links"].append(a)
        if tag == "tr" and "data-id" in a:
            self.rows[a["data-id"]] = a
        if tag == "option":
            self._option = a.get("value", "")
            self.options[self._option] = ""
        if tag == "script" and "data-gap-map-data" in a:
            self._script = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None
        if tag == "script" and hasattr(self, "_script"):
            self.data = json.loads(self._script)
            del self._script
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._in[-1:] == ["th"] and "tbody" in self._in:
            self._row_label += data
        if self._cell is not None:
            self._cell["text"] += data
        if self._in[-1:] == ["option"]:
            self.options[self._option] += data
        if hasattr(self, "_script"):
            self._script += data


def build(root: Path) -> Path:
    assert main(["--root", str(root), "build"]) == 0
    return root / "site"


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gap-map") / "review"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))
    return build(root)


@pytest.fixture(scope="module")
def map_page(fixture_site: Path) -> Page:
    return Page((fixture_site / "figures" / "map.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def table(fixture_site: Path) -> dict[str, dict[str, list[str]]]:
    """The study table's studies, each with its values per field as its filters read them: the compact rows
    site.js loads (studies/table-data.js), each value a position in its field's list."""
    script = (fixture_site / "studies" / "table-data.js").read_text(encoding="utf-8")
    data = json.loads(script[script.index("{"):script.rindex("}") + 1])
    fields = data["dimensions"]
    return {row[0]: {field["key"]: [field["values"][v] for v in (row[5 + i] if isinstance(row[5 + i], list)
                                                                 else [row[5 + i]])]
                     for i, field in enumerate(fields)}
            for row in data["rows"]}


def shown_by(table: dict[str, dict[str, list[str]]], href: str) -> set[str]:
    """The studies the study table shows for a link's ?field=value filters, as its filters decide: a study passes
    a field when one of its values is the one asked for, and it must pass every field."""
    wanted = parse_qsl(urlsplit(href).query)
    return {sid for sid, values in table.items() if all(value in values.get(field, []) for field, value in wanted)}


def test_each_cell_with_studies_links_to_the_study_table_showing_exactly_them(map_page, table):
    assert set(map_page.cells) == set(CELLS) | GAPS | RULED_OUT
    for where, studies in CELLS.items():
        links = map_page.cells[where]["links"]
        assert len(links) == 1, f"{where}: {links}"
        href = links[0]["href"]
        assert urlsplit(href).path == "../studies/index.html"
        assert shown_by(table, href) == studies, where
        assert links[0]["aria-label"].startswith(f"{len(studies)} study: ")


def test_a_gap_is_zero_and_no_link_and_a_ruled_out_cell_is_marked_with_its_reason(map_page):
    for where in GAPS:
        cell = map_page.cells[where]
        assert cell["links"] == [] and cell["text"].startswith("0") and "a gap in the evidence" in cell["text"]
        assert "ruled-out" not in cell["classes"]
    cell = map_page.cells[("leading", "harvest")]
    assert "ruled-out" in cell["classes"] and cell["links"] == []
    assert "not possible by definition (a community that shares the harvest does not lead the garden)" in cell["text"]
    assert not any("ruled-out" in map_page.cells[where]["classes"] for where in CELLS)


def test_the_data_says_not_possible_where_the_map_hatches(fixture_site):
    rows = (fixture_site / "figures" / "map.csv").read_text(encoding="utf-8").splitlines()
    assert rows[-1] == "Leading,1,0,1,not possible"
    assert rows[1] == "Consulted,0,0,1,1"


def test_the_page_says_how_many_studies_are_not_yet_coded_for_the_map(fixture_site):
    text = (fixture_site / "figures" / "map.html").read_text(encoding="utf-8")
    assert ("Rests on the 4 of 5 studies coded for both community involvement and garden stages; 1 study not yet "
            "coded for community involvement or garden stages is not shown.") in text


def test_narrowing_to_one_value_of_another_field_counts_only_its_studies(map_page):
    assert map_page.options["design=trial"] == "Trial (2)"
    assert map_page.options[""] == "any value (all 4 studies)"
    trial = map_page.data["segments"]["design=trial"]  # baker-2020 and chen-2021
    narrowed = {where: trial["cells"][cell["index"]] for where, cell in map_page.cells.items()
                if "ruled-out" not in cell["classes"]}
    assert {where: n for where, n in narrowed.items() if n} == {
        ("collaborating", "building"): 1, ("collaborating", "tending"): 1, ("collaborating", "harvest"): 1,
        ("leading", "planning"): 1, ("leading", "tending"): 1}
    assert trial["studies"] == 2
    # unnarrowed, each cell carries the count it shows
    assert {where: int(cell["count"]) for where, cell in map_page.cells.items()
            if "ruled-out" not in cell["classes"]} == {where: len(CELLS.get(where, ())) for where in set(CELLS) | GAPS}
    # diaz-2022, on the map, is not yet coded for its method: narrowing by a method says so
    assert map_page.data["segments"]["method=numbers"]["uncoded"] == 1
    assert trial["uncoded"] == 0


def test_the_data_that_narrows_the_map_does_not_grow_with_the_studies(scratch_review):
    # Counts per cell, not the studies: ten times the studies, the same data.
    before = Page((build(scratch_review) / "figures" / "map.html").read_text(encoding="utf-8")).data
    for path in sorted((scratch_review / "studies").glob("*.yaml")):
        study = yaml.safe_load(path.read_text(encoding="utf-8"))
        for copy in range(9):
            write_yaml(path.parent / f"{path.stem}-{copy}.yaml",
                       study | {"id": f"{path.stem}-{copy}", "doi": f"{study['doi']}.{copy}",
                                "year": study["year"] - 1 - copy})  # titles are compared within a year
    after = Page((build(scratch_review) / "figures" / "map.html").read_text(encoding="utf-8")).data
    assert before["segments"] and after["segments"].keys() == before["segments"].keys()
    for query, segment in before["segments"].items():
        assert after["segments"][query] == {"cells": [10 * n for n in segment["cells"]],
                                            "studies": 10 * segment["studies"], "uncoded": 10 * segment["uncoded"]}
    assert len(json.dumps(after)) <= len(json.dumps(before)) + 10 * len(before["segments"])  # a digit more per value


def _copied(review: Path, copies: int) -> None:
    """Each study of the review again `copies` times, as studies of other years (titles are compared within
    a year) and with their own DOIs: the same cells, each with copies + 1 times its studies."""
    for path in sorted((review / "studies").glob("*.yaml")):
        study = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "-" in path.stem.split("-", 1)[1]:
            continue  # a copy
        for copy in range(copies):
            write_yaml(path.parent / f"{path.stem}-{copy}.yaml",
                       study | {"id": f"{path.stem}-{copy}", "doi": f"{study['doi']}.{copy}",
                                "year": study["year"] - 1 - copy, "title": f"{study['title']}, again ({copy})"})


def _cell_lists(page: str) -> dict[str, str]:
    """Each cell's section on the figure's page, by its heading."""
    sections = page.split('<section class="cell-list"')[1:]
    return {section.split("<h3>", 1)[1].split(" <span", 1)[0]: section.split("</section>", 1)[0]
            for section in sections}


def test_a_large_cell_links_to_its_studies_in_the_table_instead_of_listing_them(scratch_review, monkeypatch):
    monkeypatch.setattr(livingreview.figures.gap_map, "LISTED", 5)
    _copied(scratch_review, 9)  # ten studies where there was one
    lists = _cell_lists((build(scratch_review) / "figures" / "map.html").read_text(encoding="utf-8"))
    full = {heading: section for heading, section in lists.items() if "(10)" in section}
    assert full, "the scratch review has no cell with studies"
    for heading, section in full.items():
        assert "<li>" not in section, f"the cell {heading} lists its 10 studies"
        link = section.split('<a href="', 1)[1].split('"', 1)[0]
        assert link.startswith("../studies/index.html?") and ">Open its 10 studies in the study table<" in section
        wanted = dict(parse_qsl(urlsplit(link).query))
        assert len(wanted) == 2, f"the link of {heading} does not select exactly its cell: {link}"
    monkeypatch.setattr(livingreview.figures.gap_map, "LISTED", 10)
    assert main(["--root", str(scratch_review), "build", "--force"]) == 0  # the engine's setting changed
    lists = _cell_lists((scratch_review / "site" / "figures" / "map.html").read_text(encoding="utf-8"))
    assert all(section.count("<li>") == 10 for section in lists.values() if "(10)" in section)


def test_a_retitled_study_changes_the_lists_that_show_it_and_no_other_page_of_figures(scratch_review, monkeypatch):
    monkeypatch.setattr(livingreview.figures.gap_map, "LISTED", 5)
    _copied(scratch_review, 9)
    site = build(scratch_review)
    before = {path.name: path.read_bytes() for path in (site / "figures").glob("*.html")}
    listed = next(scratch_review.glob("studies/*.yaml"))
    study = yaml.safe_load(listed.read_text(encoding="utf-8"))
    write_yaml(listed, study | {"title": "A title no list shows"})
    after = {path.name: path.read_bytes() for path in (build(scratch_review) / "figures").glob("*.html")}
    assert after == before  # its cells are too large to list it
    monkeypatch.setattr(livingreview.figures.gap_map, "LISTED", 10)
    assert main(["--root", str(scratch_review), "build", "--force"]) == 0  # the engine's setting changed
    write_yaml(listed, study | {"title": "A title the lists show"})
    page = (build(scratch_review) / "figures" / "map.html").read_text(encoding="utf-8")
    assert '<span class="muted">A title the lists show</span>' in page
    assert f'<span class="muted">{study["title"]}</span>' not in page


def test_the_legend_sizes_run_from_one_study_to_the_largest_cell():
    assert legend_counts(28) == [1, 14, 28]
    assert legend_counts(1) == [1]
    assert legend_counts(2) == [1, 2]
    shares = [float(bubble(n, 28)) for n in range(29)]
    assert shares[0] == 0 and shares[28] == 1 and shares == sorted(shares) and len(set(shares)) == 29
    assert float(bubble(7, 28)) == pytest.approx(0.5, abs=0.001)  # area grows with the count: a quarter, half as wide


def test_the_ruled_out_cell_comes_from_the_codebook_and_goes_with_its_rule(scratch_review):
    site = build(scratch_review)
    assert "ruled-out" in Page((site / "figures" / "map.html").read_text(encoding="utf-8")).cells[
        ("leading", "harvest")]["classes"]
    codebook = scratch_review / "content" / "codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    rule = text[text.index("  - when: {field: stages, includes_any: [harvest]}"):text.index("\nregions:")]
    codebook.write_text(text.replace(rule, ""), encoding="utf-8")
    page = Page((build(scratch_review) / "figures" / "map.html").read_text(encoding="utf-8"))
    assert "gap" in page.cells[("leading", "harvest")]["classes"]
    assert not any("ruled-out" in cell["classes"] for cell in page.cells.values())


def test_a_study_in_a_ruled_out_cell_is_refused_by_check(scratch_review, run_check):
    write_study(scratch_review, "fox-2022", codes={"involvement": "leading", "stages": ["planning", "harvest"]})
    result = run_check(scratch_review)
    assert result.code == 1
    assert len(result.lines) == 1 and result.lines[0].startswith("studies/fox-2022.yaml:")
    assert "a community that shares the harvest does not lead the garden" in result.lines[0]


def test_a_map_by_year_links_each_cell_to_its_list_the_table_cannot_filter_by_year(tmp_path):
    root = make_scratch_review(tmp_path / "review")
    figures = root / "content" / "figures.yaml"
    write_yaml(figures, {"figures": [{"key": "by-year", "kind": "gap-map", "rows": "year", "columns": "design",
                                      "title": "Designs by year", "caption": "Studies per year and design."}]})
    text = (build(root) / "figures" / "by-year.html").read_text(encoding="utf-8")
    assert 'href="by-year.html#cell-2020-qualitative"' in text and 'id="cell-2020-qualitative"' in text
    assert "studies/index.html?year=" not in text


def test_labels_with_markup_are_shown_as_text_in_the_map(scratch_review):
    codebook = scratch_review / "content" / "codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    codebook.write_text(text.replace("{key: trial, label: Trial,", '{key: trial, label: "</script><b>Trial</b>",'),
                        encoding="utf-8")
    write_study(scratch_review, "fox-2022", codes={"design": "trial"})
    page = (build(scratch_review) / "figures" / "map.html").read_text(encoding="utf-8")
    assert "</script><b>" not in page and "&lt;/script&gt;&lt;b&gt;Trial&lt;/b&gt;" in page


NOT_CODED = "not yet coded"
_CODING = st.tuples(  # involvement, stages (the map's), design, location (two fields the map can be narrowed by)
    st.sampled_from(["collaborating", "consulted", "leading", NOT_CODED]),
    st.one_of(st.just(NOT_CODED), st.lists(st.sampled_from(["planning", "building", "tending", "harvest"]),
                                            unique=True, min_size=1, max_size=3)),
    st.sampled_from(["trial", "survey", "qualitative", NOT_CODED]),
    st.one_of(st.just(NOT_CODED), st.lists(st.sampled_from(["US", "GB", "AU", "NO"]), unique=True, min_size=1,
                                            max_size=2)))
_MAP = FigureSpec("involvement-by-stages", "gap-map", "Map", "Studies by involvement and stage.",
                  {"rows": "involvement", "columns": "stages"})
_TABLES = [(_MAP.key, "involvement", "stages")]


def _study(study_id: str, coding: tuple[Any, ...]) -> Study:
    involvement, stages, design, location = coding
    return Study(id=study_id, title=study_id, authors=(Author("X"),), year=2020,
                 codes={"involvement": involvement, "stages": stages, "design": design, "location": location})


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    codebook, problems = load_codebook(FIXTURE / "content" / "codebook.yaml")
    assert problems == []
    return codebook


@settings(max_examples=80, deadline=None)
@given(st.lists(_CODING, min_size=1, max_size=25), st.data())
def test_a_map_computed_again_from_the_last_one_equals_a_map_computed_from_nothing(codebook, codings, data):
    """serve hands a gap map what it was in the last build: after studies moved between its cells (a recoding of
    the map's own fields) or were recoded otherwise, the map is the one computed from nothing; and what narrows
    it to a value no recoded study has, of a field whose values were not recounted, is what was found before."""
    before = [_study(f"s{index:02d}", coding) for index, coding in enumerate(codings)]
    counted = aggregate(before, codebook, _TABLES)
    after = list(before)
    recoded = data.draw(st.sets(st.integers(0, len(before) - 1)))
    only_the_map = data.draw(st.booleans())
    for index in sorted(recoded):
        coding = data.draw(_CODING)
        if only_the_map:  # moved between cells: coded anew for the map's fields, and for no other
            coding = tuple(old if NOT_CODED in (old, new) else new
                           for old, new in zip(codings[index][:2], coding[:2], strict=True)) + codings[index][2:]
        after[index] = _study(before[index].id, coding)
    changed = [after[index] for index in sorted(recoded)]
    recounted = recount(counted, after, changed, codebook, _TABLES)
    assert recounted is not None
    first = livingreview.figures.gap_map.data(_MAP, FigureInputs(counted, codebook, {}))
    again = livingreview.figures.gap_map.data(_MAP, FigureInputs(recounted, codebook, {}, earlier=first))
    assert again == livingreview.figures.gap_map.data(_MAP, FigureInputs(aggregate(after, codebook, _TABLES),
                                                                         codebook, {}))
    segments_before, segments = first.extra["map"].data["segments"], again.extra["map"].data["segments"]
    on_map = {s.id for s in after if s.codes["involvement"] != NOT_CODED and s.codes["stages"] != NOT_CODED}
    if on_map != {s.id for s in before if s.codes["involvement"] != NOT_CODED and s.codes["stages"] != NOT_CODED}:
        return
    for field in ("design", "location"):
        if recounted.values[field] is not counted.values[field]:
            continue
        for value in counted.order[field]:
            studies = {sid for sid in recounted.members(field, value) if sid in on_map}
            query = f"{field}={value}"
            if studies and not studies & {s.id for s in changed}:
                assert segments[query] is segments_before[query]


def test_a_map_computed_again_after_the_codebook_changed_shows_its_new_labels(codebook, tmp_path):
    """The very tallies, under a codebook that names a value anew: the choices that narrow the map say so."""
    text = (FIXTURE / "content" / "codebook.yaml").read_text(encoding="utf-8")
    (tmp_path / "codebook.yaml").write_text(text.replace("label: Trial,", "label: Randomised trial,"), encoding="utf-8")
    relabelled, problems = load_codebook(tmp_path / "codebook.yaml")
    assert problems == []
    counted = aggregate([_study("s0", ("leading", ["tending"], "trial", ["US"]))], codebook, _TABLES)
    first = livingreview.figures.gap_map.data(_MAP, FigureInputs(counted, codebook, {}))
    again = livingreview.figures.gap_map.data(_MAP, FigureInputs(counted, relabelled, {}, earlier=first))
    design = next(field for field in again.extra["map"].segment_fields if field.key == "design")
    assert [segment.label for segment in design.segments] == ["Randomised trial"]
