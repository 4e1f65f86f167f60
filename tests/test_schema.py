"""The JSON Schema of a study file, generated from the codebook, for editors and for `check`."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, valid_study
from livingreview.cli import main
from livingreview.codebook import load_codebook
from livingreview.schema import compiled_validator, schema_json, study_schema

REAL_STUDIES = sorted((REPO / "studies").glob("*.yaml"))


@pytest.fixture(scope="module")
def schema() -> dict:
    codebook, problems = load_codebook(REPO / "content" / "codebook.yaml")
    assert codebook is not None, problems
    return study_schema(codebook)


@pytest.fixture(scope="module")
def validator(schema: dict) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema)


def test_the_schema_is_valid_draft_07(schema):
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_the_schema_accepts_every_study_of_the_review(validator):
    assert len(REAL_STUDIES) > 100
    for path in REAL_STUDIES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
        assert errors == [], path.name


def test_the_schema_accepts_a_valid_scratch_study(validator):
    assert list(validator.iter_errors(valid_study("doyle-2019"))) == []


@pytest.mark.parametrize("field, value", [
    ("role", "peer-mentor"),                   # single: a value the codebook does not list
    ("phases", ["delivery", "evaluation"]),    # multiple: one item the codebook does not list
    ("country", ["UK"]),                       # country: not a code of the codebook
    ("phases", "delivery"),                    # multiple: text that is not the not-coded marker
    ("role", "not coded"),                     # a near miss of the not-coded marker
])
def test_the_schema_rejects_a_value_outside_the_codebook(validator, field, value):
    errors = list(validator.iter_errors(valid_study("doyle-2019", codes={field: value})))
    assert errors
    assert all(list(e.absolute_path)[:2] == ["codes", field] for e in errors)


def test_the_schema_accepts_the_not_coded_marker_in_every_field(validator, schema):
    fields = schema["properties"]["codes"]["properties"]
    study = valid_study("doyle-2019", codes={key: "not yet coded" for key in fields})
    assert list(validator.iter_errors(study)) == []


def test_the_schema_rejects_unknown_fields_and_missing_required_ones(validator):
    errors = list(validator.iter_errors(valid_study("doyle-2019", jounral="x", codes={"role": None})))
    kinds = sorted((e.validator, tuple(e.absolute_path)) for e in errors)
    assert ("additionalProperties", ()) in kinds
    assert ("enum", ("codes", "role")) in kinds


def test_the_schema_command_writes_the_schema_of_the_reviews_codebook(scratch_review, capsys):
    codebook_path = scratch_review / "content" / "codebook.yaml"
    text = codebook_path.read_text(encoding="utf-8")
    codebook_path.write_text(text.replace("      - key: peer-support\n",
                                          "      - key: peer-mentor\n        label: Peer mentor\n"
                                          "      - key: peer-support\n"), encoding="utf-8")
    assert main(["--root", str(scratch_review), "schema"]) == 0
    assert capsys.readouterr().out.strip() == "schema: wrote content/study.schema.json"
    written = (scratch_review / "content" / "study.schema.json").read_text(encoding="utf-8")
    codebook, _ = load_codebook(codebook_path)
    assert written == schema_json(codebook)
    schema = json.loads(written)
    jsonschema.Draft7Validator.check_schema(schema)
    assert "peer-mentor" in schema["properties"]["codes"]["properties"]["role"]["enum"]


def test_the_schema_command_reports_a_broken_codebook_and_writes_nothing(scratch_review, capsys):
    codebook_path = scratch_review / "content" / "codebook.yaml"
    codebook_path.write_text(codebook_path.read_text(encoding="utf-8") + "fields: again\n", encoding="utf-8")
    assert main(["--root", str(scratch_review), "schema"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("content/codebook.yaml:")
    assert "duplicate key 'fields'" in err
    assert not (scratch_review / "content" / "study.schema.json").exists()


CODEBOOK, _ = load_codebook(REPO / "content" / "codebook.yaml")
STUDY_SCHEMA = study_schema(CODEBOOK)
FIELDS = {f.key: f for f in CODEBOOK.fields}
allowed = st.sampled_from(sorted({v for f in CODEBOOK.fields for v in CODEBOOK.allowed_values(f)}
                                 | {CODEBOOK.not_coded, "not coded", ""}))
anything = st.one_of(allowed, st.text(max_size=8), st.integers(-3, 3), st.booleans(), st.none(),
                     st.floats(allow_nan=False), st.lists(st.one_of(allowed, st.integers(0, 2)), max_size=3))


@settings(max_examples=300, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(sorted(FIELDS) + ["unknown"]), anything, max_size=3),
       second=st.booleans())
def test_the_compiled_validator_accepts_exactly_what_the_schema_accepts(changes, second):
    """`check` trusts the compiled validator's yes; its schema is rewritten (const as enum) to compile it."""
    study = valid_study("doyle-2019", codes=changes)
    if second:
        study["second_coding"] = {"coder": "B", "codes": changes}
    compiled = compiled_validator(json.dumps(STUDY_SCHEMA, sort_keys=True), None)
    try:
        compiled(study)
        accepted = True
    except Exception:  # noqa: BLE001 - any failure of the compiled code is a no
        accepted = False
    assert accepted == jsonschema.Draft7Validator(STUDY_SCHEMA).is_valid(study), changes
