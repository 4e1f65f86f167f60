"""Aggregates against small hand-made corpora with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview.aggregate import (
    aggregate,
    aggregates_data,
    aggregates_from_data,
    dimension_values,
    dimensions,
    format_percent,
    recount,
)
from livingreview.codebook import Codebook, load_codebook
from livingreview.study import Author, Study, study_from_data

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "review"
NOT_CODED = "not yet coded"
LOCATION_FIELD = """  - key: location
    label: Location
    kind: country
    required: true
    description: Where the garden was.
"""


def codebook_from_text(tmp_path: Path, text: str) -> Codebook:
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    codebook, problems = load_codebook(path)
    assert problems == []
    return codebook


def fixture_codebook_text() -> str:
    return (FIXTURE / "content" / "codebook.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    codebook, problems = load_codebook(FIXTURE / "content" / "codebook.yaml")
    assert problems == []
    return codebook


def make(study_id: str, year: int = 2020, **codes) -> Study:
    return Study(id=study_id, title=study_id, authors=(Author("X"),), year=year, codes=codes)


# Five studies, worked by hand:
#   a: involvement collaborating, stages [tending],           location [US]
#   b: involvement collaborating, stages [planning, tending], location [US, GB]
#   c: involvement consulted,     stages [tending, harvest],  location [AU]
#   d: involvement not yet coded, stages not yet coded,       location not yet coded
#   e: involvement leading,       stages [building, tending], location [CA, US], year 2018
CORPUS = [
    make("a", involvement="collaborating", stages=["tending"], location=["US"]),
    make("b", involvement="collaborating", stages=["planning", "tending"], location=["US", "GB"]),
    make("c", involvement="consulted", stages=["tending", "harvest"], location=["AU"]),
    make("d", involvement=NOT_CODED, stages=NOT_CODED, location=NOT_CODED),
    make("e", 2018, involvement="leading", stages=["building", "tending"], location=["CA", "US"]),
]


def test_single_field_counts_exclude_not_coded_from_the_denominator(codebook):
    involvement = aggregate(CORPUS, codebook).tally("involvement")
    assert involvement.count("collaborating") == 2
    assert involvement.count("consulted") == 1
    assert (involvement.coded, involvement.not_coded, involvement.total) == (4, 1, 5)
    assert involvement.percent("collaborating") == 50.0  # 2 of the 4 coded, not 2 of 5


def test_multiple_field_counts_each_study_once_per_value(codebook):
    stages = aggregate(CORPUS, codebook).tally("stages")
    assert stages.multiple
    assert dict(stages.counts) == {"planning": 1, "building": 1, "tending": 4, "harvest": 1}
    assert stages.coded == 4 and stages.not_coded == 1
    assert sum(count for _, count in stages.counts) == 7  # more than the 4 coded studies: said, not hidden


def test_empty_list_means_none_and_is_coded(codebook):
    studies = [make("a", setting=[]), make("b", setting=["school"]), make("c", setting=NOT_CODED)]
    tally = aggregate(studies, codebook).tally("setting")
    assert (tally.coded, tally.none, tally.not_coded) == (2, 1, 1)
    assert tally.count("school") == 1


def test_regions_group_countries_and_count_multi_country_studies_in_each(codebook):
    region = aggregate(CORPUS, codebook).tally("region")
    assert region.count("americas") == 3  # a, b and e; e (Canada and the US) once
    assert region.count("europe") == 1    # b, which is also in the Americas
    assert region.count("oceania") == 1
    assert region.coded == 4 and region.not_coded == 1


def test_derived_community_led_needs_planning_or_building_and_tending(codebook):
    community_led = aggregate(CORPUS, codebook).tally("community_led")
    # b (planning + tending) and e (building + tending) are community-led; a and c are not; d unknown
    assert community_led.count(True) == 2
    assert community_led.count(False) == 2
    assert community_led.not_coded == 1


def test_crosstab_involvement_by_stage(codebook):
    table = aggregate(CORPUS, codebook, [("gap", "involvement", "stages")]).crosstabs["gap"]
    assert table.cell_count("collaborating", "tending") == 2
    assert table.cell_count("collaborating", "planning") == 1
    assert table.cell_count("leading", "building") == 1
    assert table.cell_count("consulted", "harvest") == 1
    assert table.cell_count("consulted", "building") == 0
    assert table.cells[("collaborating", "tending")] == ("a", "b")
    assert table.coded == 4


def test_region_by_year_and_studies_per_year(codebook):
    aggregates = aggregate(CORPUS, codebook, [("ry", "region", "year")])
    years = aggregates.tally("year")
    assert dict(years.counts) == {2018: 1, 2019: 0, 2020: 4}
    table = aggregates.crosstabs["ry"]
    assert table.cell_count("americas", 2020) == 2
    assert table.cell_count("americas", 2018) == 1
    assert table.cell_count("europe", 2018) == 0


def test_members_list_the_studies_behind_each_count(codebook):
    aggregates = aggregate(CORPUS, codebook)
    assert aggregates.members("involvement", "collaborating") == ("a", "b")
    assert aggregates.members("region", "americas") == ("a", "b", "e")
    assert aggregates.members("stages", "tending") == ("a", "b", "c", "e")
    assert aggregates.members("involvement", "consulted") == ("c",)
    assert aggregates.members("involvement", "no such value") == ()


_INVOLVEMENT = st.sampled_from(["collaborating", "consulted", "leading", NOT_CODED])
_STAGES = st.one_of(st.just(NOT_CODED), st.lists(st.sampled_from(["planning", "building", "tending", "harvest"]),
                                                  unique=True, max_size=3))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_INVOLVEMENT, _STAGES, st.integers(2015, 2020)), max_size=40))
def test_counts_and_members_are_those_of_each_study_counted_one_by_one(codebook, coded):
    """Studies that share values are counted together; the counts are still those of counting each study."""
    studies = [make(f"s{index:02d}", year, involvement=involvement, stages=stages)
               for index, (involvement, stages, year) in enumerate(coded)]
    aggregates = aggregate(list(reversed(studies)), codebook)
    for key in ("involvement", "stages"):
        tally = aggregates.tally(key)
        coded_studies = [s for s in studies if s.codes[key] != NOT_CODED]
        assert (tally.coded, tally.not_coded) == (len(coded_studies), len(studies) - len(coded_studies))
        assert tally.none == sum(s.codes[key] == [] for s in coded_studies)
        for value, count in tally.counts:
            having = tuple(s.id for s in coded_studies
                           if value in (s.codes[key] if isinstance(s.codes[key], list) else [s.codes[key]]))
            assert count == len(having)
            assert aggregates.members(key, value) == having


def test_percent_format_and_undefined_share():
    assert format_percent(12.2093) == "12.2\u202f%"
    assert format_percent(None) == "–"


def test_no_coded_study_gives_no_percentage(codebook):
    involvement = aggregate([make("a", involvement=NOT_CODED)], codebook).tally("involvement")
    assert involvement.percent("collaborating") is None


# The region dimension and cross-tabulations of any two dimensions ------------------------------------

def fixture_studies() -> list[Study]:
    return [study_from_data(yaml.safe_load(path.read_text(encoding="utf-8")), f"studies/{path.name}")
            for path in sorted((FIXTURE / "studies").glob("*.yaml"))]


def test_the_region_comes_from_the_country_field_whatever_its_key(tmp_path):
    text = fixture_codebook_text()
    assert text.count("  - key: location\n") == 1
    codebook = codebook_from_text(tmp_path, text.replace("  - key: location\n", "  - key: garden_country\n"))
    studies = [make("a", garden_country=["SE", "GB"]), make("b", garden_country=["AU"]),
               make("c", garden_country=NOT_CODED), make("d", location=["US"])]  # d names no field of this codebook
    region = aggregate(studies, codebook).tally("region")
    # a is in Europe once (Sweden and the UK), b in Oceania; c and d have no country of this codebook
    assert dict(region.counts) == {"europe": 1, "americas": 0, "oceania": 1}
    assert (region.coded, region.not_coded) == (2, 2)
    assert "location" not in dimensions(codebook)


def test_a_codebook_without_a_country_field_has_no_region_dimension(tmp_path):
    text = fixture_codebook_text()
    assert text.count(LOCATION_FIELD) == 1
    codebook = codebook_from_text(tmp_path, text.replace(LOCATION_FIELD, ""))
    assert "region" not in dimensions(codebook)
    aggregates = aggregate([make("a", location=["GB"], design="trial")], codebook)
    assert "region" not in aggregates.tallies
    assert aggregates.tally("design").count("trial") == 1


# The fixture review's five studies, by hand:
#   study        year  design       community_led (stages)                    region (location)
#   adams-2018   2018  qualitative  False  [tending]                          europe   [GB]
#   baker-2020   2020  trial        True   [planning, tending]                europe   [NO, SE]
#   chen-2021    2021  trial        True   [building, tending, harvest]       americas [US]
#   diaz-2022    2022  survey       False  [harvest]                          not coded
#   evans-2019   2019  case-study   not coded                                 oceania  [AU]

def test_crosstab_of_year_by_a_derived_fact(codebook):
    table = aggregate(fixture_studies(), codebook).crosstab("year", "community_led")
    assert table.key == "year-by-community_led"
    assert table.row_values == (2018, 2019, 2020, 2021, 2022) and table.column_values == (True, False)
    assert table.cells == {(2018, False): ("adams-2018",), (2020, True): ("baker-2020",),
                           (2021, True): ("chen-2021",), (2022, False): ("diaz-2022",)}
    assert table.cell_count(2019, True) == 0 and table.cell_count(2019, False) == 0  # evans-2019 is not coded on stages
    assert table.coded == 4


def test_crosstab_of_a_derived_fact_by_region(codebook):
    table = aggregate(fixture_studies(), codebook).crosstab("community_led", "region")
    assert table.column_values == ("europe", "americas", "oceania")
    # baker-2020 is in two European countries and counts once in Europe; diaz-2022 and evans-2019 lack one side
    assert table.cells == {(False, "europe"): ("adams-2018",), (True, "europe"): ("baker-2020",),
                           (True, "americas"): ("chen-2021",)}
    assert table.coded == 3


def test_crosstab_of_a_field_by_year(codebook):
    table = aggregate(fixture_studies(), codebook).crosstab("design", "year")
    assert table.row_values == ("trial", "survey", "qualitative", "case-study")
    assert table.cell_count("trial", 2020) == 1 and table.cell_count("trial", 2021) == 1
    assert table.cell_count("case-study", 2019) == 1 and table.cell_count("survey", 2018) == 0
    assert table.coded == 5


_LOCATION = st.one_of(st.just(NOT_CODED), st.lists(st.sampled_from(["US", "GB", "AU", "CA", "NO"]), unique=True,
                                                   max_size=3))
_CODED = st.tuples(_INVOLVEMENT, _STAGES, _LOCATION, st.integers(2015, 2020))
TABLES = [("involvement-by-stages", "involvement", "stages"), ("region-by-year", "region", "year")]


def _corpus(coded: list[tuple]) -> list[Study]:
    return [make(f"s{index:02d}", year, involvement=involvement, stages=stages, location=location)
            for index, (involvement, stages, location, year) in enumerate(coded)]


@settings(max_examples=60, deadline=None)
@given(st.lists(_CODED, max_size=30))
def test_aggregates_read_back_from_their_data_as_json_equal_those_counted(codebook, coded):
    """What `.cache/` keeps of the tallies (as JSON) gives back the very tallies, cross-tabulations, values and
    order counted, and the studies listed behind each count."""
    counted = aggregate(_corpus(coded), codebook, TABLES)
    read = aggregates_from_data(json.loads(json.dumps(aggregates_data(counted))))
    assert read == counted
    for key in ("stages", "location", "region", "year"):
        for value in counted.order[key]:
            assert read.members(key, value) == counted.members(key, value)


@settings(max_examples=80, deadline=None)
@given(st.lists(_CODED, min_size=1, max_size=25), st.data())
def test_recounting_the_changed_studies_gives_what_counting_them_all_gives(codebook, coded, data):
    """Tallies counted again only for the studies whose files changed equal tallies counted from nothing;
    when no changed study has other values, the counted tallies themselves are given back."""
    before = _corpus(coded)
    counted = aggregate(before, codebook, TABLES)
    changed_at = data.draw(st.sets(st.integers(0, len(before) - 1)))
    after = list(before)
    for index in sorted(changed_at):
        involvement, stages, location, year = data.draw(_CODED)
        after[index] = make(before[index].id, year, involvement=involvement, stages=stages, location=location)
    changed = [after[index] for index in sorted(changed_at)]
    recounted = recount(counted, after, changed, codebook, TABLES)
    assert recounted == aggregate(after, codebook, TABLES)
    same = all(a.year == b.year and a.codes == b.codes for a, b in zip(before, after, strict=True))
    assert (recounted is counted) == same
    # a dimension on which no changed study has other values keeps the tally counted
    assert recounted is not None
    for dimension, tally in recounted.tallies.items():
        unchanged = all(recounted.values[dimension][s.id] == counted.values[dimension][s.id] for s in changed)
        assert (tally is counted.tallies[dimension]) == unchanged


def test_a_table_asked_for_under_the_same_key_of_other_dimensions_is_counted_again(codebook):
    counted = aggregate(CORPUS, codebook, TABLES)
    turned = [("involvement-by-stages", "stages", "involvement"), TABLES[1]]
    later = [make(CORPUS[0].id, CORPUS[0].year + 1, **{k: v for k, v in CORPUS[0].codes.items()}), *CORPUS[1:]]
    assert recount(counted, later, later[:1], codebook, turned) == aggregate(later, codebook, turned)


def test_tallies_of_other_studies_or_tables_are_not_recounted_from(codebook):
    """Tallies of a review with a study more, less or renamed, or without a table asked for now, are no
    basis: they are counted again from nothing."""
    counted = aggregate(CORPUS, codebook, TABLES[:1])
    renamed = [make("z", involvement="leading", stages=["building", "tending"], location=["CA", "US"]), *CORPUS[:4]]
    assert recount(counted, CORPUS[:4], [], codebook, TABLES[:1]) is None
    assert recount(counted, [*CORPUS, make("f")], [], codebook, TABLES[:1]) is None
    assert recount(counted, renamed, renamed[:1], codebook, TABLES[:1]) is None
    assert recount(counted, CORPUS, [], codebook, TABLES) is None
    assert recount(counted, CORPUS, [], codebook, TABLES[:1]) is counted


@settings(max_examples=60, deadline=None)
@given(st.lists(_CODED, max_size=30))
def test_each_studys_values_on_each_dimension_are_those_it_has(codebook, coded):
    """The values the tallies count are, study by study and dimension by dimension, `dimension_values`."""
    studies = _corpus(coded)
    counted = aggregate(studies, codebook, TABLES)
    assert set(counted.values) == set(dimensions(codebook))
    for dimension, values in counted.values.items():
        assert values == {s.id: dimension_values(s, dimension, codebook) for s in studies}, dimension
