"""The kinds of coded field, as a registry: a kind is added here, in one place.

Each kind declares how a study's value is validated (its JSON Schema), whether studies can be counted
per value (and so drawn in figures, filtered in the study table, and compared between editions), and
how a value is shown to readers. The codebook names a kind for each field; `check` refuses unknown kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .named_tuple import NamedTuple


class Value(NamedTuple):
    """One value a codebook field allows: its key in study files, its label, and what it means."""

    key: str
    label: str
    definition: str = ""
    colour: str = ""  # a fixed colour for figures, so a value keeps its colour whatever else is coded


class Field(NamedTuple):
    """One field of the codebook: what study files code under `key`, of which kind, with which values."""

    key: str
    label: str
    kind: str
    required: bool
    description: str = ""
    values: tuple[Value, ...] = ()
    minimum: int | None = None

    @property
    def is_list(self) -> bool:
        return KINDS[self.kind].is_list

    @property
    def tallied(self) -> bool:
        return KINDS[self.kind].tallied

    def value_label(self, key: Any) -> str:
        for value in self.values:
            if value.key == key:
                return value.label
        return str(key)


# A kind's schema: (the field, the values a study may use, the "not yet coded" marker) -> JSON Schema.
Schema = Callable[[Field, Sequence[str], str], dict[str, Any]]


class FieldKind(NamedTuple):
    """A kind of codebook field (FIELD_KINDS): the schema of its values and how they are counted."""

    name: str
    summary: str  # one line for the codebook's documentation and for messages
    schema: Schema
    is_list: bool = False  # a study may have several values (each counts once)
    tallied: bool = False  # studies can be counted per value
    needs_values: bool = False  # the codebook must list the values
    reads: str = ""  # what a reader of the codebook's manual is told a study records for such a field


def _described(field: Field) -> dict[str, Any]:
    return {"title": field.label, "description": field.description}


def _or_marker(schema: dict[str, Any], marker: str) -> dict[str, Any]:
    """The schema, or the marker text: a field of any kind may be 'not yet coded'."""
    return {**schema, "if": {"type": "string"}, "then": {"enum": [marker]}}


def _single(field: Field, allowed: Sequence[str], marker: str) -> dict[str, Any]:
    return {**_described(field), "enum": [*allowed, marker]}


def _list(field: Field, allowed: Sequence[str], marker: str) -> dict[str, Any]:
    return _or_marker({**_described(field), "type": ["array", "string"], "items": {"enum": list(allowed)},
                       "uniqueItems": True}, marker)


def _boolean(field: Field, allowed: Sequence[str], marker: str) -> dict[str, Any]:
    return _or_marker({**_described(field), "type": ["boolean", "string"]}, marker)


def _number(field: Field, allowed: Sequence[str], marker: str) -> dict[str, Any]:
    schema = _or_marker({**_described(field), "type": ["integer", "string"]}, marker)
    if field.minimum is not None:
        schema["minimum"] = field.minimum
    return schema


def _text(field: Field, allowed: Sequence[str], marker: str) -> dict[str, Any]:
    return {**_described(field), "type": "string"}


KINDS: Mapping[str, FieldKind] = {kind.name: kind for kind in (
    FieldKind("single", "exactly one of the listed values", _single, tallied=True, needs_values=True,
              reads="one of the values below"),
    FieldKind("multiple", "a list of listed values; an empty list [] means none of them", _list, is_list=True,
              tallied=True, needs_values=True, reads="any of the values below, or none of them"),
    FieldKind("boolean", "true or false", _boolean, tallied=True, reads="yes or no"),
    FieldKind("text", "free text", _text, reads="a short text"),
    FieldKind("number", "a whole number", _number, reads="a whole number"),
    FieldKind("country", "a list of ISO 3166-1 alpha-2 codes listed under `countries`; each counts in its region",
              _list, is_list=True, tallied=True, reads="the countries where the study took place"),
)}
