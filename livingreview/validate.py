"""Validate stage: check every study against the codebook and against each other.

Valid files pass a compiled validator (jsonschema-rs) and nothing more is done
for them; only a file that fails is walked again with jsonschema to report all
of its problems, each at its line and column.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .codebook import Codebook, Field
from .diagnostics import Diagnostic
from .load import LoadedFile, locate, read_yaml
from .named_tuple import NamedTuple
from .parallel import map_in_parallel
from .project import Project
from .schema import MIN_YEAR, RESERVED_IDS, SLUG_PATTERN, fast_validator, study_schema
from .study import Study, coding_digest, study_from_data

if TYPE_CHECKING:
    import jsonschema

TITLE_SIMILARITY = 95  # rapidfuzz ratio at or above which two titles count as the same study
_TYPE_WORDS = {"integer": "a whole number", "string": "text", "array": "a list", "object": "a mapping (key: value)",
               "boolean": "true or false", "null": "empty", "number": "a number"}


def validate_studies(project: Project, codebook: Codebook, baseline: bool = False,
                     known: Callable[[Path], Study | None] = lambda path: None,
                     codings: dict[str, str] | None = None,
                     ) -> tuple[list[Path], list[Study], list[Diagnostic]]:
    """Read and check every study file; return the study files, the valid studies and every problem found in
    a file (those across files: `duplicates_across_files`).

    `known(path)`: the study of a file already found valid as it is (by an earlier run), or None.
    `codings`, if given, is filled with the `coding_digest` of each file read here, by path."""
    paths, problems = project.study_files()
    reused = [known(path) for path in paths]
    fresh = [path for path, study in zip(paths, reused, strict=True) if study is None]
    results = iter(read_studies(project, codebook, baseline, fresh, codings))
    studies: list[Study] = []
    diagnostics = list(problems)
    for study in reused:  # the fresh results come in the order of their files
        if study is None:
            study, found = next(results)
            diagnostics.extend(found)
        if study is not None:
            studies.append(study)
    return paths, studies, diagnostics


def read_studies(project: Project, codebook: Codebook, baseline: bool, paths: Sequence[Path],
                 codings: dict[str, str] | None = None) -> list[tuple[Study | None, list[Diagnostic]]]:
    """Each of these study files read and checked, in their order: its study (None if it has a problem) and
    its problems. On both cores when there are many. `codings`: see `validate_studies`."""
    schema_text = json.dumps(study_schema(codebook, baseline), sort_keys=True)
    folder = project.display(project.studies)

    def checked(path: Path) -> tuple[Study | None, list[Diagnostic], str]:
        loaded = read_yaml(path, f"{folder}/{path.name}", remember=False)  # read once
        coding = coding_digest(loaded.data) if codings is not None else ""  # of the data as parsed
        valid = fast_validator(schema_text)  # compiled on the first file read, kept for the others
        study = _validate_one(loaded, codebook, valid, baseline) if loaded.parsed else None
        return study, loaded.diagnostics, coding

    results = []
    for path, (study, found, coding) in zip(paths, map_in_parallel(checked, paths), strict=True):
        if codings is not None and coding:
            codings[str(path)] = coding
        results.append((study, found))
    return results


def _validate_one(loaded: LoadedFile, codebook: Codebook, valid: Callable[[Any], bool],
                  baseline: bool) -> Study | None:
    data = loaded.data
    if not isinstance(data, dict):
        found = "an empty file" if data is None else _TYPE_WORDS.get(_json_type(data), type(data).__name__)
        loaded.error(f"a study file must be a mapping of fields (id: ..., title: ...), found {found}")
        return None
    if not valid(data):  # a schema error, or a YAML type JSON has no name for (a date)
        _report_schema_errors(loaded, codebook, baseline)
        data = loaded.data = _jsonable(data)  # a date where text is allowed is kept as that text
    _check_semantics(loaded, codebook)
    return None if loaded.diagnostics else study_from_data(data, loaded.display)


def _check_semantics(loaded: LoadedFile, codebook: Codebook) -> None:
    """What a JSON Schema cannot say: file name, the year's upper bound, DOIs, cross-field rules."""
    data = loaded.data
    stem = loaded.path.stem
    study_id = data.get("id")
    if isinstance(study_id, str) and re.match(SLUG_PATTERN, study_id) and study_id != stem:
        other = f" or set id: {stem}" if re.match(SLUG_PATTERN, stem) else ""
        loaded.error(f"id '{study_id}' differs from the file name '{loaded.path.name}'; "
                     f"rename the file to {study_id}.yaml{other}", ["id"])
    if study_id in RESERVED_IDS:
        loaded.error(f"id '{study_id}' is reserved (studies/{study_id}.html is the study table); "
                     f"choose another, such as {study_id}-{data.get('year', 2020)}", ["id"])
    for name in ("volume", "issue", "pages"):
        raw = loaded.raw_scalar([name]) if isinstance(data.get(name), int) else None
        if raw is not None and raw != str(data[name]):
            loaded.error(f"{name} {raw} was read by YAML as the number {data[name]}; "
                         f"write it in quotes: {name}: \"{raw}\"", [name])
    last_year = _last_year()
    if isinstance(data.get("year"), int) and data["year"] > last_year:
        loaded.error(f"year {data['year']} is out of range; years run from {MIN_YEAR} to {last_year}", ["year"])
    # JSON Schema counts 2020.0 as an integer; a study file should not.
    codes = data.get("codes") if isinstance(data.get("codes"), dict) else {}
    whole = [["year"]] + [["codes", f.key] for f in codebook.fields if f.kind == "number"]
    for path in whole:
        value = (data if path == ["year"] else codes).get(path[-1])
        if isinstance(value, float):
            loaded.error(f"{path[-1]} must be a whole number, not '{_shown(loaded.raw_scalar(path) or value)}'",
                         path)
    if "doi" not in data and "no_doi_reason" not in data:
        loaded.error("no DOI; add doi: 10.xxxx/... or, if the study has none, no_doi_reason: why", ["title"], key=True)
    for rule in codebook.rules:
        when, then = codes.get(rule.when.field), codes.get(rule.then.field)
        if not codebook.is_coded(when) or not codebook.is_coded(then) or when is None or then is None:
            continue
        if rule.when.holds(when) and not rule.then.holds(then):
            loaded.error(f"{rule.message}: {rule.when.describe()}, so {rule.then.require()}",
                         ["codes", rule.then.field])
    evidence = data.get("evidence") if isinstance(data.get("evidence"), dict) else {}
    for key in evidence:
        if key in codes and not codebook.is_coded(codes[key]):
            loaded.error(f"evidence for '{key}', which is not coded; code the field or remove the note",
                         ["evidence", key], key=True)
    _check_evidence(loaded, codebook, codes, evidence)
    disagreements = data.get("disagreements") if isinstance(data.get("disagreements"), dict) else {}
    for key, item in disagreements.items():
        if isinstance(item, dict) and key in codes and _same(item.get("value"), codes[key]):
            loaded.error(f"disagreements.{key} gives the value the study is coded with; a disagreement records a "
                         f"different value (or remove it)", ["disagreements", key, "value"])


def _same(first: Any, second: Any) -> bool:
    return (sorted(map(str, first)) == sorted(map(str, second)) if isinstance(first, list) and isinstance(second, list)
            else first == second)


def _check_evidence(loaded: LoadedFile, codebook: Codebook, codes: dict[str, Any], evidence: dict[str, Any]) -> None:
    """Every coded value has its evidence note (when the codebook asks for one), and a note of a source
    that must say where it was read says so."""
    fields = codebook.field_keys() if codebook.evidence_required else ()
    for key, value in codes.items():
        if key in fields and key not in evidence and codebook.is_coded(value):
            loaded.error(f"'{key}' is coded but has no evidence note; add one under evidence:, e.g. "
                         f"{key}: 'Methods, p. 4: \"the words that state it\"' (or write {key}: {codebook.not_coded})",
                         ["codes", key], key=True)
    for key, item in evidence.items():
        note = item if isinstance(item, str) else item.get("note") if isinstance(item, dict) else None
        if isinstance(note, str) and not note.strip():
            loaded.error(f"the evidence note for '{key}' is empty; say where the value is stated", ["evidence", key])
        source = codebook.source(item.get("source", "") if isinstance(item, dict) else "")
        if source is not None and source.needs_where and not (isinstance(item, dict) and item.get("where")):
            loaded.error(f"evidence for '{key}' comes from {source.label.lower()}, so it must say where it was read: "
                         f"write it as note: ..., source: {source.key}, where: 'Abstract, PubMed 12345678'",
                         ["evidence", key])


def _report_schema_errors(loaded: LoadedFile, codebook: Codebook, baseline: bool) -> None:
    import jsonschema  # only for a file that failed: it reports every error, the compiled validator the first

    validator = jsonschema.Draft7Validator(study_schema(codebook, baseline))
    errors = sorted(validator.iter_errors(_jsonable(loaded.data)), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        if error.validator in ("if", "then"):
            continue
        for message, location, on_key in _messages(error, loaded, codebook):
            loaded.error(message, location, key=on_key)


def _messages(error: jsonschema.ValidationError, loaded: LoadedFile,
              codebook: Codebook) -> Iterable[tuple[str, list, bool]]:
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in sorted(set(error.instance) - set(allowed), key=str):
            if key == "in_baseline" and not path:
                yield ("in_baseline is only for a review that continues a published one, declared in "
                       "content/baseline.yaml; this review has none, so remove the line"), [key], True
                continue
            if not path and str(key) in codebook.field_keys():
                yield (f"'{key}' is a field of the codebook, so it belongs under codes, indented by two spaces "
                       f"like the other coded fields"), [key], True
                continue
            yield _unknown_key(str(key), path, allowed), path + [key], True
    elif kind == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        for key in missing:
            if path == ["codes"]:
                yield (f"missing coded field '{key}'; write `{key}: {codebook.not_coded}` "
                       f"if the study has not been coded for it"), path, True
            else:
                yield f"missing required field '{key}'" + (f" in {_describe(path)}" if path else ""), path, True
    elif kind in ("enum", "const"):
        yield _value_message(error, loaded, codebook, path), path, False
    elif len(path) == 2 and path[0] == "authors" and isinstance(error.instance, str) and kind == "type":
        author = _person_example(error.instance)
        yield (f"author {path[1] + 1} is written as the text '{_shown(error.instance)}'; write each author as a "
               f"mapping of family and given names: - {author}"), path, False
    elif len(path) == 2 and path[0] == "evidence" and error.instance is None:
        yield (f"the evidence note for '{path[1]}' is empty; say where the value is stated, e.g. {path[1]}: "
               f"'Methods, p. 4: \"the words that state it\"'"), path, False
    elif kind == "type" and error.instance is not None and _is_coded_value(path, codebook):
        raw = loaded.raw_scalar(path)
        shown = _shown(raw if raw is not None else error.instance)
        yield _coded_kind_message(codebook.field(str(path[-1])), codebook, shown), path, False
    else:
        yield _general_message(error, loaded, path), path, False


def _unknown_key(key: str, path: list, allowed: list[str]) -> str:
    where = {("codes",): "coded field", ("evidence",): "evidence note"}.get(tuple(path), "field")
    return f"unknown {where} '{key}'{_did_you_mean(key, allowed)} Allowed: {', '.join(allowed)}"


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    import difflib  # for a study with errors only

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else "."


def _value_message(error: jsonschema.ValidationError, loaded: LoadedFile, codebook: Codebook, path: list) -> str:
    raw = loaded.raw_scalar(path)
    shown = _shown(raw if raw is not None else error.instance)
    field_key = _coded_field_key(path)
    if field_key is None:
        return f"'{shown}' is not allowed here"
    field = codebook.field(field_key)
    if error.validator == "const":
        return _coded_kind_message(field, codebook, shown)
    allowed = codebook.allowed_values(field)
    if isinstance(error.instance, bool) and raw in allowed:
        return (f"{raw} was read by YAML as {str(error.instance).lower()}; "
                f"write it in quotes: \"{raw}\"")
    hint = _did_you_mean(str(shown), allowed)
    if field.kind == "country":
        return (f"'{shown}' is not a country code of the codebook{hint} Use ISO 3166-1 alpha-2 codes "
                f"such as US, GB or AU (content/codebook.yaml lists them)")
    choices = ", ".join(allowed)
    if field.kind in ("single", "multiple"):
        return f"'{shown}' is not an allowed value of {field.key} ({field.label}){hint} Allowed: {choices}" + (
            "" if field.kind == "multiple" else f", or '{codebook.not_coded}'")
    return f"'{shown}' is not allowed for {field.key}"


def _coded_kind_message(field: Field, codebook: Codebook, shown: str) -> str:
    """A coded field holds a value of the wrong kind (text where a list belongs, say)."""
    marker = codebook.not_coded
    if field.is_list:
        return (f"{field.key} must be a list such as [{', '.join(codebook.allowed_values(field)[:2])}] "
                f"or '{marker}', not '{shown}'")
    if field.kind == "boolean":
        return f"{field.key} must be true or false or '{marker}', not '{shown}'"
    if field.kind == "number":
        return f"{field.key} must be a whole number or '{marker}', not '{shown}'"
    return f"{field.key} must be text, not '{shown}'"


def _shown(value: Any) -> str:
    """A value from a study file as one short line for a message."""
    text = " ".join(str(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _last_year() -> int:
    return datetime.date.today().year + 1


def _is_coded_value(path: list, codebook: Codebook) -> bool:
    """The path names a coded field's whole value (not an item of its list)."""
    key = _coded_field_key(path)
    return key is not None and len(path) == (2 if path[0] == "codes" else 3) and key in codebook.field_keys()


def _coded_field_key(path: list) -> str | None:
    if len(path) >= 2 and path[0] == "codes":
        return str(path[1])
    if len(path) >= 3 and path[0] == "second_coding" and path[1] == "codes":
        return str(path[2])
    return None


def _person_example(name: str) -> str:
    """A name written as text, as the mapping it should be: "Smith, J." → {family: "Smith", given: "J."}."""
    family, _, given = name.partition(",") if "," in name else (name.rsplit(" ", 1)[-1], "", name.rsplit(" ", 1)[0]
                                                                 if " " in name.strip() else "")
    family, given = family.strip() or "Smith", given.strip()
    return f'{{family: "{family}", given: "{given}"}}' if given else f'{{family: "{family}"}}'


def _general_message(error: jsonschema.ValidationError, loaded: LoadedFile, path: list) -> str:
    where = _describe(path)
    kind = error.validator
    if kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        words = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in expected)
        raw = loaded.raw_scalar(path)
        if error.instance is None:
            return f"{where} is empty; it must be {words}"
        if raw is not None and loaded.is_quoted(path) and "integer" in expected and raw.strip().isdigit():
            return f"{where} must be {words}, not the text \"{_shown(raw)}\"; remove the quotes"
        found = f"'{_shown(raw)}'" if raw is not None else _TYPE_WORDS.get(_json_type(error.instance), "something else")
        hint = ""
        if isinstance(error.instance, bool) and raw is not None and "string" in expected:
            hint = f"; YAML reads {raw} as {str(error.instance).lower()}, so write it in quotes: \"{raw}\""
        return f"{where} must be {words}, not {found}{hint}"
    if kind == "pattern":
        return _pattern_message(path, _shown(error.instance))
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
            return f"year {error.instance} is out of range; years run from {error.validator_value} to {_last_year()}"
        return f"{where} must be at least {error.validator_value}, not {error.instance}"
    return f"{where}: {error.message}"


def _pattern_message(path: list, value: Any) -> str:
    name = path[-1] if path else ""
    if name == "doi":
        return (f"'{value}' is not a DOI; write the bare DOI such as 10.1111/hsc.12197 (no https://doi.org/, "
                f"no spaces or line breaks; write < > \" ' as %3C %3E %22 %27)")
    if name == "id":
        return f"id '{value}' must be a lower-case slug of letters, digits and hyphens, such as nelson-2016"
    if name == "url":
        return (f"url '{value}' must be an http:// or https:// address with no spaces, quotes or angle brackets, "
                f"such as https://example.org/report.pdf")
    return f"{_describe(path)} '{value}' has the wrong form"


def _describe(path: list) -> str:
    """A place in a study in a contributor's words: author 2.family rather than authors.1.family."""
    if len(path) >= 2 and path[0] == "authors" and isinstance(path[1], int):
        return ".".join([f"author {path[1] + 1}", *(str(step) for step in path[2:])])
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


_WORD = re.compile(r"[^\W_]+")  # letters and digits of every script
_ASCII_WORD = re.compile(r"[a-z0-9]+")  # the same, for casefolded ASCII text; a large review's titles are mostly that


@lru_cache(maxsize=1 << 14)  # serve normalises the same titles build after build
def normalise_title(title: str) -> str:
    """A title for comparison: case, punctuation and spacing set aside, letters of every script kept (its words,
    joined by single spaces)."""
    folded = title.casefold()
    return " ".join((_ASCII_WORD if folded.isascii() else _WORD).findall(folded))


def duplicates_across_files(studies: list[Study], root: Path, titles: TitleMemory | None) -> list[Diagnostic]:
    """The same id or DOI, or a near-identical title in the same year, in two files. `titles`: the
    near-identical titles an earlier run found."""
    return cross_checked(studies, root, lambda: titles).problems


class CrossCheck(NamedTuple):
    """The problems `duplicates_across_files` finds in some studies (`given`), and, where there are none,
    what a check of much the same studies needs to compare only those that are not the same objects:
    their ids, DOIs (case set aside) and normalised titles."""

    given: Sequence[Study]
    problems: list[Diagnostic]
    ids: frozenset[str] = frozenset()
    dois: frozenset[str] = frozenset()
    titles: Mapping[str, tuple[int, str]] = {}  # (year, normalised title) by file


def cross_checked(studies: Sequence[Study], root: Path, memory: Callable[[], TitleMemory | None],
                  earlier: CrossCheck | None = None) -> CrossCheck:
    """`duplicates_across_files`, as a CrossCheck. With `earlier` (a check without problems of as many
    studies, most of them the very same objects, as serve holds it between builds), only the studies that
    are not the same objects are compared, each with all the others; if one is then a duplicate, all are
    checked again, for the problems as a check from nothing gives them. `memory()`: the title memory of
    that full check."""
    if earlier is not None and not earlier.problems and len(earlier.given) == len(studies):
        again = _cross_checked_again(studies, earlier)
        if again is not None:
            return again
    titles: dict[str, tuple[int, str]] = {}
    problems = _duplicates(studies, root, memory(), titles)
    if problems:
        return CrossCheck(studies, problems)
    return CrossCheck(studies, [], frozenset(s.id for s in studies),
                      frozenset(s.doi.casefold() for s in studies if s.doi), titles)


def _cross_checked_again(studies: Sequence[Study], earlier: CrossCheck) -> CrossCheck | None:
    """The check of `cross_checked` for the studies changed since `earlier`; None if one is a duplicate."""
    changed = [index for index, (before, now) in enumerate(zip(earlier.given, studies, strict=True))
               if before is not now]
    if not changed:
        return CrossCheck(studies, [], earlier.ids, earlier.dois, earlier.titles)
    before = [earlier.given[index] for index in changed]
    now = [studies[index] for index in changed]
    ids = earlier.ids.difference(s.id for s in before)
    dois = earlier.dois.difference(s.doi.casefold() for s in before if s.doi)
    new_ids = [s.id for s in now]
    new_dois = [s.doi.casefold() for s in now if s.doi]
    if len(set(new_ids)) < len(new_ids) or ids.intersection(new_ids) or len(set(new_dois)) < len(new_dois) \
            or dois.intersection(new_dois):
        return None
    titles = dict(earlier.titles)
    for study in before:
        titles.pop(study.path, None)
    for study in now:
        if title := normalise_title(study.title):
            titles[study.path] = (study.year, title)
    if title_pairs(titles, [study.path for study in now if study.path in titles]):
        return None
    return CrossCheck(studies, [], ids.union(new_ids), dois.union(new_dois), titles)


def _duplicates(studies: Sequence[Study], root: Path, titles: TitleMemory | None,
                normalised: dict[str, tuple[int, str]]) -> list[Diagnostic]:
    """`duplicates_across_files`; `normalised` is given each study's year and normalised title, by file."""
    diagnostics: list[Diagnostic] = []
    by_id: dict[str, list[Study]] = defaultdict(list)
    for study in studies:
        by_id[study.id].append(study)
    for same in by_id.values():
        for study in same if len(same) > 1 else ():
            others = ", ".join(other.path for other in same if other is not study)
            diagnostics.append(_at(root, study, ["id"], f"id {study.id} is also the id of {others}; "
                                                        f"keep one file per study"))
    by_doi: dict[str, list[Study]] = defaultdict(list)
    for study in studies:
        if study.doi:
            by_doi[study.doi.casefold()].append(study)
    # Each file of a pair gets the problem, so that both show it (and an annotation on GitHub).
    for same in by_doi.values():
        for study in same if len(same) > 1 else ():
            others = ", ".join(other.path for other in same if other is not study)
            diagnostics.append(_at(root, study, ["doi"], f"DOI {study.doi} is also in {others}; a study has one file"))
    for first, second in similar_titles(studies, titles, normalised):
        if not (first.doi and first.doi.casefold() == second.doi.casefold()):
            for study, other in ((first, second), (second, first)):
                diagnostics.append(_at(root, study, ["title"],
                                       f"title is nearly identical to {other.path} (same year); "
                                       f"a study has one file"))
    return diagnostics


class TitleMemory(Protocol):
    """Pairs of near-identical titles an earlier run found: `pairs(titles, find)` asks `find` only about the
    titles that are new since then."""

    def pairs(self, titles: Mapping[str, tuple[int, str]],
              find: Callable[[Mapping[str, tuple[int, str]], Sequence[str]], set[tuple[str, str]]]
              ) -> set[tuple[str, str]]: ...


def similar_titles(studies: Sequence[Study], memory: TitleMemory | None = None,
                   titles: dict[str, tuple[int, str]] | None = None) -> list[tuple[Study, Study]]:
    """Pairs of studies of the same year whose normalised titles are near-identical. `titles`, if given, is
    filled with each study's year and normalised title, by file."""
    by_path = {study.path: study for study in studies}
    normalised = ((study.path, study.year, normalise_title(study.title)) for study in studies)
    titles = {} if titles is None else titles
    titles.update((path, (year, title)) for path, year, title in normalised if title)
    found = memory.pairs(titles, title_pairs) if memory else title_pairs(titles, list(titles))
    return [(by_path[first], by_path[second]) for first, second in sorted(found)]


def title_pairs(titles: Mapping[str, tuple[int, str]], fresh: Sequence[str]) -> set[tuple[str, str]]:
    """The pairs of keys (in order) whose titles are of the same year and near-identical, one of them in `fresh`."""
    by_year: dict[int, list[str]] = defaultdict(list)
    for key, (year, _) in titles.items():
        by_year[year].append(key)
    asked: dict[int, list[str]] = defaultdict(list)
    for key in fresh:
        asked[titles[key][0]].append(key)
    pairs = set()
    for year, keys in asked.items():
        group = by_year[year]
        finder = _similar_in_large_group if len(keys) * len(group) > 4096 else _similar_in_small_group
        for i, j in finder([titles[k][1] for k in keys], [titles[k][1] for k in group]):
            if keys[i] != group[j]:
                pairs.add((min(keys[i], group[j]), max(keys[i], group[j])))
    return pairs


def _similar_in_small_group(asked: Sequence[str], titles: Sequence[str]) -> Iterable[tuple[int, int]]:
    """The pairs of near-identical titles, comparing only those whose lengths and then character counts are near
    enough (the bounds of `_similar_in_large_group`): a review's titles seldom are, and rapidfuzz is imported
    only when two are (10 ms of the repository's fresh check)."""
    # fuzz.ratio >= 95 implies the lengths differ by at most 5 % of their sum: others are not compared
    widest = (200 - TITLE_SIMILARITY) / TITLE_SIMILARITY
    counted: dict[str, Counter[str]] = {}
    for i, title in enumerate(asked):
        for j, other in enumerate(titles):
            if max(len(title), len(other)) <= min(len(title), len(other)) * widest + 1 \
                    and _counts_apart(title, other, counted) <= _room(len(title) + len(other)) \
                    and (title == other or _ratio(title, other)):
                yield i, j


def _counts_apart(title: str, other: str, counted: dict[str, Counter[str]]) -> int:
    """The distance between two titles' character counts, a lower bound of their edit distance."""
    for text in (title, other):
        if text not in counted:
            counted[text] = Counter(text)
    mine, theirs = counted[title], counted[other]
    return sum(abs(mine[character] - theirs[character]) for character in mine.keys() | theirs.keys())


def _ratio(title: str, other: str) -> bool:
    from rapidfuzz import fuzz  # imported when titles are compared: a run whose titles are known compares none

    return bool(fuzz.ratio(title, other, score_cutoff=TITLE_SIMILARITY))


def _similar_in_large_group(asked: Sequence[str], titles: Sequence[str]) -> Iterable[tuple[int, int]]:
    """The pairs `_similar_in_small_group` finds, without comparing every pair: comparing all of a year's titles
    grows with the square of their number (at 100,000 studies, minutes). Each insertion or deletion changes one
    character's count by one, so the distance between two titles' character counts is a lower bound of their
    edit distance, and fuzz.ratio >= S needs that distance <= (100 - S) % of their two lengths. The bound is
    checked for blocks of pairs at once, and only the few pairs within it are compared. When every title is
    asked (a first run), each pair is checked once, from the block of the shorter title, and given both ways."""
    import numpy as np  # comes with rapidfuzz and matplotlib; imported only when many titles are compared
    from rapidfuzz import fuzz

    asked_counts, asked_lengths, counts, lengths = _character_counts(asked, titles)
    asked_groups, groups = _grouped(asked_counts), _grouped(counts)
    by_length = np.argsort(lengths, kind="stable")
    sorted_lengths = lengths[by_length]
    narrowest = TITLE_SIMILARITY / (200 - TITLE_SIMILARITY)  # fuzz.ratio >= S: each length within this of the other
    order = np.argsort(asked_lengths, kind="stable")
    every = list(asked) == list(titles)  # then `order` is `by_length`, and a block is a part of the windows
    for start in range(0, len(order), _BLOCK):
        block = order[start:start + _BLOCK]
        low = np.searchsorted(sorted_lengths, int(asked_lengths[block[0]] * narrowest), "left")
        high = np.searchsorted(sorted_lengths, int(asked_lengths[block[-1]] / narrowest) + 1, "right")
        for part in range(start if every else low, high, _BLOCK):
            window = by_length[part:min(part + _BLOCK, high)]
            mine_lengths, their_lengths = asked_lengths[block], lengths[window]
            # The bins summed in pairs first: a weaker bound, at half the work, that leaves few pairs (of 100,000
            # synthetic titles, 3 in 100), and only those are measured bin by bin (all of a year's titles compared:
            # 2.5 -> 1.7 s).
            apart = _apart(asked_groups[:, block], groups[:, window])
            near = np.flatnonzero(apart <= _room(int(mine_lengths.max()) + int(their_lengths.max())))
            rows, columns = block[near // len(window)], window[near % len(window)]
            apart = np.abs(asked_counts[:, rows] - counts[:, columns]).sum(axis=0)
            within = apart <= _room(asked_lengths[rows] + lengths[columns])
            for first, second in zip(rows[within].tolist(), columns[within].tolist(), strict=True):
                if asked[first] == titles[second] or \
                        fuzz.ratio(asked[first], titles[second], score_cutoff=TITLE_SIMILARITY):
                    yield first, second
                    if every and part != start:  # a window past the block: the pair is not met the other way
                        yield second, first


def _grouped(counts: Any) -> Any:
    """Character counts in _GROUPS groups of bins (one row per group): the distance between two titles' grouped
    counts is at most that between their counts in bins."""
    return counts.reshape(_GROUPS, _BINS // _GROUPS, -1).sum(axis=1, dtype=counts.dtype)


def _apart(mine: Any, theirs: Any) -> Any:
    """The distance between each of `mine` and each of `theirs` (counts, one row per bin or group)."""
    import numpy as np

    apart = np.zeros((mine.shape[1], theirs.shape[1]), dtype=np.int16)
    difference = np.empty_like(apart)
    for row_mine, row_theirs in zip(mine, theirs, strict=True):
        np.subtract(row_mine[:, None], row_theirs[None, :], out=difference)
        apart += np.abs(difference, out=difference)
    return apart


def _room(lengths: Any) -> Any:
    """The largest edit distance fuzz.ratio >= TITLE_SIMILARITY allows two titles of these summed lengths."""
    return (100 - TITLE_SIMILARITY) * lengths // 100


_BLOCK = 512  # titles per side of a block of pairs compared at once
_BINS = 16  # characters are counted in this many bins: fewer bins weaken the bound, more cost time
_GROUPS = 8  # groups of bins whose summed counts are compared first


def _character_counts(asked: Sequence[str], titles: Sequence[str]) -> tuple[Any, Any, Any, Any]:
    """Each title's character counts (one row per bin, one column per title) and lengths, for the asked titles
    and the others. Characters are put in bins of about equal frequency: a coarser count is still a lower bound,
    and bins of equal weight keep it tight."""
    import numpy as np

    def code_points(texts: Sequence[str]) -> Any:
        return np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)

    characters, frequency = np.unique(np.concatenate([code_points(asked), code_points(titles)]), return_counts=True)
    bin_of = np.zeros(len(characters), dtype=np.int64)
    weight = [0] * _BINS
    for index in np.argsort(-frequency, kind="stable"):
        bin_of[index] = lightest = weight.index(min(weight))
        weight[lightest] += int(frequency[index])

    def counted(texts: Sequence[str]) -> tuple[Any, Any]:
        lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=len(texts))
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        bins = bin_of[np.searchsorted(characters, code_points(texts))]
        counts = np.bincount(rows * _BINS + bins, minlength=len(texts) * _BINS).reshape(len(texts), _BINS)
        # at most 2047 per bin keeps the sum of 16 bins within int16 (and a capped count is still a lower bound)
        return np.ascontiguousarray(np.minimum(counts, 2047).astype(np.int16).T), lengths

    return (*counted(asked), *counted(titles))


def baseline_membership(studies: Sequence[Study], listed: tuple[str, ...] | None, root: Path,
                        baseline_file: str) -> list[Diagnostic]:
    """in_baseline: true only for the studies the baseline names as the published review's: a copied study file
    keeps its in_baseline line otherwise, and would be counted as published."""
    problems: list[Diagnostic] = []
    named = set(listed or ())
    for study in studies:
        if study.in_baseline and study.id not in named:
            where = (f"{baseline_file} lists no studies: list the published review's included studies there as "
                     f"`studies: [{study.id}, ...]`" if listed is None else
                     f"{study.id} is not among the published review's studies listed in {baseline_file}")
            problems.append(_at(root, study, ["in_baseline"], f"in_baseline: true, but {where}; a study that was "
                                                              f"not in the published review is in_baseline: false"))
    return problems


def _at(root: Path, study: Study, location: list, message: str) -> Diagnostic:
    """A problem found across files, at its place in the study's file (read again: such problems are rare)."""
    try:
        text = (root / study.path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Diagnostic(study.path, 1, 1, message)
    line, column = locate(text, location)
    return Diagnostic(study.path, line, column, message)
