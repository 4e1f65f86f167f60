"""Everything a build keeps in `.cache/` to do less next time, and nothing else touches that folder.

Every record is keyed by one digest of the engine's own files (code, theme and all: no version constant
to bump by hand) and of the `.cache/` folder's identity on disk (its device and inode), so a record
made by another engine, or in another folder (a copy, a clone, files committed by a pull request),
never matches and is ignored. Records are JSON or drawings (SVG), written whole through `write.Folder`;
nothing read from here is ever executed, and a record that is damaged, stale or unreadable is ignored.
A checkout where `.cache/` cannot be written builds as well, only without remembering.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .study import Study, study_from_data, study_to_data
from .write import Folder, RefusedPath

ENGINE = Path(__file__).resolve().parent
UP_TO_DATE = "build: {site}/ is up to date (no input changed since the last build)"
_MAX_RECORD_BYTES = 64 * 1024 * 1024


@lru_cache(maxsize=1)
def engine_digest() -> str:
    """A digest of every file of the engine: changing any of them (a colour in a drawing) invalidates all."""
    digest = hashlib.blake2b(digest_size=16)
    for shown, path in files_under(ENGINE):
        digest.update(shown.encode("utf-8") + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def files_under(root: Path) -> list[tuple[str, str]]:
    """Every regular file under root (not compiled bytecode), as (path from root's parent, full path), sorted."""
    found = []
    pending = [(str(root), root.name + "/")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.is_file(follow_symlinks=False):
                found.append((prefix + entry.name, entry.path))
    return sorted(found)


class Inputs:
    """Every input file of a review, each read and digested once per build: the build's own digest
    (any change builds again) and the digest of each study file (which studies changed)."""

    def __init__(self, roots: Iterable[Path]):
        self.files: dict[str, str] = {}
        for root in roots:
            for _shown, path in files_under(root):
                with contextlib.suppress(OSError):  # vanished meanwhile: the build itself reports it
                    self.files[path] = hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()
        everything = hashlib.blake2b(digest_size=20)
        everything.update(engine_digest().encode())
        for path, digest in sorted(self.files.items()):
            everything.update(f"{path}\0{digest}\0".encode())
        self.digest = everything.hexdigest()


def site_manifest(site: Path) -> dict[str, list[int]]:
    """Size and modification time of every file in the site: catches a site edited or deleted by hand."""
    manifest = {}
    for shown, path in files_under(site):
        stat = os.stat(path)
        manifest[shown] = [stat.st_size, stat.st_mtime_ns]
    return manifest


class Cache:
    """The records of one review's `.cache/` folder."""

    def __init__(self, folder: Path):
        self.folder = Folder(folder)
        self._identity: str | None = None

    def key(self, *parts: str) -> str:
        """A record key: the parts, the engine and this folder. Empty if the folder cannot be made."""
        identity = self._folder_identity()
        if not identity:
            return ""
        digest = hashlib.blake2b(digest_size=16)
        for part in (engine_digest(), identity, *parts):
            digest.update(part.encode("utf-8") + b"\0")
        return digest.hexdigest()

    def read(self, name: str, key: str) -> Any:
        """The data a record holds under `key`; None if there is none, or it is damaged or stale."""
        raw = self._read_bytes(f"{name}.json")
        if raw is None or not key:
            return None
        try:
            record = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        return record.get("data")

    def write(self, name: str, key: str, data: Any) -> None:
        if key:
            text = json.dumps({"key": key, "data": data}, ensure_ascii=False, separators=(",", ":"))
            self._write_bytes(f"{name}.json", text.encode("utf-8"))

    def site_is_current(self, inputs: Inputs, site: Path) -> bool:
        """Whether the site is as the last build left it, and built from the same inputs."""
        return self.read("last-build", self.key("last build", inputs.digest)) == site_manifest(site)

    def remember_site(self, inputs: Inputs, site: Path) -> None:
        self.write("last-build", self.key("last build", inputs.digest), site_manifest(site))

    def outputs(self, name: str, key: str, site: Path,
                render: Callable[[], Iterable[tuple[str, bytes]]]) -> list[tuple[str, bytes]]:
        """What `render()` gives; or, while `key` is unchanged, the same files read back from the site as
        the last build wrote them (the record holds each file's path and digest; all must be intact)."""
        record = self.read(name, key)
        if isinstance(record, list):
            kept = _read_back(site, record)
            if kept is not None:
                return kept
        outputs = list(render())
        self.write(name, key, [[path, hashlib.sha256(data).hexdigest()] for path, data in outputs])
        return outputs

    def drawing(self, name: str) -> bytes | None:
        """A kept SVG drawing, if it is whole (a drawing always ends with its closing tag)."""
        data = self._read_bytes(name)
        return data if data is not None and data.rstrip().endswith(b"</svg>") else None

    def keep_drawing(self, name: str, data: bytes) -> None:
        self._write_bytes(name, data)

    def prune(self, folder: str, keep: set[str]) -> None:
        """Delete the files of a cache subfolder that no longer serve (drawings of old data)."""
        path = self.folder.root / folder
        if path.is_symlink() or not path.is_dir():
            return
        for entry in _entries(path):
            if f"{folder}/{entry.name}" not in keep and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)

    def _folder_identity(self) -> str:
        if self._identity is None:
            self._identity = ""
            root = self.folder.root
            with contextlib.suppress(OSError):
                if not root.is_symlink():
                    root.mkdir(exist_ok=True)
                    stat = root.lstat()
                    self._identity = f"{stat.st_dev}:{stat.st_ino}"
        return self._identity

    def _read_bytes(self, relative: str) -> bytes | None:
        if not self._folder_identity():
            return None
        try:
            path = self.folder.path(relative)
            if path.is_symlink() or path.parent.is_symlink() or path.stat().st_size > _MAX_RECORD_BYTES:
                return None
            return path.read_bytes()
        except (OSError, RefusedPath):
            return None

    def _write_bytes(self, relative: str, data: bytes) -> None:
        if not self._folder_identity():
            return
        with contextlib.suppress(OSError, RefusedPath):  # a full disk or read-only folder: not remembered
            self.folder.write(relative, data)


def _read_back(site: Path, record: list[Any]) -> list[tuple[str, bytes]] | None:
    """The files a record lists, as they are in the site, if every one is there with its recorded digest."""
    files = []
    for entry in record:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)):
            return None
        try:
            path = Folder(site).path(entry[0])
            if path.is_symlink():
                return None
            data = path.read_bytes()
        except (OSError, RefusedPath):
            return None
        if hashlib.sha256(data).hexdigest() != entry[1]:
            return None
        files.append((entry[0], data))
    return files


def _entries(folder: Path) -> Iterator[os.DirEntry[str]]:
    try:
        yield from os.scandir(folder)
    except OSError:
        return


class KnownStudies:
    """Studies an earlier run found valid, by file: a file whose bytes are unchanged (same digest, same
    codebook and engine, by the record's key) need not be read and checked again."""

    def __init__(self, cache: Cache, key: str, inputs: Inputs, shown: str):
        self.cache, self.key, self.inputs, self.shown = cache, key, inputs, shown  # shown: studies/ as shown
        found = cache.read("studies", key)
        self.entries: dict[str, list[Any]] = found if isinstance(found, dict) else {}

    def get(self, path: Path) -> Study | None:
        entry = self.entries.get(path.name)
        digest = self.inputs.files.get(str(path))
        if not (isinstance(entry, list) and len(entry) == 2 and digest and entry[0] == digest):
            return None
        try:
            return study_from_data(entry[1], f"{self.shown}/{path.name}")
        except (KeyError, TypeError, ValueError, AttributeError):
            return None  # a damaged entry: the file is read again

    def keep(self, paths: Iterable[Path], studies: Iterable[Study]) -> None:
        """Remember the valid studies of these files (and forget the rest), if anything changed."""
        by_id = {study.id: study for study in studies}
        entries: dict[str, list[Any]] = {}
        for path in paths:
            study, digest = by_id.get(path.stem), self.inputs.files.get(str(path))
            if study is not None and digest and study.path == f"{self.shown}/{path.name}":
                entries[path.name] = [digest, study_to_data(study)]
        if entries != self.entries:
            self.cache.write("studies", self.key, entries)


class KnownTitles:
    """The near-identical titles an earlier run found among the study files, with every title it compared:
    a pair of titles both unchanged since then is still a pair (or not), so only new titles are compared,
    each with every title of its year."""

    def __init__(self, cache: Cache, key: str):
        self.cache, self.key = cache, key
        found = cache.read("titles", key)
        found = found if isinstance(found, dict) else {}
        titles, pairs = found.get("titles"), found.get("pairs")
        self.titles: dict[str, list[Any]] = titles if isinstance(titles, dict) else {}
        self.found = {(p[0], p[1]) for p in pairs if isinstance(p, list) and len(p) == 2
                      and all(isinstance(part, str) for part in p)} if isinstance(pairs, list) else set()

    def pairs(self, titles: Mapping[str, tuple[int, str]],
              find: Callable[[Mapping[str, tuple[int, str]], Sequence[str]], set[tuple[str, str]]]
              ) -> set[tuple[str, str]]:
        same = {key for key, (year, title) in titles.items() if self.titles.get(key) == [year, title]}
        found = {pair for pair in self.found if pair[0] in same and pair[1] in same}
        found |= find(titles, [key for key in titles if key not in same])
        if found != self.found or len(same) != len(self.titles) or len(same) != len(titles):
            self.cache.write("titles", self.key, {"titles": {key: list(value) for key, value in titles.items()},
                                                  "pairs": sorted(list(pair) for pair in found)})
        return found


class KeptPages:
    """Each study's pages as the last build wrote them, with the key they were made from: while a
    study's key is unchanged (its file, its label, the page around it, the codebook, templates and
    engine), its pages are read back from the site instead of being rendered again."""

    def __init__(self, cache: Cache, name: str, key: str, site: Path, files: Mapping[str, str]):
        self.cache, self.name, self.key, self.site = cache, name, key, site
        self.files = files  # each study's file digest, by id
        found = cache.read(name, key)
        self.entries: dict[str, list[Any]] = found if isinstance(found, dict) else {}
        self.kept: dict[str, list[Any]] = {}

    def get(self, study_id: str, key: str) -> list[tuple[str, bytes]] | None:
        entry, key = self.entries.get(study_id), self._with_file(study_id, key)
        if not (key and isinstance(entry, list) and len(entry) == 2 and entry[0] == key
                and isinstance(entry[1], list)):
            return None
        files = _read_back(self.site, entry[1])
        if files is not None:
            self.kept[study_id] = entry
        return files

    def keep(self, study_id: str, key: str, files: Iterable[tuple[str, bytes]]) -> None:
        key = self._with_file(study_id, key)
        if key:
            self.kept[study_id] = [key, [[path, hashlib.sha256(data).hexdigest()] for path, data in files]]

    def _with_file(self, study_id: str, key: str) -> str:
        file = self.files.get(study_id)
        return f"{key}:{file}" if file else ""

    def save(self) -> None:
        """Remember the pages of this build's studies (and forget those of studies gone), if any changed."""
        if self.kept != self.entries:
            self.cache.write(self.name, self.key, self.kept)
