"""A study page's links from each coded value to the study table filtered by it: the `value_links` filter gives
the HTML that a loop over the values in the template gives, escaping included, for any values."""

from __future__ import annotations

from typing import Any, NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment
from markupsafe import Markup

from livingreview.render import value_links

# The loop _study.html held before the filter, rendered as any autoescaping template renders it.
LOOP = Environment(autoescape=True).from_string(
    '{% set key = row.field.key %}{% for label in row.values %}<a href="{{ table }}?{{ key }}='
    '{{ row.raw[loop.index0] }}">{{ label }}</a>{% if not loop.last %}, {% endif %}{% endfor %}')


class _Field(NamedTuple):
    key: str


class _Row(NamedTuple):
    field: _Field
    values: list[str]
    raw: list[Any]


def test_known_links() -> None:
    row = _Row(_Field("role"), ["Peer worker", "Co-design & delivery"], ["peer", 'a"b'])
    assert str(value_links(row, "index.html")) == ('<a href="index.html?role=peer">Peer worker</a>, '
                                                   '<a href="index.html?role=a&#34;b">Co-design &amp; delivery</a>')
    assert str(value_links(_Row(_Field("role"), [], []), "index.html")) == ""


_VALUES = st.text() | st.booleans() | st.integers() | st.text().map(Markup)  # Markup is written as it is


@settings(max_examples=1500)
@given(table=st.text(), key=st.text(), pairs=st.lists(st.tuples(_VALUES, st.text() | st.text().map(Markup)),
                                                      max_size=4))
def test_the_filter_gives_what_the_loop_gave(table: str, key: str, pairs: list[tuple[Any, str]]) -> None:
    row = _Row(_Field(key), [label for _, label in pairs], [raw for raw, _ in pairs])
    assert str(value_links(row, table)) == LOOP.render(row=row, table=table)
