"""Where a review's content files are read from: the `content/` folder, or a frozen release's copy of it.

Both give the same loaders the same thing (a file's text, shown under a name a contributor can find),
so a release is read back with the rigour of the live review, and its files never touch the disk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from .diagnostics import Diagnostic
from .load import InputRefused, LoadedFile, decode_utf8, parse_yaml_text, read_input, read_yaml

FROZEN_FILES = ("codebook.yaml", "baseline.yaml", "search.yaml", "figures.yaml", "references.bib", "screening.yaml")
DATA_FOLDERS = ("searches", "screening")  # the review's searches and screening records, frozen with a release
PAGE_NAME = re.compile(r"pages/([a-z0-9]+(?:-[a-z0-9]+)*)\.md")


class Sources(Protocol):
    """The content files of one edition of a review."""

    def yaml(self, name: str) -> LoadedFile | None:
        """A YAML file parsed (with its problems), or None if the edition has no such file."""

    def text(self, name: str) -> tuple[str, str] | None | Diagnostic:
        """A text file's (text, name as shown), None if absent, or why it cannot be read."""

    def page_names(self) -> list[str]:
        """The content pages, as 'pages/SLUG.md', in name order."""

    def names(self, folder: str) -> list[str]:
        """The YAML files of a folder (such as 'searches'), as 'searches/NAME.yaml', in name order."""

    def shown(self, name: str) -> str:
        """A file's name as a contributor finds it."""


class Folder:
    """The live `content/` folder."""

    def __init__(self, folder: Path, shown_as: str):
        self.folder, self.shown_as = folder, shown_as

    def shown(self, name: str) -> str:
        return f"{self.shown_as}/{name}" if self.shown_as else name

    def yaml(self, name: str) -> LoadedFile | None:
        path = self.folder / name
        if not path.exists() and not path.is_symlink():
            return None
        return read_yaml(path, self.shown(name))

    def text(self, name: str) -> tuple[str, str] | None | Diagnostic:
        path = self.folder / name
        if not path.exists() and not path.is_symlink():
            return None
        try:
            raw = read_input(path)
        except InputRefused as refusal:
            return Diagnostic(self.shown(name), 1, 1, str(refusal))
        text, problem = decode_utf8(raw, self.shown(name))
        return problem if text is None or problem else (text, self.shown(name))

    def page_names(self) -> list[str]:
        folder = self.folder / "pages"
        if not folder.is_dir() or folder.is_symlink():
            return []
        return sorted(f"pages/{path.name}" for path in folder.iterdir() if path.suffix == ".md")

    def names(self, folder: str) -> list[str]:
        path = self.folder / folder
        if not path.is_dir() or path.is_symlink():
            return []
        return sorted(f"{folder}/{p.name}" for p in path.iterdir() if p.suffix in (".yaml", ".yml"))


class Frozen:
    """The content files a release file holds, by name (names it should not hold are never read)."""

    def __init__(self, files: Mapping[str, str], shown_as: str):
        self.files, self.shown_as = files, shown_as

    def shown(self, name: str) -> str:
        return f"{self.shown_as}#content/{name}"

    def yaml(self, name: str) -> LoadedFile | None:
        text = self.files.get(name)
        return None if text is None else parse_yaml_text(text, self.shown(name))

    def text(self, name: str) -> tuple[str, str] | None | Diagnostic:
        text = self.files.get(name)
        return None if text is None else (text, self.shown(name))

    def page_names(self) -> list[str]:
        return sorted(name for name in self.files if PAGE_NAME.fullmatch(name))

    def names(self, folder: str) -> list[str]:
        return sorted(name for name in self.files if name.startswith(f"{folder}/"))
