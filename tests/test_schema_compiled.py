"""The compiled validator: each repeated subschema is compiled once, and it accepts exactly what the
schema as written accepts."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
import yaml
from conftest import FIXTURE

from livingreview.codebook import load_codebook
from livingreview.schema import (
    _MIN_SHARED,
    _shared,
    _without_annotations,
    _without_const,
    fast_validator,
    study_schema,
)

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


def _accepts(validate: Any, data: Any) -> bool:
    try:
        validate(copy.deepcopy(data))
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@pytest.mark.parametrize("review", REVIEWS, ids=["fixture", "repository"])
@pytest.mark.parametrize("baseline", [False, True])
def test_the_shared_form_accepts_exactly_what_the_schema_as_written_accepts(review, baseline):
    codebook, _ = load_codebook(review / "content" / "codebook.yaml")
    assert codebook is not None
    schema = _without_const(study_schema(codebook, baseline))
    written = fastjsonschema.compile(schema, detailed_exceptions=False)
    shared = fastjsonschema.compile(_shared(schema), detailed_exceptions=False)
    compared = accepted = 0
    for path in sorted((review / "studies").glob("*.yaml"))[:6]:
        study = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        for variant in _variants(study):
            verdict = _accepts(written, variant)
            assert _accepts(shared, variant) == verdict, (path.name, variant)
            compared, accepted = compared + 1, accepted + verdict
    assert compared > 1000 and 0 < accepted < compared


def test_each_long_field_schema_is_compiled_once():
    codebook, _ = load_codebook(FIXTURE / "content" / "codebook.yaml")
    assert codebook is not None
    shared = _shared(_without_const(study_schema(codebook)))
    codes = shared["properties"]["codes"]["properties"]
    written = _without_annotations(study_schema(codebook))["properties"]["codes"]["properties"]
    long = {key for key, item in written.items() if len(json.dumps(item)) > _MIN_SHARED}
    assert long and all(set(codes[key]) == {"$ref"} for key in long)
    assert shared["properties"]["second_coding"]["properties"]["codes"]["properties"] == codes
    disagreements = shared["properties"]["disagreements"]["properties"]
    assert all(disagreements[key]["properties"]["value"] == codes[key] for key in long)
    assert all(codes[key] == written[key] for key in written if key not in long)
    assert "description" not in json.dumps(shared)  # annotations constrain nothing: left out


def test_a_subschema_with_a_default_stays_in_place():
    # fastjsonschema fills a property's default in from the schema around it: a $ref would lose it.
    kind = {"type": "string", "default": "plain", "enum": ["plain", "bold", "italic", "underlined", "small-capitals"]}
    item = {"type": "object", "properties": {"kind": kind, "name": {"type": "string", "minLength": 1},
                                             "size": {"type": "integer", "minimum": 0, "maximum": 100}}}
    schema = {"type": "object", "properties": {"first": item, "second": item, "third": kind, "fourth": kind}}
    shared = _shared(schema)
    assert len(json.dumps(kind)) > _MIN_SHARED
    assert shared["properties"]["third"] == shared["properties"]["fourth"] == kind
    assert shared["definitions"]["s0"] == item
    data: dict[str, Any] = {"first": {}, "second": {}}
    fastjsonschema.compile(shared)(data)
    assert data == {"first": {"kind": "plain"}, "second": {"kind": "plain"}, "third": "plain", "fourth": "plain"}


def test_a_schema_that_refers_already_is_compiled_as_written():
    schema = {"definitions": {"text": {"type": "string"}},
              "properties": {"a": {"$ref": "#/definitions/text"}, "b": {"type": "integer", "title": "B"}}}
    assert _shared(schema) == schema
    assert fast_validator(json.dumps(schema, sort_keys=True))({"a": "x", "b": 1})
    assert not fast_validator(json.dumps(schema, sort_keys=True))({"a": 1})
