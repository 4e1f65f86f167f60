"""Aggregate stage: counts, percentages and cross-tabulations of the coded studies.

A pure function of the studies and the codebook. The dimensions studies are counted on are
`year`, `region` (when the codebook has a field of kind country and regions for its countries),
every field of a kind that can be tallied, and every derived fact. A study not yet coded for a
field is counted apart and never enters that field's denominator; a multi-valued field counts a
study once per value.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .codebook import Codebook
from .named_tuple import NamedTuple
from .study import Study

NOT_CODED = None  # what `dimension_values` returns for a study not yet coded on a dimension


class Tally(NamedTuple):
    """How many studies have each value of one dimension."""

    key: str
    label: str
    multiple: bool
    counts: tuple[tuple[Any, int], ...]
    coded: int
    not_coded: int
    none: int = 0  # coded with an empty list: the study has none of the values

    @property
    def total(self) -> int:
        return self.coded + self.not_coded

    def count(self, value: Any) -> int:
        return dict(self.counts).get(value, 0)

    def percent(self, value: Any) -> float | None:
        """Share of the coded studies, or None when no study is coded yet."""
        return 100 * self.count(value) / self.coded if self.coded else None


class CrossTab(NamedTuple):
    """Studies per pair of values of two dimensions (only studies coded on both)."""

    key: str
    rows: str
    columns: str
    row_values: tuple[Any, ...]
    column_values: tuple[Any, ...]
    cells: Mapping[tuple[Any, Any], tuple[str, ...]]
    coded: int

    def cell_count(self, row: Any, column: Any) -> int:
        """How many studies have both values."""
        return len(self.cells.get((row, column), ()))


@dataclass(frozen=True)
class Aggregates:
    """What an edition's studies add up to: the tallies, cross-tabulations and values of each field."""

    total: int
    tallies: Mapping[str, Tally]
    crosstabs: Mapping[str, CrossTab]  # the cross-tabulations figures.yaml declares as tables
    values: Mapping[str, Mapping[str, list[Any] | None]]  # dimension -> study id -> its values
    order: Mapping[str, tuple[Any, ...]]  # dimension -> its values in order
    # dimension -> value -> its studies' ids, found for the dimensions asked about (few figures list them)
    _members: dict[str, dict[Any, tuple[str, ...]]] = field(default_factory=dict, compare=False, repr=False)

    def tally(self, dimension: str) -> Tally:
        return self.tallies[dimension]

    def members(self, dimension: str, value: Any) -> tuple[str, ...]:
        """The ids of the studies that have this value on a dimension, in id order."""
        found = self._members.get(dimension)
        if found is None:
            found = self._members[dimension] = _members(self.values[dimension])
        return found.get(value, ())

    def crosstab(self, rows: str, columns: str, key: str = "") -> CrossTab:
        """Studies per pair of values of two dimensions."""
        cells: dict[tuple[Any, Any], list[str]] = defaultdict(list)
        coded = 0
        for study_id, row_values in self.values[rows].items():
            column_values = self.values[columns][study_id]
            if row_values is NOT_CODED or column_values is NOT_CODED:
                continue
            coded += 1
            for row in row_values:
                for column in column_values:
                    cells[(row, column)].append(study_id)
        return CrossTab(key or f"{rows}-by-{columns}", rows, columns, self.order[rows], self.order[columns],
                        {cell: tuple(ids) for cell, ids in cells.items()}, coded)


def dimension_values(study: Study, dimension: str, codebook: Codebook) -> list[Any] | None:
    """The values a study has on a dimension, or NOT_CODED."""
    if dimension == "year":
        return [study.year]
    if dimension == "region":
        field = codebook.country_field
        countries = study.codes.get(field.key, codebook.not_coded) if field else codebook.not_coded
        if not codebook.is_coded(countries):
            return NOT_CODED
        rank = codebook.region_rank
        return sorted({codebook.countries[c].region for c in countries}, key=lambda key: rank.get(key, len(rank)))
    if dimension in codebook.derived_keys:
        return _derived_value(study, dimension, codebook)
    value = study.codes.get(dimension, codebook.not_coded)
    if not codebook.is_coded(value):
        return NOT_CODED
    return list(value) if isinstance(value, list) else [value]


def _derived_value(study: Study, key: str, codebook: Codebook) -> list[bool] | None:
    fact = codebook.derived_fact(key)
    for condition in fact.conditions:
        value = study.codes.get(condition.field, codebook.not_coded)
        if not codebook.is_coded(value):
            return NOT_CODED
        if not condition.holds(value):
            return [False]
    return [True]


def dimension_order(dimension: str, codebook: Codebook, found: Iterable[Sequence[Any] | None]) -> list[Any]:
    """The values of a dimension in the order the codebook (or the calendar) gives them. `found`: the
    studies' values on it (`dimension_values`), each list of values once or more."""
    if dimension == "year":
        years = {year for values in found for year in values or ()}
        return list(range(min(years), max(years) + 1)) if years else []
    if dimension == "region":
        return [region.key for region in codebook.regions]
    if dimension in codebook.derived_keys:
        return [True, False]
    field = codebook.field(dimension)
    if field.kind == "boolean":
        return [True, False]
    if field.kind == "country":
        return sorted({country for values in found for country in values or ()})
    return [value.key for value in field.values]


def dimension_label(dimension: str, codebook: Codebook) -> str:
    if dimension == "year":
        return "Year of publication"
    if dimension == "region":
        return "Region"
    if dimension in codebook.derived_keys:
        return codebook.derived_fact(dimension).label
    return codebook.field(dimension).label


def dimension_kind(dimension: str, codebook: Codebook) -> str:
    """'year', 'region', 'derived', or the kind of the field the dimension is."""
    if dimension in ("year", "region"):
        return dimension
    if dimension in codebook.derived_keys:
        return "derived"
    return codebook.field(dimension).kind


def value_label(dimension: str, value: Any, codebook: Codebook) -> str:
    """The label a reader sees for one value of a dimension."""
    if dimension == "year":
        return str(value)
    if dimension == "region":
        return codebook.region_label(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    field = codebook.field(dimension)
    if field.kind == "country":
        country = codebook.countries.get(value)
        return country.name if country else str(value)
    return field.value_label(value)


def dimensions(codebook: Codebook) -> list[str]:
    """Every dimension that can be tallied, in codebook order."""
    region = ["region"] if codebook.country_field is not None and codebook.regions else []
    fields = [f.key for f in codebook.fields if f.tallied]
    return ["year", *region, *fields, *(d.key for d in codebook.derived)]


def aggregate(studies: Sequence[Study], codebook: Codebook, crosstabs: Sequence[tuple[str, str, str]] = (),
              counted: Aggregates | None = None, changed: Sequence[Study] = ()) -> Aggregates:
    """Tally every dimension and build the requested (key, rows, columns) cross-tabulations. With `counted`,
    the aggregates of studies with the same ids that were these very studies but `changed`, the values of
    the others on each dimension are taken from it, and only the changed ones' are found again: a dimension
    on which no changed study has other values keeps its tally, and a cross-tabulation of two such keeps its
    cells (a coding edit changes one field and what is derived from it)."""
    found = _values(dimensions(codebook), sorted(studies, key=lambda s: s.id), codebook) if counted is None else {}
    tallies: dict[str, Tally] = {}
    values_by_dimension: dict[str, Mapping[str, list[Any] | None]] = {}
    order: dict[str, tuple[Any, ...]] = {}
    kept: set[str] = set()  # the dimensions whose tallies are those counted
    for dimension in dimensions(codebook):
        if counted is None:
            values = found[dimension]
        else:
            before = counted.values[dimension]
            again = [(study.id, dimension_values(study, dimension, codebook)) for study in changed]
            if all(before[study_id] == found for study_id, found in again):
                values_by_dimension[dimension], tallies[dimension] = before, counted.tallies[dimension]
                order[dimension] = counted.order[dimension]
                kept.add(dimension)
                continue
            values = dict(before)
            values.update(again)
        values_by_dimension[dimension] = values
        tallies[dimension] = _tally(dimension, values, codebook)
        order[dimension] = tuple(value for value, _ in tallies[dimension].counts)
    aggregates = Aggregates(len(studies), tallies, {}, values_by_dimension, order)
    tables = {}
    for key, rows, columns in crosstabs:
        earlier = counted.crosstabs.get(key) if counted is not None and {rows, columns} <= kept else None
        same = earlier is not None and (earlier.rows, earlier.columns) == (rows, columns)
        tables[key] = earlier if earlier is not None and same else aggregates.crosstab(rows, columns, key)
    return replace(aggregates, crosstabs=tables)


def recount(counted: Aggregates, studies: Sequence[Study], changed: Sequence[Study], codebook: Codebook,
            crosstabs: Sequence[tuple[str, str, str]] = ()) -> Aggregates | None:
    """The aggregates of `studies` from `counted`, those of studies with the same ids of which all but
    `changed` were these very studies: `counted` itself if each changed study has the values counted for
    its id, else counted again for the changed ones only (`aggregate`). None if `counted` counted other
    studies, dimensions or cross-tabulations."""
    years = counted.values.get("year", {})
    if counted.values.keys() != set(dimensions(codebook)) or counted.crosstabs.keys() != {t[0] for t in crosstabs} \
            or len(years) != len(studies) or years.keys() != {s.id for s in studies}:
        return None
    if all(by_study[study.id] == dimension_values(study, dimension, codebook)
           for study in changed for dimension, by_study in counted.values.items()):
        return counted
    return aggregate(studies, codebook, crosstabs, counted, changed)


def _values(dimensions: Sequence[str], studies: Sequence[Study],
            codebook: Codebook) -> dict[str, dict[str, list[Any] | None]]:
    """Each study's values on each dimension, by dimension and id: `dimension_values`, with a field's own values
    read as they are. The studies are read in one pass, each for every dimension: a pass per dimension read
    each study from memory again (100,000 studies do not fit in the processor's caches: 1.95 s, against 0.05
    for 10,000). Studies with the same values share one list (a large review has few distinct ones): nothing
    changes these lists. (The values of one dimension are all of one type, so True and 1 never meet.)"""
    made = [d for d in dimensions if d in ("year", "region") or d in codebook.derived_keys]
    plain = [d for d in dimensions if d not in made]
    not_coded = codebook.not_coded
    ids = [study.id for study in studies]
    plain_rows, made_rows = [], []
    for study in studies:
        codes = study.codes
        plain_rows.append([codes.get(d, not_coded) for d in plain])
        made_rows.append([dimension_values(study, d, codebook) for d in made])
    found: dict[str, dict[str, list[Any] | None]] = {}
    for dimension, column in zip(plain, _columns(plain_rows, len(plain)), strict=True):
        keys = [tuple(value) if isinstance(value, list) else value for value in column]
        shared = {key: NOT_CODED if key == not_coded else list(key) if isinstance(key, tuple) else [key]
                  for key in set(keys)}
        found[dimension] = dict(zip(ids, map(shared.__getitem__, keys), strict=True))
    for dimension, column in zip(made, _columns(made_rows, len(made)), strict=True):
        alike: dict[Any, list[Any]] = {}
        found[dimension] = {study_id: None if values is None else alike.setdefault(tuple(values), values)
                            for study_id, values in zip(ids, column, strict=True)}
    return found


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[Sequence[Any]]:
    """The columns of rows of `width` items each."""
    return list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]


def _members(values: Mapping[str, list[Any] | None]) -> dict[Any, tuple[str, ...]]:
    """Each value's studies, in the order of `values` (id order)."""
    members: dict[Any, list[str]] = defaultdict(list)
    for study_id, study_values in values.items():
        for value in study_values or ():
            members[value].append(study_id)
    return {value: tuple(ids) for value, ids in members.items()}


def _tally(dimension: str, values: Mapping[str, list[Any] | None], codebook: Codebook) -> Tally:
    """Counted list by list: studies with the same values share one list, and a large review has few."""
    lists = list(values.values())
    shared = dict(zip(map(id, lists), lists, strict=True))
    counter: Counter = Counter()
    coded = none = 0
    for identity, sharers in Counter(map(id, lists)).items():
        study_values = shared[identity]
        if study_values is NOT_CODED:
            continue
        coded += sharers
        none += sharers * (not study_values)
        for value in set(study_values):
            counter[value] += sharers
    order = dimension_order(dimension, codebook, shared.values())
    order += sorted((v for v in counter if v not in order), key=str)
    multiple = dimension == "region" or (dimension in codebook.field_keys() and codebook.field(dimension).is_list)
    return Tally(dimension, dimension_label(dimension, codebook), multiple,
                 tuple((value, counter[value]) for value in order), coded, len(values) - coded, none)


def aggregates_data(aggregates: Aggregates) -> dict[str, Any]:
    """The aggregates as plain data (JSON's kinds), which `aggregates_from_data` makes them again from. Each
    dimension's values are kept as its distinct lists and, for each study in id order, the index of its list."""
    ids = list(next(iter(aggregates.values.values()), {}))
    values = {}
    for dimension, by_study in aggregates.values.items():
        # by the lists' identity: studies with the same values share one list
        lists = list(by_study.values())
        identities = list(map(id, lists))
        distinct = dict(zip(identities, lists, strict=True))
        index = {identity: number for number, identity in enumerate(distinct)}
        values[dimension] = [list(distinct.values()), list(map(index.__getitem__, identities))]
    return {
        "total": aggregates.total, "ids": ids, "values": values,
        "tallies": [[t.key, t.label, t.multiple, [list(pair) for pair in t.counts], t.coded, t.not_coded, t.none]
                    for t in aggregates.tallies.values()],
        "crosstabs": [[t.key, t.rows, t.columns, list(t.row_values), list(t.column_values),
                       [[row, column, list(ids)] for (row, column), ids in t.cells.items()], t.coded]
                      for t in aggregates.crosstabs.values()],
        "order": {dimension: list(order) for dimension, order in aggregates.order.items()},
    }


def aggregates_from_data(data: Any) -> Aggregates:
    """The aggregates `aggregates_data` gave as plain data; ValueError, TypeError or KeyError if the data is
    not such. Studies with the same values share one list, as `aggregate` makes them."""
    ids = data["ids"]
    values: dict[str, dict[str, list[Any] | None]] = {}
    for dimension, (lists, indexes) in data["values"].items():
        if len(indexes) != len(ids) or (indexes and min(indexes) < 0):
            raise ValueError("a dimension's values are not one list of those given per study")
        values[dimension] = dict(zip(ids, map(lists.__getitem__, indexes), strict=True))
    tallies = {key: Tally(key, label, multiple, tuple((value, count) for value, count in counts), coded, not_coded,
                          none)
               for key, label, multiple, counts, coded, not_coded, none in data["tallies"]}
    crosstabs = {key: CrossTab(key, rows, columns, tuple(row_values), tuple(column_values),
                               {(row, column): tuple(members) for row, column, members in cells}, coded)
                 for key, rows, columns, row_values, column_values, cells, coded in data["crosstabs"]}
    order = {dimension: tuple(found) for dimension, found in data["order"].items()}
    return Aggregates(data["total"], tallies, crosstabs, values, order)


def filter_value(value: Any) -> str:
    """A value as the study table's filters name it, in its rows' data and in links (true, not True)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def format_percent(value: float | None) -> str:
    """A percentage as the site prints it: one decimal and a thin space, or an en dash if undefined."""
    return "–" if value is None else f"{value:.1f}\u202f%"
