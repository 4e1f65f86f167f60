"""The Study record: what the checked-studies cache and a large review rely on."""

import pickle

from livingreview.study import study_from_data, study_to_data

DATA = {
    "id": "doe-2020", "title": "A study", "authors": [{"family": "Doe", "given": "J."}, {"family": "Roe"}],
    "year": 2020, "journal": "Journal of Tests", "doi": "10.1234/doe", "in_baseline": True,
    "codes": {"role": "peer-support", "phases": ["delivery", "design"]},
    "evidence": {"role": "Findings"}, "notes": "A note.",
    "second_coding": {"coder": "B", "codes": {"role": "pre-determined"}, "resolved": {"role": "Discussed."}},
}


def test_a_study_survives_the_cache_round_trip_unchanged():
    study = study_from_data(DATA, "studies/doe-2020.yaml")
    again = pickle.loads(pickle.dumps(study, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == study
    assert study_to_data(again) == DATA


def test_studies_and_authors_carry_no_attribute_dictionary_each():
    # 10,000 studies with five authors each would otherwise hold 60,000 dictionaries (about 14 MiB).
    study = study_from_data(DATA, "studies/doe-2020.yaml")
    assert not hasattr(study, "__dict__")
    assert not any(hasattr(author, "__dict__") for author in study.authors)
