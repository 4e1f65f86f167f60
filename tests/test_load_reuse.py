"""A text read again (a release holds many files as the working tree has them) gives the same data as
the first reading, in objects of its own; a text with a problem is read, and reported, each time."""

from __future__ import annotations

import datetime

from livingreview.load import parse_yaml_text, read_yaml

TEXT = "title: A garden\nyear: 2020\ndate: 2021-03-04\nauthors:\n  - {family: Adams, given: A.}\ncodes: {a: [x, y]}\n"


def test_a_text_read_again_gives_equal_data_in_objects_of_its_own(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(TEXT, encoding="utf-8")
    first = read_yaml(path, "studies/study.yaml")
    first.data["authors"][0]["family"] = "changed by a reader"
    first.data["codes"]["a"].append("z")
    again = parse_yaml_text(TEXT, "releases/1.0.0.json#studies/study.yaml")
    assert again.ok and again.parsed
    assert again.data == {"title": "A garden", "year": 2020, "date": datetime.date(2021, 3, 4),
                          "authors": [{"family": "Adams", "given": "A."}], "codes": {"a": ["x", "y"]}}
    third = parse_yaml_text(TEXT, "content/other.yaml")
    assert third.data == again.data and third.data is not again.data
    assert third.data["codes"]["a"] is not again.data["codes"]["a"]


def test_a_text_with_a_problem_is_reported_at_each_reading():
    text = "title: one\ntitle: two\n"
    for display in ("content/a.yaml", "releases/1.0.0.json#content/a.yaml", "content/a.yaml"):
        loaded = parse_yaml_text(text, display)
        assert [(d.path, d.line) for d in loaded.diagnostics] == [(display, 2)]
        assert "duplicate key 'title'" in loaded.diagnostics[0].message


def test_tabs_are_reported_in_a_file_whose_text_was_read_before_without_them(tmp_path):
    text = "title: A garden\nnote: |\n  a\ttab\n"
    assert parse_yaml_text(text, "front matter").ok  # a tab inside a block scalar is YAML
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = read_yaml(path, "studies/study.yaml")
    assert [(d.line, d.column) for d in loaded.diagnostics] == [(3, 4)]  # files are checked for tabs
    assert loaded.parsed and loaded.data["note"] == "a\ttab\n"
