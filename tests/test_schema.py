"""The JSON Schema of a study file, generated from the codebook, for editors and for `check`."""

from __future__ import annotations

import json
import re
import shutil

import jsonschema
import pytest
import yaml
from conftest import FIXTURE, valid_study
from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview.cli import main
from livingreview.codebook import load_codebook
from livingreview.schema import DOI_PATTERN, URL_PATTERN, fast_validator, schema_json, study_schema

FIXTURE_STUDIES = sorted((FIXTURE / "studies").glob("*.yaml"))
CODEBOOK, _ = load_codebook(FIXTURE / "content" / "codebook.yaml")
assert CODEBOOK is not None
STUDY_SCHEMA = study_schema(CODEBOOK)


@pytest.fixture(scope="module")
def schema() -> dict:
    return STUDY_SCHEMA


@pytest.fixture(scope="module")
def validator(schema: dict) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema)


def test_the_schema_is_valid_draft_07(schema):
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator.check_schema(study_schema(CODEBOOK, baseline=True))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"


def test_the_schema_accepts_every_study_of_the_fixture_review():
    # The fixture review continues a published one (content/baseline.yaml), so its studies may say in_baseline.
    validator = jsonschema.Draft7Validator(study_schema(CODEBOOK, baseline=True))
    assert len(FIXTURE_STUDIES) == 5
    for path in FIXTURE_STUDIES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
        assert errors == [], path.name


def test_the_schema_accepts_a_valid_scratch_study(validator):
    assert list(validator.iter_errors(valid_study("doyle-2019"))) == []


@pytest.mark.parametrize("field, value", [
    ("involvement", "co-leading"),            # single: a value the codebook does not list
    ("stages", ["tending", "weeding"]),       # multiple: one item the codebook does not list
    ("location", ["UK"]),                     # country: not a code of the codebook
    ("stages", "tending"),                    # multiple: text that is not the not-coded marker
    ("involvement", "not coded"),             # a near miss of the not-coded marker
    ("participants", 0),                      # number: below the codebook's minimum of 1
    ("funded", "yes"),                        # boolean: text that is not the not-coded marker
])
def test_the_schema_rejects_a_value_outside_the_codebook(validator, field, value):
    errors = list(validator.iter_errors(valid_study("doyle-2019", codes={field: value})))
    assert errors
    assert all(list(e.absolute_path)[:2] == ["codes", field] for e in errors)


def test_the_schema_accepts_the_not_coded_marker_in_every_field(validator, schema):
    fields = schema["properties"]["codes"]["properties"]
    assert set(fields) == set(CODEBOOK.field_keys())
    study = valid_study("doyle-2019", codes={key: "not yet coded" for key in fields})
    assert list(validator.iter_errors(study)) == []


def test_the_schema_rejects_unknown_fields_and_missing_required_ones(validator):
    errors = list(validator.iter_errors(valid_study("doyle-2019", jounral="x", codes={"involvement": None})))
    kinds = sorted((e.validator, tuple(e.absolute_path)) for e in errors)
    assert ("additionalProperties", ()) in kinds
    assert ("enum", ("codes", "involvement")) in kinds


@pytest.mark.parametrize("baseline", [False, True])
def test_in_baseline_is_a_property_only_of_a_review_with_a_baseline(baseline):
    schema = study_schema(CODEBOOK, baseline=baseline)
    assert ("in_baseline" in schema["properties"]) is baseline
    study = valid_study("doyle-2019", in_baseline=True)
    assert jsonschema.Draft7Validator(schema).is_valid(study) is baseline
    assert fast_validator(json.dumps(schema, sort_keys=True))(study) is baseline


def test_the_schema_command_writes_the_schema_of_the_reviews_codebook(scratch_review, capsys):
    codebook_path = scratch_review / "content" / "codebook.yaml"
    text = codebook_path.read_text(encoding="utf-8")
    codebook_path.write_text(text.replace("      - {key: leading, label: Leading}\n",
                                          "      - {key: leading, label: Leading}\n"
                                          "      - {key: co-leading, label: Co-leading}\n"), encoding="utf-8")
    assert main(["--root", str(scratch_review), "schema"]) == 0
    assert capsys.readouterr().out.strip() == "schema: wrote content/study.schema.json"
    written = (scratch_review / "content" / "study.schema.json").read_text(encoding="utf-8")
    codebook, _ = load_codebook(codebook_path)
    assert written == schema_json(codebook)
    schema = json.loads(written)
    jsonschema.Draft7Validator.check_schema(schema)
    assert "co-leading" in schema["properties"]["codes"]["properties"]["involvement"]["enum"]
    assert "in_baseline" not in schema["properties"]  # scratch_review has no content/baseline.yaml


def test_the_schema_command_allows_in_baseline_when_the_review_has_a_baseline(scratch_review, capsys):
    shutil.copy(FIXTURE / "content" / "baseline.yaml", scratch_review / "content" / "baseline.yaml")
    assert main(["--root", str(scratch_review), "schema"]) == 0
    schema = json.loads((scratch_review / "content" / "study.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["in_baseline"]["type"] == "boolean"


def test_the_schema_command_reports_a_broken_codebook_and_writes_nothing(scratch_review, capsys):
    codebook_path = scratch_review / "content" / "codebook.yaml"
    codebook_path.write_text(codebook_path.read_text(encoding="utf-8") + "fields: again\n", encoding="utf-8")
    assert main(["--root", str(scratch_review), "schema"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("content/codebook.yaml:")
    assert "duplicate key 'fields'" in err
    assert not (scratch_review / "content" / "study.schema.json").exists()


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
    compiled = fast_validator(json.dumps(STUDY_SCHEMA, sort_keys=True))
    assert compiled(study) == jsonschema.Draft7Validator(STUDY_SCHEMA).is_valid(study), changes


# DOIs and web addresses ----------------------------------------------------------------------------------
# Both end up in links and in the site's HTML: a quote, angle bracket, backslash, space or control
# character could break out of the link, and a trailing line break slips past a bare `$` in Python.

REFUSED_CHARACTERS = st.one_of(
    st.sampled_from(list("\"'<>\\ \n")),
    st.characters(min_codepoint=0x00, max_codepoint=0x1F),  # control characters (tab and line breaks too)
    st.characters(min_codepoint=0x7F, max_codepoint=0x9F),  # DEL and the C1 controls
    st.characters(whitelist_categories=("Zs", "Zl", "Zp")),  # other spaces and line separators
)
PLAIN_CHARACTERS = st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="\"'<>\\")
DOI_PREFIX, URL_PREFIX = "10.1234/", "https://example.org/"
DOI_VALIDATOR = jsonschema.Draft7Validator(STUDY_SCHEMA["properties"]["doi"])
URL_VALIDATOR = jsonschema.Draft7Validator(STUDY_SCHEMA["properties"]["url"])


def accepted(field: str, value: str) -> bool:
    """Whether a study with this DOI or URL passes: both validators `check` uses must agree."""
    study = valid_study("doyle-2019", **{field: value})
    fast = fast_validator(json.dumps(STUDY_SCHEMA, sort_keys=True))(study)
    full = jsonschema.Draft7Validator(STUDY_SCHEMA).is_valid(study)
    assert fast == full, (field, value)
    return full


@pytest.mark.parametrize("doi", ["10.1111/hsc.12197", "10.1002/(SICI)1097-4679",
                                 "10.1002/(SICI)1097-4679(199901)55:1%3C1::AID-JCLP1%3E3.0.CO;2-U",
                                 "10.5555/adams-2018", "10.123456789/a"])
def test_a_plain_doi_is_accepted(doi):
    assert accepted("doi", doi)


@pytest.mark.parametrize("doi", ["10.1111/hsc.12197\n", "https://doi.org/10.1111/hsc.12197", "10.1111/",
                                 "10.123/hsc", "doi:10.1111/hsc.12197", " 10.1111/hsc.12197",
                                 "10.1002/(SICI)1097-4679(199901)55:1<1::AID-JCLP1>3.0.CO;2-U"])
def test_a_doi_that_is_not_bare_is_refused(doi):
    assert not accepted("doi", doi)


@pytest.mark.parametrize("url", ["https://example.org/evans-2019", "http://example.org/a?b=c&d=e#f"])
def test_a_plain_url_is_accepted(url):
    assert accepted("url", url)


@pytest.mark.parametrize("url", ["https://example.org/\n", "ftp://example.org/", "javascript:alert(1)",
                                 "https://", "https://example.org/a b"])
def test_a_url_that_is_not_a_plain_web_address_is_refused(url):
    assert not accepted("url", url)


@settings(max_examples=300, deadline=None)
@given(before=st.text(PLAIN_CHARACTERS, max_size=10), refused=REFUSED_CHARACTERS,
       after=st.text(max_size=10))
def test_a_doi_or_url_holding_a_refused_character_is_refused(before: str, refused: str, after: str):
    tail = before + refused + after
    for prefix, pattern, validator in ((DOI_PREFIX, DOI_PATTERN, DOI_VALIDATOR),
                                       (URL_PREFIX, URL_PATTERN, URL_VALIDATOR)):
        value = prefix + tail
        assert not re.search(pattern, value), value
        assert not validator.is_valid(value), value
    assert not accepted("doi", DOI_PREFIX + tail) and not accepted("url", URL_PREFIX + tail)


@settings(max_examples=200, deadline=None)
@given(tail=st.text(PLAIN_CHARACTERS, min_size=1, max_size=20))
def test_a_doi_or_url_of_plain_characters_is_accepted(tail: str):
    assert re.search(DOI_PATTERN, DOI_PREFIX + tail) and re.search(URL_PATTERN, URL_PREFIX + tail)
    assert accepted("doi", DOI_PREFIX + tail) and accepted("url", URL_PREFIX + tail)

