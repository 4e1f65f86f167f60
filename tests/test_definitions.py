"""Cells the codebook's rules and derived facts make impossible: found from the codebook alone, and proved."""

from __future__ import annotations

from itertools import combinations, product
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview.codebook import Codebook, Condition, Derived, Rule
from livingreview.definitions import ruled_out
from livingreview.field_kinds import Field, Value


def codebook(fields: list[Field], rules: tuple[Rule, ...] = (), derived: tuple[Derived, ...] = ()) -> Codebook:
    return Codebook("not yet coded", tuple(fields), derived, rules, (), {})


def single(key: str, *values: str) -> Field:
    return Field(key, key.capitalize(), "single", True, values=tuple(Value(v, v.capitalize()) for v in values))


def multiple(key: str, *values: str) -> Field:
    return Field(key, key.capitalize(), "multiple", True, values=tuple(Value(v, v.capitalize()) for v in values))


LEVEL = single("level", "consulted", "collaborating", "leading")
STAGES = multiple("stages", "planning", "building", "tending")
PLANNERS_LEAD = Rule(Condition("stages", includes_any=("planning",)), Condition("level", equals="leading"),
                     "a community that plans leads")


def test_a_rule_from_the_columns_to_the_rows_rules_out_the_other_rows_of_that_column():
    found = ruled_out(codebook([LEVEL, STAGES], (PLANNERS_LEAD,)), "level", "stages",
                      ["consulted", "collaborating", "leading"], ["planning", "building", "tending"])
    assert found == {("consulted", "planning"): "a community that plans leads",
                     ("collaborating", "planning"): "a community that plans leads"}


def test_a_rule_that_only_asks_for_a_further_value_rules_out_nothing():
    # a leading community plans or builds: it may still tend, so no single cell is impossible
    leaders_plan = Rule(Condition("level", equals="leading"),
                        Condition("stages", includes_any=("planning", "building")),
                        "a leading community plans or builds")
    assert ruled_out(codebook([LEVEL, STAGES], (leaders_plan,)), "level", "stages",
                     ["consulted", "collaborating", "leading"], ["planning", "building", "tending"]) == {}


def test_a_rule_naming_a_third_field_rules_out_nothing_while_that_field_may_be_uncoded():
    aim = single("aim", "effects", "experiences")
    planners_study_effects = Rule(Condition("stages", includes_any=("planning",)), Condition("aim", equals="effects"),
                                  "planners study effects")
    effects_lead = Rule(Condition("aim", equals="effects"), Condition("level", equals="leading"), "effects lead")
    assert ruled_out(codebook([LEVEL, STAGES, aim], (planners_study_effects, effects_lead)), "level", "stages",
                     ["consulted", "collaborating", "leading"], ["planning", "building", "tending"]) == {}


def test_the_reason_names_the_fewest_rules_that_rule_the_cell_out():
    tenders_lead = Rule(Condition("stages", includes_any=("tending",)), Condition("level", equals="leading"),
                        "a community that tends leads")
    unrelated = Rule(Condition("level", equals="consulted"), Condition("stages", includes_any=("building",)),
                     "a consulted community builds")
    found = ruled_out(codebook([LEVEL, STAGES], (unrelated, PLANNERS_LEAD, tenders_lead)), "level", "stages",
                      ["consulted"], ["planning", "tending"])
    assert found == {("consulted", "planning"): "a community that plans leads",
                     ("consulted", "tending"): "a community that tends leads"}


def test_a_derived_fact_rules_out_what_its_definition_excludes():
    early = Derived("early", "Early", "", (Condition("stages", includes_any=("planning",)),))
    found = ruled_out(codebook([LEVEL, STAGES], derived=(early,)), "early", "stages", [True, False],
                      ["planning", "building"])
    assert found == {(False, "planning"): "Early means stages includes planning"}


def test_year_and_region_are_never_ruled_out():
    assert ruled_out(codebook([LEVEL, STAGES], (PLANNERS_LEAD,)), "level", "year", ["consulted"], [2020]) == {}
    assert ruled_out(codebook([LEVEL, STAGES], (PLANNERS_LEAD,)), "region", "year", ["europe"], [2020]) == {}


# --- property: the narrowed search agrees with trying every coding ------------------------------

VALUES = ("a", "b", "c", "d")


@st.composite
def codebooks(draw: st.DrawFn) -> tuple[Codebook, str, str]:
    fields = []
    for key in ("x", "y", "z"):
        kind = draw(st.sampled_from(["single", "multiple", "boolean"]))
        values = () if kind == "boolean" else VALUES[:draw(st.integers(1, 4))]
        fields.append(Field(key, key.upper(), kind, True, values=tuple(Value(v, v) for v in values)))

    def condition(field: Field) -> Condition:
        if field.kind == "boolean":
            return Condition(field.key, equals=draw(st.booleans()))
        keys = [v.key for v in field.values]
        form = draw(st.sampled_from(["equals", "includes_any", "not_empty"]))
        if form == "equals":
            return Condition(field.key, equals=draw(st.sampled_from(keys)))
        if form == "includes_any":
            return Condition(field.key, includes_any=tuple(draw(st.lists(st.sampled_from(keys), min_size=1,
                                                                         max_size=3, unique=True))))
        return Condition(field.key, not_empty=True)

    rules = tuple(Rule(condition(draw(st.sampled_from(fields))), condition(draw(st.sampled_from(fields))), f"rule {i}")
                  for i in range(draw(st.integers(0, 4))))
    derived = (Derived("fact", "Fact", "", tuple(condition(draw(st.sampled_from(fields)))
                                                 for _ in range(draw(st.integers(1, 2))))),)
    rows = draw(st.sampled_from(["x", "fact"]))
    columns = draw(st.sampled_from(["y", "x"]))
    return codebook(fields, rules, derived), rows, columns


def every_coding(field: Field) -> list[Any]:
    if field.kind == "boolean":
        return [True, False]
    keys = [v.key for v in field.values]
    if field.kind == "single":
        return keys
    return [list(subset) for size in range(len(keys) + 1) for subset in combinations(keys, size)]


def values_of(book: Codebook, dimension: str) -> list[Any]:
    if dimension == "fact":
        return [True, False]
    field = book.field(dimension)
    return [True, False] if field.kind == "boolean" else [v.key for v in field.values]


def possible_by_trying_everything(book: Codebook, rows: str, columns: str, row: Any, column: Any) -> bool:
    """The definition itself: some coding of the map's fields, keeping every rule among them, is in the cell."""
    fields = sorted({c.field for c in book.derived[0].conditions} if "fact" in (rows, columns) else set())
    fields = sorted(set(fields) | ({rows} - {"fact"}) | ({columns} - {"fact"}))
    rules = [r for r in book.rules if {r.when.field, r.then.field} <= set(fields)]

    def has(dimension: str, value: Any, coding: dict[str, Any]) -> bool:
        if dimension == "fact":
            return value == all(c.holds(coding[c.field]) for c in book.derived[0].conditions)
        held = coding[dimension]
        return value in held if isinstance(held, list) else value == held

    for values in product(*(every_coding(book.field(key)) for key in fields)):
        coding = dict(zip(fields, values, strict=True))
        if has(rows, row, coding) and has(columns, column, coding) and all(
                not r.when.holds(coding[r.when.field]) or r.then.holds(coding[r.then.field]) for r in rules):
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(codebooks())
def test_a_cell_is_ruled_out_exactly_when_no_coding_of_its_fields_can_be_in_it(drawn):
    book, rows, columns = drawn
    row_values, column_values = values_of(book, rows), values_of(book, columns)
    found = ruled_out(book, rows, columns, row_values, column_values)
    for row in row_values:
        for column in column_values:
            possible = possible_by_trying_everything(book, rows, columns, row, column)
            assert ((row, column) not in found) == possible, (row, column, found.get((row, column)))
            if not possible:
                assert found[(row, column)], "an impossible cell needs a reason"
