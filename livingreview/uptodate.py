"""Skip a build whose inputs and output have not changed since the last successful build.

The digest covers every input file (studies, content, templates, releases) and the
engine's own source, so any change to them builds again; the manifest of site/
(paths, sizes, modification times) catches an output folder edited or deleted by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .project import Project

_ENGINE = Path(__file__).resolve().parent
_RECORD = "last-build.json"


def inputs_digest(project: Project) -> str:
    digest = hashlib.blake2b(digest_size=20)
    roots = [project.studies, project.content, project.templates, project.releases, _ENGINE]
    for root in roots:
        for relative, path in _files(root):
            digest.update(relative.encode("utf-8") + b"\0")
            with open(path, "rb") as file:
                digest.update(file.read() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def engine_digest() -> str:
    """A digest of the engine's source: caches made by another version of it are not used."""
    digest = hashlib.blake2b(digest_size=16)
    for relative, path in _files(_ENGINE):
        with open(path, "rb") as file:
            digest.update(relative.encode("utf-8") + b"\0" + file.read() + b"\0")
    return digest.hexdigest()


def _files(root: Path) -> list[tuple[str, str]]:
    """Every file under root (but compiled bytecode) as (path from root's parent, full path), sorted."""
    return sorted((shown, entry.path) for shown, entry in _walk(root, root.name + "/", skip="__pycache__")
                  if entry.is_file())


def site_manifest(site: Path) -> dict[str, list[int]]:
    """Size and modification time of every file in the site, by path within it."""
    manifest = {}
    for shown, entry in _walk(site, ""):
        stat = entry.stat()
        manifest[shown] = [stat.st_size, stat.st_mtime_ns]
    return dict(sorted(manifest.items()))


def _walk(root: Path, shown: str, skip: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every entry but folders under root, with its path shown as `shown` + path within root.

    Plain strings and os.scandir: with Path objects, listing and sorting 10,000 study files took longer
    than reading them."""
    pending = [(str(root), shown)]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir():
                if entry.name != skip:
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                yield prefix + entry.name, entry


def is_up_to_date(project: Project, digest: str) -> bool:
    try:
        record = json.loads((project.cache / _RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return record.get("inputs") == digest and record.get("site") == site_manifest(project.site)


def remember(project: Project, digest: str) -> None:
    project.cache.mkdir(parents=True, exist_ok=True)
    record = {"inputs": digest, "site": site_manifest(project.site)}
    (project.cache / _RECORD).write_text(json.dumps(record), encoding="utf-8")


def release_pages_key(project: Project, editions_summary: str, release_file: Path, prefix: str) -> str:
    """A digest of everything a frozen release's pages depend on: the release file, where it is
    shown, which editions exist (the version switcher lists them), and the templates, engine and
    site settings."""
    digest = hashlib.blake2b(digest_size=20)
    for root in (project.templates, _ENGINE):
        for relative, path in _files(root):
            with open(path, "rb") as file:
                digest.update(relative.encode("utf-8") + b"\0" + file.read() + b"\0")
    site = project.content / "site.yaml"
    digest.update(site.read_bytes() if site.exists() else b"")
    digest.update(release_file.read_bytes())
    digest.update(f"\0{editions_summary}\0{prefix}".encode("utf-8"))
    return digest.hexdigest()


def reuse_pages(project: Project, key: str) -> list[tuple[str, bytes]] | None:
    """The pages a previous build wrote for the same key, read back from site/ if all are intact."""
    try:
        manifest = json.loads((project.cache / "editions" / f"{key}.json").read_text(encoding="utf-8"))
        pages = [(path, (project.site / path).read_bytes()) for path, _ in manifest]
    except (OSError, ValueError):
        return None
    for (path, sha), (_, data) in zip(manifest, pages):
        if hashlib.sha256(data).hexdigest() != sha:
            return None
    return pages


def record_pages(project: Project, key: str, pages: list[tuple[str, bytes]]) -> None:
    folder = project.cache / "editions"
    folder.mkdir(parents=True, exist_ok=True)
    manifest = [(path, hashlib.sha256(data).hexdigest()) for path, data in pages]
    (folder / f"{key}.json").write_text(json.dumps(manifest), encoding="utf-8")
