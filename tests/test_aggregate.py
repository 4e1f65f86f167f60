"""Aggregates against small hand-made corpora with known answers."""

from pathlib import Path

import pytest

from livingreview.aggregate import aggregate, format_percent
from livingreview.codebook import load_codebook
from livingreview.study import Author, Study

REPO = Path(__file__).resolve().parent.parent
NOT_CODED = "not yet coded"


@pytest.fixture(scope="module")
def codebook():
    codebook, problems = load_codebook(REPO / "content" / "codebook.yaml")
    assert problems == []
    return codebook


def make(study_id, year=2020, **codes):
    return Study(id=study_id, title=study_id, authors=(Author("X"),), year=year, codes=codes)


# Five studies, worked by hand:
#   a: role peer-support,  phases [delivery],                country [US]
#   b: role peer-support,  phases [commissioning, delivery], country [US, GB]
#   c: role pre-determined, phases [delivery, assessment],   country [AU]
#   d: role not yet coded,  phases not yet coded,           country not yet coded
#   e: role co-creation-partner, phases [design, delivery],  country [CA], year 2018
CORPUS = [
    make("a", role="peer-support", phases=["delivery"], country=["US"]),
    make("b", role="peer-support", phases=["commissioning", "delivery"], country=["US", "GB"]),
    make("c", role="pre-determined", phases=["delivery", "assessment"], country=["AU"]),
    make("d", role=NOT_CODED, phases=NOT_CODED, country=NOT_CODED),
    make("e", 2018, role="co-creation-partner", phases=["design", "delivery"], country=["CA"]),
]


def test_single_field_counts_exclude_not_coded_from_the_denominator(codebook):
    role = aggregate(CORPUS, codebook).tally("role")
    assert role.count("peer-support") == 2
    assert role.count("pre-determined") == 1
    assert (role.coded, role.not_coded, role.total) == (4, 1, 5)
    assert role.percent("peer-support") == 50.0  # 2 of the 4 coded, not 2 of 5


def test_multiple_field_counts_each_study_once_per_value(codebook):
    phases = aggregate(CORPUS, codebook).tally("phases")
    assert phases.multiple
    assert dict(phases.counts) == {"commissioning": 1, "design": 1, "delivery": 4, "assessment": 1}
    assert phases.coded == 4 and phases.not_coded == 1
    assert sum(count for _, count in phases.counts) == 7  # more than the 4 coded studies: said, not hidden


def test_empty_list_means_none_and_is_coded(codebook):
    studies = [make("a", group_activities=[]), make("b", group_activities=["professionals"]),
               make("c", group_activities=NOT_CODED)]
    tally = aggregate(studies, codebook).tally("group_activities")
    assert (tally.coded, tally.none, tally.not_coded) == (2, 1, 1)
    assert tally.count("professionals") == 1


def test_regions_group_countries_and_count_multi_country_studies_in_each(codebook):
    region = aggregate(CORPUS, codebook).tally("region")
    assert region.count("us") == 2
    assert region.count("gb") == 1
    assert region.count("oceania") == 1
    assert region.count("canada") == 1
    assert region.coded == 4 and region.not_coded == 1


def test_derived_co_creation_needs_an_early_phase_and_delivery(codebook):
    co_creation = aggregate(CORPUS, codebook).tally("co_creation")
    # b (commissioning + delivery) and e (design + delivery) are co-creation; a and c are not; d unknown
    assert co_creation.count(True) == 2
    assert co_creation.count(False) == 2
    assert co_creation.not_coded == 1


def test_crosstab_role_by_phase(codebook):
    table = aggregate(CORPUS, codebook, [("gap", "role", "phases")]).crosstabs["gap"]
    assert table.count("peer-support", "delivery") == 2
    assert table.count("peer-support", "commissioning") == 1
    assert table.count("co-creation-partner", "design") == 1
    assert table.count("pre-determined", "assessment") == 1
    assert table.count("pre-determined", "design") == 0
    assert table.cells[("peer-support", "delivery")] == ("a", "b")
    assert table.coded == 4


def test_region_by_year_and_studies_per_year(codebook):
    aggregates = aggregate(CORPUS, codebook, [("ry", "region", "year")])
    years = aggregates.tally("year")
    assert dict(years.counts) == {2018: 1, 2019: 0, 2020: 4}
    table = aggregates.crosstabs["ry"]
    assert table.count("us", 2020) == 2
    assert table.count("canada", 2018) == 1


def test_members_list_the_studies_behind_each_count(codebook):
    members = aggregate(CORPUS, codebook).members
    assert members[("role", "peer-support")] == ("a", "b")
    assert members[("region", "us")] == ("a", "b")


def test_percent_format_and_undefined_share():
    assert format_percent(12.2093) == "12.2\u202f%"
    assert format_percent(None) == "–"


def test_no_coded_study_gives_no_percentage(codebook):
    role = aggregate([make("a", role=NOT_CODED)], codebook).tally("role")
    assert role.percent("peer-support") is None
