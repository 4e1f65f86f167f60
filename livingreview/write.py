"""Write stage: put a new site in place atomically, leaving unchanged files untouched.

The new site is assembled in a staging folder beside the old one: a file whose
bytes did not change is hard-linked from the old site (so its modification time
stays), others are written. Only when everything is staged is the old site
swapped out. A build that fails at any point before leaves `site/` as it was.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass
class WriteReport:
    written: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.written + self.unchanged


@dataclass(frozen=True)
class Staged:
    """An output a worker process has already put into the staging folder."""

    path: str
    written: bool  # False: hard-linked from the old site, its bytes unchanged


class Staging:
    """The folder a new site is assembled in, beside the old one; worker processes may put files in it too."""

    def __init__(self, site: Path):
        self.site = site
        self.folder = site.with_name(f".{site.name}-staging-{os.getpid()}")
        self._folders: set[Path] = set()

    def put(self, relative_path: str, data: bytes) -> Staged:
        """Stage one file: hard-linked from the old site when its bytes did not change, else written."""
        target = self.folder / relative_path
        if target.parent not in self._folders:  # one mkdir per folder, not per file
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        if _same_bytes(self.site / relative_path, data):
            os.link(self.site / relative_path, target)
            return Staged(relative_path, written=False)
        target.write_bytes(data)
        return Staged(relative_path, written=True)


def write_site(outputs: Iterable[tuple[str, bytes] | Staged], staging: Staging) -> WriteReport:
    """Stage every output (some already staged by workers), then replace the site with the staged tree."""
    _remove(staging.folder)
    report = WriteReport()
    seen: set[str] = set()
    try:
        for output in outputs:
            path = output.path if isinstance(output, Staged) else output[0]
            if path in seen:
                raise ValueError(f"two outputs for {path}")
            seen.add(path)
            staged = output if isinstance(output, Staged) else staging.put(*output)
            if staged.written:
                report.written += 1
            else:
                report.unchanged += 1
        _swap(staging.folder, staging.site)
    except BaseException:
        _remove(staging.folder)
        raise
    return report


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _swap(staging: Path, site: Path) -> None:
    retired = site.with_name(f".{site.name}-old-{os.getpid()}")
    if site.exists():
        site.rename(retired)
    staging.rename(site)
    _remove(retired)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
