"""The pipeline, top to bottom: load → validate → aggregate → render → write."""

from __future__ import annotations

from dataclasses import dataclass

from .codebook import Codebook, load_codebook
from .diagnostics import BuildError
from .project import Project, load_study_files
from .study import Study
from .validate import validate_studies


@dataclass(frozen=True)
class Review:
    """The validated inputs of one review: its codebook and its studies."""

    codebook: Codebook
    studies: tuple[Study, ...]


def check(project: Project) -> Review:
    """Load and validate everything; raise BuildError with every problem found."""
    codebook, diagnostics = load_codebook(project.codebook, project.display(project.codebook))
    if codebook is None:
        raise BuildError(diagnostics)
    studies, diagnostics = validate_studies(load_study_files(project), codebook)
    if diagnostics:
        raise BuildError(diagnostics)
    return Review(codebook, tuple(studies))
