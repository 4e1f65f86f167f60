"""Load stage: read YAML input files safely, keeping every problem as a diagnostic.

Files are parsed by yaml_fast where it reads them as PyYAML would, else with PyYAML's C
loader. Line numbers are recovered (by composing the node tree again) only for files that
have a problem, which keeps the common case of a valid file fast.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from . import yaml_fast
from .diagnostics import Diagnostic
from .yaml_errors import curly_quoted_values, explain

MAX_FILE_BYTES = 256 * 1024
# Characters no page can show (tab and line breaks aside): YAML's escapes ("\x01") can write them.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
MAX_DEPTH = 32  # levels of nested lists and mappings; a study needs 4, the codebook 6
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class LoadedFile:
    """A YAML file as read from disk: its data, or why it could not be read."""

    path: Path
    display: str
    text: str | None = None
    data: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    parsed: bool = False
    _tree: Any = field(default=None, repr=False)  # the node tree, composed once when a place is first asked

    @property
    def ok(self) -> bool:
        return not self.diagnostics

    def error(self, message: str, location: Sequence[Any] = (), *, key: bool = False) -> None:
        """Record a problem at the node a key path points to (the key itself with `key`)."""
        node = self.node(location, key=key)
        line, column = position(self.text or "", node.start_mark) if node is not None else (1, 1)
        self.diagnostics.append(Diagnostic(self.display, line, column, " ".join(message.split())))

    def node(self, location: Sequence[Any], *, key: bool = False) -> yaml.Node | None:
        """The YAML node at `location` (or its deepest existing parent), with its position and tag."""
        if self._tree is None:
            self._tree = _compose(self.text or "") or False
        return _find_node(self._tree or None, location, key=key)

    def raw_scalar(self, location: Sequence[Any]) -> str | None:
        """The value at `location` exactly as written, before YAML typed it."""
        node = self.node(location)
        return node.value if isinstance(node, yaml.ScalarNode) else None

    def is_quoted(self, location: Sequence[Any]) -> bool:
        """Whether the value at `location` is written in quotes (and so is text to YAML)."""
        node = self.node(location)
        return isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')


_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_DEFAULT_TAGS = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}


class _Unusual(Exception):
    """A node the plain constructor leaves to PyYAML's own."""


class _DuplicateKeyLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe C loader that records duplicate mapping keys instead of silently dropping them."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, yaml.Mark, yaml.Mark]] = []
        self.within_depth = False  # True once the data is known to nest at most MAX_DEPTH levels

    def construct_document(self, node: yaml.Node) -> Any:
        """The data, built by a plain recursive walk of the nodes.

        PyYAML's generic constructor (generators, for recursive structures that anchors allow and this
        project refuses) took most of the time spent reading a file. Anything the walk does not expect
        (a merge key, a key that is a list or mapping, another tag, nesting deeper than MAX_DEPTH) is
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
        if depth > MAX_DEPTH:
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
_REMEMBERED_LENGTH = 64  # characters: what is kept stays small, whatever the files hold


def read_yaml(path: Path, display: str | None = None, max_bytes: int = MAX_FILE_BYTES,
              remember: bool = True) -> LoadedFile:
    """Read one YAML file; never raises for bad content. `remember`: keep its data for a later reading of
    the same text (see _READ)."""
    loaded = LoadedFile(path, display or str(path))
    text = _read_text(loaded, max_bytes)
    if text is None:
        return loaded
    loaded.text = text
    _check_tabs(loaded, text)
    _load(loaded, text, remember)
    return loaded


def parse_yaml_text(text: str, display: str) -> LoadedFile:
    """Parse YAML held in memory (a front-matter block, a pasted entry) like a file."""
    loaded = LoadedFile(Path(display), display, text=text)
    _load(loaded, text)
    return loaded


# The data of texts read without a problem, by text: a release holds the content and data files as the
# working tree (or an earlier release) had them, mostly word for word, and each edition reads its own.
# Each reader gets a copy. Study files are not remembered: a study's text is read once (releases hold
# studies as JSON).
_READ: dict[str, Any] = {}
_READ_MOST = 16 * 1024 * 1024  # characters of text remembered, then all forgotten at once (`serve` reads on)
_read_size = 0


class ParsedMemory(Protocol):
    """What an earlier run parsed (cache.ParsedTexts): the data of a text it parsed without a problem."""

    def get(self, text: str) -> Any:
        """The data, or None if the text is not known."""

    def keep(self, text: str, data: Any) -> None:
        """Keep a text parsed anew and its data, which nothing changes from then on."""


_earlier: ParsedMemory | None = None


@contextlib.contextmanager
def parsed_earlier(memory: ParsedMemory) -> Iterator[None]:
    """Within: a text to be remembered that an earlier run parsed is given its data instead of parsed again,
    and each text parsed anew is kept there."""
    global _earlier
    _earlier = memory
    try:
        yield
    finally:
        _earlier = None


def _load(loaded: LoadedFile, text: str, remember: bool = True) -> None:
    """Refuse what could exhaust memory or the stack, then parse."""
    global _read_size
    earlier = _earlier if remember else None
    data = earlier.get(text) if earlier is not None else None
    if data is not None:
        loaded.data, loaded.parsed = data, True
        return
    if text in _READ:
        loaded.data, loaded.parsed = _copied(_READ[text]), True
    else:
        _load_anew(loaded, text)
        if remember and loaded.parsed and not loaded.diagnostics:
            if _read_size + len(text) > _READ_MOST:
                _READ.clear()
                _read_size = 0
            _READ[text] = _copied(loaded.data)
            _read_size += len(text)
    if earlier is not None and loaded.parsed and not loaded.diagnostics:
        earlier.keep(text, _READ[text])  # the data as parsed, which no reader is given (each gets a copy)


def _copied(data: Any) -> Any:
    """Parsed data, its lists and mappings copied (all else YAML reads here is immutable)."""
    if isinstance(data, dict):
        return {key: _copied(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_copied(value) for value in data]
    return data


def _load_anew(loaded: LoadedFile, text: str) -> None:
    if ("&" in text or "*" in text or "!" in text) and may_hold_anchors_or_tags(text) \
            and _has_anchors_or_tags(loaded, text):
        return
    # Very deep flow nesting ([[[[...) overflows the C parser's stack: count levels before parsing.
    if text.count("[") + text.count("{") > 1000 and _too_deep(loaded, text):
        return
    within_depth = _parse(loaded, text)
    # Deep block nesting parses, but later stages walk the data recursively.
    if loaded.parsed and not within_depth and _depth(loaded.data) > MAX_DEPTH:
        if not _too_deep(loaded, text):  # not expected: the events nest as the data does
            loaded.diagnostics.append(Diagnostic(loaded.display, 1, 1, f"nested more than {MAX_DEPTH} levels deep"))
        loaded.data, loaded.parsed = None, False
    if loaded.parsed and may_hold_control_characters(text):
        for where, character, is_key in _control_characters(loaded.data, []):
            loaded.error(f"{'.'.join(map(str, where)) or 'the value'} contains the control character "
                         f"U+{ord(character):04X} (from an escape such as \\0 or \\x01 in a double-quoted "
                         f"string), which a web page cannot show; remove it", where, key=is_key)


def may_hold_anchors_or_tags(text: str) -> bool:
    """Whether `text` may hold an anchor, alias or tag: each begins a token, which follows the text's start, a
    space, a line break or an indicator, never a letter or digit (an "&" in "R&D" is text), and the name of an
    anchor or alias follows its sign at once (an "&" before a space is text, or an error). Scanning every
    token of the repository's 29 files with an "&" took 10 ms of each fresh check."""
    return _ANCHOR_OR_TAG.search(text) is not None


_ANCHOR_OR_TAG = re.compile(r"(?<![0-9A-Za-z])(?:[&*][-\w]|!)")


def may_hold_control_characters(text: str) -> bool:
    """Whether parsing `text` may give a control character. YAML's reader refuses them written as such (but
    NEL, a line break to YAML, and the noncharacters), so they come only from the escapes that make them:
    evidence quoted in double quotes (\\" inside) need not be searched."""
    return _CONTROL_ESCAPE.search(text) is not None or any(c in text for c in "\x85\ufffe\uffff")


_CONTROL_ESCAPE = re.compile(r"\\[0abvfeNxuU]")  # \0 \a \b \v \f \e \N (U+0085), \xXX, \uXXXX, \UXXXXXXXX


def read_input(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of an input file; InputRefused if it is not a regular file, or is too large.

    A symbolic link is refused, not followed (it could point anywhere on the machine), and a pipe or
    device is never read (reading a pipe would wait for ever)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if os.path.islink(path):
            raise InputRefused("this is a symbolic link; write the file itself here") from None
        raise InputRefused(f"cannot read file: {error.strerror}") from None
    # Read at the size the file has, with no file object: reading up to the limit at once set aside the
    # limit's bytes for every file (10,000 study files: 345 -> 133 ms), and a file object asks the system
    # more of each file (133 -> 100 ms).
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise InputRefused("not a regular file (a folder, pipe or device); an input must be a plain file")
        if info.st_size > max_bytes:
            raise InputRefused(f"file is {info.st_size // 1024} KiB; an input file may be at most "
                               f"{max_bytes // 1024} KiB")
        data = os.read(descriptor, info.st_size + 1)  # a byte more than it had: a file that grew since is read on
        if len(data) > info.st_size:
            data += os.read(descriptor, max_bytes + 1 - len(data))
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise InputRefused(f"file is larger than {max_bytes // 1024} KiB, the most an input file may be")
    return data


class InputRefused(Exception):
    """An input file that is not read, and why."""


def decode_utf8(raw: bytes, display: str) -> tuple[str | None, Diagnostic | None]:
    """The text of a UTF-8 file (a byte-order mark is dropped), or where it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        return None, Diagnostic(display, line, column, f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x}); "
                                                       f"save it with UTF-8 encoding")


def _read_text(loaded: LoadedFile, max_bytes: int) -> str | None:
    try:
        raw = read_input(loaded.path, max_bytes)
    except InputRefused as refusal:
        loaded.diagnostics.append(Diagnostic(loaded.display, 1, 1, str(refusal)))
        return None
    text, problem = decode_utf8(raw, loaded.display)
    if problem:
        loaded.diagnostics.append(problem)
    return text


def _check_tabs(loaded: LoadedFile, text: str) -> None:
    if "\t" not in text:
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if "\t" in line:
            loaded.diagnostics.append(Diagnostic(
                loaded.display, number, line.index("\t") + 1,
                "tab character; YAML files use spaces, not tabs: indent with two spaces per level"))


def _has_anchors_or_tags(loaded: LoadedFile, text: str) -> bool:
    """Refuse anchors, aliases and tags: they are never needed here; aliases enable alias bombs,
    and tags such as !!int or !!binary make PyYAML's constructors fail in ways it does not report."""
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                message = "YAML anchors and aliases (& and *) are not allowed; write the value out"
            elif isinstance(token, yaml.TagToken):
                message = "YAML tags (such as !!str) are not allowed; write the value alone, in quotes if it is text"
            else:
                continue
            loaded.diagnostics.append(Diagnostic(loaded.display, *position(text, token.start_mark), message))
            return True
    except yaml.YAMLError:
        return False  # the parse that follows reports the syntax error with its position
    return False


def _too_deep(loaded: LoadedFile, text: str) -> bool:
    """Report the first list or mapping nested more than MAX_DEPTH levels deep (the parser has no limit)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    loaded.diagnostics.append(Diagnostic(
                        loaded.display, *position(text, event.start_mark),  # type: ignore[arg-type]
                        f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; "
                        f"no input file needs that, so the file is refused"))
                    return True
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return False  # the parse reports the syntax error with its position
    return False


def _control_characters(value: Any, path: list, is_key: bool = False) -> Any:
    """Where text holds a control character: (path, the character, whether it is in a key)."""
    if isinstance(value, str):
        found = CONTROL_CHARACTER.search(value)
        if found:
            yield path, found.group(), is_key
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _control_characters(key, path + [key], True)
            yield from _control_characters(item, path + [key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _control_characters(item, path + [index])


def _depth(data: Any) -> int:
    """How many levels of lists and mappings the parsed data has (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (value.values() if isinstance(value, dict) else value))
    return deepest


def _parse(loaded: LoadedFile, text: str) -> bool:
    """Parse into loaded.data, or record why not; return whether the data is known to nest at most MAX_DEPTH."""
    data = yaml_fast.read(text, MAX_DEPTH)
    if data is not yaml_fast.DECLINED:
        loaded.data, loaded.parsed = data, True
        loaded.diagnostics.extend(Diagnostic(loaded.display, line, column, message)
                                  for line, column, message in curly_quoted_values(text))
        return True  # yaml_fast declines data nested deeper than MAX_DEPTH
    loader = _DuplicateKeyLoader(text)
    try:
        loaded.data = loader.get_single_data()
        loaded.parsed = True
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark and any((d.line, d.column) == position(text, mark) for d in loaded.diagnostics):
            return False  # a tab diagnostic at the same place already says what is wrong
        loaded.diagnostics.append(Diagnostic(loaded.display, *explain(error, text)))
        return False
    except yaml.reader.ReaderError as error:
        index = error.position  # the C reader counts UTF-8 bytes, the Python one characters
        if not (0 <= index < len(text) and ord(text[index]) == error.character):
            index = len(text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        before = text[:index]
        line, column = before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1
        character = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        loaded.diagnostics.append(Diagnostic(loaded.display, line, column,
                                             f"control character {character} is not allowed in a YAML file; "
                                             f"remove it"))
        return False
    except Exception as error:  # noqa: BLE001 - PyYAML's constructors may raise anything on odd input
        message = " ".join(str(error).split())  # one line, whatever the library said
        loaded.diagnostics.append(Diagnostic(loaded.display, 1, 1, f"cannot be read as YAML: {message}"))
        return False
    finally:
        loader.dispose()
    for line, column, message in curly_quoted_values(text):
        loaded.diagnostics.append(Diagnostic(loaded.display, line, column, message))
    for key, mark, first in loader.duplicate_keys:
        loaded.diagnostics.append(Diagnostic(
            loaded.display, *position(text, mark),
            f"duplicate key '{key}' (first on line {position(text, first)[0]}); "
            f"YAML would silently keep only the last one"))
    return loader.within_depth


def locate(text: str, location: Sequence[Any], *, key: bool = False) -> tuple[int, int]:
    """Line and column (from 1) of the node at a key path, or of its deepest existing parent."""
    node = _find_node(_compose(text), location, key=key)
    if node is None:
        return 1, 1
    return position(text, node.start_mark)


def position(text: str, mark: yaml.Mark) -> tuple[int, int]:
    """Line and column (from 1) of a parser mark, as an editor counts them.

    YAML also breaks lines at a lone carriage return, U+0085, U+2028 and U+2029; editors and
    GitHub count only line feeds, so in a text holding one of those the position is recounted
    from the mark's index. So is the end of a text with no final line feed, which the parser
    puts on a line of its own past the end.
    """
    if mark.index < len(text) and not any(c in text for c in _OTHER_LINE_BREAKS):
        return mark.line + 1, mark.column + 1
    index = min(mark.index, len(text))
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


_OTHER_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


@lru_cache(maxsize=8)
def _compose(text: str) -> yaml.Node | None:
    """The node tree of a text, composed once per text: each release holds a copy of the baseline, most often
    the same, whose percentages are read as written (5 ms each in the repository's). Nothing changes a tree."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return None


def _find_node(node: yaml.Node | None, location: Sequence[Any], *, key: bool = False) -> yaml.Node | None:
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
