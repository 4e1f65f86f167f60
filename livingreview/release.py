"""Releases: frozen, citable editions of the review under releases/."""

from __future__ import annotations

from typing import Iterator, Sequence

from jinja2 import Environment

from .project import Project
from .render import Edition, Output, SiteContext


def release_editions(project: Project, tables: Sequence[tuple[str, str, str]]) -> list[Edition]:
    """Every frozen release, oldest first (none yet: releases come with `build.py release`)."""
    return []


def site_wide_outputs(context: SiteContext, env: Environment) -> Iterator[Output]:
    """Files that belong to the whole site rather than to one edition."""
    return iter(())
