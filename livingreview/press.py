"""The press: the process that renders a large review's study pages beside the build's own work.

It is forked as soon as a build starts, before anything is read, while the build's process is small: a
process forked later keeps a copy of every page of memory the build then changes (reading a Python object
writes its reference count), and a large review's build changes most of its memory while it makes the table
and the downloads. See `parallel.Press` and `render._StudyPages`.
"""

from __future__ import annotations

import os
from itertools import islice
from pathlib import Path

from .parallel import Press

# Study files from which a build has a press: a review this large makes the build's process too large to fork
# a helper from once it has read the studies (`parallel.forks_cheaply`: 512 MB; a build's process held 190 MB
# at 10,000 synthetic studies and 1.2 GB at 100,000).
PRESS_FROM = 25_000


def start_press(studies: Path) -> Press | None:
    """A press, for a review with PRESS_FROM study files or more (a process forked now); else None."""
    return Press() if _at_least(studies, PRESS_FROM) else None


def _at_least(folder: Path, count: int) -> bool:
    """Whether a folder holds `count` entries or more (it is read only that far)."""
    try:
        with os.scandir(folder) as entries:
            return any(True for _ in islice(entries, count - 1, None))
    except OSError:
        return False
