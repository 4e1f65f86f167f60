"""The JSON Schema of a study file, generated from the codebook.

The same schema validates studies in `check` (compiled by jsonschema-rs) and
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


@lru_cache(maxsize=8)
def fast_validator(schema_text: str) -> Callable[[Any], bool]:
    """Whether data is valid against the schema, by jsonschema-rs (compiled in memory, in a millisecond). Only
    a file found invalid is walked again by jsonschema, which says every reason why."""
    import jsonschema_rs

    validator = jsonschema_rs.Draft7Validator(json.loads(schema_text), validate_formats=False)

    def valid(data: Any) -> bool:
        try:
            return bool(validator.is_valid(data))
        except Exception:  # noqa: BLE001 - a YAML type JSON has no name for (a date), a key that is not text
            return False

    return valid
