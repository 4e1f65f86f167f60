"""The validate stage, seen through `check`: every kind of bad study is reported as a contributor needs it.

tests/fixtures/invalid/ holds one small study per kind of bad input; its sibling
.expected file holds the exact lines `check` must print for it. `{next_year}` in an
expected line stands for next year (the last year a study may have). The studies are coded
against the fixture review's codebook (tests/fixtures/review/content/codebook.yaml).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import (
    DEFAULT_STUDIES,
    FIXTURE,
    MISSING,
    CheckResult,
    assert_points_into_file,
    check_quietly,
    make_scratch_review,
    parse_diagnostic,
    run_build_py,
    valid_study,
    write_study,
    write_yaml,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from livingreview.codebook import load_codebook
from livingreview.schema import fast_validator, study_schema

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"
CASES = sorted(path.stem for path in FIXTURES.glob("*.yaml"))
# An alias bomb that got past the loader would exhaust memory: it runs only in a capped process.
IN_PROCESS = [name for name in CASES if name != "billion-laughs"]
NEXT_YEAR = datetime.date.today().year + 1
CODEBOOK, _ = load_codebook(FIXTURE / "content" / "codebook.yaml")  # the scratch review's codebook


def expected_lines(name: str) -> list[str]:
    text = (FIXTURES / f"{name}.expected").read_text(encoding="utf-8")
    return text.replace("{next_year}", str(NEXT_YEAR)).splitlines()


def order(lines: list[str]) -> list[str]:
    """The order `check` prints in: by file, then line, then column."""
    def key(line: str) -> tuple:
        d = parse_diagnostic(line)
        return d.path, d.line, d.column, d.message
    return sorted(lines, key=key)


def test_every_invalid_fixture_has_its_expected_lines():
    studies = {p.stem for p in FIXTURES.glob("*.yaml")}
    expected = {p.stem for p in FIXTURES.glob("*.expected")}
    assert studies == expected
    assert len(studies) >= 20


@pytest.mark.parametrize("name", IN_PROCESS)
def test_invalid_study_is_reported_exactly(name, scratch_review, run_check):
    shutil.copy(FIXTURES / f"{name}.yaml", scratch_review / "studies" / f"{name}.yaml")
    result = run_check(scratch_review)
    expected = expected_lines(name)
    assert result.lines == expected
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    count = len(expected)
    assert result.summary == f"check: {count} problem{'s' * (count != 1)} in 1 file"
    for line in result.lines:
        assert_points_into_file(scratch_review, parse_diagnostic(line))


def test_the_alias_bomb_is_reported_exactly(scratch_review):
    shutil.copy(FIXTURES / "billion-laughs.yaml", scratch_review / "studies" / "billion-laughs.yaml")
    done = run_build_py(scratch_review, "check", timeout=20)
    assert done.stderr.splitlines() == expected_lines("billion-laughs") + ["check: 1 problem in 1 file"]
    assert done.returncode == 1


def test_all_invalid_fixtures_at_once_report_every_problem_in_one_run(scratch_review):
    for name in CASES:
        shutil.copy(FIXTURES / f"{name}.yaml", scratch_review / "studies" / f"{name}.yaml")
    done = run_build_py(scratch_review, "check")
    everything = order([line for name in CASES for line in expected_lines(name)])
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == everything + [f"check: {len(everything)} problems in {len(CASES)} files"]
    assert done.returncode == 1


def test_a_file_with_five_different_problems_gives_five_lines(scratch_review, run_check):
    shutil.copy(FIXTURES / "five-problems.yaml", scratch_review / "studies" / "five-problems.yaml")
    lines = [parse_diagnostic(line) for line in run_check(scratch_review).lines]
    assert len(lines) == 5
    assert len({d.line for d in lines}) == 5  # five places, not one problem said five times


def test_the_scratch_review_is_valid(scratch_review, run_check):
    result = run_check(scratch_review)
    assert result.code == 0
    assert result.err == ""
    assert result.out.strip() == ("check: 3 studies valid against content/codebook.yaml (11 fields); "
                                  "content, figures and releases checked; no problems")


# A study the compiled validator finds valid is never looked at again, and one it refuses is reported
# by jsonschema: if the two disagreed, check would pass a bad study or refuse one without saying why.
VERDICTS = [
    ({}, True),
    ({"year": -2018}, False),
    ({"in_baseline": True}, False),  # the scratch review has no baseline
    ({"codes": {"method": False}}, False),
    ({"codes": {"location": ["NO", "XX"]}}, False),
    ({"codes": {"stages": "not yet coded"}}, True),
    ({"codes": {"stages": "tending"}}, False),  # text other than the marker, where a list belongs
    ({"codes": {"stages": ["tending", "tending"]}}, False),
    ({"codes": {"funded": True, "participants": 1}}, True),
    ({"codes": {"funded": "yes"}}, False),
    ({"codes": {"participants": "not yet coded"}}, True),
    ({"codes": {"participants": 0}}, False),
]


@pytest.mark.parametrize("overrides, valid", VERDICTS)
def test_the_compiled_validator_and_jsonschema_give_the_same_verdict(overrides: dict[str, Any], valid: bool):
    schema = study_schema(CODEBOOK)
    study = valid_study("doyle-2019", **overrides)
    assert fast_validator(json.dumps(schema, sort_keys=True))(study) is valid
    assert jsonschema.Draft7Validator(schema).is_valid(study) is valid


# Problems that involve two files -------------------------------------------------------------------------

def test_the_same_doi_in_two_files_names_both_files(scratch_review, run_check):
    write_study(scratch_review, "doyle-2019", doi="10.5555/shared")
    write_study(scratch_review, "evans-2020", doi="10.5555/SHARED")  # DOIs are case-insensitive
    result = run_check(scratch_review)
    assert result.lines == [
        "studies/doyle-2019.yaml:7:6: DOI 10.5555/shared is also in studies/evans-2020.yaml; a study has one file",
        "studies/evans-2020.yaml:7:6: DOI 10.5555/SHARED is also in studies/doyle-2019.yaml; a study has one file",
    ]
    assert result.code == 1


def test_near_identical_titles_in_the_same_year_name_both_files(scratch_review, run_check):
    write_study(scratch_review, "doyle-2019", title="Community gardens in social housing: a scoping study")
    write_study(scratch_review, "evans-2019", title="Community Gardens in Social-Housing - a scoping study.")
    result = run_check(scratch_review)
    assert result.lines == [
        "studies/doyle-2019.yaml:2:8: title is nearly identical to studies/evans-2019.yaml (same year); "
        "a study has one file",
        "studies/evans-2019.yaml:2:8: title is nearly identical to studies/doyle-2019.yaml (same year); "
        "a study has one file",
    ]
    assert result.code == 1


def test_the_same_title_in_different_years_is_not_a_duplicate(scratch_review, run_check):
    write_study(scratch_review, "doyle-2019", title="Community gardens in social housing")
    write_study(scratch_review, "doyle-2021", title="Community gardens in social housing")
    assert run_check(scratch_review).code == 0


def test_authors_are_named_by_their_place_in_the_list(scratch_review, run_check):
    write_study(scratch_review, "doyle-2019", authors=["Doyle, A."])
    write_study(scratch_review, "evans-2019", authors=[{"family": "Evans"}, {"given": "B."}])
    assert run_check(scratch_review).lines == [
        "studies/doyle-2019.yaml:3:11: author 1 is written as the text 'Doyle, A.'; write each author as a mapping of "
        'family and given names: - {family: "Doyle", given: "A."}',
        "studies/evans-2019.yaml:5:3: missing required field 'family' in author 2",
    ]


# YAML's own types where the schema expects text or whole numbers -------------------------------------

def test_a_title_yaml_reads_as_a_date_is_kept_as_text(scratch_review, run_check):
    # Two studies of one year make check compare their titles, which needs text.
    for study_id, date in (("doyle-2020", "2020-01-01"), ("evans-2020", "2020-02-01")):
        path = write_study(scratch_review, study_id)
        path.write_text(path.read_text().replace(f"title: A study of a garden ({study_id})", f"title: {date}"))
        assert f"title: {date}\n" in path.read_text()
    result = run_check(scratch_review)
    assert "Traceback" not in result.err
    assert result.code == 0, result.err


def test_a_year_written_as_a_decimal_is_refused(scratch_review, run_check):
    path = write_study(scratch_review, "doyle-2019")
    path.write_text(path.read_text().replace("year: 2019", "year: 2019.0"))
    result = run_check(scratch_review)
    assert result.lines == ["studies/doyle-2019.yaml:5:7: year must be a whole number, not '2019.0'"]


def test_a_very_long_or_multi_line_value_is_shown_on_one_short_line(scratch_review, run_check):
    write_study(scratch_review, "doyle-2019", doi="not a doi\n" + "x" * 500)
    [line] = run_check(scratch_review).lines
    assert line.startswith("studies/doyle-2019.yaml:7:6: 'not a doi xxx")
    assert len(line) < 250


# Properties ---------------------------------------------------------------------------------------------

MUTANT = "mutant-2019"
SINGLE = [f.key for f in CODEBOOK.fields if f.kind == "single"]
LISTS = [f.key for f in CODEBOOK.fields if f.is_list]
REQUIRED_CODES = [f.key for f in CODEBOOK.fields if f.required]
DOI = re.compile(r"^10\.[0-9]{4,9}/\S+$")

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
# Text a study may hold: no control characters, nor the noncharacters U+FFFE and U+FFFF (check refuses those too).
readable = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
values = st.one_of(texts, st.integers(), st.lists(st.one_of(texts, st.integers()), max_size=4))


@pytest.fixture(scope="module")
def one_study_review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_scratch_review(tmp_path_factory.mktemp("review"), {"adams-2018": DEFAULT_STUDIES["adams-2018"]})


def could_be_valid(path: tuple[str, ...], value: Any) -> bool:
    """A generous test of whether `value` may be valid at `path` (so only surely-invalid mutations are kept)."""
    if path == ("year",):
        return isinstance(value, int) and 1900 <= value <= NEXT_YEAR
    if path == ("id",):
        return value == MUTANT
    if path == ("title",):
        return isinstance(value, str) and value != ""
    if path == ("doi",):
        return isinstance(value, str) and bool(DOI.match(value))
    if path in (("authors",), ("codes",)):
        return False  # text, a whole number or a list of those is never an author list or a coding
    field = CODEBOOK.field(path[1])
    allowed = CODEBOOK.allowed_values(field)
    if value == CODEBOOK.not_coded:
        return True
    if field.is_list:
        return isinstance(value, list) and all(isinstance(v, str) and v in allowed for v in value)
    return value in allowed


def value_lines(text: str, path: tuple[str, ...]) -> range:
    """The lines of the file that hold the key at `path` and its value."""
    indent = "  " * (len(path) - 1)
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{indent}{path[-1]}:"))
    end = start + 1
    while end < len(lines) and (lines[end].startswith(indent + " ") or lines[end].startswith(indent + "-")):
        end += 1
    return range(start + 1, end + 1)


@contextlib.contextmanager
def study_file(root: Path, name: str, data: Any) -> Iterator[Path]:
    """A study file that is there only while the example runs (the review is shared by examples)."""
    path = write_yaml(root / "studies" / f"{name}.yaml", data)
    try:
        yield path
    finally:
        path.unlink()


def assert_reported_in_file(root: Path, result: CheckResult) -> list:
    assert "Traceback" not in result.out + result.err
    assert result.code == 1
    diagnostics = [parse_diagnostic(line) for line in result.lines]
    mine = [d for d in diagnostics if d.path == f"studies/{MUTANT}.yaml"]
    assert mine, result.err
    for diagnostic in diagnostics:
        assert_points_into_file(root, diagnostic)
    return mine


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from([("year",), ("id",), ("title",), ("doi",), ("authors",), ("codes",)]
                            + [("codes", key) for key in SINGLE + LISTS]),
       value=values)
def test_replacing_a_value_with_something_invalid_is_reported_where_it_is(one_study_review, path, value):
    assume(not could_be_valid(path, value))
    data = valid_study(MUTANT)
    (data if len(path) == 1 else data["codes"])[path[-1]] = value
    with study_file(one_study_review, MUTANT, data) as file:
        mine = assert_reported_in_file(one_study_review, check_quietly(one_study_review))
        where = value_lines(file.read_text(encoding="utf-8"), path)
    assert any(d.line in where for d in mine), (path, value, [str(d) for d in mine])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from([("id",), ("title",), ("authors",), ("year",), ("codes",), ("doi",)]
                            + [("codes", key) for key in REQUIRED_CODES]))
def test_dropping_a_required_key_is_reported_by_name(one_study_review, path):
    overrides: dict[str, Any] = {"codes": {path[1]: MISSING}} if len(path) == 2 else {path[0]: MISSING}
    with study_file(one_study_review, MUTANT, valid_study(MUTANT, **overrides)):
        mine = assert_reported_in_file(one_study_review, check_quietly(one_study_review))
    word = "DOI" if path == ("doi",) else f"'{path[-1]}'"
    assert any(word in d.message for d in mine), [str(d) for d in mine]


@st.composite
def codings(draw: st.DrawFn) -> dict[str, Any]:
    """Random values the codebook allows, for every required field and some optional ones."""
    marker = CODEBOOK.not_coded
    codes: dict[str, Any] = {}
    for field in CODEBOOK.fields:
        if not field.required and draw(st.booleans()):
            continue
        allowed = CODEBOOK.allowed_values(field)
        if field.kind == "single":
            codes[field.key] = draw(st.sampled_from(allowed + [marker]))
        elif field.is_list:
            codes[field.key] = draw(st.one_of(st.just(marker), st.lists(st.sampled_from(allowed), unique=True)))
        elif field.kind == "boolean":
            codes[field.key] = draw(st.one_of(st.booleans(), st.just(marker)))
        elif field.kind == "number":
            codes[field.key] = draw(st.one_of(st.integers(field.minimum or 0, 10**6), st.just(marker)))
        else:
            codes[field.key] = draw(st.text(readable, max_size=20))
    # Make the coding meet the codebook's cross-field rules, whatever the rules are.
    for rule in CODEBOOK.rules:
        when, then = codes.get(rule.when.field), codes.get(rule.then.field)
        if marker in (when, then) or when is None or then is None or not rule.when.holds(when):
            continue
        if rule.then.equals is not None:
            codes[rule.then.field] = rule.then.equals
        elif rule.then.includes_any and not rule.then.holds(then):  # one of them, for a single-value field
            codes[rule.then.field] = [*then, rule.then.includes_any[0]] if isinstance(then, list) \
                else rule.then.includes_any[0]
    return codes


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codes=codings(),
       title=st.text(readable, min_size=1, max_size=80),
       families=st.lists(st.text(readable, min_size=1, max_size=15), min_size=1, max_size=3),
       year=st.integers(1900, NEXT_YEAR),
       doi=st.from_regex(r"10\.[0-9]{4,9}/[a-z0-9.()-]{1,20}", fullmatch=True))
def test_a_study_of_random_allowed_values_passes(one_study_review, codes, title, families, year, doi):
    assume(doi != "10.5555/adams-2018")
    data = valid_study("random-study", title=title, year=year, doi=doi,
                       authors=[{"family": family} for family in families])
    data["codes"] = codes
    with study_file(one_study_review, "random-study", data):
        result = check_quietly(one_study_review)
    assert result.code == 0, result.err
    assert result.out.startswith("check: 2 studies valid")


def escaped(text: str) -> str:
    """Text as a double-quoted YAML scalar, every character but printable ASCII written as an escape."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.text(readable, max_size=20), after=st.text(readable, max_size=20),
       control=st.sampled_from([chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                                                 *range(0x7F, 0xA0)]]))
def test_a_control_character_in_a_title_is_refused_at_the_title(one_study_review, before, after, control):
    data = valid_study("random-study", title="TITLE")
    with study_file(one_study_review, "random-study", data) as path:
        # Escaped by hand: PyYAML may write U+0085 raw, and reading it back folds it into a space.
        path.write_text(path.read_text(encoding="utf-8").replace(
            "title: TITLE", f"title: {escaped(f'A garden {before}{control}{after}')}"), encoding="utf-8")
        result = check_quietly(one_study_review)
    assert result.code == 1
    assert re.search(rf"^studies/random-study\.yaml:\d+:\d+: title contains the control character "
                     rf"U\+{ord(control):04X} ", result.err, re.M), result.err


def test_in_baseline_true_only_for_the_studies_the_baseline_lists(tmp_path, capsys):
    """A copied study file keeps its `in_baseline: true`; check refuses it unless the baseline names the study."""
    from scratch import make_review, study

    root = make_review(tmp_path / "review", [{**study("adams-2018", 2018), "in_baseline": True},
                                             {**study("carter-2021", 2021), "in_baseline": True}])
    from livingreview.cli import main

    assert main(["--root", str(root), "check"]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("check:")]
    assert len(lines) == 1 and lines[0].startswith("studies/carter-2021.yaml:")
    assert "in_baseline: true, but carter-2021 is not among the published review's studies listed in " \
           "content/baseline.yaml" in lines[0]
    assert parse_diagnostic(lines[0]).line == (root / "studies" / "carter-2021.yaml").read_text(
        encoding="utf-8").splitlines().index("in_baseline: true") + 1
    # a baseline that names no studies: no study may say in_baseline: true
    baseline = root / "content" / "baseline.yaml"
    baseline.write_text(re.sub(r"(?m)^studies: .*\n", "", baseline.read_text(encoding="utf-8")), encoding="utf-8")
    (root / "studies" / "carter-2021.yaml").unlink()
    assert main(["--root", str(root), "check"]) == 1
    assert "content/baseline.yaml lists no studies: list the published review's included studies there as " \
           "`studies: [adams-2018, ...]`" in capsys.readouterr().err


# Edits draw from few ids, DOIs, titles and years, so that they often make (and mend) a duplicate of a study
# of a review that starts without one.
_FILED = st.fixed_dictionaries({"id": st.sampled_from(["s-0", "s-1", "s-2", "e-1", "e-2"]),
                                "doi": st.sampled_from(["", "10.1/s-0", "10.1/S-1", "10.2/e"]),
                                "title": st.sampled_from(["Study 0", "Study 0!", "Study 1", "Study one", "Moss", ""]),
                                "year": st.sampled_from([2019, 2020])})


def _filed(position: int, filed: dict | None = None) -> Any:
    from livingreview.study import Author, Study

    filed = filed or {"id": f"s-{position}", "doi": f"10.1/s-{position}", "title": f"Study {position}",
                      "year": 2019}
    return Study(id=filed["id"], title=filed["title"], authors=(Author("Doe"),), year=filed["year"], codes={},
                 path=f"studies/file-{position}.yaml", doi=filed["doi"])


@settings(max_examples=400, deadline=None)
@given(count=st.integers(1, 5),
       rounds=st.lists(st.lists(st.tuples(st.integers(0, 4), _FILED), max_size=2), min_size=1, max_size=4))
def test_a_cross_check_of_the_changed_studies_finds_what_a_check_of_all_finds(count, rounds):
    """serve compares only the studies changed since its last build with the others (`cross_checked` with the
    earlier check): whatever changed (ids, DOIs, titles, years; into a duplicate and out of one), the problems
    are those a check of every study finds, in the same order."""
    from livingreview.validate import cross_checked, duplicates_across_files

    root = Path("/review")
    studies = [_filed(position) for position in range(count)]
    earlier = cross_checked(studies, root, lambda: None)
    assert not earlier.problems
    for edits in rounds:
        studies = list(studies)
        for position, filed in edits:
            if position < len(studies):
                studies[position] = _filed(position, filed)
        again = cross_checked(studies, root, lambda: None, earlier)
        assert again.problems == duplicates_across_files(studies, root, None)
        earlier = again
