"""Compact JSON for records: the standard library's text, written faster; where the two encoders would differ,
the value is kept and whatever the standard library refuses is refused."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview.json_text import compact


def _standard(data: Any, sort_keys: bool = False) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


# Every character, lone surrogates and control characters included (a study's text may hold any of them).
_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
_INTEGERS = st.integers() | st.integers(min_value=-(2**70), max_value=2**70)  # past orjson's 64 bits
_KEYS = _TEXT | st.integers() | st.booleans() | st.none()  # the standard library writes these keys as text


def _json_data(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                        | st.dictionaries(_KEYS, inner, max_size=4), max_leaves=25)


_WITHOUT_FLOATS = st.none() | st.booleans() | _INTEGERS | _TEXT


@settings(max_examples=1500)
@given(_json_data(_WITHOUT_FLOATS))
def test_without_floats_the_text_is_the_standard_librarys(data: Any) -> None:
    assert compact(data) == _standard(data)


@settings(max_examples=1500)
@given(_json_data(_WITHOUT_FLOATS))
def test_keys_sort_as_the_standard_library_sorts_them(data: Any) -> None:
    try:
        expected = _standard(data, sort_keys=True)
    except TypeError:  # keys of several types, which do not sort
        with pytest.raises(TypeError):
            compact(data, sort_keys=True)
        return
    assert compact(data, sort_keys=True) == expected


@settings(max_examples=500)
@given(_json_data(_WITHOUT_FLOATS | st.integers(-(2**60), 2**60).map(float) | st.sampled_from([1e16, 1e22, -0.0])))
def test_whole_floats_keep_the_standard_text(data: Any) -> None:
    # A valid study's volume, issue or pages may be a whole float (5.0): JSON Schema counts it as an integer.
    assert compact(data) == _standard(data)


@settings(max_examples=1000)
@given(_json_data(_WITHOUT_FLOATS | st.floats() | st.floats(min_value=-1e-4, max_value=1e-4)))
def test_any_float_reads_back_as_it_was(data: Any) -> None:
    # Compared as read back and written again: NaN is not equal to itself, and 0.00001 is written 1e-05.
    assert _standard(json.loads(compact(data))) == _standard(json.loads(_standard(data)))


def test_known_texts() -> None:
    assert compact({"title": "Peer \"support\"\n", "year": 2021, "é": [True, None]}) == \
        '{"title":"Peer \\"support\\"\\n","year":2021,"é":[true,null]}'
    assert compact({1: "x", None: 2}) == '{"1":"x","null":2}'
    assert compact([2**70, -(2**64)]) == "[1180591620717411303424,-18446744073709551616]"
    assert compact([math.nan, math.inf, -math.inf]) == "[NaN,Infinity,-Infinity]"
    assert compact("\ud800\x00\x7f\u2028") == '"\ud800\\u0000\x7f\u2028"'
    assert json.loads(compact(1e-05)) == 1e-05
    assert compact({"b": 1, "a": {"é": 2, "e": 3, "\U0001f600": 4, "\uffff": 5}}, sort_keys=True) == \
        '{"a":{"e":3,"é":2,"\uffff":5,"\U0001f600":4},"b":1}'
    assert compact({10: "x", 2: "y"}, sort_keys=True) == '{"2":"y","10":"x"}'


def test_deep_nesting_is_written() -> None:
    data: Any = "end"
    for _ in range(400):  # past orjson's limit of 254 levels
        data = [data]
    assert compact(data) == _standard(data)


@dataclasses.dataclass
class _Record:
    name: str


@pytest.mark.parametrize("data", [datetime.date(2021, 1, 4), datetime.datetime(2021, 1, 4, 12), {1, 2},
                                  _Record("x"), object(), {"year": datetime.date(2021, 1, 4)}])
def test_what_the_standard_library_refuses_is_refused(data: Any) -> None:
    with pytest.raises(TypeError):
        _standard(data)
    with pytest.raises(TypeError):
        compact(data)


def test_a_record_that_holds_itself_is_refused() -> None:
    data: list[Any] = []
    data.append(data)
    with pytest.raises(ValueError):
        compact(data)
