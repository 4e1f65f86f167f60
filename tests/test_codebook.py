"""The codebook is data: editing content/codebook.yaml changes what `check` accepts, with no Python change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import write_study

from livingreview.field_kinds import KINDS, Field, FieldKind

LEADING = "      - {key: leading, label: Leading}\n"
CO_LEADING = "      - {key: co-leading, label: Co-leading, definition: The community leads with the researchers.}\n"
FUNDED = "  - key: funded\n"
FUNDER_FIELD = """  - key: funder
    label: Funder
    kind: single
    required: true
    description: Who paid for the garden.
    values:
      - key: council
        label: Council
      - key: charity
        label: Charity

"""
HOSPITAL_COLOUR = 'colour: "#aa3377"'


def edit_codebook(root: Path, old: str, new: str) -> int:
    """Replace the one occurrence of `old` in the scratch codebook; return the line `new` starts on."""
    path = root / "content" / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in the codebook exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_a_value_added_to_involvement_is_accepted_and_was_refused_before(scratch_review, run_check):
    write_study(scratch_review, "doyle-2019", codes={"involvement": "co-leading"})
    before = run_check(scratch_review)
    assert before.code == 1
    assert before.lines == [
        "studies/doyle-2019.yaml:15:16: 'co-leading' is not an allowed value of involvement (Community involvement); "
        "did you mean 'leading'? Allowed: consulted, collaborating, leading, or 'not yet coded'"]

    edit_codebook(scratch_review, LEADING, LEADING + CO_LEADING)
    after = run_check(scratch_review)
    assert after.code == 0, after.err
    assert after.out.startswith("check: 4 studies valid")


def test_a_new_required_field_is_missing_from_every_study_that_lacks_it(scratch_review, run_check):
    edit_codebook(scratch_review, FUNDED, FUNDER_FIELD + FUNDED)
    write_study(scratch_review, "doyle-2019", codes={"funder": "charity"})
    result = run_check(scratch_review)
    assert result.code == 1
    missing = ("8:1: missing coded field 'funder'; write `funder: not yet coded` "
               "if the study has not been coded for it")
    assert result.lines == [f"studies/{study}.yaml:{missing}" for study in ("adams-2018", "baker-2020", "chen-2021")]
    assert result.summary == "check: 3 problems in 3 files"


def test_a_new_required_field_coded_everywhere_passes_and_is_counted(scratch_review, run_check):
    edit_codebook(scratch_review, FUNDED, FUNDER_FIELD + FUNDED)
    for study in ("adams-2018", "baker-2020", "chen-2021"):
        path = scratch_review / "studies" / f"{study}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "  funder: council\n", encoding="utf-8")
    result = run_check(scratch_review)
    assert result.code == 0, result.err
    # The fixture's 11 fields and funder.
    assert result.out.strip() == ("check: 3 studies valid against content/codebook.yaml (12 fields); "
                                  "content, figures and releases checked; no problems")


HARVEST_RULE = """  - when: {field: stages, includes_any: [harvest]}
    then: {field: involvement, includes_any: [consulted, collaborating]}
    message: a community that shares the harvest does not lead the garden
"""


def test_a_removed_value_makes_the_studies_that_use_it_fail(scratch_review, run_check):
    edit_codebook(scratch_review, "      - {key: harvest, label: Harvest}\n", "")
    edit_codebook(scratch_review, HARVEST_RULE, "")  # the rule that names it goes with it
    result = run_check(scratch_review)
    assert result.code == 1
    assert result.lines == [  # only chen-2021 has a harvest stage
        "studies/chen-2021.yaml:14:12: 'harvest' is not an allowed value of stages (Garden stages). "
        "Allowed: planning, building, tending"]


def test_the_not_coded_marker_is_read_from_the_codebook(scratch_review, run_check):
    edit_codebook(scratch_review, "not_coded: not yet coded\n", "not_coded: to do\n")
    write_study(scratch_review, "doyle-2019", codes={"involvement": "to do", "stages": "to do"})
    write_study(scratch_review, "evans-2019", codes={"involvement": "not yet coded"})
    result = run_check(scratch_review)
    # The study that says "to do" passes; the one that still says "not yet coded" is refused.
    assert result.lines == [
        "studies/evans-2019.yaml:15:16: 'not yet coded' is not an allowed value of involvement "
        "(Community involvement). Allowed: consulted, collaborating, leading, or 'to do'"]


# The kinds of field come from the registry in livingreview/field_kinds.py ------------------------------

RATING_FIELD = """  - key: rating
    label: Quality rating
    kind: rating
    required: false
    description: The garden's quality, from 1 to 5.

"""


def _one_to_five(field: Field, allowed: Any, marker: str) -> dict[str, Any]:
    return {"title": field.label, "type": "integer", "minimum": 1, "maximum": 5}


def test_a_kind_added_to_the_registry_is_accepted_and_named_in_messages(scratch_review, run_check, monkeypatch):
    monkeypatch.setitem(KINDS, "rating", FieldKind("rating", "a whole number from 1 to 5", _one_to_five))
    edit_codebook(scratch_review, FUNDED, RATING_FIELD + FUNDED)
    write_study(scratch_review, "doyle-2019", codes={"rating": 4})
    assert run_check(scratch_review).code == 0
    # The kind's own schema refuses 9, on line 17 (after the eight codes of VALID_CODES).
    write_study(scratch_review, "doyle-2019", codes={"rating": 9})
    refused = run_check(scratch_review)
    assert refused.code == 1
    assert [line.split(": ", 1)[0] for line in refused.lines] == ["studies/doyle-2019.yaml:17:11"]

    line = edit_codebook(scratch_review, "    kind: rating\n", "    kind: ratings\n")
    result = run_check(scratch_review)
    assert result.lines == [
        f"content/codebook.yaml:{line}:11: codebook: field 'rating' has unknown kind 'ratings'; did you mean "
        f"'rating'? Kinds are: single, multiple, boolean, text, number, country, rating"]


# Errors in the codebook itself --------------------------------------------------------------------------

CODEBOOK_ERRORS = {
    "unknown kind": (
        "  - key: design\n    label: Design\n    kind: single\n",
        "  - key: design\n    label: Design\n    kind: singel\n", 2, 11,
        "codebook: field 'design' has unknown kind 'singel'; did you mean 'single'? "
        "Kinds are: single, multiple, boolean, text, number, country"),
    "unknown kind with no near miss": (  # no hint, but still a sentence before the list of kinds
        "  - key: design\n    label: Design\n    kind: single\n",
        "  - key: design\n    label: Design\n    kind: date\n", 2, 11,
        "codebook: field 'design' has unknown kind 'date'. "
        "Kinds are: single, multiple, boolean, text, number, country"),
    "duplicate value key": (
        "      - {key: both, label: Both}\n", "      - {key: words, label: Both}\n", 0, 9,
        "codebook: value 'words' is declared twice in field 'method'"),
    "rule naming an unknown field": (
        "  - when: {field: involvement, equals: leading}\n", "  - when: {field: involvment, equals: leading}\n", 0, 19,
        "codebook: condition names unknown field 'involvment'; did you mean 'involvement'?"),
    "unquoted NO read as false": (
        '  "NO": {name: Norway, region: europe}\n', "  NO: {name: Norway, region: europe}\n", 0, 3,
        'codebook: country code NO was read by YAML as false, not as text; write it in quotes: "NO"'),
    "a second field of kind country": (  # refused at the second one's kind: regions come from one field
        FUNDED,
        "  - key: home_country\n    label: Home country\n    kind: country\n    required: false\n\n" + FUNDED, 2, 11,
        "codebook: only one field may be of kind country (regions are counted from it); "
        "make this one a multiple field with its own values"),
}


@pytest.mark.parametrize("name", CODEBOOK_ERRORS)
def test_a_codebook_error_is_reported_at_its_line(name, scratch_review, run_check):
    old, new, offset, column, message = CODEBOOK_ERRORS[name]
    line = edit_codebook(scratch_review, old, new) + offset
    result = run_check(scratch_review)
    assert result.lines == [f"content/codebook.yaml:{line}:{column}: {message}"]
    assert result.code == 1
    assert "Traceback" not in result.err


@pytest.mark.parametrize("colour", ["#aa337", "#aa33777", "aa3377", "#gg3377", "red", "#aa3377\\n", ""])
def test_a_colour_that_is_not_rrggbb_is_refused_at_its_line(colour, scratch_review, run_check):
    # Written in double quotes, so "\\n" here is the YAML escape for a final line break.
    line = edit_codebook(scratch_review, HOSPITAL_COLOUR, f'colour: "{colour}"')
    result = run_check(scratch_review)
    assert result.code == 1
    assert len(result.lines) == 1
    assert result.lines[0].startswith(f"content/codebook.yaml:{line}:50: codebook: field 'setting'.values.1.colour: ")


def test_a_colour_in_capitals_is_accepted(scratch_review, run_check):
    edit_codebook(scratch_review, HOSPITAL_COLOUR, 'colour: "#AA3377"')
    result = run_check(scratch_review)
    assert result.code == 0, result.err
