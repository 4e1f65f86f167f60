"""Reading YAML with PyYAML: the texts yaml_fast leaves to it, and the places of values in a text.

Importing PyYAML takes 14 ms (its reader compiles a pattern of every character it refuses), as long as reading
every file of a small review: this module imports it, and is itself imported only where a text needs it (one
yaml_fast declines, one with a problem to place, a value to read as written).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import yaml

from .diagnostics import Diagnostic
from .yaml_errors import curly_quoted_values, explain, position

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_REMEMBERED_LENGTH = 64  # characters: what is kept stays small, whatever the files hold


def read(text: str, display: str, problems: list[Diagnostic], max_depth: int) -> tuple[Any, bool, bool]:
    """PyYAML's reading of a text: its data, whether it was read, and whether the data is known to nest at
    most `max_depth` lists and mappings deep. Each problem is added to `problems`, where it is."""
    loader = _DuplicateKeyLoader(text, max_depth)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark and any((d.line, d.column) == position(text, mark) for d in problems):
            return None, False, False  # a tab diagnostic at the same place already says what is wrong
        problems.append(Diagnostic(display, *explain(error, text)))
        return None, False, False
    except yaml.reader.ReaderError as error:
        index = error.position  # the C reader counts UTF-8 bytes, the Python one characters
        if not (0 <= index < len(text) and ord(text[index]) == error.character):
            index = len(text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        before = text[:index]
        line, column = before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1
        character = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        problems.append(Diagnostic(display, line, column,
                                   f"control character {character} is not allowed in a YAML file; remove it"))
        return None, False, False
    except Exception as error:  # noqa: BLE001 - PyYAML's constructors may raise anything on odd input
        message = " ".join(str(error).split())  # one line, whatever the library said
        problems.append(Diagnostic(display, 1, 1, f"cannot be read as YAML: {message}"))
        return None, False, False
    finally:
        loader.dispose()
    for line, column, message in curly_quoted_values(text):
        problems.append(Diagnostic(display, line, column, message))
    for key, mark, first in loader.duplicate_keys:
        problems.append(Diagnostic(
            display, *position(text, mark),
            f"duplicate key '{key}' (first on line {position(text, first)[0]}); "
            f"YAML would silently keep only the last one"))
    return data, True, loader.within_depth


def anchor_or_tag(text: str) -> tuple[int, int, str] | None:
    """Where the first anchor, alias or tag is, and why it is refused: they are never needed here; aliases
    enable alias bombs, and tags such as !!int or !!binary make PyYAML's constructors fail in ways it does not
    report."""
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                message = "YAML anchors and aliases (& and *) are not allowed; write the value out"
            elif isinstance(token, yaml.TagToken):
                message = "YAML tags (such as !!str) are not allowed; write the value alone, in quotes if it is text"
            else:
                continue
            return (*position(text, token.start_mark), message)
    except yaml.YAMLError:
        return None  # the parse that follows reports the syntax error with its position
    return None


def too_deep(text: str, max_depth: int) -> tuple[int, int, str] | None:
    """Where the first list or mapping nested more than `max_depth` levels deep is (the parser has no limit)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > max_depth:
                    return (*position(text, event.start_mark),  # type: ignore[arg-type]
                            f"lists and mappings are nested more than {max_depth} levels deep here; "
                            f"no input file needs that, so the file is refused")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None  # the parse reports the syntax error with its position
    return None


@lru_cache(maxsize=8)
def compose(text: str) -> yaml.Node | None:
    """The node tree of a text, composed once per text: each release holds a copy of the baseline, most often
    the same, whose percentages are read as written (5 ms each in the repository's). Nothing changes a tree."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return None


def find_node(node: yaml.Node | None, location: Sequence[Any], *, key: bool = False) -> yaml.Node | None:
    """The node at a key path (the key itself with `key`), or its deepest existing parent."""
    if node is None:
        return None
    for index, step in enumerate(location):
        last = index == len(location) - 1
        child = _child(node, step, want_key=key and last)
        if child is None:
            return node
        node = child
    return node


def _child(node: yaml.Node, step: str | int, want_key: bool) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(step):
                return key_node if want_key else value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]
    return None


def scalar_as_written(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def is_quoted(node: yaml.Node | None) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')


_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_DEFAULT_TAGS = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}


class _Unusual(Exception):
    """A node the plain constructor leaves to PyYAML's own."""


class _DuplicateKeyLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe C loader that records duplicate mapping keys instead of silently dropping them."""

    def __init__(self, stream: str, max_depth: int):
        super().__init__(stream)
        self.max_depth = max_depth
        self.duplicate_keys: list[tuple[str, yaml.Mark, yaml.Mark]] = []
        self.within_depth = False  # True once the data is known to nest at most max_depth levels

    def construct_document(self, node: yaml.Node) -> Any:
        """The data, built by a plain recursive walk of the nodes.

        PyYAML's generic constructor (generators, for recursive structures that anchors allow and this
        project refuses) took most of the time spent reading a file. Anything the walk does not expect
        (a merge key, a key that is a list or mapping, another tag, nesting deeper than max_depth) is
        left to that constructor, which then behaves, and fails, as it always did."""
        try:
            data = self._plain(node, 1)
        except _Unusual:
            self.duplicate_keys.clear()
            return super().construct_document(node)
        self.within_depth = True
        return data

    def _plain(self, node: yaml.Node, depth: int) -> Any:
        kind, tag = node.__class__, node.tag
        if kind is yaml.ScalarNode:
            if tag == _STR:
                return node.value
            if tag not in _PLAIN_TAGS:
                raise _Unusual
            return self.yaml_constructors[tag](self, node)
        if depth > self.max_depth:
            raise _Unusual
        if kind is yaml.SequenceNode and tag == _SEQ:
            return [self._plain(item, depth + 1) for item in node.value]
        if kind is not yaml.MappingNode or tag != _MAP:
            raise _Unusual
        mapping = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag not in _PLAIN_TAGS:
                raise _Unusual  # a merge key (<<), or a list or mapping as a key
            # text, most keys and values, is taken here: a call for each would cost a tenth of the reading
            key = key_node.value if key_node.tag == _STR else self._plain(key_node, depth + 1)
            mapping[key] = value_node.value if value_node.__class__ is yaml.ScalarNode and value_node.tag == _STR \
                else self._plain(value_node, depth + 1)
        if len(mapping) != len(node.value):
            self._record_duplicates(node)  # type: ignore[arg-type]  # a mapping node, checked above
        return mapping

    # The C parser calls these two around every node, for path resolvers, and none is ever added (see
    # `resolve`): without the calls, a synthetic study file is parsed in 184 instead of 193 µs.
    def descend_resolver(self, current_node: yaml.Node | None, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # A plain scalar's tag depends on its text alone: a short one's is remembered (a key, a coded value).
        if kind is yaml.ScalarNode and implicit[0]:
            if len(value) <= _REMEMBERED_LENGTH:
                return _plain_scalar_tag(value)
        elif not self.yaml_path_resolvers:  # none is ever added: a node's tag is then its kind's default
            return _DEFAULT_TAGS[kind]  # (a quoted scalar is text, whatever it says)
        return str(super().resolve(kind, value, implicit))

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        keys = [key_node.value for key_node, _ in node.value if isinstance(key_node, yaml.ScalarNode)]
        if len(keys) != len(set(keys)):  # rare: only then find which keys repeat, and where
            self._record_duplicates(node)
        return super().construct_mapping(node, deep)

    def _record_duplicates(self, node: yaml.MappingNode) -> None:
        seen: dict[str, yaml.Mark] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicate_keys.append((key_node.value, key_node.start_mark, seen[key_node.value]))
                seen.setdefault(key_node.value, key_node.start_mark)


@lru_cache(maxsize=4096)
def _plain_scalar_tag(value: str) -> str:
    """The tag YAML gives a plain scalar written as `value` (str, int, bool, ...), remembered: files repeat
    the same keys and values, and matching each against YAML's patterns again took a sixth of the time
    spent parsing a study file."""
    return str(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)))


_RESOLVER = _Loader("")  # a loader of no text, used only for its patterns
