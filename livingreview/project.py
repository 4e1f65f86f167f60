"""Where a review's inputs and outputs live, and reading its study files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:  # the load stage imports PyYAML: a build with nothing to do never needs it
    from .load import LoadedFile


@dataclass(frozen=True)
class Project:
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
    def codebook(self) -> Path:
        return self.content / "codebook.yaml"

    def display(self, path: Path) -> str:
        """A path as a contributor sees it: relative to the review's root."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def study_paths(self) -> list[Path]:
        """The study files, in file-name order (.yaml files, then .yml)."""
        try:
            names = os.listdir(self.studies)  # names compared as text: much faster than sorting Paths
        except OSError:
            return []
        return [self.studies / name for suffix in (".yaml", ".yml")
                for name in sorted(n for n in names if n.endswith(suffix))]


PARALLEL_FROM = 1000  # below this many files a second process costs more than it saves
_THEN: Callable[[LoadedFile], Any] | None = None
T = TypeVar("T")


def load_study_files(project: Project, then: Callable[[LoadedFile], T], paths: list[Path]) -> list[T]:
    """Read the study files `paths` (in their order) and hand each to `then` in the process that read it.

    Many files are read on two processes: `then` (validation) runs there too, so the main
    process receives only its results, never the files' text.
    """
    global _THEN
    from .load import read_yaml

    folder = project.display(project.studies)
    jobs = [(path, f"{folder}/{path.name}") for path in paths]
    if len(jobs) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return [then(read_yaml(path, display)) for path, display in jobs]
    import multiprocessing

    _THEN = then  # forked workers inherit it: a closure need not be pickled
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:  # parsing is CPU-bound: use both cores
            return pool.starmap(_read_then, jobs, chunksize=250)
    finally:
        _THEN = None


def _read_then(path: Path, display: str) -> Any:
    from .load import read_yaml

    return _THEN(read_yaml(path, display))  # type: ignore[misc]
