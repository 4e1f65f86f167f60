"""Load stage: read YAML input files safely, keeping every problem as a diagnostic.

Files are parsed by yaml_fast where it reads them as PyYAML would, else by PyYAML's C loader (yaml_exact,
imported only then). Line numbers are recovered (by composing the node tree again) only for files that
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
from typing import TYPE_CHECKING, Any, Protocol

from . import yaml_fast
from .diagnostics import Diagnostic
from .yaml_errors import curly_quoted_values, position

if TYPE_CHECKING:
    import yaml

MAX_FILE_BYTES = 256 * 1024
# Characters no page can show (tab and line breaks aside): YAML's escapes ("\x01") can write them.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
MAX_DEPTH = 32  # levels of nested lists and mappings; a study needs 4, the codebook 6


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
        from . import yaml_exact  # PyYAML, imported only where a place is asked for (see yaml_exact)

        if self._tree is None:
            self._tree = yaml_exact.compose(self.text or "") or False
        return yaml_exact.find_node(self._tree or None, location, key=key)

    def raw_scalar(self, location: Sequence[Any]) -> str | None:
        """The value at `location` exactly as written, before YAML typed it."""
        from . import yaml_exact

        return yaml_exact.scalar_as_written(self.node(location))

    def float_as_written(self, location: Sequence[Any], value: float) -> str | None:
        """The number YAML read as `value` at `location`, as written (67.40, read as 67.4). Where each number
        with a point that may stand as a value in the text is written as Python writes the number it is (67.4;
        not 67.40, +67.4 or 1_0.5), that is `value`'s own form, and the text is not composed for it: composing
        imports PyYAML, 14 ms, and took 4 more for the repository's baseline."""
        if _points_as_python_writes(self.text or ""):
            return repr(value)
        return self.raw_scalar(location)

    def is_quoted(self, location: Sequence[Any]) -> bool:
        """Whether the value at `location` is written in quotes (and so is text to YAML)."""
        from . import yaml_exact

        return yaml_exact.is_quoted(self.node(location))


# A number with a point where a plain value may stand: after a line's start, an indicator ([ { , : ? -) and any
# spaces, and before a space, an indicator, a comment or the end (a DOI's 10.1000/x, or the year that ends a
# sentence in prose, stands elsewhere).
_STANDING_POINT_NUMBER = re.compile(r"(?:^|[\[{,:?\-\r\x85\u2028\u2029])[ \t]*([-+0-9_:.eE]*\.[-+0-9_:.eE]*)"
                                    r"(?=[\s,\]}#:]|\Z)", re.MULTILINE)


@lru_cache(maxsize=8)
def _points_as_python_writes(text: str) -> bool:
    for match in _STANDING_POINT_NUMBER.finditer(text):
        written = match.group(1)
        if any(character.isdigit() for character in written):
            try:
                if repr(float(written)) != written:
                    return False
            except ValueError:
                return False
    return True


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
    if ("&" in text or "*" in text or "!" in text) and may_hold_anchors_or_tags(text):
        from . import yaml_exact  # PyYAML, imported only for a text that needs it (see yaml_exact)

        if _refused(loaded, yaml_exact.anchor_or_tag(text)):
            return
    # Very deep flow nesting ([[[[...) overflows the C parser's stack: count levels before parsing.
    if text.count("[") + text.count("{") > 1000 and _refused(loaded, _too_deep(text)):
        return
    within_depth = _parse(loaded, text)
    # Deep block nesting parses, but later stages walk the data recursively.
    if loaded.parsed and not within_depth and _depth(loaded.data) > MAX_DEPTH:
        if not _refused(loaded, _too_deep(text)):  # not expected: the events nest as the data does
            loaded.diagnostics.append(Diagnostic(loaded.display, 1, 1, f"nested more than {MAX_DEPTH} levels deep"))
        loaded.data, loaded.parsed = None, False
    if loaded.parsed and may_hold_control_characters(text):
        for where, character, is_key in _control_characters(loaded.data, []):
            loaded.error(f"{'.'.join(map(str, where)) or 'the value'} contains the control character "
                         f"U+{ord(character):04X} (from an escape such as \\0 or \\x01 in a double-quoted "
                         f"string), which a web page cannot show; remove it", where, key=is_key)


def _too_deep(text: str) -> tuple[int, int, str] | None:
    from . import yaml_exact

    return yaml_exact.too_deep(text, MAX_DEPTH)


def _refused(loaded: LoadedFile, problem: tuple[int, int, str] | None) -> bool:
    """Record a problem that refuses the whole text, if there is one."""
    if problem is None:
        return False
    loaded.diagnostics.append(Diagnostic(loaded.display, *problem))
    return True


def may_hold_anchors_or_tags(text: str) -> bool:
    """Whether `text` may hold an anchor, alias or tag: each begins a token, which follows the text's start, a
    space, a line break or an indicator, never a letter or digit (an "&" in "R&D" is text), and the name of an
    anchor or alias follows its sign at once (an "&" before a space is text, or an error). Scanning every
    token of the repository's 29 files with an "&" took 10 ms of each fresh check."""
    return _ANCHOR_OR_TAG.search(text) is not None


# The sign first: a pattern that begins by looking behind is tried at every character (a study file: 9 -> 2 µs).
_ANCHOR_OR_TAG = re.compile(r"[&*!](?<![0-9A-Za-z][&*!])(?:(?<=!)|(?=[-\w]))")


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
    from . import yaml_exact  # PyYAML, imported only for a text yaml_fast leaves to it (see yaml_exact)

    loaded.data, loaded.parsed, within_depth = yaml_exact.read(text, loaded.display, loaded.diagnostics, MAX_DEPTH)
    return within_depth


def locate(text: str, location: Sequence[Any], *, key: bool = False) -> tuple[int, int]:
    """Line and column (from 1) of the node at a key path, or of its deepest existing parent."""
    from . import yaml_exact

    node = yaml_exact.find_node(yaml_exact.compose(text), location, key=key)
    if node is None:
        return 1, 1
    return position(text, node.start_mark)
