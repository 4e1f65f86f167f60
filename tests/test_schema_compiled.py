"""The compiled validator (jsonschema-rs) accepts exactly what jsonschema, which reports the reasons, accepts."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import FIXTURE

from livingreview.codebook import load_codebook
from livingreview.schema import fast_validator, study_schema

REPOSITORY = Path(__file__).resolve().parent.parent
REVIEWS = [FIXTURE, REPOSITORY]
WRONG = (None, 1, 2.5, "x", "", [], {}, True, "not yet coded", ["x"], {"note": "n"}, {"value": "x", "note": "n"})


def _variants(data: Any) -> Iterator[Any]:
    """The study, and many near misses: each value replaced by a wrong one, each key left out, keys added."""
    yield data

    def places(value: Any, where: tuple = ()) -> Iterator[tuple]:
        yield where
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            yield from places(item, (*where, key))

    def at(copied: Any, where: tuple) -> Any:
        for key in where:
            copied = copied[key]
        return copied

    for where in list(places(data)):
        if where:
            for wrong in WRONG:
                changed = copy.deepcopy(data)
                at(changed, where[:-1])[where[-1]] = wrong
                yield changed
            changed = copy.deepcopy(data)
            del at(changed, where[:-1])[where[-1]]
            yield changed
        if isinstance(at(data, where), dict):
            for key in ("unknown", "note", "source", "where", "value", "coder", "codes", "family", "corporate"):
                changed = copy.deepcopy(data)
                at(changed, where)[key] = "study"
                yield changed


@pytest.mark.parametrize("review", REVIEWS, ids=["fixture", "repository"])
@pytest.mark.parametrize("baseline", [False, True])
def test_the_compiled_validator_accepts_exactly_what_jsonschema_accepts(review, baseline):
    codebook, _ = load_codebook(review / "content" / "codebook.yaml")
    assert codebook is not None
    schema = study_schema(codebook, baseline)
    full = jsonschema.Draft7Validator(schema)
    fast = fast_validator(json.dumps(schema, sort_keys=True))
    compared = accepted = 0
    for path in sorted((review / "studies").glob("*.yaml"))[:6]:
        study = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        for variant in _variants(study):
            before = copy.deepcopy(variant)
            verdict = full.is_valid(variant)
            assert fast(variant) == verdict, (path.name, variant)
            assert variant == before  # validating changes nothing
            compared, accepted = compared + 1, accepted + verdict
    assert compared > 1000 and 0 < accepted < compared


@pytest.mark.parametrize("value", [datetime.date(2020, 1, 1), {2020: "a year as a key"}, {"a", "set"}, b"bytes"],
                         ids=["date", "number-key", "set", "bytes"])
def test_a_value_json_has_no_name_for_is_invalid_and_raises_nothing(value):
    codebook, _ = load_codebook(FIXTURE / "content" / "codebook.yaml")
    assert codebook is not None
    schema = study_schema(codebook, baseline=True)  # the fixture review continues a published one
    study = json.loads(json.dumps(yaml.safe_load(next((FIXTURE / "studies").glob("*.yaml")).read_text(
        encoding="utf-8")), default=str))
    fast = fast_validator(json.dumps(schema, sort_keys=True))
    assert fast(study)
    assert not fast({**study, "title": value})


def test_a_schema_that_refers_to_its_definitions_is_compiled_as_written():
    schema = {"definitions": {"text": {"type": "string"}},
              "properties": {"a": {"$ref": "#/definitions/text"}, "b": {"type": "integer", "title": "B"}}}
    assert fast_validator(json.dumps(schema, sort_keys=True))({"a": "x", "b": 1})
    assert not fast_validator(json.dumps(schema, sort_keys=True))({"a": 1})
