"""Validate stage: check every study against the codebook and against each other.

Valid files pass a compiled validator (fastjsonschema) and nothing more is done
for them; only a file that fails is walked again with jsonschema to report all
of its problems, each at its line and column.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
from collections import defaultdict
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

import fastjsonschema
import jsonschema
from rapidfuzz import fuzz, process

from .codebook import Codebook, Field
from .diagnostics import Diagnostic
from .load import LoadedFile, locate
from .schema import MIN_YEAR, study_schema
from .study import Study, study_from_data

TITLE_SIMILARITY = 95  # rapidfuzz ratio at or above which two titles count as the same study
_TYPE_WORDS = {"integer": "a whole number", "string": "text", "array": "a list", "object": "a mapping (key: value)",
               "boolean": "true or false", "null": "empty", "number": "a number"}


def validate_studies(files: Sequence[LoadedFile], codebook: Codebook) -> tuple[list[Study], list[Diagnostic]]:
    """Check every loaded study file; return the valid studies and every problem found."""
    fast = _compiled_validator(json.dumps(study_schema(codebook), sort_keys=True))
    studies: list[Study] = []
    for loaded in files:
        if loaded.parsed:
            study = _validate_one(loaded, codebook, fast)
            if study is not None:
                studies.append(study)
    diagnostics = [d for loaded in files for d in loaded.diagnostics]
    diagnostics += _duplicates_across_files(studies, {f.display: f for f in files})
    return studies, diagnostics


@lru_cache(maxsize=4)
def _compiled_validator(schema_text: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(json.loads(schema_text))


def _validate_one(loaded: LoadedFile, codebook: Codebook, fast: Callable[[Any], Any]) -> Study | None:
    data = loaded.data
    if not isinstance(data, dict):
        found = "an empty file" if data is None else _TYPE_WORDS.get(_json_type(data), type(data).__name__)
        loaded.error(f"a study file must be a mapping of fields (id: ..., title: ...), found {found}")
        return None
    try:
        fast(data)
    except Exception:  # a schema error, or a YAML type JSON has no name for (a date)
        _report_schema_errors(loaded, codebook)
    _check_semantics(loaded, codebook)
    return None if loaded.diagnostics else study_from_data(data, loaded.display)


def _check_semantics(loaded: LoadedFile, codebook: Codebook) -> None:
    """What a JSON Schema cannot say: file name, the year's upper bound, DOIs, cross-field rules."""
    data = loaded.data
    stem = loaded.path.stem
    if isinstance(data.get("id"), str) and data["id"] != stem:
        loaded.error(f"id '{data['id']}' differs from the file name '{loaded.path.name}'; "
                     f"rename the file to {data['id']}.yaml or set id: {stem}", ["id"])
    last_year = datetime.date.today().year + 1
    if isinstance(data.get("year"), int) and data["year"] > last_year:
        loaded.error(f"year {data['year']} is out of range; years run from {MIN_YEAR} to {last_year}", ["year"])
    if "doi" not in data and "no_doi_reason" not in data:
        loaded.error("no DOI; add doi: 10.xxxx/... or, if the study has none, no_doi_reason: why", ["title"], key=True)
    codes = data.get("codes") if isinstance(data.get("codes"), dict) else {}
    for rule in codebook.rules:
        when, then = codes.get(rule.when.field), codes.get(rule.then.field)
        if not codebook.is_coded(when) or not codebook.is_coded(then) or when is None or then is None:
            continue
        if rule.when.holds(when) and not rule.then.holds(then):
            loaded.error(f"{rule.message}: {rule.when.describe()}, so {rule.then.describe()}",
                         ["codes", rule.then.field])
    evidence = data.get("evidence") if isinstance(data.get("evidence"), dict) else {}
    for key in evidence:
        if key in codes and not codebook.is_coded(codes[key]):
            loaded.error(f"evidence for '{key}', which is not coded; code the field or remove the note",
                         ["evidence", key], key=True)


def _report_schema_errors(loaded: LoadedFile, codebook: Codebook) -> None:
    validator = jsonschema.Draft7Validator(study_schema(codebook))
    errors = sorted(validator.iter_errors(_jsonable(loaded.data)), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        if error.validator in ("if", "then"):
            continue
        for message, location, on_key in _messages(error, loaded, codebook):
            loaded.error(message, location, key=on_key)


def _messages(error: jsonschema.ValidationError, loaded: LoadedFile, codebook: Codebook) -> Iterable[tuple[str, list, bool]]:
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in sorted(set(error.instance) - set(allowed), key=str):
            yield _unknown_key(str(key), path, allowed), path + [key], True
    elif kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        for key in missing:
            if path == ["codes"]:
                yield (f"missing coded field '{key}'; write `{key}: {codebook.not_coded}` "
                       f"if the study has not been coded for it"), path, True
            else:
                yield f"missing required field '{key}'", path, True
    elif kind in ("enum", "const"):
        yield _value_message(error, loaded, codebook, path), path, False
    else:
        yield _general_message(error, loaded, path), path, False


def _unknown_key(key: str, path: list, allowed: list[str]) -> str:
    where = {("codes",): "coded field", ("evidence",): "evidence note"}.get(tuple(path), "field")
    return f"unknown {where} '{key}'{_did_you_mean(key, allowed)} Allowed: {', '.join(allowed)}"


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else "."


def _value_message(error: jsonschema.ValidationError, loaded: LoadedFile, codebook: Codebook, path: list) -> str:
    raw = loaded.raw_scalar(path)
    shown = raw if raw is not None else error.instance
    field_key = _coded_field_key(path)
    if field_key is None:
        return f"'{shown}' is not allowed here"
    field = codebook.field(field_key)
    if error.validator == "const":
        return (f"{field.key} must be a list such as [{', '.join(codebook.allowed_values(field)[:2])}] "
                f"or '{codebook.not_coded}', not '{shown}'")
    allowed = codebook.allowed_values(field)
    hint = _did_you_mean(str(shown), allowed)
    if field.kind == "country":
        return (f"'{shown}' is not a country code of the codebook{hint} Use ISO 3166-1 alpha-2 codes "
                f"such as US, GB or AU (content/codebook.yaml lists them)")
    choices = ", ".join(allowed)
    if field.kind in ("single", "multiple"):
        return f"'{shown}' is not an allowed value of {field.key} ({field.label}){hint} Allowed: {choices}" + (
            "" if field.kind == "multiple" else f", or '{codebook.not_coded}'")
    return f"'{shown}' is not allowed for {field.key}"


def _coded_field_key(path: list) -> str | None:
    if len(path) >= 2 and path[0] == "codes":
        return str(path[1])
    if len(path) >= 3 and path[0] == "second_coding" and path[1] == "codes":
        return str(path[2])
    return None


def _general_message(error: jsonschema.ValidationError, loaded: LoadedFile, path: list) -> str:
    where = _describe(path)
    kind = error.validator
    if kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        raw = loaded.raw_scalar(path)
        found = f"'{raw}'" if raw is not None else _TYPE_WORDS.get(_json_type(error.instance), "something else")
        return f"{where} must be {words}, not {found}"
    if kind == "pattern":
        return _pattern_message(path, error.instance)
    if kind == "minItems":
        if path == ["authors"]:
            return "the author list is empty; list at least one author as {family: ..., given: ...}"
        return f"{where} is empty"
    if kind == "minLength":
        return f"{where} is empty"
    if kind == "uniqueItems":
        return f"{where} lists the same value twice"
    if kind == "minimum":
        if path == ["year"]:
            return f"year {error.instance} is out of range; years run from {error.validator_value} to the next year"
        return f"{where} must be at least {error.validator_value}, not {error.instance}"
    return f"{where}: {error.message}"


def _pattern_message(path: list, value: Any) -> str:
    name = path[-1] if path else ""
    if name == "doi":
        return f"'{value}' is not a DOI; write the bare DOI such as 10.1111/hsc.12197 (no https://doi.org/, no spaces)"
    if name == "id":
        return f"id '{value}' must be a lower-case slug of letters, digits and hyphens, such as nelson-2016"
    if name == "url":
        return f"url '{value}' must be an http:// or https:// address"
    return f"{_describe(path)} '{value}' has the wrong form"


def _describe(path: list) -> str:
    return ".".join(str(step) for step in path) or "the study"


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object", type(None): "null"}.get(type(value), type(value).__name__)


def _jsonable(value: Any) -> Any:
    """YAML dates and other non-JSON scalars become strings so jsonschema reports them as text."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def normalise_title(title: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", title.casefold()).strip()


def _duplicates_across_files(studies: list[Study], files: dict[str, LoadedFile]) -> list[Diagnostic]:
    """The same DOI, or a near-identical title in the same year, in two files."""
    diagnostics: list[Diagnostic] = []
    by_doi: dict[str, list[Study]] = defaultdict(list)
    for study in studies:
        if study.doi:
            by_doi[study.doi.casefold()].append(study)
    for same in by_doi.values():
        for later in same[1:]:
            diagnostics.append(_at(files, later, ["doi"],
                                   f"DOI {later.doi} is also in {same[0].path}; a study has one file"))
    for first, second in similar_titles(studies):
        if not (first.doi and first.doi.casefold() == second.doi.casefold()):
            diagnostics.append(_at(files, second, ["title"],
                                   f"title is nearly identical to {first.path} (same year); "
                                   f"a study has one file"))
    return diagnostics


def similar_titles(studies: Sequence[Study]) -> list[tuple[Study, Study]]:
    """Pairs of studies of the same year whose normalised titles are near-identical."""
    by_year: dict[int, list[Study]] = defaultdict(list)
    for study in studies:
        by_year[study.year].append(study)
    pairs = []
    for group in by_year.values():
        if len(group) < 2:
            continue
        titles = [normalise_title(s.title) for s in group]
        scores = process.cdist(titles, titles, scorer=fuzz.ratio, score_cutoff=TITLE_SIMILARITY, workers=1)
        for i, j in zip(*scores.nonzero()):
            if i < j:
                pairs.append((group[i], group[j]))
    return pairs


def _at(files: dict[str, LoadedFile], study: Study, location: list, message: str) -> Diagnostic:
    loaded = files.get(study.path)
    if loaded is None:
        return Diagnostic(study.path, 1, 1, message)
    line, column = locate(loaded.text or "", location)
    return Diagnostic(study.path, line, column, message)
