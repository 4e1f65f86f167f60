"""The codebook: which coded fields a study has and which values each may take.

It is read from `content/codebook.yaml`; nothing about the review's fields is
written in Python, so a review team can change its codebook without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import jsonschema

from .diagnostics import Diagnostic
from .load import LoadedFile, read_yaml

KINDS = ("single", "multiple", "boolean", "text", "number", "country")
LIST_KINDS = ("multiple", "country")
_CODEBOOK_SCHEMA = Path(__file__).with_name("codebook.schema.json")


@dataclass(frozen=True)
class Value:
    key: str
    label: str
    definition: str = ""


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str
    required: bool
    description: str = ""
    values: tuple[Value, ...] = ()
    minimum: int | None = None

    @property
    def is_list(self) -> bool:
        return self.kind in LIST_KINDS

    def value_label(self, key: Any) -> str:
        for value in self.values:
            if value.key == key:
                return value.label
        return str(key)


@dataclass(frozen=True)
class Condition:
    """A test on one coded field: equals a value, includes any of some values, or is not empty."""

    field: str
    equals: Any = None
    includes_any: tuple[str, ...] = ()
    not_empty: bool = False

    def holds(self, value: Any) -> bool:
        if self.equals is not None:
            return value == self.equals
        items = value if isinstance(value, list) else [value]
        if self.includes_any:
            return any(item in self.includes_any for item in items)
        return bool(value) if self.not_empty else True

    def describe(self) -> str:
        if self.equals is not None:
            return f"{self.field} is '{self.equals}'"
        if self.includes_any:
            return f"{self.field} includes {' or '.join(self.includes_any)}"
        return f"{self.field} is not empty"


@dataclass(frozen=True)
class Derived:
    """A fact computed from coded fields (all conditions must hold)."""

    key: str
    label: str
    description: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Rule:
    when: Condition
    then: Condition
    message: str


@dataclass(frozen=True)
class Region:
    key: str
    label: str


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class Codebook:
    not_coded: str
    fields: tuple[Field, ...]
    derived: tuple[Derived, ...]
    rules: tuple[Rule, ...]
    regions: tuple[Region, ...]
    countries: Mapping[str, Country]

    def field(self, key: str) -> Field:
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        raise KeyError(key)

    def field_keys(self) -> list[str]:
        return [f.key for f in self.fields]

    def derived_fact(self, key: str) -> Derived:
        for candidate in self.derived:
            if candidate.key == key:
                return candidate
        raise KeyError(key)

    def region_label(self, key: str) -> str:
        return next((r.label for r in self.regions if r.key == key), key)

    def allowed_values(self, field: Field) -> list[str]:
        if field.kind == "country":
            return sorted(self.countries)
        return [value.key for value in field.values]

    def is_coded(self, value: Any) -> bool:
        return value != self.not_coded


def load_codebook(path: Path, display: str | None = None) -> tuple[Codebook | None, list[Diagnostic]]:
    """Read and check the codebook; return it with no diagnostics, or None with all of them."""
    loaded = read_yaml(path, display)
    if not loaded.ok:
        return None, loaded.diagnostics
    schema = _codebook_schema()
    validator = jsonschema.Draft7Validator(schema)
    for error in sorted(validator.iter_errors(loaded.data), key=lambda e: list(e.absolute_path)):
        where = list(error.absolute_path)
        loaded.error(f"codebook: {_describe(where)}: {error.message}", where)
    for code in loaded.data.get("countries", {}) if not loaded.diagnostics else ():
        if not isinstance(code, str):
            loaded.error(f"codebook: country code {code!r} was read by YAML as {type(code).__name__}; "
                         f"quote it, e.g. \"NO\"", ["countries"])
    if loaded.diagnostics:
        return None, loaded.diagnostics
    codebook = _build(loaded.data)
    _check_references(codebook, loaded)
    return (None, loaded.diagnostics) if loaded.diagnostics else (codebook, [])


def _codebook_schema() -> dict:
    import json

    return json.loads(_CODEBOOK_SCHEMA.read_text(encoding="utf-8"))


def _describe(where: Sequence[Any]) -> str:
    return ".".join(str(step) for step in where) or "top level"


def _build(data: Mapping[str, Any]) -> Codebook:
    fields = tuple(
        Field(
            key=f["key"], label=f["label"], kind=f["kind"], required=f.get("required", False),
            description=f.get("description", ""), minimum=f.get("minimum"),
            values=tuple(Value(v["key"], v["label"], v.get("definition", "")) for v in f.get("values", [])),
        )
        for f in data["fields"]
    )
    derived = tuple(
        Derived(d["key"], d["label"], d.get("description", ""), tuple(_condition(c) for c in d["all"]))
        for d in data.get("derived", [])
    )
    rules = tuple(Rule(_condition(r["when"]), _condition(r["then"]), r["message"]) for r in data.get("rules", []))
    regions = tuple(Region(r["key"], r["label"]) for r in data.get("regions", []))
    countries = {code: Country(code, c["name"], c["region"]) for code, c in data.get("countries", {}).items()}
    return Codebook(data["not_coded"], fields, derived, rules, regions, countries)


def _condition(data: Mapping[str, Any]) -> Condition:
    return Condition(
        field=data["field"], equals=data.get("equals"),
        includes_any=tuple(data.get("includes_any", ())), not_empty=bool(data.get("not_empty", False)),
    )


def _check_references(codebook: Codebook, loaded: LoadedFile) -> None:
    """Keys must be unique, and rules and countries may only name what the codebook declares."""
    keys = [f.key for f in codebook.fields] + [d.key for d in codebook.derived]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            loaded.error(f"codebook: field key '{key}' is declared twice", ["fields"])
    for index, field in enumerate(codebook.fields):
        if field.kind in ("single", "multiple") and not field.values:
            loaded.error(f"codebook: field '{field.key}' of kind {field.kind} needs a list of values",
                         ["fields", index])
        value_keys = [v.key for v in field.values]
        for v_index, key in enumerate(value_keys):
            if key in value_keys[:v_index]:
                loaded.error(f"codebook: value '{key}' is declared twice in field '{field.key}'",
                             ["fields", index, "values", v_index])
    conditions = [("derived", i, c) for i, d in enumerate(codebook.derived) for c in d.conditions]
    conditions += [("rules", i, c) for i, r in enumerate(codebook.rules) for c in (r.when, r.then)]
    for section, index, condition in conditions:
        _check_condition(codebook, loaded, condition, [section, index])
    region_keys = {r.key for r in codebook.regions}
    for code, country in codebook.countries.items():
        if country.region not in region_keys:
            loaded.error(f"codebook: country {code} names unknown region '{country.region}'; "
                         f"regions are: {', '.join(sorted(region_keys))}", ["countries", code])


def _check_condition(codebook: Codebook, loaded: LoadedFile, condition: Condition, where: list) -> None:
    try:
        field = codebook.field(condition.field)
    except KeyError:
        loaded.error(f"codebook: condition names unknown field '{condition.field}'", where)
        return
    allowed = set(codebook.allowed_values(field))
    named = list(condition.includes_any) + ([condition.equals] if condition.equals is not None else [])
    for value in named:
        if allowed and value not in allowed:
            loaded.error(f"codebook: condition names unknown value '{value}' of field '{field.key}'", where)
