"""Where a review's inputs and outputs live, and reading its study files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .load import LoadedFile, read_yaml


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
        return sorted(self.studies.glob("*.yaml")) + sorted(self.studies.glob("*.yml"))


PARALLEL_FROM = 1000  # below this many files a second process costs more than it saves


def load_study_files(project: Project) -> list[LoadedFile]:
    """Read every study file (in file-name order) without judging its content yet."""
    jobs = [(path, project.display(path)) for path in project.study_paths()]
    if len(jobs) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return [read_yaml(path, display) for path, display in jobs]
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:  # YAML parsing is CPU-bound: use both cores
        return pool.starmap(read_yaml, jobs, chunksize=250)
