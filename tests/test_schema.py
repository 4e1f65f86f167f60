"""The JSON Schema of a study file, generated from the codebook, for editors and for `check`."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from conftest import REPO, valid_study
from livingreview.cli import main
from livingreview.codebook import load_codebook
from livingreview.schema import schema_json, study_schema

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
