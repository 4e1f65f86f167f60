"""Where a review's inputs and outputs live, and which files in `studies/` are study files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .diagnostics import Diagnostic
from .named_tuple import NamedTuple

THEME = Path(__file__).resolve().parent / "theme"
STUDY_SUFFIXES = (".yaml", ".yml")
# What may sit in studies/ beside study files without being one.
_NOT_STUDIES = ("README.md", "README.txt", ".gitkeep")


class Project(NamedTuple):
    """The folders of one living review, all relative to its root."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def studies(self) -> Path:
        return self.root / "studies"

    @property
    def templates(self) -> Path:
        """The review's own templates: each file here replaces the default theme's file of the same name."""
        return self.root / "templates"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def cache(self) -> Path:
        return self.root / ".cache"

    @property
    def inputs(self) -> list[Path]:
        """The folders a site is built from."""
        return [self.studies, self.content, self.templates, self.releases, self.root / "searches",
                self.root / "screening"]

    @property
    def codebook(self) -> Path:
        return self.content / "codebook.yaml"

    def template_folders(self) -> list[Path]:
        """Where templates are looked up, the review's own first (as MkDocs' custom_dir and Hugo's themes)."""
        own = self.templates
        return ([own] if own.is_dir() else []) + [THEME / "templates"]

    def assets(self) -> dict[str, Path]:
        """The site's assets by name: the default theme's, each replaced by a review's file of the same name."""
        found: dict[str, Path] = {}
        for folder in (THEME / "assets", self.templates / "assets"):
            if folder.is_dir() and not folder.is_symlink():
                for path in sorted(folder.iterdir()):
                    if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                        found[path.name] = path
        return dict(sorted(found.items()))

    def display(self, path: Path) -> str:
        """A path as a contributor sees it: relative to the review's root."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def study_files(self) -> tuple[list[Path], list[Diagnostic]]:
        """The study files in name order, and a problem for anything else found in studies/.

        Only regular files are study files: a folder, a link, a pipe or a device is reported, never
        opened (reading a pipe would wait for ever, a link could point anywhere). Hidden files (an
        editor's lock or swap file) are passed over in silence."""
        studies = self.studies
        folder = self.display(studies)
        try:
            entries = sorted(os.scandir(studies), key=lambda entry: entry.name)
        except FileNotFoundError:
            return [], [Diagnostic(folder, 1, 1, "there is no studies/ folder: create it and add one YAML "
                                                 "file per study (livingreview init writes an example)")]
        except OSError as error:
            return [], [Diagnostic(folder, 1, 1, f"cannot list the study files: {error.strerror}")]
        paths, problems = [], []
        for entry in entries:
            shown = f"{folder}/{entry.name}"
            if entry.name.startswith(".") or entry.name in _NOT_STUDIES:
                continue
            kind = _kind(entry)
            if kind != "file":
                problems.append(Diagnostic(shown, 1, 1, f"this is {kind}, not a study file; studies/ holds one "
                                                        f"YAML file per study, such as studies/nelson-2016.yaml"))
            elif not entry.name.endswith(STUDY_SUFFIXES):
                stem = entry.name.rsplit(".", 1)[0] if "." in entry.name else entry.name
                problems.append(Diagnostic(shown, 1, 1, f"not a study file: study files end in .yaml; "
                                                        f"rename it to {stem}.yaml (or move it out of studies/)"))
            else:
                paths.append(studies / entry.name)  # a child path is made at half the cost of a parsed one
        return paths, problems


def _kind(entry: os.DirEntry[str]) -> str:
    """'file' for a regular file, else what the entry is, in words."""
    if entry.is_file(follow_symlinks=False):  # known from the listing itself on most file systems: no stat
        return "file"
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return "an unreadable entry"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder (study files may not be in subfolders)"
    if stat.S_ISREG(mode):
        return "file"
    return "a special file (a pipe, socket or device)"
