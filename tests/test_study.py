"""The Study record: what a parallel check of a large review and a frozen release rely on."""

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview.diagnostics import BuildError
from livingreview.study import (
    distinguished,
    lettered,
    study_from_data,
    study_from_record,
    study_json,
    study_record,
    study_to_data,
)

DATA = {
    "id": "doe-2020", "title": "A study", "authors": [{"family": "Doe", "given": "J."}, {"family": "Roe"}],
    "year": 2020, "journal": "Journal of Tests", "doi": "10.1234/doe", "in_baseline": True,
    "codes": {"involvement": "collaborating", "stages": ["tending", "planning"]},
    "evidence": {"involvement": "Findings"}, "notes": "A note.",
    "second_coding": {"coder": "B", "codes": {"involvement": "consulted"}, "resolved": {"involvement": "Discussed."}},
}


def test_a_study_survives_being_sent_between_processes_unchanged():
    # A check of 1,000 studies or more validates half of them in a forked process, which sends its
    # Study records back pickled.
    study = study_from_data(DATA, "studies/doe-2020.yaml")
    again = pickle.loads(pickle.dumps(study, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == study
    assert study_to_data(again) == DATA


def test_every_part_of_a_lettered_study_survives_being_sent_between_processes():
    # Studies are pickled by their fields' values: each part must come back whole, the letter that tells
    # two alike-cited studies apart (not part of the file) among them.
    data = DATA | {"authors": [{"family": "World Health Organization", "corporate": True}],
                   "evidence": {"involvement": {"note": "Findings", "source": "abstract", "where": "p. 2"}},
                   "disagreements": {"stages": {"value": ["tending"], "note": "The abstract says so.",
                                                "source": "abstract", "where": "p. 1"}}}
    study = study_from_data(data, "studies/doe-2020.yaml")._replace(suffix="b")
    again = pickle.loads(pickle.dumps([study, study], protocol=pickle.HIGHEST_PROTOCOL))
    assert again == [study, study]
    assert again[0].suffix == "b" and again[0].short_citation == "World Health Organization (2020b)"
    assert again[0].authors[0].corporate and again[0].evidence["involvement"].where == "p. 2"
    assert again[0].disagreements["stages"].source == "abstract"
    assert study_to_data(again[0]) == data


def test_a_study_survives_a_release_round_trip_unchanged():
    # A release freezes its studies as JSON (study_to_data) and reads them back with study_from_data.
    study = study_from_data(DATA, "studies/doe-2020.yaml")
    frozen = json.loads(json.dumps(study_to_data(study)))
    assert frozen == DATA
    assert study_from_data(frozen, "studies/doe-2020.yaml") == study


def test_studies_and_authors_carry_no_attribute_dictionary_each():
    # 10,000 studies with five authors each would otherwise hold 60,000 dictionaries (about 14 MiB).
    study = study_from_data(DATA, "studies/doe-2020.yaml")
    assert not hasattr(study, "__dict__")
    assert not any(hasattr(author, "__dict__") for author in study.authors)


def test_a_study_is_cited_by_one_name_two_names_or_its_first_author_et_al():
    def cited(*families: str, suffix: str = "") -> str:
        data = {**DATA, "authors": [{"family": family} for family in families]}
        return study_from_data(data, "studies/doe-2020.yaml")._replace(suffix=suffix).short_citation

    assert cited("Doe") == "Doe (2020)"
    assert cited("Doe", "Roe") == "Doe & Roe (2020)"
    assert cited("Doe", "Roe", "Poe") == "Doe et al. (2020)"
    assert cited(*[f"Author{index}" for index in range(40)], suffix="b") == "Author0 et al. (2020b)"


def test_studies_cited_alike_are_lettered_by_title_and_are_otherwise_the_same_studies():
    """Two studies of the same authors and year are lettered a, b by title (as APA letters them); a third of
    another year is not; each lettered study is the study it was, its letter apart."""
    base = {**DATA, "authors": [{"family": "Doe", "given": "J."}, {"family": "Roe"}, {"family": "Poe"}],
            "evidence": {"design": {"note": "Methods, p. 3", "where": "p. 3"}}, "notes": "A note."}
    studies = (study_from_data({**base, "id": "doe-2020-b", "title": "Zebras"}, "studies/doe-2020-b.yaml"),
               study_from_data({**base, "id": "doe-2020-a", "title": "Apples"}, "studies/doe-2020-a.yaml"),
               study_from_data({**base, "id": "doe-2019", "year": 2019}, "studies/doe-2019.yaml"))
    lettered = distinguished(studies)
    assert [s.short_citation for s in lettered] == ["Doe et al. (2020b)", "Doe et al. (2020a)", "Doe et al. (2019)"]
    assert list(lettered) == [studies[0]._replace(suffix="b"), studies[1]._replace(suffix="a"), studies[2]]


# A small pool of authors, years and titles, so that many studies are cited alike and share a group.
_CITED = st.fixed_dictionaries({"family": st.sampled_from(["Doe", "Roe", "Poe"]), "year": st.sampled_from([2019, 2020]),
                                "title": st.sampled_from(["Apples", "apples", "Bees", "Zebras", "Moss"]),
                                "team": st.booleans()})


def _cited(index: int, cited: dict) -> object:
    authors = [{"family": cited["family"]}] + ([{"family": "Moe"}] if cited["team"] else [])
    return study_from_data({**DATA, "id": f"s-{index}", "title": cited["title"], "year": cited["year"],
                            "authors": authors}, f"studies/s-{index}.yaml")


@settings(max_examples=300, deadline=None)
@given(first=st.lists(_CITED, min_size=1, max_size=12), edits=st.lists(st.tuples(st.integers(0, 11), _CITED),
                                                                     max_size=4), rounds=st.integers(1, 3))
def test_letters_given_again_after_edits_are_those_given_from_nothing(first, edits, rounds):
    """serve letters again only the groups of the studies that changed since its last build (`lettered` with
    the earlier lettering): whatever changed (a title, the authors, the year; one study or several, in
    turn), the letters are those of studies lettered from nothing, and a study not edited whose letter did
    not change is the very object it was."""
    studies = [_cited(index, cited) for index, cited in enumerate(first)]
    earlier = lettered(tuple(studies))
    for round_ in range(rounds):
        for position, cited in edits[round_::rounds]:
            if position < len(studies):
                studies[position] = _cited(position, cited)
        again = lettered(tuple(studies), earlier)
        assert again.studies == distinguished(tuple(studies))
        for held, study, before, now in zip(earlier.given, studies, earlier.studies, again.studies, strict=True):
            if held is study and before.suffix == now.suffix:
                assert before is now
        earlier = again


NOTES = st.one_of(st.text(max_size=8), st.fixed_dictionaries(
    {"note": st.text(max_size=8)}, optional={"source": st.text(min_size=1, max_size=4),
                                             "where": st.text(min_size=1, max_size=4)}))


@settings(max_examples=200, deadline=None)
@given(evidence=st.dictionaries(st.sampled_from(["involvement", "stages", "evidence", '","evidence":{', "codes",
                                                 '","codes":{']), NOTES, max_size=3),
       title=st.text(max_size=12), notes=st.text(max_size=6), second=st.booleans(), disagreement=st.booleans())
def test_a_study_read_back_from_its_record_is_the_study_whatever_its_notes(evidence, title, notes, second,
                                                                             disagreement):
    """The record of valid studies keeps each study's JSON and where its codes and evidence notes are in it;
    read back, it is the same study, those parts decoded when first asked for (a field may be called
    "evidence" or "codes", and a text may hold what the record's syntax looks like)."""
    data = {key: value for key, value in DATA.items() if key not in ("evidence", "notes", "second_coding")}
    data |= {"title": title, "codes": {**DATA["codes"], "evidence": "x", "codes": '","codes":{'}}
    data |= {"evidence": evidence} if evidence else {}
    data |= {"notes": notes} if notes else {}
    data |= {"second_coding": DATA["second_coding"]} if second else {}
    data |= {"disagreements": {"stages": {"value": ["tending"], "note": "n"}}} if disagreement else {}
    study = study_from_data(data, "studies/doe-2020.yaml")
    text, where = study_record(study)
    assert text == study_json(study)
    assert [part.split("=")[0] for part in where.split()] == (["codes", "evidence"] if evidence else ["codes"])
    again = study_from_record(text, where, "studies/doe-2020.yaml")
    assert again == study and study == again and study_to_data(again) == study_to_data(study)
    assert repr(again) == repr(study)
    assert pickle.loads(pickle.dumps(again)) == study


def _parts(where: str) -> dict[str, tuple[int, int]]:
    return {key: (int(bounds.split(":")[0]), int(bounds.split(":")[1]))
            for key, bounds in (part.split("=") for part in where.split())}


@pytest.mark.parametrize("part", ["evidence", "codes"])
def test_a_records_codes_and_notes_are_decoded_only_when_asked_for_and_a_damaged_part_is_reported_then(part):
    study = study_from_data(DATA, "studies/doe-2020.yaml")
    text, where = study_record(study)
    start, end = _parts(where)[part]
    damaged = text[:start] + "{" + "?" * (end - start - 2) + "}" + text[end:]
    again = study_from_record(damaged, where, "studies/doe-2020.yaml")
    assert again.title == study.title and again.authors == study.authors and again.year == study.year
    other = "codes" if part == "evidence" else "evidence"
    assert getattr(again, other) == getattr(study, other)
    with pytest.raises(BuildError) as error:
        getattr(again, part).get("involvement")
    problem = error.value.diagnostics[0]
    assert problem.path == "studies/doe-2020.yaml" and ".cache/" in problem.message


def test_a_record_whose_parts_are_not_where_it_says_is_not_believed():
    study = study_from_data(DATA, "studies/doe-2020.yaml")
    text, where = study_record(study)
    (c_start, c_end), (e_start, e_end) = _parts(where)["codes"], _parts(where)["evidence"]
    codes, evidence = f"codes={c_start}:{c_end}", f"evidence={e_start}:{e_end}"
    for wrong in (f"codes={c_start} {evidence}", f"{codes} evidence={e_start + 1}:{e_end}",
                  f"{codes} evidence={e_start}:{e_end + 5}", f"{codes} evidence={e_end}:{e_start}",
                  f"{codes} evidence=x:y", f"{codes} evidence=3", f"{evidence} {codes}", f"{codes} {codes}",
                  f"notes={c_start}:{c_end}", f"{codes} evidence={c_start}:{c_end}"):
        with pytest.raises(ValueError):  # the entry is then not believed: the study file is read again
            study_from_record(text, wrong, "studies/doe-2020.yaml")
