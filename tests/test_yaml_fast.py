"""The fast YAML reader: whatever text it reads, it reads to the data PyYAML reads; the rest it leaves to PyYAML."""

from __future__ import annotations

import datetime
import math
import re
from typing import Any
from unittest import mock

import pytest
import yaml
from conftest import valid_study
from hypothesis import given, settings
from hypothesis import strategies as st

from livingreview import yaml_exact, yaml_fast
from livingreview.load import MAX_DEPTH, parse_yaml_text
from livingreview.yaml_exact import _DuplicateKeyLoader

_REFUSED = object()


def _pyyaml(text: str) -> Any:
    """The data PyYAML's reading (the project's loader) gives, or _REFUSED if it finds a problem."""
    loader = _DuplicateKeyLoader(text, MAX_DEPTH)
    try:
        data = loader.get_single_data()
    except Exception:  # noqa: BLE001 - any refusal counts as one here
        return _REFUSED
    finally:
        loader.dispose()
    return _REFUSED if loader.duplicate_keys else data


def _same(a: Any, b: Any) -> bool:
    """Equal, type for type (True is not 1, 1 is not 1.0, a date is not its text), NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return _same(list(a), list(b)) and _same(list(a.values()), list(b.values()))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _agrees(text: str) -> None:
    data = yaml_fast.read(text, MAX_DEPTH)
    if data is yaml_fast.DECLINED:
        return
    expected = _pyyaml(text)
    assert expected is not _REFUSED, f"read what PyYAML refuses: {text!r}"
    assert _same(data, expected), f"{text!r}: {data!r} where PyYAML reads {expected!r}"


# Plain values as YAML 1.1 and 1.2 type them (numbers, booleans, nulls, dates, times), and their quoted forms.
_SCALAR_CHARACTERS = "0123456789_.+-:eExXoObB ~<=yesnoftrulaiINFTZ'\"\\#|>"
_WORDS = st.sampled_from(["yes", "No", "ON", "off", "y", "true", "False", "null", "Null", "~", ".inf", "-.Inf",
                          ".NaN", "2021-01-05", "2021-1-5", "2021-01-05 10:00:00", "2021-02-30", "<<", "=", "1_000",
                          "0x1F", "0o17", "010", "08", "1e3", "1.5e3", "1.5e+3", "-.5", "+.5", "1:20", "_1", "1.e5"])
_SCALAR = st.one_of(_WORDS, st.text(_SCALAR_CHARACTERS, max_size=10), _WORDS.map(lambda word: f"{word}."),
                    _WORDS.map(lambda word: f"x {word} y"), _WORDS.map(lambda word: f"'x {word}.'"),
                    _WORDS.map(lambda word: f"'{word}'"), _WORDS.map(lambda word: f'"{word}"'))


@given(_SCALAR, st.sampled_from(["k: {}\n", "- {}\n", "{}: v\n", "[{}]\n", "{{k: {}}}\n", "k: |-\n  {}\n",
                                  "k: >\n  {}\n", "k:\n  {}\n", "k: [a, {}]\n"]))
@settings(max_examples=3000, deadline=None)
def test_any_value_is_read_as_pyyaml_reads_it_or_left_to_pyyaml(value, form):
    _agrees(form.format(value))


# Numbers as YAML 1.1 and 1.2 may write them, underscores and all (yaml-rs passes over an underscore in a number,
# PyYAML only in some places): drawn piece by piece, so that forms such as 0E_0 and 1_:0 come up often.
_DIGITS = st.text("0123456789_", max_size=3)
_NUMBER = st.tuples(st.sampled_from(["", "-", "+"]), st.sampled_from(["", "0x", "0o", "0b", "0X", "0"]), _DIGITS,
                    st.sampled_from(["", ".", ":", "_:", "._"]), _DIGITS,
                    st.sampled_from(["", "e", "E", "e+", "e-", "E_", "e_-"]), _DIGITS).map("".join)


@given(_NUMBER, st.sampled_from(["k: {}\n", "- {}\n", "{}: v\n", "[{}]\n", "{{k: {}}}\n", "k: [a, {}]\n",
                                  "k: {} # c\n", "k: {} x\n", "k: x {}\n", "k: {} \n", "k: {}:x\n", "{{{}:x}}\n",
                                  "[{}:]\n", "[{} , a]\n", "{}:\n", "k: '{}'\n", "k: \"a{}\"\n"]))
@settings(max_examples=2000, deadline=None)
def test_any_number_is_read_as_pyyaml_reads_it_or_left_to_pyyaml(number, form):
    _agrees(form.format(number))


# Double-quoted text is where the two readers' escapes meet (YAML 1.2 adds \/ and reads \t as 1.1 does; both
# fold a line break, and an escaped one): drawn escape by escape.
_ESCAPES = [r"\n", r"\t", "\\\\", r"\"", r"\/", r"\0", r"\a", r"\b", r"\e", r"\f", r"\r", r"\v", r"\N", r"\_",
            r"\L", r"\P", "\\ ", r"\x41", r"\u00e9", r"\U0001F600", r"\x7f", r"\xa0", r"\x85", r"\u2028", r"\ud800",
            "\\\n", "\\\n  ", "a", " ", "'", ":", "#", "\u00e9", "\n", "\n\n", "  ", "2021-01-05", r"\t2021-01-05"]


@given(st.lists(st.sampled_from(_ESCAPES), max_size=6).map(lambda parts: '"' + "".join(parts) + '"'),
       st.sampled_from(["k: {}\n", "- {}\n", "{}: v\n", "[{}]\n", "{{k: {}}}\n", "k:\n  {}\n"]))
@settings(max_examples=1500, deadline=None)
def test_any_escape_in_double_quotes_is_read_as_pyyaml_reads_it_or_left_to_pyyaml(value, form):
    _agrees(form.format(value))


# A value over several lines, plain or quoted, as evidence notes are written: folded into one line by both readers.
_FOLDED_LINE = st.sampled_from(["a", "b c", "it''s", "x:y", "#z", "- d", "e #f", "  g", "", " ", "h ", "2021-01-05",
                                "yes", "1.5", "~", "\u00e9", "a: b"])


@given(st.lists(_FOLDED_LINE, min_size=1, max_size=5), st.sampled_from(["", " ", "  ", "    "]),
       st.sampled_from(["{}", "'{}'", '"{}"']),
       st.sampled_from(["k: {}\n", "- {}\n", "k:\n  {}\n", "- k: {}\n", "k:\n  - {}\n"]),
       st.sampled_from(["", "j: 1\n", "- 2\n"]))
@settings(max_examples=1500, deadline=None)
def test_any_value_over_several_lines_is_read_as_pyyaml_reads_it_or_left_to_pyyaml(lines, indent, quotes, form,
                                                                                    after):
    text = ("\n" + indent).join(lines)
    _agrees(form.format(quotes.format(text.replace("''", "'") if quotes == '"{}"' else text)) + after)


_KEY = st.text("abck_-1 ", min_size=1, max_size=4)
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                  st.dates(), st.text(max_size=12), _WORDS)
_DATA = st.recursive(_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(_KEY, inner, max_size=4)), max_leaves=20)


@given(_DATA, st.sampled_from([None, "'", '"']), st.sampled_from([None, True, False]), st.booleans(),
       st.sampled_from([20, 80, 1000]))
@settings(max_examples=1500, deadline=None)
def test_any_data_written_in_any_style_is_read_as_pyyaml_reads_it(data, quotes, flow, unicode, width):
    _agrees(yaml.safe_dump(data, default_style=quotes, default_flow_style=flow, allow_unicode=unicode,
                           width=width))


_BLOCK_LINE = st.tuples(st.sampled_from(["", " ", "  ", "   ", "    "]),
                        st.sampled_from(["", "a", "b c", "# x", "- d", "e: f", "'g'", " ", "x  ", "}", "a]",
                                         "2021-01-05", "d: 2021-01-05", "010", "- 07"])
                        ).map("".join)


@given(st.sampled_from(["k: ", "- ", "k:\n  - ", "k:\n  j: ", "{k: ", "[", "[a, ", "k: {j: ", "{\n  k: ",
                        "d: 2021-01-05\nk: "]),
       st.sampled_from([">", ">-", ">+", "|", "|-", "|+", ">2", "|2-", "> # c", "|-  "]),
       st.lists(_BLOCK_LINE, max_size=5), st.sampled_from(["", "\n", "\nz: 1\n", "]\n", "}\n"]))
@settings(max_examples=3000, deadline=None)
def test_any_block_scalar_is_read_as_pyyaml_reads_it_or_left_to_pyyaml(before, header, lines, after):
    _agrees(before + header + "\n" + "\n".join(lines) + after)


_LINE = st.tuples(st.sampled_from(["", " ", "  ", "    "]),
                  st.sampled_from(["", "- ", "k: ", "k:", "? ", ": ", "- - ", "k: - ", "'k': ", "\"k\": "]),
                  st.one_of(_SCALAR, st.text("ab[]{},:-?'\" #|>\\", max_size=6)),
                  st.sampled_from(["", " # c", ":", ": v", ","])).map("".join)


@given(st.lists(_LINE, min_size=1, max_size=6), st.sampled_from(["\n", "\r\n", "\r", "\x85", "\u2028"]))
@settings(max_examples=3000, deadline=None)
def test_any_text_of_yaml_lines_is_read_as_pyyaml_reads_it_or_left_to_pyyaml(lines, line_break):
    _agrees(line_break.join(lines))


@given(st.text(max_size=30))
@settings(max_examples=1000, deadline=None)
def test_any_text_at_all_is_read_as_pyyaml_reads_it_or_left_to_pyyaml(text):
    _agrees(text)


@pytest.mark.parametrize("text", [
    "k: yes\n", "k: Off\n", "'NO': 1\nNO: 2\n", "k: [a, 'no', no]\n",
    "k: 010\n", "k: 09\n", "k: 0o17\n", "k: 1e3\n", "k: 1.5e3\n", "k: 0E_0\n", "k: 1_e3\n", "k: -.5\n",
    "k: 1:20\n", "k: 1_:0\n",
    "k: _1\n", "k: 1.e5\n", "k: '2021-01-05'\n", "k: \"2021-01-05\"\n", "k: |-\n  2021-01-05\n", "k: <<\n",
    "k: >\n", "k: |\n  a", "[>]\n", "{k: >\n}\n", "k: b\nk: c\n", "k: {b: 1, b: 2}\n", "[a, b]: c\n",
    ".nan: 1\n", "\ufeffk: 1\n", "k: a\x00b\n", "k: a\x85b\n", "k: a\u2028b\n", "k: &a 1\nj: *a\n", "k: !!str 1\n",
    "---\nk: 1\n---\nj: 2\n", "k:\tv\n", "k: a\r\n", "- :\n", "k: [" * 40 + "]" * 40 + "\n",
])
def test_a_text_the_two_readers_read_differently_is_left_to_pyyaml(text):
    """Each: YAML 1.1 (PyYAML) and 1.2 (yaml-rs) type the value differently, or yaml-rs takes a quoted date
    for a date, or one of them refuses the text, or it needs PyYAML's position of a problem."""
    assert yaml_fast.read(text, MAX_DEPTH) is yaml_fast.DECLINED


def test_a_study_file_is_read_fast_and_as_pyyaml_reads_it():
    """The reading this module is for: a study file as contributors write them, quoted numbers and all."""
    text = yaml.safe_dump(valid_study("fast") | {"volume": "12", "pages": "1-10", "doi": "10.1000/x.1",
                                                 "year": 2020, "in_baseline": True},
                          sort_keys=False, allow_unicode=True)
    data = yaml_fast.read(text, MAX_DEPTH)
    assert data is not yaml_fast.DECLINED
    assert _same(data, _pyyaml(text))


@pytest.mark.parametrize("text", ["k: 1:1:1 allocation\n", "k: 'diva2:1296485'\n", "k: http://10.2.3.4:3004/a\n",
                                  "k: online 06 Feb 2022\n", "k: [a 010 b]\n"])
def test_digits_within_a_longer_value_are_read_fast(text):
    """Base-60 numbers and numbers with a leading 0 are left to PyYAML only where they may be a whole value."""
    data = yaml_fast.read(text, MAX_DEPTH)
    assert data is not yaml_fast.DECLINED
    assert _same(data, _pyyaml(text))


def test_a_block_scalar_is_read_fast():
    text = "description: >-\n  A living\n  review\nnotes: |\n  one\n  two\n"
    assert yaml_fast.read(text, MAX_DEPTH) == {"description": "A living review", "notes": "one\ntwo\n"}


def test_a_quoted_word_that_is_true_or_false_to_yaml_1_1_is_read_fast_as_text():
    assert yaml_fast.read('"NO": Norway\nanswer: "yes"\n', MAX_DEPTH) == {"NO": "Norway", "answer": "yes"}


def test_a_plain_date_is_read_fast_as_a_date():
    text = "search: 2026-11-29-01\ndate: 2026-11-29\ntitle: \"A title\"\n"
    assert yaml_fast.read(text, MAX_DEPTH) == {"search": "2026-11-29-01", "date": datetime.date(2026, 11, 29),
                                    "title": "A title"}


def test_the_loader_takes_the_fast_reading_and_still_reports_curly_quotes():
    with mock.patch.object(yaml_exact, "read", side_effect=AssertionError("PyYAML's reading was used")):
        loaded = parse_yaml_text("title: \u201cPeer work\u201d\n", "x.yaml")
    assert loaded.data == {"title": "\u201cPeer work\u201d"}
    assert [d.line for d in loaded.diagnostics] == [1]


def test_the_loader_leaves_a_declined_text_to_pyyaml_which_reports_where_the_problem_is():
    loaded = parse_yaml_text("a: 1\nb: 2\na: 3\n", "x.yaml")
    assert [(d.line, "duplicate key 'a'" in d.message) for d in loaded.diagnostics] == [(3, True)]


def test_data_nested_to_the_limit_is_read_fast_and_deeper_data_is_left_to_pyyaml():
    def nested(levels: int) -> str:
        return "[" * levels + "1" + "]" * levels + "\n"

    assert yaml_fast.read(nested(MAX_DEPTH), MAX_DEPTH) is not yaml_fast.DECLINED
    assert yaml_fast.read(nested(MAX_DEPTH + 1), MAX_DEPTH) is yaml_fast.DECLINED
    assert not parse_yaml_text(nested(MAX_DEPTH + 1), "x.yaml").ok  # and PyYAML's reading refuses it


def test_the_date_pattern_yaml_fast_reads_by_is_pyyamls():
    pattern = next(pattern for tag, pattern in yaml.resolver.Resolver.yaml_implicit_resolvers["2"]
                   if tag == "tag:yaml.org,2002:timestamp")
    assert "".join(yaml_fast._TIMESTAMP.pattern.split()) == "".join(pattern.pattern.split())
    assert yaml_fast._TIMESTAMP.flags & re.VERBOSE and pattern.flags & re.VERBOSE
