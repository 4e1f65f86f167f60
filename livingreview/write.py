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


def write_site(outputs: Iterable[tuple[str, bytes]], site: Path) -> WriteReport:
    """Stage every output, then replace `site` with the staged tree."""
    staging = site.with_name(f".{site.name}-staging-{os.getpid()}")
    _remove(staging)
    report = WriteReport()
    seen: set[str] = set()
    folders: set[Path] = set()
    try:
        for relative_path, data in outputs:
            if relative_path in seen:
                raise ValueError(f"two outputs for {relative_path}")
            seen.add(relative_path)
            target = staging / relative_path
            if target.parent not in folders:  # one mkdir per folder, not per file
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            if _same_bytes(site / relative_path, data):
                os.link(site / relative_path, target)
                report.unchanged += 1
            else:
                target.write_bytes(data)
                report.written += 1
        _swap(staging, site)
    except BaseException:
        _remove(staging)
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
