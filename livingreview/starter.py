"""`livingreview init`: a new review to start from, written from the starter files inside the package."""

from __future__ import annotations

from pathlib import Path

from .diagnostics import BuildError, Diagnostic
from .write import Folder

STARTER = Path(__file__).resolve().parent / "starter"


def init_review(folder: Path) -> Path:
    """Write the starter review into `folder` (created; refused if it exists and is not empty)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BuildError([Diagnostic(str(folder), 1, 1, "this folder exists and is not empty; `init` writes a new "
                                                        "review only into a new or empty folder")])
    if not folder.parent.is_dir():
        raise BuildError([Diagnostic(str(folder), 1, 1, f"there is no folder {folder.parent} to create it in")])
    target = Folder(folder)
    folder.mkdir(exist_ok=True)
    for path in sorted(STARTER.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            relative = "/".join("." + part.removeprefix("dot-") if part.startswith("dot-") else part
                                for part in path.relative_to(STARTER).parts)
            target.create(relative, path.read_bytes())
    return folder
