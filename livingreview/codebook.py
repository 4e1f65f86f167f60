"""The codebook: which coded fields a study has and which values each may take.

It is read from `content/codebook.yaml`; nothing about the review's fields is
written in Python, so a review team can change its codebook without code changes.
The kinds of field are declared in `field_kinds.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic
from .field_kinds import KINDS, Field, Value
from .load import LoadedFile, read_yaml
from .named_tuple import NamedTuple
from .yaml_errors import position

_CODEBOOK_SCHEMA = Path(__file__).with_name("codebook.schema.json")


class Condition(NamedTuple):
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

    def require(self) -> str:
        """The condition as a demand: what a study must do to meet it."""
        if self.equals is not None:
            return f"{self.field} must be '{self.equals}'"
        if self.includes_any:
            return f"{self.field} must include {' or '.join(self.includes_any)}"
        return f"{self.field} must not be empty"


class Derived(NamedTuple):
    """A fact computed from coded fields (all conditions must hold)."""

    key: str
    label: str
    description: str
    conditions: tuple[Condition, ...]


class Rule(NamedTuple):
    """A rule of the codebook: a study whose codes meet `when` must meet `then`, or gets `message`."""

    when: Condition
    then: Condition
    message: str


class Region(NamedTuple):
    """A region of the world the codebook groups countries into."""

    key: str
    label: str


class Country(NamedTuple):
    """A country a study may be coded with: its ISO code, name and region."""

    code: str
    name: str
    region: str


class Source(NamedTuple):
    """Where a coded value comes from, as the codebook's provenance vocabulary names it."""

    key: str
    label: str
    definition: str = ""
    deduced: bool = False  # not stated for the study: deduced from an aggregate statement or a rule
    needs_where: bool = False  # an evidence note of this source must say where it was read


@dataclass(frozen=True)
class Codebook:
    """content/codebook.yaml, validated: the fields a study is coded on, its rules, regions and countries."""

    not_coded: str
    fields: tuple[Field, ...]
    derived: tuple[Derived, ...]
    rules: tuple[Rule, ...]
    regions: tuple[Region, ...]
    countries: Mapping[str, Country]
    sources: tuple[Source, ...] = ()
    default_source: str = ""  # the source of an evidence note that names none
    evidence_required: bool = False

    def source(self, key: str) -> Source | None:
        """The provenance of an evidence note (`key` "" for the default), or None if none is declared."""
        wanted = key or self.default_source
        # A file that fails its schema has its evidence checked too: a note's source may then be a list or null.
        return self._sources_by_key.get(wanted) if isinstance(wanted, str) else None

    @cached_property
    def _sources_by_key(self) -> dict[str, Source]:
        return {source.key: source for source in reversed(self.sources)}  # the first of a key, if two had one

    def field(self, key: str) -> Field:
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        raise KeyError(key)

    def field_keys(self) -> list[str]:
        return [f.key for f in self.fields]

    @cached_property
    def derived_keys(self) -> frozenset[str]:
        return frozenset(d.key for d in self.derived)

    @cached_property
    def region_rank(self) -> Mapping[str, int]:
        """Each region's place in the codebook's order."""
        return {region.key: index for index, region in enumerate(self.regions)}

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

    @cached_property
    def country_field(self) -> Field | None:
        """The field of kind country (whatever its key): where a study's regions come from."""
        return next((f for f in self.fields if f.kind == "country"), None)

    def is_coded(self, value: Any) -> bool:
        return value != self.not_coded


def load_codebook(path: Path, display: str | None = None) -> tuple[Codebook | None, list[Diagnostic]]:
    """Read and check the codebook; return it with no diagnostics, or None with all of them."""
    return codebook_from(read_yaml(path, display))


def codebook_from(loaded: LoadedFile, known: Callable[[str], bool] = lambda text: False
                  ) -> tuple[Codebook | None, list[Diagnostic]]:
    """The codebook of a file already read (from disk, or from a frozen release). `known(text)`: whether this
    engine found a codebook of this very text valid before (it is then not checked against the schema)."""
    if not loaded.ok:
        return None, loaded.diagnostics
    from .schema import fast_validator

    if (loaded.text is not None and known(loaded.text)) or \
            fast_validator(json.dumps(_codebook_schema(), sort_keys=True))(loaded.data):
        errors = []
    else:
        import jsonschema  # only for a codebook with errors: it reports all of them

        errors = list(jsonschema.Draft7Validator(_codebook_schema()).iter_errors(loaded.data))
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        where = list(error.absolute_path)
        if error.validator == "enum" and where[-1:] == ["kind"]:
            import difflib  # for a codebook with errors only

            close = difflib.get_close_matches(str(error.instance), list(KINDS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else "."
            loaded.error(f"codebook: {_describe(where[:-1], loaded.data)} has unknown kind "
                         f"'{error.instance}'{hint} Kinds are: {', '.join(KINDS)}", where)
        elif error.validator == "pattern" and where[-1:] == ["colour"]:
            loaded.error(f"codebook: {_describe(where, loaded.data)}: '{error.instance}' is not a colour; write "
                         f"it as # and six hexadecimal digits, such as \"#2f6f8f\" (in quotes)", where)
        else:
            loaded.error(f"codebook: {_describe(where, loaded.data)}: {error.message}", where)
    countries = loaded.data.get("countries") if not loaded.diagnostics else None
    if isinstance(countries, dict) and not all(isinstance(code, str) for code in countries):
        _check_country_codes(loaded)
    if loaded.diagnostics:
        return None, loaded.diagnostics
    codebook = _build(loaded.data)
    _check_references(codebook, loaded)
    return (None, loaded.diagnostics) if loaded.diagnostics else (codebook, [])


def _codebook_schema() -> dict:
    schema = json.loads(_CODEBOOK_SCHEMA.read_text(encoding="utf-8"))
    schema["properties"]["fields"]["items"]["properties"]["kind"] = {"enum": list(KINDS)}
    return schema


def _check_country_codes(loaded: LoadedFile) -> None:
    """YAML 1.1 reads an unquoted NO (Norway) as false: such a key must be written in quotes."""
    import yaml  # only here, where such a key was read (see yaml_exact)

    countries = loaded.node(["countries"])
    for key_node, _ in countries.value if isinstance(countries, yaml.MappingNode) else ():
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:str":
            mark, read = key_node.start_mark, yaml.safe_load(key_node.value)
            shown = str(read).lower() if isinstance(read, bool) else repr(read)
            loaded.diagnostics.append(Diagnostic(
                loaded.display, *position(loaded.text or "", mark),
                f"codebook: country code {key_node.value} was read by YAML as {shown}, not as text; "
                f"write it in quotes: \"{key_node.value}\""))


def _describe(where: Sequence[Any], data: Any = None) -> str:
    """A place in the codebook in its own words: field 'role'.values.2 rather than fields.6.values.2."""
    steps = [str(step) for step in where]
    if len(where) >= 2 and where[0] == "fields" and isinstance(where[1], int) and isinstance(data, dict):
        fields = data.get("fields")
        item = fields[where[1]] if isinstance(fields, list) and where[1] < len(fields) else None
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            steps[:2] = [f"field '{item['key']}'"]
    return ".".join(steps) or "top level"


def _build(data: Mapping[str, Any]) -> Codebook:
    fields = tuple(
        Field(
            key=f["key"], label=f["label"], kind=f["kind"], required=f.get("required", False),
            description=f.get("description", ""), minimum=f.get("minimum"),
            values=tuple(Value(v["key"], v["label"], v.get("definition", ""), v.get("colour", ""))
                         for v in f.get("values", [])),
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
    provenance = data.get("provenance", {})
    sources = tuple(Source(s["key"], s["label"], s.get("definition", ""), s.get("deduced", False),
                           s.get("needs_where", False)) for s in provenance.get("values", []))
    default = provenance.get("default", sources[0].key if sources else "")
    return Codebook(data["not_coded"], fields, derived, rules, regions, countries, sources, default,
                    data.get("evidence") == "required")


def _condition(data: Mapping[str, Any]) -> Condition:
    return Condition(
        field=data["field"], equals=data.get("equals"),
        includes_any=tuple(data.get("includes_any", ())), not_empty=bool(data.get("not_empty", False)),
    )


def _check_references(codebook: Codebook, loaded: LoadedFile) -> None:
    """Keys must be unique, and rules and countries may only name what the codebook declares."""
    places: list[tuple[str, list[Any]]] = [(f.key, ["fields", i, "key"]) for i, f in enumerate(codebook.fields)]
    places += [(d.key, ["derived", i, "key"]) for i, d in enumerate(codebook.derived)]
    for index, (key, where) in enumerate(places):
        if key in [earlier for earlier, _ in places[:index]]:
            loaded.error(f"codebook: field key '{key}' is declared twice", where)
    for index, field in enumerate(codebook.fields):
        if KINDS[field.kind].needs_values and not field.values:
            loaded.error(f"codebook: field '{field.key}' of kind {field.kind} needs a list of values",
                         ["fields", index])
        value_keys = [v.key for v in field.values]
        for v_index, key in enumerate(value_keys):
            if key in value_keys[:v_index]:
                loaded.error(f"codebook: value '{key}' is declared twice in field '{field.key}'",
                             ["fields", index, "values", v_index])
    conditions = [(["derived", i, "all", j], c) for i, d in enumerate(codebook.derived)
                  for j, c in enumerate(d.conditions)]
    conditions += [(["rules", i, part], c) for i, r in enumerate(codebook.rules)
                   for part, c in (("when", r.when), ("then", r.then))]
    for where, condition in conditions:
        _check_condition(codebook, loaded, condition, where)
    countries = [index for index, field in enumerate(codebook.fields) if field.kind == "country"]
    for index in countries[1:]:
        loaded.error("codebook: only one field may be of kind country (regions are counted from it); "
                     "make this one a multiple field with its own values", ["fields", index, "kind"])
    source_keys = [s.key for s in codebook.sources]
    for index, key in enumerate(source_keys):
        if key in source_keys[:index]:
            loaded.error(f"codebook: provenance value '{key}' is declared twice", ["provenance", "values", index])
    if codebook.sources and codebook.default_source not in source_keys:
        loaded.error(f"codebook: provenance default '{codebook.default_source}' is none of the provenance values: "
                     f"{', '.join(source_keys)}", ["provenance", "default"])
    region_keys = {r.key for r in codebook.regions}
    for code, country in codebook.countries.items():
        if country.region not in region_keys:
            loaded.error(f"codebook: country {code} names unknown region '{country.region}'; "
                         f"regions are: {', '.join(sorted(region_keys))}", ["countries", code])


def _check_condition(codebook: Codebook, loaded: LoadedFile, condition: Condition, where: list) -> None:
    try:
        field = codebook.field(condition.field)
    except KeyError:
        import difflib  # for a codebook with errors only

        close = difflib.get_close_matches(condition.field, codebook.field_keys(), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        loaded.error(f"codebook: condition names unknown field '{condition.field}'{hint}", where + ["field"])
        return
    allowed = set(codebook.allowed_values(field))
    named = list(condition.includes_any) + ([condition.equals] if condition.equals is not None else [])
    for value in named:
        if allowed and value not in allowed:
            loaded.error(f"codebook: condition names unknown value '{value}' of field '{field.key}'; "
                         f"allowed: {', '.join(sorted(allowed))}", where)
