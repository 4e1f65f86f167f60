"""Where a review's inputs and outputs live, and reading its study files."""

from __future__ import annotations

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


def load_study_files(project: Project) -> list[LoadedFile]:
    """Read every study file (in file-name order) without judging its content yet."""
    return [read_yaml(path, project.display(path)) for path in project.study_paths()]
