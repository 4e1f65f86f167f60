"""The load stage: any bytes in a study file give diagnostics at real places, never an exception."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from unittest import mock

import pytest
import yaml
from conftest import (
    DEFAULT_STUDIES,
    assert_points_into_file,
    check_quietly,
    make_scratch_review,
    parse_diagnostic,
    run_build_py,
    valid_study,
    write_study,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from livingreview.load import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    InputRefused,
    may_hold_anchors_or_tags,
    may_hold_control_characters,
    parse_yaml_text,
    read_input,
    read_yaml,
)
from livingreview.yaml_errors import curly_quoted, curly_quoted_tokens, curly_quoted_values
from livingreview.yaml_exact import _DuplicateKeyLoader, _plain_scalar_tag

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"
VALID_TEXT = yaml.safe_dump(valid_study("fuzz"), sort_keys=False)


# Reading one file -----------------------------------------------------------------------------------------

def test_a_valid_file_is_read_with_no_diagnostics(tmp_path):
    path = tmp_path / "fuzz.yaml"
    path.write_text(VALID_TEXT, encoding="utf-8")
    loaded = read_yaml(path, "studies/fuzz.yaml")
    assert loaded.ok and loaded.parsed
    assert loaded.data == valid_study("fuzz")


def test_a_byte_order_mark_is_allowed(tmp_path):
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID_TEXT.encode("utf-8"))
    assert read_yaml(path).ok


def test_the_billion_laughs_alias_bomb_is_refused_before_any_reading_builds_it(scratch_review):
    # Refused by the scan for anchors, before either reader could build its billions of strings: neither is
    # ever given the text.
    with mock.patch("livingreview.yaml_fast.read", side_effect=AssertionError("yaml-rs read the bomb")), \
            mock.patch("livingreview.yaml_exact.read", side_effect=AssertionError("PyYAML read the bomb")):
        loaded = read_yaml(FIXTURES / "billion-laughs.yaml", "bomb.yaml", remember=False)
    assert [(d.line, d.message) for d in loaded.diagnostics] == [
        (2, "YAML anchors and aliases (& and *) are not allowed; write the value out")]
    shutil.copy(FIXTURES / "billion-laughs.yaml", scratch_review / "studies" / "bomb.yaml")
    done = run_build_py(scratch_review, "check", timeout=20)  # memory and time capped, in case the guard breaks
    assert done.stderr.splitlines()[0] == (
        "studies/bomb.yaml:2:4: YAML anchors and aliases (& and *) are not allowed; write the value out")


def test_anchors_are_refused_in_front_matter_too():
    loaded = parse_yaml_text("title: &t Home\nnav: *t\n", "content/pages/home.md")
    assert [d.message for d in loaded.diagnostics] == [
        "YAML anchors and aliases (& and *) are not allowed; write the value out"]


# YAML documents with anchors, aliases and tags in every place a node may begin (after each indicator, each
# kind of line break, spaces and tabs), and in places none may (inside quotes and plain text).
_PROPERTY = st.sampled_from(["", "", "&a ", "*a", "!!str ", "!t ", "&a !!str ", "!<tag:x> ", "&a", "!"])
_SPACE = st.sampled_from(["", " ", "\t", "  "])
_SCALAR = st.sampled_from(["x", "'q'", '"q"', "Health & Social Care", "a & b", "'& *'", '"!x"', "x*y!", "R&D",
                           "b&i F&p", "Great!", "a &b", "x*a"])
_FLOW_ITEM = st.tuples(_SPACE, _PROPERTY, _SCALAR, st.sampled_from(["", ": y", ":&a y", ": *a"])).map("".join)
_FLOW = st.tuples(st.sampled_from("[{"), st.lists(_FLOW_ITEM, max_size=3)).map(
    lambda flow: flow[0] + ",".join(flow[1]) + ("]" if flow[0] == "[" else "}"))
_LINE = st.tuples(st.sampled_from(["", "  ", "    "]), st.sampled_from(["", "- ", "k: ", "? ", ": ", "- - ", "k:"]),
                  _SPACE, _PROPERTY, _SPACE, st.one_of(_SCALAR, _FLOW), st.sampled_from(["", " # c", ":", ": v"])
                  ).map("".join)
_BREAK = st.sampled_from(["\n", "\r", "\r\n", "\x85", "\u2028", "\u2029"])
_DOCUMENT = st.tuples(st.sampled_from(["", "\ufeff", "--- ", "---\n", "%YAML 1.1\n--- "]),
                      st.lists(_LINE, min_size=1, max_size=5), _BREAK).map(lambda doc: doc[0] + doc[2].join(doc[1]))


def _scanned_for_properties(text: str) -> bool:
    """Whether PyYAML's scanner, reading every token, finds an anchor, alias or tag before any error."""
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken, yaml.TagToken)):
                return True
    except yaml.YAMLError:
        pass
    return False


def _composes(text: str) -> bool:
    """Whether PyYAML's parser takes the text as YAML (its nodes composed, anchors and all, nothing built)."""
    try:
        yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return False
    return True


@given(_DOCUMENT)
@settings(max_examples=400, deadline=None)
def test_no_text_with_an_anchor_alias_or_tag_is_read_and_one_the_parser_takes_is_named(text):
    loaded = parse_yaml_text(text, "x.yaml")
    named = any(d.message.startswith(("YAML anchors and aliases", "YAML tags")) for d in loaded.diagnostics)
    scanned = _scanned_for_properties(text)
    assert not named or scanned
    if scanned:
        assert not loaded.ok  # refused: for the anchor, alias or tag, or for the syntax around it
        assert named or not _composes(text)


@given(_DOCUMENT)
@settings(max_examples=400, deadline=None)
def test_a_text_not_scanned_for_anchors_aliases_and_tags_has_none(text):
    """Only a text in which an anchor, alias or tag may begin is scanned for them: a scan of every token finds
    none in a text the shortcut passes over."""
    assert may_hold_anchors_or_tags(text) or not _scanned_for_properties(text)


def test_an_ampersand_or_exclamation_mark_within_a_word_or_before_a_space_is_text_and_not_scanned():
    text = "journal: R&D in Health & Social Care\ntitle: Great! A b&i study *\n"
    assert not may_hold_anchors_or_tags(text)
    assert parse_yaml_text(text, "x.yaml").data == {"journal": "R&D in Health & Social Care",
                                                     "title": "Great! A b&i study *"}
    assert all(may_hold_anchors_or_tags(anchored) for anchored in ("k: &a x", "k:&a x", "[x,*a]", "k: ! x", "!t x"))


@pytest.mark.parametrize("text", [
    "&a x", "\ufeff&a x", "--- &a x", "k: &a x", "- &a x", "? &a k\n: v", "[&a x]", "[x,&a y]", "{&a k: v}",
    '{"k":&a v}', "k:\t!!str x", *[f"k: x{line_break}&a k2: y" for line_break in ("\n", "\r", "\r\n", "\x85", "\u2028",
                                                                            "\u2029")]])
def test_an_anchor_where_a_node_begins_is_refused_after_every_indicator_and_line_break(text):
    assert _composes(text)  # YAML the parser takes: the anchor or tag would reach the data
    messages = [d.message for d in parse_yaml_text(text, "x.yaml").diagnostics]
    assert any(m.startswith(("YAML anchors and aliases", "YAML tags")) for m in messages)


def test_an_ampersand_inside_text_is_no_anchor_and_the_file_is_read():
    loaded = parse_yaml_text('journal: Health & Social Care\ntitle: "Peers & care: *a* study"\n', "x.yaml")
    assert loaded.ok and loaded.data == {"journal": "Health & Social Care", "title": "Peers & care: *a* study"}


def test_an_oversized_file_is_refused_before_it_is_parsed(scratch_review, run_check):
    path = write_study(scratch_review, "oversized-2020", notes="x" * (MAX_FILE_BYTES + 10_000))
    size = path.stat().st_size
    assert size > MAX_FILE_BYTES
    result = run_check(scratch_review)
    assert result.lines == [
        f"studies/oversized-2020.yaml:1:1: file is {size // 1024} KiB; an input file may be at most 256 KiB"]
    assert result.code == 1


def test_a_file_of_exactly_the_limit_is_read(tmp_path):
    path = tmp_path / "big.yaml"
    text = VALID_TEXT + "notes: "
    path.write_text(text + "x" * (MAX_FILE_BYTES - len(text) - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES
    assert read_yaml(path).ok


def _stat_saying(size: int, real=os.fstat):
    """os.fstat as it would have answered before the file grew to what it is now."""
    def fstat(descriptor: int) -> os.stat_result:
        found = list(real(descriptor))
        found[6] = size  # st_size
        return os.stat_result(found)
    return fstat


def test_a_file_that_grew_past_the_limit_after_it_was_measured_is_refused(tmp_path):
    path = tmp_path / "growing.yaml"
    path.write_bytes(b"x" * (MAX_FILE_BYTES + 5))
    with mock.patch("os.fstat", _stat_saying(10)), pytest.raises(InputRefused, match="larger than 256 KiB"):
        read_input(path)


def test_a_file_that_grew_within_the_limit_after_it_was_measured_is_read_whole(tmp_path):
    path = tmp_path / "growing.yaml"
    data = bytes(range(256)) * 1000  # 256,000 bytes, under the limit
    path.write_bytes(data)
    with mock.patch("os.fstat", _stat_saying(10)):
        assert read_input(path) == data


def test_deep_block_nesting_is_refused_at_the_level_that_is_too_deep(tmp_path):
    lines = ["codes:"] + [" " * level + f"k{level}:" for level in range(1, 200)] + [" " * 200 + "x: 1"]
    path = tmp_path / "deep.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = read_yaml(path, "deep.yaml")
    assert [str(d) for d in loaded.diagnostics] == [
        f"deep.yaml:{MAX_DEPTH + 1}:{MAX_DEPTH + 1}: lists and mappings are nested more than {MAX_DEPTH} "
        f"levels deep here; no input file needs that, so the file is refused"]
    assert not loaded.parsed


def test_deep_nesting_in_a_study_is_reported_by_check_without_a_traceback(scratch_review, run_check):
    # Later stages walk the data recursively: 600 levels once ended check in a RecursionError.
    path = write_study(scratch_review, "doyle-2019")
    nested = "".join(" " * level + f"k{level}:\n" for level in range(1, 600))
    path.write_text(path.read_text(encoding="utf-8") + "evidence:\n" + nested + " " * 600 + "x\n", encoding="utf-8")
    result = run_check(scratch_review)
    assert "Traceback" not in result.err
    assert [parse_diagnostic(line).message for line in result.lines] == [
        f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; "
        f"no input file needs that, so the file is refused"]


def test_nesting_up_to_the_limit_is_read(tmp_path):
    path = tmp_path / "nested.yaml"
    path.write_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", encoding="utf-8")
    assert read_yaml(path).ok


def test_deep_flow_nesting_does_not_crash_the_process(scratch_review):
    # The root mapping is the first level, so the MAX_DEPTH-th [ is one too many.
    # 60,000 nested lists overflowed the C parser's stack (a segmentation fault, not even a traceback),
    # so this runs in a process of its own.
    (scratch_review / "studies" / "deep.yaml").write_text("id: " + "[" * 60_000 + "]" * 60_000 + "\n")
    done = run_build_py(scratch_review, "check")
    assert done.returncode == 1
    # Which of the two limits (this project's or the YAML parser's own) speaks first depends on the
    # parser's version: either way the file is refused at a place on its only line, with no traceback.
    assert re.match(r"studies/deep\.yaml:1:\d+: \S", done.stderr.splitlines()[0]), done.stderr
    assert "Traceback" not in done.stderr


def test_a_control_character_is_reported_where_it_is(tmp_path):
    path = tmp_path / "nul.yaml"
    path.write_text("id: fuzz\ntitle: A\x00B\n", encoding="utf-8")
    assert [str(d) for d in read_yaml(path, "nul.yaml").diagnostics] == [
        "nul.yaml:2:9: control character U+0000 is not allowed in a YAML file; remove it"]


def test_positions_count_only_line_feeds_as_line_breaks(tmp_path):
    # YAML also breaks lines at U+2028; an editor (and GitHub) does not.
    path = tmp_path / "breaks.yaml"
    path.write_text('title: "one\u2028two"\nyear: 1\nyear: 2\n', encoding="utf-8")
    assert [str(d) for d in read_yaml(path, "b.yaml").diagnostics] == [
        "b.yaml:3:1: duplicate key 'year' (first on line 2); YAML would silently keep only the last one"]


def test_a_tab_that_breaks_the_syntax_is_reported_once_as_a_tab(tmp_path):
    path = tmp_path / "tab.yaml"
    path.write_text("codes:\n  involvement: leading\n\tstages: []\n", encoding="utf-8")
    assert [str(d) for d in read_yaml(path, "tab.yaml").diagnostics] == [
        "tab.yaml:3:1: tab character; YAML files use spaces, not tabs: indent with two spaces per level"]


def test_a_syntax_error_says_where_the_unfinished_part_began():
    loaded = parse_yaml_text("stages: [planning, building\ninvolvement: leading\n", "s.yaml")
    [diagnostic] = loaded.diagnostics
    assert diagnostic.message.endswith("while parsing a flow sequence that starts at line 1, column 9")
    assert (diagnostic.line, diagnostic.column) == (2, 12)  # at the ':' after involvement


@pytest.mark.parametrize("value", ["!!python/object/apply:os.system [echo hacked]", "!!int", "!!binary ===",
                                   "!custom thing"])
def test_a_yaml_tag_is_refused_before_anything_is_constructed(value):
    # An empty !!int once raised IndexError inside PyYAML.
    loaded = parse_yaml_text(f"id: x\nyear: {value}\n", "s.yaml")
    assert not loaded.parsed
    assert [str(d) for d in loaded.diagnostics] == [
        "s.yaml:2:7: YAML tags (such as !!str) are not allowed; write the value alone, in quotes if it is text"]


def test_an_exclamation_mark_in_text_is_not_a_tag():
    assert parse_yaml_text("title: Nothing about us without us!\n", "s.yaml").ok


# Properties: whatever is in the file ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_scratch_review(tmp_path_factory.mktemp("review"), {"adams-2018": DEFAULT_STUDIES["adams-2018"]})


# Pieces of study files (of the fixture codebook), so that the random files come near valid ones.
FRAGMENTS = ["\n", "  ", "- ", ": ", "id", "codes", "year", "title", "involvement", "stages", "[", "]", "{", "}",
             ", ", "'", '"', "&a ", "*a", "#", "\t", "---\n", "? ", "!!str ", "!!int ", "no", "NO", "2020", "-1",
             "~", "not yet coded", "leading", "10.1111/x", "|\n", ">\n", "\\", "\u2028", "\x85", "\r\n", "\ufeff"]

yamlish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40).map("".join)


@st.composite
def damaged_study(draw: st.DrawFn) -> str:
    """The valid study's text with a random piece of text cut out or put in somewhere."""
    start = draw(st.integers(0, len(VALID_TEXT)))
    end = draw(st.integers(start, min(len(VALID_TEXT), start + 30)))
    return VALID_TEXT[:start] + draw(st.one_of(yamlish, st.text(max_size=10))) + VALID_TEXT[end:]


def check_file(root: Path, content: bytes) -> None:
    path = root / "studies" / "fuzz.yaml"
    path.write_bytes(content)
    try:
        result = check_quietly(root)
    finally:
        path.unlink()
    assert "Traceback" not in result.out + result.err
    assert result.code in (0, 1)
    assert (result.code == 0) == (result.lines == [])
    path.write_bytes(content)  # back, to measure the positions against it
    try:
        for line in result.lines:
            assert_points_into_file(root, parse_diagnostic(line))
    finally:
        path.unlink()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(st.characters(blacklist_categories=("Cs",))), yamlish, damaged_study()))
def test_any_text_gives_diagnostics_inside_the_file_and_no_traceback(fuzz_review, text):
    check_file(fuzz_review, text.encode("utf-8"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(
    st.binary(max_size=200),
    st.builds(lambda at, noise: VALID_TEXT.encode()[:at] + noise + VALID_TEXT.encode()[at:],
              st.integers(0, len(VALID_TEXT)), st.binary(min_size=1, max_size=8))))
def test_any_bytes_give_diagnostics_inside_the_file_and_no_traceback(fuzz_review, content):
    check_file(fuzz_review, content)


# The plain constructor must build exactly what PyYAML's safe loader builds (for text a page can
# show: control characters are refused, see test_control_characters_from_escapes_are_refused_anywhere).
printable = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
scalars = st.one_of(
    st.text(printable, max_size=12),
    st.sampled_from(["yes", "No", "~", "null", "", "1e3", "0x1F", "0o17", "1_000", ".inf", "-.NaN", "2020-01-31",
                     "2001-12-14t21:59:43.10-05:00", "<<", "=", ": x", "- y", "#z", "12:30:00", "+1", "0.5"]),
    st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(), st.dates())
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(scalars, st.text(printable, max_size=6)), inner,
                                                 max_size=4)),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(data=documents, flow=st.sampled_from([None, True, False]))
def test_the_loader_builds_what_pyyaml_builds(data, flow):
    # the one deliberate refusal: a value wrapped in curly quotes (see the test below)
    assume(not any(isinstance(value, str) and curly_quoted(value) for value in _strings(data)))
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    loaded = parse_yaml_text(text, "doc.yaml")
    assert loaded.ok, [str(d) for d in loaded.diagnostics]
    assert loaded.data == yaml.load(text, Loader=yaml.CSafeLoader)


def test_no_path_resolver_is_added_which_the_loader_would_ignore():
    import livingreview.pipeline  # noqa: F401 - the engine as a build imports it

    # the loader skips PyYAML's calls for path resolvers around every node, and resolves tags without them
    assert not _DuplicateKeyLoader.yaml_path_resolvers


def test_only_short_plain_scalars_are_remembered_between_files():
    """What PyYAML's reading keeps from one file to the next stays small whatever the files hold: a long text
    (a title, a note) is resolved anew each time, not kept."""
    _plain_scalar_tag.cache_clear()
    loader = _DuplicateKeyLoader("notes: " + "peer support " * 100 + "\ncount: 12\n", MAX_DEPTH)
    assert loader.get_single_data() == {"notes": ("peer support " * 100).strip(), "count": 12}
    assert _plain_scalar_tag.cache_info().currsize == 3  # notes, count and 12


def _strings(data):
    if isinstance(data, dict):
        return [s for key, value in data.items() for s in _strings(key) + _strings(value)]
    if isinstance(data, list):
        return [s for item in data for s in _strings(item)]
    return [data]


@pytest.mark.parametrize("text, where", [
    ("title: “Peer workers in community teams”\n", (1, 8)),
    ("title: „Peer workers in community teams“\n", (1, 8)),
    ("id: x\nauthors:\n  - “Smith, J.”\n", (3, 5)),
    ("title: “Here if you need me” and peer support\n", None),
    ('title: "“Here if you need me”"\n', None),
    ("title: Peer workers’ roles\n", None),
    ("key:\n  “Peer workers in community teams”\n", (2, 3)),
    ("key: # a comment\n  “Peer workers”\n", (2, 3)),
    ('{"key":“Peer workers”}\n', (1, 8)),
    ("- - “Peer workers”\n", (1, 5)),
])
def test_a_value_wrapped_in_curly_quotes_is_refused_with_the_straight_form(text, where):
    """Word processors turn quotes curly; YAML would keep them inside the text (and a colon would break it)."""
    loaded = parse_yaml_text(text, "doc.yaml")
    assert [(d.line, d.column) for d in loaded.diagnostics] == ([where] if where else [])
    if where:
        assert 'straight' in loaded.diagnostics[0].message and '"' in loaded.diagnostics[0].message


# A value, and what may come between it and the key or dash before it (white space, line breaks, comments)
_BEFORE_VALUE = st.sampled_from(["key:", "- ", "key: - ", "- - ", "{key:", '{"key":', "[", "? ", "", "x", "key: x"])
_BETWEEN = st.lists(st.sampled_from([" ", "\t", "\n", "\r", "\r\n", "\u2028", "\x85", "  ", " # c\n"]), max_size=3)
_VALUES = st.sampled_from(["“peer”", "‘peer’", "„peer“", "“peer” work", "peer “x”", "“peer", "peer"])
_AFTER_VALUE = st.sampled_from(["", "\n", "}", "]\n", "\r", ", “x”", ": x\n"])
_yaml_lines = st.lists(st.tuples(_BEFORE_VALUE, _BETWEEN.map("".join), _VALUES, _AFTER_VALUE).map("".join),
                       min_size=1, max_size=3).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(text=_yaml_lines)
def test_a_text_not_scanned_for_curly_quoted_values_has_none(text):
    """Only a text in which a value may open with a curly quote is scanned for curly-quoted values: a scan of
    every token finds what the shortcut finds, in any text."""
    assert curly_quoted_values(text) == curly_quoted_tokens(text)


@pytest.mark.parametrize("text, where", [
    ('title: "A\\x01B"\n', (1, 8)),
    ('key:\n  - ok\n  - "\\u001f"\n', (3, 5)),
    ('"\\x07": a key with a bell\n', (1, 1)),
    ('notes: "\\uFFFF"\n', (1, 8)),
])
def test_control_characters_from_escapes_are_refused_anywhere(text, where):
    loaded = parse_yaml_text(text, "doc.yaml")
    assert [(d.line, d.column) for d in loaded.diagnostics] == [where]
    assert "control character" in loaded.diagnostics[0].message


@pytest.mark.parametrize("text, expected", [
    ("base: {a: 1}\n<<: {b: 2}\n", {"base": {"a": 1}, "b": 2}),    # a merge key
    ("? [a, b]\n: c\n", None),                                       # a list as a key: PyYAML refuses it
    ("when: 2020-01-31\n1: one\nnull: none\n", None),
    ("a: 1\nb: [x, {c: 2}]\na: 3\n", None),                          # a duplicate key, reported below
])
def test_what_the_plain_constructor_leaves_to_pyyaml_is_built_as_pyyaml_builds_it(text, expected):
    loaded = parse_yaml_text(text, "doc.yaml")
    try:
        reference = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as error:
        assert not loaded.parsed
        assert [d.message for d in loaded.diagnostics] == [
            f"YAML syntax error: {error.problem} {error.context} that starts at line 1, column 1"]
        return
    assert loaded.data == reference == (expected if expected is not None else reference)
    duplicates = [d for d in loaded.diagnostics if d.message.startswith("duplicate key")]
    assert len(duplicates) == text.count("\na: ")


_CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]]
# Every escape of YAML's double-quoted strings, and a backslash alone (literal in plain and single-quoted text).
_ESCAPES = [f"\\{c}" for c in "0abtnvfre \"/\\N_LPx"] + ["\\x01", "\\x41", "\\u0007", "\\u00e9", "\\U0000001f", "\\"]


@settings(max_examples=600, deadline=None)
@given(text=st.lists(st.one_of(st.sampled_from(_ESCAPES), st.sampled_from(_ESCAPES),
                               st.characters(blacklist_categories=("Cs",), blacklist_characters="\\"),
                               st.sampled_from(_CONTROLS)),  # most make the text unreadable: a few
                     max_size=12).map("".join),
       key=st.sampled_from(["title: ", "title: '", 'title: "', "title: |\n  ", "- "]))
def test_only_text_that_may_hold_a_control_character_is_searched_for_one(text, key):
    """`check` searches a file's data for control characters only where `may_hold_control_characters` says
    they could be: a text it passes over never gives one."""
    document = key + text + ("'" if key.endswith("'") else '"' if key.endswith('"') else "")
    loaded = parse_yaml_text(document, "x.yaml")
    control = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
    found = control.search(repr_text(loaded.data)) if loaded.parsed else None
    assert found is None or may_hold_control_characters(document), (document, loaded.data)


@pytest.mark.parametrize("escape", ["\\0", "\\a", "\\b", "\\v", "\\f", "\\e", "\\N", "\\x01", "\\u0007", "\\U0000001f"])
def test_each_escape_that_gives_a_control_character_is_searched_for_one(escape):
    document = f'title: "a{escape}b"\n'
    assert may_hold_control_characters(document)
    assert "control character" in parse_yaml_text(document, "x.yaml").diagnostics[0].message


def test_evidence_quoted_within_double_quotes_is_not_searched_for_control_characters():
    assert not may_hold_control_characters('where: "Methods, \\"Peer support\\", p. 3"\n')
    assert may_hold_control_characters('where: "Methods\\x01"\n')


def repr_text(value: object) -> str:
    """Every string in parsed data, joined."""
    if isinstance(value, dict):
        return "".join(repr_text(k) + repr_text(v) for k, v in value.items())
    if isinstance(value, list):
        return "".join(map(repr_text, value))
    return value if isinstance(value, str) else ""


def test_a_text_read_twice_is_composed_once_for_the_places_asked_in_it(monkeypatch):
    """Each release holds a copy of the baseline, most often the same: its values as written are found by
    composing its text once."""
    from livingreview import yaml_exact

    text = "figures:\n  - key: a\n    percent: 67.40\n"
    composed = []
    yaml_exact.compose.cache_clear()
    real = yaml.compose
    monkeypatch.setattr(yaml_exact.yaml, "compose", lambda *args, **kwargs: composed.append(1) or real(*args, **kwargs))
    first, second = parse_yaml_text(text, "a.yaml"), parse_yaml_text(text, "b.yaml")
    assert first.raw_scalar(["figures", 0, "percent"]) == second.raw_scalar(["figures", 0, "percent"]) == "67.40"
    assert len(composed) == 1


# A percentage as a baseline may write it, and text around it that holds numbers with points of its own.
_WRITTEN_NUMBER = st.tuples(st.sampled_from(["", "-", "+"]), st.text("0123456789_", min_size=1, max_size=3),
                            st.sampled_from([".", ".0", ".00", ".5", ".50", ".05", ".123", "._5", ".5_0"]),
                            st.sampled_from(["", "e+3", "e-2", "E+1"])).map("".join)
_AROUND = st.sampled_from(["", "# CC BY 4.0.\n", "note: studies dated 2022.\n", "doi: 10.1000/x.5\n",
                           "note: >\n  read in 2022.\n  67.40\n", "at: 1:20.5\n", "label: '67.40'\n",
                           "list: [1.50, 2.5]\n", "version: 1.2.3\n", "- 1.0\n"])


@given(_WRITTEN_NUMBER, st.sampled_from(["percent: {}\n", "percent:  {} # c\n", "{{percent: {}}}\n",
                                         "{{percent: {} }}\n", "percent:\n  {}\n"]), _AROUND, _AROUND)
@settings(max_examples=1500, deadline=None)
def test_a_number_is_read_as_written_without_composing_the_text_where_that_is_its_own_form(number, form, before,
                                                                                            after):
    text = before + form.format(number) + after
    loaded = parse_yaml_text(text, "baseline.yaml")
    assume(loaded.ok and isinstance(loaded.data, dict) and isinstance(loaded.data.get("percent"), float))
    assert loaded.float_as_written(["percent"], loaded.data["percent"]) == loaded.raw_scalar(["percent"])
