"""compact_json writes what the standard library's compact JSON writes, whichever encoder makes it."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livingreview.json_text import compact_json

# What study records, table rows and cache records hold: text, whole numbers (of any size), booleans, null,
# lists and mappings with text keys; no floats (see json_text's docstring).
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63 - 4, max_value=2**64 + 4),
                     st.text(), st.text(st.characters(codec="utf-8", max_codepoint=0x9F)))
_DATA = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


def _standard(data: Any, sort_keys: bool = False) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


@given(_DATA, st.booleans())
def test_the_text_is_the_standard_librarys_compact_json(data: Any, sort_keys: bool) -> None:
    assert compact_json(data, sort_keys=sort_keys) == _standard(data, sort_keys)


class _Pair(NamedTuple):
    left: int
    right: str


@pytest.mark.parametrize("data", [
    2**64,                           # beyond 64 bits
    -(2**63) - 1,
    {1: "one", "2": "two"},          # a key that is not text
    [_Pair(1, "a")],                 # a tuple subclass
    {"title": "lone \ud800 half"},   # a lone surrogate
], ids=["big", "big-negative", "int-key", "namedtuple", "surrogate"])
def test_what_the_compiled_encoder_refuses_is_written_as_the_standard_library_writes_it(data: Any) -> None:
    assert compact_json(data) == _standard(data)


def test_control_characters_quotes_and_separators_are_escaped_as_the_standard_library_does() -> None:
    text = "".join(map(chr, range(0x20))) + '"\\/\u2028\u2029\x7f é 𝄞'
    assert compact_json({"k": text}) == _standard({"k": text})
