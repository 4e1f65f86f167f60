"""What the codebook's definitions rule out: pairs of values that no valid study can hold at once.

A gap map's cell is empty either because no study has looked there yet (an evidence gap) or because the
codebook makes it impossible: a cross-field rule (`when` one value, `then` another) or the definition of
a derived fact excludes it. The second kind is found here, from the codebook alone, by trying every coding
of the fields the map's two dimensions rest on. Only rules between those fields count: a rule that names a
third field is not applied while that field is not yet coded, so it can rule nothing out for the map.

Trying every coding stays small because values that no condition names behave alike: one of them stands
for all. A cell whose codings would still be too many to try is taken as possible, so a cell is never
marked impossible without proof.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations, product
from typing import Any

from .codebook import Codebook, Condition, Derived, Rule

CODINGS_TRIED = 4096  # per cell; beyond this a cell counts as possible
_LISTED = ("single", "multiple", "country")  # the kinds whose values the codebook lists (or its countries)
_FREE = ("year", "region")  # dimensions no rule can name


def ruled_out(codebook: Codebook, rows: str, columns: str, row_values: Sequence[Any],
              column_values: Sequence[Any]) -> dict[tuple[Any, Any], str]:
    """Each (row value, column value) that no valid study can hold, with the reason in the codebook's words."""
    fields = _fields(codebook, rows) | _fields(codebook, columns)
    if not fields or any(codebook.field(key).kind not in (*_LISTED, "boolean") for key in fields):
        return {}  # a dimension is free (year, region), or rests on text or numbers: nothing can be proved
    rules = [rule for rule in codebook.rules if {rule.when.field, rule.then.field} <= fields]
    derived = [codebook.derived_fact(d) for d in (rows, columns) if d in codebook.derived_keys]
    conditions = [c for rule in rules for c in (rule.when, rule.then)] + [c for d in derived for c in d.conditions]
    found = {}
    for row in row_values:
        for column in column_values:
            reason = _reason(codebook, sorted(fields), rules, conditions, ((rows, row), (columns, column)))
            if reason:
                found[(row, column)] = reason
    return found


def _fields(codebook: Codebook, dimension: str) -> set[str]:
    if dimension in _FREE:
        return set()
    if dimension in codebook.derived_keys:
        return {c.field for c in codebook.derived_fact(dimension).conditions}
    return {dimension}


def _reason(codebook: Codebook, fields: list[str], rules: list[Rule], conditions: list[Condition],
            cell: tuple[tuple[str, Any], ...]) -> str:
    """Why no coding of `fields` places a study in the cell while every rule holds; "" if one does."""
    domains = [_domain(codebook, key, conditions, cell) for key in fields]
    size = 1
    for domain in domains:
        size *= len(domain)
    if size > CODINGS_TRIED:
        return ""
    broken: list[frozenset[int]] = []  # for each coding that would place a study in the cell, the rules it breaks
    for values in product(*domains):
        coding = dict(zip(fields, values, strict=True))
        if not all(_holds(codebook, dimension, value, coding) for dimension, value in cell):
            continue
        failing = frozenset(i for i, rule in enumerate(rules) if rule.when.holds(coding[rule.when.field])
                            and not rule.then.holds(coding[rule.then.field]))
        if not failing:
            return ""
        broken.append(failing)
    if broken:
        return "; ".join(rules[i].message for i in _fewest(broken))
    facts = [codebook.derived_fact(d) for d, _ in cell if d in codebook.derived_keys]
    return "; ".join(f"{_definition(fact)}" for fact in dict.fromkeys(facts)) or \
        "a study holds one value of " + " and ".join(dict.fromkeys(codebook.field(d).label for d, _ in cell))


def _fewest(broken: list[frozenset[int]]) -> tuple[int, ...]:
    """The fewest rules that, together, every such coding breaks one of: the reason worth giving."""
    candidates = sorted(frozenset().union(*broken))
    for size in range(1, len(candidates) + 1):
        for chosen in combinations(candidates, size):
            if all(failing & set(chosen) for failing in broken):
                return chosen
    return tuple(candidates)


def _definition(fact: Derived) -> str:
    return f"{fact.label} means " + " and ".join(c.describe() for c in fact.conditions)


def _domain(codebook: Codebook, key: str, conditions: list[Condition], cell: tuple[tuple[str, Any], ...]) -> list:
    """The codings of one field worth trying: every value a condition or the cell names, and one other."""
    field = codebook.field(key)
    if field.kind == "boolean":
        return [True, False]
    allowed = codebook.allowed_values(field)
    named = {c.equals for c in conditions if c.field == key} | {v for c in conditions if c.field == key
                                                                  for v in c.includes_any}
    named |= {value for dimension, value in cell if dimension == key}
    others = [value for value in allowed if value not in named]
    values = [value for value in allowed if value in named] + others[:1]
    if not field.is_list:
        return values
    return [list(subset) for size in range(len(values) + 1) for subset in combinations(values, size)]


def _holds(codebook: Codebook, dimension: str, value: Any, coding: Mapping[str, Any]) -> bool:
    """Whether a study coded so would count under the value of the dimension."""
    if dimension in _FREE:
        return True
    if dimension in codebook.derived_keys:
        fact = codebook.derived_fact(dimension)
        return value == all(c.holds(coding[c.field]) for c in fact.conditions)
    held = coding[dimension]
    return value in held if isinstance(held, list) else value == held

