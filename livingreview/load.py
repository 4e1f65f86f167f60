"""Load stage: read YAML input files safely, keeping every problem as a diagnostic.

Files are parsed with PyYAML's C loader. Line numbers are recovered (by composing
the node tree again) only for files that have a problem, which keeps the common
case of a valid file fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml

from .diagnostics import Diagnostic

MAX_FILE_BYTES = 256 * 1024
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

    @property
    def ok(self) -> bool:
        return not self.diagnostics

    def error(self, message: str, location: Sequence[str | int] = (), *, key: bool = False) -> None:
        """Record a problem at the node a key path points to (the key itself with `key`)."""
        line, column = locate(self.text or "", location, key=key)
        self.diagnostics.append(Diagnostic(self.display, line, column, message))

    def raw_scalar(self, location: Sequence[str | int]) -> str | None:
        """The value at `location` exactly as written, before YAML typed it."""
        node = _find_node(self.text or "", location)
        return node.value if isinstance(node, yaml.ScalarNode) else None


class _DuplicateKeyLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe C loader that records duplicate mapping keys instead of silently dropping them."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, yaml.Mark]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicate_keys.append((key_node.value, key_node.start_mark))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def read_yaml(path: Path, display: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> LoadedFile:
    """Read one YAML file; never raises for bad content."""
    loaded = LoadedFile(path, display or str(path))
    text = _read_text(loaded, max_bytes)
    if text is None:
        return loaded
    loaded.text = text
    _check_tabs(loaded, text)
    if ("&" in text or "*" in text) and _has_anchors(loaded, text):
        return loaded
    _parse(loaded, text)
    return loaded


def parse_yaml_text(text: str, display: str) -> LoadedFile:
    """Parse YAML held in memory (a front-matter block, a pasted entry) like a file."""
    loaded = LoadedFile(Path(display), display, text=text)
    if ("&" in text or "*" in text) and _has_anchors(loaded, text):
        return loaded
    _parse(loaded, text)
    return loaded


def _read_text(loaded: LoadedFile, max_bytes: int) -> str | None:
    try:
        size = os.path.getsize(loaded.path)
        if size > max_bytes:
            loaded.diagnostics.append(Diagnostic(
                loaded.display, 1, 1,
                f"file is {size // 1024} KiB; an input file may be at most {max_bytes // 1024} KiB"))
            return None
        raw = loaded.path.read_bytes()
    except OSError as error:
        loaded.diagnostics.append(Diagnostic(loaded.display, 1, 1, f"cannot read file: {error.strerror}"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        loaded.diagnostics.append(Diagnostic(
            loaded.display, line, column,
            f"file is not valid UTF-8 (byte 0x{raw[error.start]:02x}); save it with UTF-8 encoding"))
        return None


def _check_tabs(loaded: LoadedFile, text: str) -> None:
    if "\t" not in text:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if "\t" in line:
            loaded.diagnostics.append(Diagnostic(
                loaded.display, number, line.index("\t") + 1,
                "tab character; YAML files must use spaces for indentation and no tabs"))


def _has_anchors(loaded: LoadedFile, text: str) -> bool:
    """Refuse anchors and aliases: they are never needed here and enable alias bombs."""
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                mark = token.start_mark
                loaded.diagnostics.append(Diagnostic(
                    loaded.display, mark.line + 1, mark.column + 1,
                    "YAML anchors and aliases (& and *) are not allowed; write the value out"))
                return True
    except yaml.YAMLError:
        return False  # the parse that follows reports the syntax error with its position
    return False


def _parse(loaded: LoadedFile, text: str) -> None:
    loader = _DuplicateKeyLoader(text)
    try:
        loaded.data = loader.get_single_data()
        loaded.parsed = True
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(p for p in (error.context, error.problem) if p)
        loaded.diagnostics.append(Diagnostic(loaded.display, line, column, f"YAML syntax error: {problem}"))
        return
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        loaded.diagnostics.append(Diagnostic(loaded.display, 1, 1, f"cannot be read as YAML: {error}"))
        return
    finally:
        loader.dispose()
    for key, mark in loader.duplicate_keys:
        loaded.diagnostics.append(Diagnostic(
            loaded.display, mark.line + 1, mark.column + 1,
            f"duplicate key '{key}'; YAML would silently keep only the last one"))


def locate(text: str, location: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
    """Line and column (from 1) of the node at a key path, or of its deepest existing parent."""
    node = _find_node(text, location, key=key)
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def _find_node(text: str, location: Sequence[str | int], *, key: bool = False) -> yaml.Node | None:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
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
