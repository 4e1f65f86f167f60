"""Foreseeing whether a rebuild redraws a figure: which edits of a study file count."""

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview.figure_inputs import FigureInputs, drawn_values_digest

STUDY = {
    "id": "doe-2020", "title": "A study", "authors": [{"family": "Doe", "given": "J."}], "year": 2020,
    "journal": "Journal of Tests", "doi": "10.1234/doe", "in_baseline": True,
    "codes": {"role": "peer-support", "phases": ["delivery"]},
    "evidence": {"role": "Findings, first paragraph"}, "notes": "Coded from the abstract.",
}


def write(folder: Path, name: str, data: object) -> Path:
    path = folder / "studies" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def compare(folder: Path) -> FigureInputs:
    return FigureInputs.compare(folder / ".cache", sorted((folder / "studies").glob("*.yaml")))


def recorded(folder: Path, studies: dict[str, object]) -> Path:
    """A review whose last build recorded these studies with their values known (as a rebuild records
    the files it read; a first build reads none)."""
    for name, data in studies.items():
        write(folder, name, data)
    inputs = compare(folder)
    inputs.studies = {name: (digest, drawn_values_digest(folder / "studies" / name))
                      for name, (digest, _) in inputs.studies.items()}
    inputs.save()
    return folder


def test_with_no_record_nothing_is_parsed_and_no_change_is_foreseen(tmp_path):
    write(tmp_path, "doe-2020.yaml", STUDY)
    inputs = compare(tmp_path)
    assert not inputs.changed  # a first build draws everything anyway; a lost record only loses the guess
    assert [values for _, values in inputs.studies.values()] == [None]


def test_a_damaged_record_is_as_no_record(tmp_path):
    for damage in ("{not json", "[1, 2]", '{"doe-2020.yaml": ["only one"]}', '{"doe-2020.yaml": 3}'):
        folder = recorded(tmp_path / str(len(list(tmp_path.iterdir()))), {"doe-2020.yaml": STUDY})
        (folder / ".cache" / "figure-inputs.json").write_text(damage, encoding="utf-8")
        write(folder, "doe-2020.yaml", {**STUDY, "year": 2021})
        inputs = compare(folder)
        assert not inputs.changed and [values for _, values in inputs.studies.values()] == [None], damage


def test_files_with_the_same_bytes_change_nothing(tmp_path):
    recorded(tmp_path, {"doe-2020.yaml": STUDY, "roe-2021.yaml": {**STUDY, "id": "roe-2021"}})
    assert not compare(tmp_path).changed


def test_bibliographic_data_and_free_text_reach_no_figure(tmp_path):
    recorded(tmp_path, {"doe-2020.yaml": STUDY})
    write(tmp_path, "doe-2020.yaml", {**STUDY, "title": "Retitled", "authors": [{"family": "Roe"}],
                                      "journal": "Another", "doi": "10.1234/other", "notes": "Checked again.",
                                      "evidence": {"role": "Methods"}})
    assert not compare(tmp_path).changed


def test_a_coded_value_the_year_or_the_baseline_flag_may_change_a_figure(tmp_path):
    for edit in ({"codes": {**STUDY["codes"], "role": "pre-determined"}}, {"year": 2021}, {"in_baseline": False}):
        folder = recorded(tmp_path / str(len(list(tmp_path.iterdir()))), {"doe-2020.yaml": STUDY})
        write(folder, "doe-2020.yaml", {**STUDY, **edit})
        assert compare(folder).changed, edit


def test_a_study_added_removed_or_unreadable_may_change_a_figure(tmp_path):
    added = recorded(tmp_path / "added", {"doe-2020.yaml": STUDY})
    write(added, "roe-2021.yaml", {**STUDY, "id": "roe-2021"})
    assert compare(added).changed
    removed = recorded(tmp_path / "removed", {"doe-2020.yaml": STUDY, "roe-2021.yaml": {**STUDY, "id": "roe-2021"}})
    (removed / "studies" / "roe-2021.yaml").unlink()
    assert compare(removed).changed
    broken = recorded(tmp_path / "broken", {"doe-2020.yaml": STUDY})
    (broken / "studies" / "doe-2020.yaml").write_text("codes: [unclosed\n", encoding="utf-8")
    assert compare(broken).changed


def test_a_file_edited_for_the_first_time_is_not_judged_but_read_so_its_next_edit_is(tmp_path):
    write(tmp_path, "doe-2020.yaml", STUDY)
    compare(tmp_path).save()  # a first build: no values read
    write(tmp_path, "doe-2020.yaml", {**STUDY, "codes": {**STUDY["codes"], "role": "pre-determined"}})
    first_edit = compare(tmp_path)
    assert not first_edit.changed  # what it showed before is not known
    first_edit.save()
    write(tmp_path, "doe-2020.yaml", {**STUDY, "codes": {**STUDY["codes"], "role": "pre-determined"},
                                      "title": "Retitled"})
    title_edit = compare(tmp_path)
    assert not title_edit.changed
    title_edit.save()
    write(tmp_path, "doe-2020.yaml", STUDY)
    assert compare(tmp_path).changed


@settings(max_examples=40, deadline=None)
@given(title=st.text(min_size=1, max_size=60), notes=st.text(max_size=60), year=st.integers(1950, 2100))
def test_only_what_a_figure_can_show_decides(tmp_path_factory, title, notes, year):
    folder = recorded(tmp_path_factory.mktemp("review"), {"doe-2020.yaml": STUDY})
    write(folder, "doe-2020.yaml", {**STUDY, "title": title, "notes": notes, "year": year})
    assert compare(folder).changed == (year != STUDY["year"])
