"""The JSON Schema of a study file, generated from the codebook.

The same schema validates studies in `check` (compiled with fastjsonschema) and
gives contributors completion and inline errors in their editor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .codebook import Codebook
from .field_kinds import KINDS

# Patterns are read both by Python (check) and by editors (ECMAScript). `$(?!\n)` ends a value in both:
# Python's `$` alone also matches before a final line break. DOIs and web addresses hold no quotes,
# angle brackets, backslashes, spaces or control characters, so neither can break out of a link.
_PLAIN = "[^\\s\"'<>\\\\\\x00-\\x1f\\x7f-\\x9f]"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$(?!\n)"
DOI_PATTERN = rf"^10\.[0-9]{{4,9}}/{_PLAIN}+$(?!\n)"
# A web address names its host: https://example.org/..., not https:///example.org/.
URL_PATTERN = rf"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{{1,5}})?(?:[/?#]{_PLAIN}*)?$(?!\n)"
RESERVED_IDS = ("index",)  # studies/index.html is the study table
MIN_YEAR = 1900
BIBLIOGRAPHIC_FIELDS = ("id", "title", "authors", "year", "journal", "volume", "issue", "pages",
                        "doi", "url", "no_doi_reason")


def study_schema(codebook: Codebook, baseline: bool = False) -> dict[str, Any]:
    """The JSON Schema (draft 7, which editors support best) for one study file.

    `in_baseline` is a property only of a review that declares a published baseline."""
    marker = codebook.not_coded
    coded = {f.key: KINDS[f.kind].schema(f, codebook.allowed_values(f), marker) for f in codebook.fields}
    text = {"type": "string", "minLength": 1}
    number_or_text = {"type": ["string", "integer"]}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "A study of the living review",
        "description": "One included study: bibliographic data and its coding against the codebook.",
        "type": "object",
        "required": ["id", "title", "authors", "year", "codes"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": SLUG_PATTERN,
                   "description": "A slug such as nelson-2016; equal to the file name."},
            "title": text,
            "authors": {
                "type": "array", "minItems": 1,
                "items": {
                    "type": "object", "required": ["family"], "additionalProperties": False,
                    "properties": {"family": text, "given": {"type": "string"},
                                   "corporate": {"type": "boolean", "description": "The author is an organisation, "
                                                 "named whole in family (World Health Organization)."}},
                },
            },
            "year": {"type": "integer", "minimum": MIN_YEAR},
            "journal": text,
            "volume": number_or_text,
            "issue": number_or_text,
            "pages": number_or_text,
            "doi": {"type": "string", "pattern": DOI_PATTERN,
                    "description": "A bare DOI such as 10.1111/hsc.12197."},
            "url": {"type": "string", "pattern": URL_PATTERN},
            "no_doi_reason": text,
            **({"in_baseline": {"type": "boolean", "description": "The study is one of the included studies "
                                                               "of the published review this one continues."}}
               if baseline else {}),
            "coded_by": {"type": "string"},
            "codes": {
                "type": "object", "additionalProperties": False,
                "required": [f.key for f in codebook.fields if f.required],
                "properties": coded,
            },
            "evidence": {
                "type": "object", "additionalProperties": False,
                "properties": {key: _evidence_schema(codebook) for key in coded},
            },
            "disagreements": {
                "type": "object", "additionalProperties": False,
                "description": "A value another source gives for a field, beside the value coded above.",
                "properties": {key: _disagreement_schema(codebook, value) for key, value in coded.items()},
            },
            "notes": {"type": "string"},
            "second_coding": {
                "type": "object", "additionalProperties": False, "required": ["coder", "codes"],
                "properties": {
                    "coder": text,
                    "codes": {"type": "object", "additionalProperties": False, "properties": coded},
                    "resolved": {
                        "type": "object", "additionalProperties": False,
                        "properties": {key: {"type": "string"} for key in coded},
                    },
                },
            },
        },
    }


def _evidence_schema(codebook: Codebook) -> dict[str, Any]:
    """An evidence note: text, or a mapping with the note, its source (the codebook's provenance) and where."""
    text = {"type": "string", "minLength": 1}
    properties: dict[str, Any] = {"note": text, "where": text}
    if codebook.sources:
        properties["source"] = {"enum": [s.key for s in codebook.sources]}
    described = {"type": "object", "required": ["note"], "additionalProperties": False, "properties": properties}
    return {"anyOf": [{"type": "string", "minLength": 1}, described],
            "description": "Where the value is stated: a note, or note, source and where."}


def _disagreement_schema(codebook: Codebook, value: dict[str, Any]) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    properties: dict[str, Any] = {"value": {k: v for k, v in value.items() if k not in ("title", "description")},
                                  "note": text, "where": text}
    if codebook.sources:
        properties["source"] = {"enum": [s.key for s in codebook.sources]}
    return {"type": "object", "required": ["value", "note"], "additionalProperties": False, "properties": properties}


def schema_json(codebook: Codebook, baseline: bool = False) -> str:
    """The schema as stable, pretty JSON text (for editors and the site)."""
    return json.dumps(study_schema(codebook, baseline), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


_SUBSCHEMA = {"additionalItems", "additionalProperties", "contains", "else", "if", "items", "not",
              "propertyNames", "then"}
_SUBSCHEMA_LISTS = {"allOf", "anyOf", "items", "oneOf"}
_SUBSCHEMA_MAPS = {"definitions", "dependencies", "patternProperties", "properties"}


def _without_const(schema: Any) -> Any:
    """The same schema with every `const` written as a one-value `enum`, the same constraint.

    fastjsonschema (2.22) fails to generate code for `const` without detailed exceptions."""
    if not isinstance(schema, dict):
        return schema
    same: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            same[key] = {name: _without_const(item) for name, item in value.items()}
        elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
            same[key] = [_without_const(item) for item in value]
        elif key in _SUBSCHEMA:
            same[key] = _without_const(value)
        elif key != "const":
            same[key] = value
    if "const" in schema:
        same["allOf"] = [*same.get("allOf", []), {"enum": [schema["const"]]}]
    return same


def _subschemas(schema: Any) -> list[Any]:
    """The schemas directly inside a schema (its properties, items, branches, ...), in order."""
    if not isinstance(schema, dict):
        return []
    inside: list[Any] = []
    for key, value in schema.items():
        if key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            inside.extend(value.values())
        elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
            inside.extend(value)
        elif key in _SUBSCHEMA:
            inside.append(value)
    return inside


def _rebuilt(schema: Any, change: Callable[[Any], Any], drop: frozenset[str] = frozenset()) -> Any:
    """The schema with `change` applied to each subschema directly inside it, and the keywords `drop` left out."""
    if not isinstance(schema, dict):
        return schema
    same: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            same[key] = {name: change(item) for name, item in value.items()}
        elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
            same[key] = [change(item) for item in value]
        elif key in _SUBSCHEMA:
            same[key] = change(value)
        elif key not in drop:
            same[key] = value
    return same


# Keywords that describe a value and constrain nothing (draft 7): the compiled validator needs none of them.
_ANNOTATIONS = frozenset({"title", "description", "$comment", "examples"})
# A shorter subschema is compiled where it occurs: its code is short, and a call costs more than it saves
# (fastjsonschema passes a shared one the path for its error messages, built on every call, inside a list
# from every local name).
_MIN_SHARED = 100  # characters of the subschema as JSON


def _shared(schema: dict[str, Any]) -> dict[str, Any]:
    """The same constraints, each subschema that occurs more than once written once, under `definitions`,
    and referred to by `$ref` wherever it occurs, for fastjsonschema to generate its code once.

    A study schema repeats each field's schema three times (codes, disagreements, second_coding) and the
    evidence schema once per field: compiled as written, the generated code is more than twice as long, and
    Python took most of a validator's compilation to compile it. A short subschema stays where it is
    (_MIN_SHARED), and so does one with a `default` (fastjsonschema fills a default in from the schema
    around it); a schema that already uses `$ref` or `definitions` is left as it is."""
    if "definitions" in schema or "$ref" in json.dumps(schema):
        return schema
    stripped = _without_annotations(schema)
    texts: dict[int, str] = {}  # each subschema of `stripped` as JSON, by id
    counts: dict[str, int] = {}
    pending = list(_subschemas(stripped))
    while pending:
        item = pending.pop()
        if isinstance(item, dict) and "default" not in item:
            text = texts[id(item)] = json.dumps(item, sort_keys=True)
            if len(text) > _MIN_SHARED:
                counts[text] = counts.get(text, 0) + 1
        pending.extend(_subschemas(item))
    names: dict[str, str] = {}

    def referred(item: Any) -> Any:
        text = texts.get(id(item)) or (json.dumps(item, sort_keys=True) if isinstance(item, dict) else "")
        if counts.get(text, 0) > 1:
            return {"$ref": f"#/definitions/{names.setdefault(text, f's{len(names)}')}"}
        return _rebuilt(item, referred)

    shared = _rebuilt(stripped, referred)
    definitions: dict[str, Any] = {}
    while len(definitions) < len(names):  # a definition may itself refer to further ones
        for text, name in list(names.items()):
            if name not in definitions:
                definitions[name] = _rebuilt(json.loads(text), referred)
    if definitions:
        shared["definitions"] = definitions
    return shared


def _without_annotations(schema: Any) -> Any:
    return _rebuilt(schema, _without_annotations, _ANNOTATIONS)


@lru_cache(maxsize=8)
def fast_validator(schema_text: str) -> Callable[[Any], bool]:
    """Whether data is valid against the schema, by code fastjsonschema generates (in memory, never kept
    on disk). Only a file found invalid is walked again by jsonschema, which says every reason why."""
    import fastjsonschema

    check = fastjsonschema.compile(_shared(_without_const(json.loads(schema_text))), detailed_exceptions=False)

    def valid(data: Any) -> bool:
        try:
            check(data)
        except Exception:  # noqa: BLE001 - invalid, or a YAML type JSON has no name for (a date)
            return False
        return True

    return valid
