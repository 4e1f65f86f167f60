"""The JSON Schema of a study file, generated from the codebook.

The same schema validates studies in `check` (compiled with fastjsonschema) and
gives contributors completion and inline errors in their editor.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .codebook import Codebook, Field

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DOI_PATTERN = r"^10\.[0-9]{4,9}/[^\s]+$"
URL_PATTERN = r"^https?://[^\s]+$"
MIN_YEAR = 1900
BIBLIOGRAPHIC_FIELDS = ("id", "title", "authors", "year", "journal", "volume", "issue", "pages",
                        "doi", "url", "no_doi_reason")


def study_schema(codebook: Codebook) -> dict[str, Any]:
    """The JSON Schema (draft 7, which editors support best) for one study file."""
    coded = {field.key: _field_schema(field, codebook) for field in codebook.fields}
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
                    "properties": {"family": text, "given": {"type": "string"}},
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
            "in_baseline": {"type": "boolean",
                            "description": "The study is one of the published review's included studies."},
            "coded_by": {"type": "string"},
            "codes": {
                "type": "object", "additionalProperties": False,
                "required": [f.key for f in codebook.fields if f.required],
                "properties": coded,
            },
            "evidence": {
                "type": "object", "additionalProperties": False,
                "properties": {key: {"type": "string"} for key in coded},
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


def _field_schema(field: Field, codebook: Codebook) -> dict[str, Any]:
    marker = codebook.not_coded
    described = {"title": field.label, "description": field.description}
    if field.kind == "single":
        return {**described, "enum": [v.key for v in field.values] + [marker]}
    if field.kind in ("multiple", "country"):
        return {
            **described,
            "type": ["array", "string"],
            "items": {"enum": codebook.allowed_values(field)},
            "uniqueItems": True,
            "if": {"type": "string"}, "then": {"const": marker},
        }
    if field.kind == "boolean":
        return {**described, "type": ["boolean", "string"], "if": {"type": "string"}, "then": {"const": marker}}
    if field.kind == "number":
        number: dict[str, Any] = {**described, "type": ["integer", "string"],
                                  "if": {"type": "string"}, "then": {"const": marker}}
        if field.minimum is not None:
            number["minimum"] = field.minimum
        return number
    return {**described, "type": "string"}


def schema_json(codebook: Codebook) -> str:
    """The schema as stable, pretty JSON text (for editors and the site)."""
    return json.dumps(study_schema(codebook), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


_VALIDATOR_VERSION = "2"  # bump when the code compiled from a schema changes
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


@lru_cache(maxsize=4)
def compiled_validator(schema_text: str, cache: Path | None) -> Callable[[Any], Any]:
    """The schema compiled to Python by fastjsonschema; the compiled code is cached by the schema's hash."""
    import marshal
    from importlib.util import MAGIC_NUMBER

    digest = hashlib.sha256(f"{_VALIDATOR_VERSION}\0{schema_text}".encode("utf-8")).hexdigest()[:16]
    # Compiling the generated source takes longer than checking a small review: keep the bytecode,
    # keyed by the interpreter's bytecode version as .pyc files are.
    cached = cache / f"validator-{digest}-{MAGIC_NUMBER.hex()}.bin" if cache else None
    try:
        code = marshal.loads(cached.read_bytes()) if cached else None
    except (OSError, ValueError, EOFError, TypeError):
        code = None
    if code is None:
        import fastjsonschema

        # Valid or not is all it is asked: a file it rejects is checked again by jsonschema, which says
        # why. Without detailed exceptions the generated code is half the size, and compiles in half the time.
        source = fastjsonschema.compile_to_code(_without_const(json.loads(schema_text)), detailed_exceptions=False)
        code = compile(source, "<schema validator>", "exec")
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(marshal.dumps(code))
            partial.replace(cached)  # concurrent builds never read half a file
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - our own generated code
    return namespace["validate"]
