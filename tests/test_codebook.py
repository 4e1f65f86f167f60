"""The codebook is data: editing content/codebook.yaml changes what `check` accepts, with no Python change."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_study

ROLE_VALUES_END = """          designing services) and in implementing the new solutions.
"""
PEER_MENTOR = """      - key: peer-mentor
        label: Peer mentor
        definition: Peer workers mentor service users one to one.
"""
FUNDING_FIELD = """  - key: funding
    label: Funding
    kind: single
    required: true
    description: Who paid for the peer workers.
    values:
      - key: public
        label: Public
      - key: charity
        label: Charity

"""


def edit_codebook(root: Path, old: str, new: str) -> int:
    """Replace the one occurrence of `old` in the scratch codebook; return the line `new` starts on."""
    path = root / "content" / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in the codebook exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_a_value_added_to_role_is_accepted_and_was_refused_before(scratch_review, run_check):
    write_study(scratch_review, "doyle-2019", codes={"role": "peer-mentor"})
    before = run_check(scratch_review)
    assert before.code == 1
    assert before.lines == [
        "studies/doyle-2019.yaml:15:9: 'peer-mentor' is not an allowed value of role (Peer-worker role); "
        "did you mean 'peer-support'? Allowed: pre-determined, peer-support, co-creation-partner, "
        "or 'not yet coded'"]

    edit_codebook(scratch_review, ROLE_VALUES_END, ROLE_VALUES_END + PEER_MENTOR)
    after = run_check(scratch_review)
    assert after.code == 0, after.err
    assert after.out.startswith("check: 4 studies valid")


def test_a_new_required_field_is_missing_from_every_study_that_lacks_it(scratch_review, run_check):
    edit_codebook(scratch_review, "  - key: outcome_perspectives\n", FUNDING_FIELD + "  - key: outcome_perspectives\n")
    write_study(scratch_review, "doyle-2019", codes={"funding": "charity"})
    result = run_check(scratch_review)
    assert result.code == 1
    missing = ("8:1: missing coded field 'funding'; write `funding: not yet coded` "
               "if the study has not been coded for it")
    assert result.lines == [f"studies/{study}.yaml:{missing}" for study in ("adams-2018", "baker-2020", "chen-2021")]
    assert result.summary == "check: 3 problems in 3 files"


def test_a_new_required_field_coded_everywhere_passes_and_is_counted(scratch_review, run_check):
    edit_codebook(scratch_review, "  - key: outcome_perspectives\n", FUNDING_FIELD + "  - key: outcome_perspectives\n")
    for study in ("adams-2018", "baker-2020", "chen-2021"):
        path = scratch_review / "studies" / f"{study}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "  funding: public\n", encoding="utf-8")
    result = run_check(scratch_review)
    assert result.code == 0, result.err
    assert result.out.strip() == "check: 3 studies valid against content/codebook.yaml (18 fields); no problems"


def test_a_removed_value_makes_the_studies_that_use_it_fail(scratch_review, run_check):
    edit_codebook(scratch_review, """      - key: navigating
        label: Navigating
        definition: Peer workers help service users navigate service systems.
""", "")
    result = run_check(scratch_review)
    assert result.code == 1
    assert result.lines == [  # only chen-2021 describes peer workers as navigating
        "studies/chen-2021.yaml:19:30: 'navigating' is not an allowed value of intermediary_descriptors "
        "(How the intermediary position is described). Allowed: bridge, connecting, linking, advocate, broker"]


def test_the_not_coded_marker_is_read_from_the_codebook(scratch_review, run_check):
    edit_codebook(scratch_review, "not_coded: not yet coded\n", "not_coded: to do\n")
    write_study(scratch_review, "doyle-2019", codes={"role": "to do", "phases": "to do"})
    write_study(scratch_review, "evans-2019", codes={"role": "not yet coded"})
    result = run_check(scratch_review)
    # The study that says "to do" passes; the one that still says "not yet coded" is refused.
    assert result.lines == [
        "studies/evans-2019.yaml:15:9: 'not yet coded' is not an allowed value of role (Peer-worker role). "
        "Allowed: pre-determined, peer-support, co-creation-partner, or 'to do'"]


# Errors in the codebook itself --------------------------------------------------------------------------

CODEBOOK_ERRORS = {
    "unknown kind": (
        "  - key: study_design\n    label: Study design\n    kind: single\n",
        "  - key: study_design\n    label: Study design\n    kind: singel\n", 2, 11,
        "codebook: field 'study_design' has unknown kind 'singel'; did you mean 'single'? "
        "Kinds are: single, multiple, boolean, text, number, country"),
    "duplicate value key": (
        "      - key: mixed\n", "      - key: qualitative\n", 0, 9,
        "codebook: value 'qualitative' is declared twice in field 'methodology'"),
    "rule naming an unknown field": (
        "      field: role\n      equals: co-creation-partner\n",
        "      field: roles\n      equals: co-creation-partner\n", 0, 14,
        "codebook: condition names unknown field 'roles'; did you mean 'role'?"),
    "unquoted NO read as false": (
        '  "NO": {name: Norway, region: europe}\n', "  NO: {name: Norway, region: europe}\n", 0, 3,
        'codebook: country code NO was read by YAML as false, not as text; write it in quotes: "NO"'),
}


@pytest.mark.parametrize("name", CODEBOOK_ERRORS)
def test_a_codebook_error_is_reported_at_its_line(name, scratch_review, run_check):
    old, new, offset, column, message = CODEBOOK_ERRORS[name]
    line = edit_codebook(scratch_review, old, new) + offset
    result = run_check(scratch_review)
    assert result.lines == [f"content/codebook.yaml:{line}:{column}: {message}"]
    assert result.code == 1
    assert "Traceback" not in result.err
