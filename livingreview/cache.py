"""Everything a build keeps in `.cache/` to do less next time, and nothing else touches that folder.

Every record is keyed by one digest of the engine's own files (code, theme and all: no version constant
to bump by hand) and of the `.cache/` folder's identity on disk (its device and inode), so a record
made by another engine, or in another folder (a copy, a clone, files committed by a pull request),
never matches and is ignored. Records are JSON, texts between separators (the studies' data and
records, so that a text is not decoded twice) or drawings (SVG), written whole through `write.Folder`;
nothing read from here is ever executed, and a record that is damaged, stale or unreadable is ignored.
A checkout where `.cache/` cannot be written builds as well, only without remembering.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import hashlib
import json
import os
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, MutableMapping, Sequence
from functools import cached_property, lru_cache
from itertools import islice
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .named_tuple import NamedTuple
from .parallel import Beside, forks_cheaply, map_in_parallel
from .write import Folder, Pieces, RefusedPath, Staged, Unchanged, UnchangedFiles, file_digest

ENGINE = Path(__file__).resolve().parent
UP_TO_DATE = "build: {site}/ is up to date (no input changed since the last build)"
_MAX_RECORD_BYTES = 64 * 1024 * 1024
# A file changed this shortly before its size and time were recorded could change again without changing either.
_SETTLED_NS = 2_000_000_000
_SHARDS = 16  # a record of one entry per study is kept in this many files
# entries: a record of no more is kept in one file. Each file costs its making more than its bytes (the
# repository's cold build made 169 files in .cache/, 144 of them shards of nine records: 1.33 -> 1.30 s, 2.40 ->
# 2.31 s of processor time in one file each), while a study edited rewrites the whole of its record's file.
_ONE_FILE_MOST = 1024
_ONE_FILE_BYTES = 1 << 20  # and of no more text (roughly): a record of pages is kept in shards from a few pages
_TEXTS_AT_ONCE = 256  # entries of a record encoded and written at once
_UNMADE_RECORD = 3072  # characters: about what a study's record takes (the repository's: 3,140 on average)
_MADE_HELD = 8
# Every digest here is SHA-256, cut to this many hex digits (128 bits): processors compute it in hardware, and
# on this project's machines it is three times as fast as blake2b (the engine's 1.1 MB: 0.7 against 2.3 ms).
DIGEST_HEX = 32
Made = TypeVar("Made")

if TYPE_CHECKING:  # studies are made only when a build runs: a build with nothing to do never imports them
    from .aggregate import Aggregates
    from .study import Study


@lru_cache(maxsize=1)
def engine_digest() -> str:
    """A digest of every file of the engine: changing any of them (a colour in a drawing) invalidates all."""
    digest = hashlib.sha256()
    start = len(os.path.join(ENGINE.parent, ""))  # plain strings: pathlib's objects took half the time
    for path in sorted(path for path, (_, _, regular) in stats_under([ENGINE]).items() if regular):
        with open(path, "rb", buffering=0) as file:
            digest.update(path[start:].replace(os.sep, "/").encode("utf-8") + b"\0" + file.readall() + b"\0")
    return digest.hexdigest()[:DIGEST_HEX]


Stats = dict[str, tuple[int, int, bool]]  # size, modification time (ns) and whether a regular file, by path


def stats_under(roots: Iterable[Path]) -> Stats:
    """Size, modification time and kind of every entry under the roots but folders and compiled bytecode. An
    entry that is not a regular file (a link, a pipe) is listed too, never followed: added to the inputs, it
    is a change, which the build then reports. A hidden one is left out, as every loader passes it over (an
    editor's lock file is such a link, made and removed as a file is edited)."""
    found: Stats = {}
    pending = [str(root) for root in roots]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:  # absent, or removed while we looked
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):  # a linked folder could lead back here
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                    continue
                regular = entry.is_file(follow_symlinks=False)
                if regular or not entry.name.startswith("."):
                    stat = entry.stat(follow_symlinks=False)
                    found[entry.path] = (stat.st_size, stat.st_mtime_ns, regular)
            except OSError:
                continue
    return found


def _stat_of(path: str, roots: Sequence[str]) -> Stats:
    """What `stats_under(roots)` lists of one path: its entry, or none for a path it would not list (not under
    a root, under a linked folder or __pycache__, a folder, a hidden entry that is not a regular file, or
    nothing there)."""
    root = next((root for root in roots if path.startswith(os.path.join(root, ""))), None)
    if root is None:
        return {}
    folder = root
    for name in path[len(os.path.join(root, "")):].split(os.sep)[:-1]:
        folder = os.path.join(folder, name)
        try:
            if name == "__pycache__" or not S_ISDIR(os.lstat(folder).st_mode):
                return {}
        except OSError:
            return {}
    try:
        stat = os.lstat(path)
    except OSError:
        return {}
    regular = S_ISREG(stat.st_mode)
    if S_ISDIR(stat.st_mode) or not regular and os.path.basename(path).startswith("."):
        return {}
    return {path: (stat.st_size, stat.st_mtime_ns, regular)}


class Inputs:
    """Every input file of a review, each digested once per build: the build's own digest (any change
    builds again) and the digest of each study file (which studies changed). A file whose size and
    modification time are those an earlier run recorded (and that was not modified just before it was
    recorded, when a second change could keep both) is not read again. `stats`: the files' sizes and times,
    if the caller has just taken them (serve's watcher, which found the change): in a process that builds
    again (serve), only the files whose size or time changed since its last build are looked at.

    With `when_asked`, the files are looked at when first asked for, not at once: a check that finds no
    verdict to compare with (a fresh clone) digests them while the release files are read and checked in a
    second process, which asks only for their digests (`digest_of`)."""

    def __init__(self, roots: Iterable[Path], cache: Cache | None = None, stats: Stats | None = None, *,
                 when_asked: bool = False):
        self.roots, self.cache, self.stats = list(roots), cache, stats
        self._one: dict[str, str] = {}
        if not when_asked:
            self.digest_all()

    def digest_all(self) -> None:
        """Look at every input now (if not yet done)."""
        _ = self._found

    @cached_property
    def _found(self) -> tuple[dict[str, str], list[str]]:
        """The digests by path, and the paths in order: not the files' sizes and times, which a build need not
        hold (100,000 inputs: tens of MB) once they are digested."""
        stats = stats_under(self.roots) if self.stats is None else self.stats
        cache = self.cache
        if cache is None:
            found = _digested(stats, None, "")
        else:
            key = cache.key("inputs")
            found = cache.again("inputs", lambda earlier: _digested_again(earlier, stats, cache, key)
                                if isinstance(earlier, _Digested) and earlier.key == key and key
                                else _digested(stats, cache, key))
        return found.files, found.paths

    @cached_property
    def files(self) -> dict[str, str]:
        """Each input's digest, by path."""
        return self._found[0]

    @cached_property
    def paths(self) -> list[str]:
        """Every input's path, in order."""
        return self._found[1]

    @cached_property
    def digest(self) -> str:
        files, paths = self._found
        everything = hashlib.sha256()
        everything.update(engine_digest().encode())
        for start in range(0, len(paths), 4096):  # a batch at a time: a large review's would be tens of MB
            everything.update("".join([f"{path}\0{files[path]}\0" for path in paths[start:start + 4096]]).encode())
        return everything.hexdigest()[:40]

    def digest_of(self, path: Path) -> str:
        """`files.get(str(path), "")`, digesting this one file alone where the others are not digested yet."""
        name = str(path)
        if "_found" in self.__dict__ or self.stats is not None:
            return self.files.get(name, "")
        if name not in self._one:
            stats = _stat_of(name, [str(root) for root in self.roots])
            self._one[name] = _digested(stats, None, "").files.get(name, "")
        return self._one[name]

    def under(self, folder: Path) -> dict[str, str]:
        """The digests of the input files under `folder`, by path."""
        prefix = os.path.join(folder, "")
        return {path: digest for path, digest in self.files.items() if path.startswith(prefix)}

    def within(self, folder: str) -> list[str]:
        """The paths of the input files under `folder` (a path ending in the separator), in order: the paths are
        sorted, so those under it lie together (10,000 studies: 0.001 s less than asking each path)."""
        start, end = self._span(folder)
        return self.paths[start:end]

    def outside(self, folder: str) -> list[str]:
        """The paths of the input files not under `folder` (as `within`), in order."""
        start, end = self._span(folder)
        return self.paths[:start] + self.paths[end:]

    def _span(self, folder: str) -> tuple[int, int]:
        start = bisect.bisect_left(self.paths, folder)
        return start, bisect.bisect_left(self.paths, folder[:-1] + chr(ord(folder[-1]) + 1), start)

    def count_under(self, folder: Path) -> int:
        """How many input files lie under `folder` (the study files, under studies/)."""
        prefix = os.path.join(folder, "")
        return sum(path.startswith(prefix) for path in self.files)


class _Digested(NamedTuple):
    """The inputs as a build found them: each file's size, time and kind, its digest, the paths in order, and
    the files digested but not recorded (changed too shortly before), under the record's key."""

    key: str
    stats: Stats
    files: dict[str, str]
    paths: list[str]
    unsettled: frozenset[str]


def _digested(stats: Stats, cache: Cache | None, key: str) -> _Digested:
    """Every file digested, or taken from the record of an earlier run while its size and time hold; the
    record written again where it changed."""
    files: dict[str, str] = {}
    known = cache.read_entries("inputs", key) if cache is not None else {}
    recorded: dict[str, list[Any]] = {}
    unread = [path for path, (size, mtime, regular) in stats.items()
              if regular and not _holds(known.get(path), size, mtime)]
    # on both cores: a first build reads every file, and nothing else runs yet (100,000 studies: 1.88 -> 1.31 s)
    read = dict(zip(unread, map_in_parallel(_file_digest, unread), strict=True))
    for path, (size, mtime, regular) in stats.items():
        if not regular:  # never read: what it is stands for its contents
            files[path] = _not_regular(size, mtime)
            continue
        digest = read[path] if path in read else known[path][2]
        if digest is None:  # vanished meanwhile: the build itself reports it
            continue
        files[path] = digest
        recorded[path] = [size, mtime, digest]
    settled = time.time_ns() - _SETTLED_NS
    remembered = {path: entry for path, entry in recorded.items() if entry[1] < settled}
    if cache is not None:
        cache.write_entries("inputs", key, remembered, known)
    return _Digested(key, stats, files, sorted(files), frozenset(recorded.keys() - remembered.keys()))


def _digested_again(earlier: _Digested, stats: Stats, cache: Cache, key: str) -> _Digested:
    """What `_digested` finds, from what it found in this process's last build: only the files whose size,
    time or kind changed since are looked at (one, after an edit of one study of 10,000), and the record's
    entries of those, and of those now settled, are written."""
    before = earlier.stats
    changed = [path for path, stat in stats.items() if before.get(path) != stat]
    removed = before.keys() - stats.keys()
    files, unsettled = dict(earlier.files), set(earlier.unsettled)
    record: dict[str, list[Any] | None] = dict.fromkeys(removed)
    for path in removed:
        files.pop(path, None)
        unsettled.discard(path)
    settled = time.time_ns() - _SETTLED_NS
    for path in changed:
        size, mtime, regular = stats[path]
        digest = _file_digest(path) if regular else None
        record[path] = None
        unsettled.discard(path)
        if not regular:
            files[path] = _not_regular(size, mtime)
        elif digest is None:
            files.pop(path, None)
        else:
            files[path] = digest
            if mtime < settled:
                record[path] = [size, mtime, digest]
            else:
                unsettled.add(path)
    for path in [path for path in unsettled if path not in record and stats[path][1] < settled]:
        record[path] = [*stats[path][:2], files[path]]
        unsettled.discard(path)
    if record:
        cache.replace_entries("inputs", key, record)
    paths = earlier.paths if files.keys() == earlier.files.keys() else sorted(files)
    return _Digested(key, stats, files, paths, frozenset(unsettled))


def _holds(entry: Any, size: int, mtime: int) -> bool:
    """Whether an entry of the record of inputs gives the digest of a file of this size and time."""
    return isinstance(entry, list) and len(entry) == 3 and entry[0] == size and entry[1] == mtime \
        and isinstance(entry[2], str)


def _not_regular(size: int, mtime: int) -> str:
    return f"not a regular file ({size} bytes, modified {mtime})"


_DIGESTED_AT_ONCE = 1 << 16  # bytes: a file of any size is digested in this much memory


def _file_digest(path: str) -> str | None:
    """The digest of a file's bytes, or None if it cannot be read: gone, or no longer a plain file (a link
    put in its place is not followed, a pipe is not waited on). Read a part at a time with no file object:
    10,000 study files, 240 -> 140 ms unbuffered (no buffer set aside per file), -> 106 ms so."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        digest = hashlib.sha256()
        while part := os.read(descriptor, _DIGESTED_AT_ONCE):
            digest.update(part)
        return digest.hexdigest()[:DIGEST_HEX]
    except OSError:
        return None
    finally:
        os.close(descriptor)


def site_manifest(site: Path, stats: Stats | None = None) -> dict[str, list[int]]:
    """Size and modification time of every file in the site, by its path in the site; from `stats` (of
    `stats_under([site])`) if the caller has just taken them."""
    stats = stats_under([site]) if stats is None else stats
    prefix = len(os.path.join(site, ""))
    if os.sep == "/":  # a site of 10,000 files: a sixth of the time
        return {path[prefix:]: [size, mtime] for path, (size, mtime, regular) in stats.items() if regular}
    return {path[prefix:].replace(os.sep, "/"): [size, mtime] for path, (size, mtime, regular) in stats.items()
            if regular}


class LastBuild:
    """The site as the last build left it: the inputs it was built from and each file's digest. A file whose
    size and modification time are still those recorded is intact (a site edited by hand is noticed), and
    the next build links it instead of reading it. `seen`: the site's files as `stats_under` gives them, if the
    caller has just taken them (serve's watcher, which looks at the site as it looks at the inputs)."""

    def __init__(self, cache: Cache, site: Path, seen: Stats | None = None):
        self.cache, self.site = cache, site
        self.key = cache.key("site")
        self.files = files = cache.read_entries("site", self.key)
        self.inputs = cache.read("site-inputs", self.key)
        self.now = site_manifest(site, seen) if files else {}
        self.intact = {path: entry[2] for path, entry in files.items()
                       if isinstance(entry, list) and len(entry) == 3 and self.now.get(path) == entry[:2]
                       and isinstance(entry[2], str)}
        self.complete = bool(files) and len(self.intact) == len(files) == len(self.now)

    def folders(self) -> set[str] | None:
        """The site's folders that hold its files, and theirs, by path in the site ("" the site itself); None if
        the site was not looked at (no build recorded it)."""
        if not self.files:
            return None
        held = {path.rpartition("/")[0] for path in self.now}
        return {"/".join(parts[:end]) for parts in (folder.split("/") for folder in held)
                for end in range(len(parts) + 1)} | {""}

    def is_current(self, inputs: Inputs) -> bool:
        """Whether the site is whole, as the last build left it, and built from these inputs."""
        return self.complete and self.inputs == inputs.digest

    def digest(self, path: str) -> str | None:
        """The digest of a site file the last build wrote, if the file is still as it was written."""
        return self.intact.get(path)

    def unchanged(self, record: Any) -> list[tuple[str, bytes | Unchanged]] | None:
        """The files a record lists as [path, digest], if every one is in the site as the last build wrote it."""
        digests = self.intact_digests(record)
        return None if digests is None else [(path, Unchanged(digest)) for path, digest in digests.items()]

    def intact_digests(self, record: Any) -> dict[str, str] | None:
        """The digests of the files a record lists as [path, digest], by path, if every one is in the site as
        the last build wrote it."""
        if not isinstance(record, list):
            return None
        digests, intact = {}, self.intact
        for entry in record:
            if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                    and isinstance(entry[1], str) and intact.get(entry[0]) == entry[1]):
                return None
            digests[entry[0]] = entry[1]
        return digests

    def remember(self, inputs: Inputs, digests: Mapping[str, str], kept: Collection[str] = (),
                 written: Mapping[str, list[int]] | None = None) -> None:
        """Record the site just published. A file `kept` (linked from the old site: the same file) is recorded
        with its size and time as they were before the build, so a change made to it meanwhile is noticed;
        a file written, with those it had when written (`written`), if given."""
        # A file still intact with the same digest keeps its entry: only the others' are written (after a
        # one-study edit of 10,000, nine files).
        changed: dict[str, Any] = dict.fromkeys(self.files.keys() - digests.keys())
        written, intact = written or {}, self.intact
        for path, digest in digests.items():
            if intact.get(path) == digest:
                continue
            stat = self.now.get(path) if path in kept else written.get(path)
            if stat is None:
                with contextlib.suppress(OSError):
                    found = os.stat(os.path.join(self.site, *path.split("/")))
                    stat = [found.st_size, found.st_mtime_ns]
            changed[path] = [*stat, digest] if stat is not None else None
        self.cache.write("site-inputs", self.key, None)  # while the files' record is written, it is not current
        self.cache.replace_entries("site", self.key, changed)
        self.cache.write("site-inputs", self.key, inputs.digest)


class Previous:
    """Where a build starts: the records of `.cache/`, the inputs as they are now and the site as the last
    build left it. `stats`, `site_stats`: the input files' and the site's, if the caller has just taken them."""

    def __init__(self, cache_folder: Path, roots: Iterable[Path], site: Path, cache: Cache | None = None,
                 stats: Stats | None = None, site_stats: Stats | None = None):
        self.cache = cache or Cache(cache_folder)
        self.inputs = Inputs(roots, self.cache, stats)
        self.last = LastBuild(self.cache, site, site_stats)

    def is_current(self) -> bool:
        return self.last.is_current(self.inputs)


class Cache:
    """The records of one review's `.cache/` folder."""

    def __init__(self, folder: Path, hold: bool = False, defer: bool = False):
        self.folder = Folder(folder)
        self._identity: str | None = None
        # With `hold`, for a Cache that lives across builds (serve's), what this process read or wrote, by
        # record: each record is read from disk once, while nothing else writes it (its file is as it left it).
        self.hold = hold
        self._held: dict[str, tuple[list[int], str, Any]] = {}
        # With `defer` (and `hold`), the records this process writes are written when `flush` is called (serve
        # calls it once a build's site is published and reported); meanwhile they are read as written. A process
        # forked from this one writes its own at once: it never flushes.
        self._deferring = os.getpid() if hold and defer else None
        self._pending: dict[str, tuple[str, Any]] = {}  # the data of records not yet written, by file
        self._deferred: list[tuple[str, tuple[str, Any], Callable[[], bool]]] = []
        self._made: dict[str, dict[str, Any]] = {}
        self._again: dict[str, Any] = {}
        self._batches: dict[str, tuple[str, dict[str, bytes]]] = {}  # with `hold`: see `held_batches`
        # with `hold`: the studies made from records, by the record's key, the file's name and its digest
        self.studies: dict[tuple[str, str, str], Study] = {}
        self.held_studies: HeldStudies | None = None  # with `hold`: what the last build read of studies/
        self._shards: dict[str, str] = {}  # the paths of the shards `placed_texts` read, by name
        self._layouts: dict[tuple[str, str], str] = {}  # how each record is kept, by name and key (`_read_kept`)

    def may_hold(self, name: str) -> bool:
        """Whether the record `name` may be found: its file or its folder of shards is there (or, with `hold`,
        this process may hold it). Where it cannot be, its key need not be made to look for it: the first key
        digests the engine's files (3 ms), which a check of a fresh clone then does only once it has forked, in
        the process that writes the records."""
        root = self.folder.root
        return self.hold or os.path.lexists(root / f"{name}.json") or os.path.lexists(root / name)

    def key(self, *parts: str) -> str:
        """A record key: the parts, the engine and this folder. Empty if the folder cannot be made."""
        identity = self._folder_identity()
        if not identity:
            return ""
        digest = hashlib.sha256()
        for part in (engine_digest(), identity, *parts):
            digest.update(part.encode("utf-8") + b"\0")
        return digest.hexdigest()[:DIGEST_HEX]

    def read(self, name: str, key: str) -> Any:
        """The data a record holds under `key`; None if there is none, or it is damaged or stale. The data
        is the caller's to change: a mapping or list is a copy of the one held (its items are shared)."""
        if not key:
            return None
        data = self._record(f"{name}.json", key, _json_record)
        return dict(data) if isinstance(data, dict) else list(data) if isinstance(data, list) else data

    def write(self, name: str, key: str, data: Any) -> None:
        if not key:
            return
        filename = f"{name}.json"

        def written() -> bool:
            return self._write_pieces(filename, _json_pieces(key, data))

        if not self._put_off(filename, key, data, written) and written() and self.hold:
            self._held[filename] = (self._stat(filename), key, data)

    def _put_off(self, filename: str, key: str, data: Any, write: Callable[[], bool]) -> bool:
        """With `defer`, in the process that made this Cache: hold the record's data as written, and write it
        (`write()`) when `flush` is called. False where it is to be written now."""
        if self._deferring != os.getpid():
            return False
        written = (key, data)
        self._pending[filename] = written
        self._deferred.append((filename, written, write))
        return True

    def flush(self) -> None:
        """Write the records put off since the last flush, in the order they were written (see `defer`)."""
        deferred, self._deferred = self._deferred, []
        for filename, written, write in deferred:
            if write() and self.hold:
                self._held[filename] = (self._stat(filename), *written)
            if self._pending.get(filename) is written:  # else written again since: that is pending
                del self._pending[filename]

    def _record(self, filename: str, key: str, parse: Callable[[bytes], tuple[str, Any] | None]) -> Any:
        """The data of a record file, parsed (key and data) by `parse`, if its key is `key`; with `hold`,
        parsed once while the file is as this process left or found it."""
        pending = self._pending.get(filename)
        if pending is not None:
            return pending[1] if pending[0] == key else None
        held = self._held.get(filename)
        if held is not None and held[0] == self._stat(filename):
            return held[2] if held[1] == key else None
        raw = self._read_bytes(filename)
        record = parse(raw) if raw is not None else None
        if record is None:
            return None
        if self.hold:
            self._held[filename] = (self._stat(filename), *record)
        return record[1] if record[0] == key else None

    def _write_record(self, filename: str, key: str, text: str | bytes, data: Any) -> bool:
        """Write a record file; with `hold`, hold its data as written. False if it could not be written."""
        raw = text.encode("utf-8") if isinstance(text, str) else text
        if self._put_off(filename, key, data, lambda: self._write_bytes(filename, raw)):
            return True
        written = self._write_bytes(filename, raw)
        if self.hold and written:
            self._held[filename] = (self._stat(filename), key, data)
        return written

    def _stat(self, filename: str) -> list[int]:
        try:
            stat = self.folder.path(filename).lstat()
        except (OSError, RefusedPath):
            return []
        return [stat.st_size, stat.st_mtime_ns, stat.st_ino]

    def made(self, kind: str, key: str, make: Callable[[], Made]) -> Made:
        """`make()`, or with `hold` what it gave for the same key in an earlier build of this process (a
        frozen release read and checked, by its file's digest): the few latest of each kind are held."""
        if not (self.hold and key):
            return make()
        held = self._made.setdefault(kind, {})
        if key not in held:
            held[key] = make()
            for old in list(held)[:-_MADE_HELD]:
                del held[old]
        return cast(Made, held[key])

    def again(self, kind: str, make: Callable[[Any], Made]) -> Made:
        """`make(earlier)`, where `earlier` is, with `hold`, what it gave in the last build of this process (None
        in the first, and without `hold`): for work that does again only what changed since (the letters of
        studies cited alike)."""
        if not self.hold:
            return make(None)
        made = make(self._again.get(kind))
        self._again[kind] = made
        return made

    def held_batches(self, name: str, key: str) -> HeldBatches | None:
        """With `hold`, the batches of texts `name` the last build of this process made under `key` (none under
        another key); else None."""
        if not (self.hold and key):
            return None
        held = self._batches.get(name)
        if held is None or held[0] != key:
            held = self._batches[name] = (key, {})
        return HeldBatches(held[1])

    def read_entries(self, name: str, key: str) -> dict[str, Any]:
        """The entries of a record kept in shards (`name/00.json` …), each entry in the shard its name
        falls in: changing one entry rewrites one shard, not the whole record. A record of few entries is
        kept in one file (`name/all.json`) instead: see `_ONE_FILE_MOST`."""
        return self._read_kept(name, _JSON, key)

    def write_entries(self, name: str, key: str, entries: Mapping[str, Any], before: Mapping[str, Any],
                      encode: Callable[[Any], Any] | None = None) -> None:
        """Write the shards whose entries differ from those read (`before`). With `encode`, an entry is
        given as made and kept as `encode(entry)`, one shard at a time: a large record is never whole in memory."""
        if not key or entries == before:
            return

        def write(filename: str, part: Mapping[str, Any]) -> None:
            self.write(filename.removesuffix(".json"), key,
                       part if encode is None else {entry: encode(made) for entry, made in part.items()})

        self._keep(name, _JSON, key, entries, before, write)

    def replace_entries(self, name: str, key: str, changed: Mapping[str, Any]) -> None:
        """Give these entries of a record kept in shards new data (None: remove them), rewriting only the shards
        they fall in: a few entries of a large record are kept without the others being looked at."""
        self._replace_kept(name, _JSON, key, changed, lambda made: made,
                           lambda filename, part: self.write(filename.removesuffix(".json"), key, dict(part)))

    def read_texts(self, name: str, key: str) -> dict[str, list[str]]:
        """The entries of a record of texts kept in shards (`name/00.txt` …, or one file, as `read_entries`):
        each entry its name and its texts (a study's JSON, its records in the downloads), kept as they are,
        between separators that no input may hold (control characters), so that they are read without being
        decoded one by one."""
        return self._read_kept(name, _TEXTS, key)

    def write_texts(self, name: str, key: str, entries: Mapping[str, Any], before: Mapping[str, Any],
                    encode: Callable[[Any], Sequence[str]] | None = None,
                    placed: dict[str, Placed] | None = None) -> None:
        """Write the shards whose entries differ from those read (`before`), as `write_entries` does, each
        entry as its texts (`encode(entry)`, if given). An entry with a text that would not read back as
        written (one holding a separator) is not kept. With `placed`, each entry written is placed there (by
        name): where it is, for `placed_texts` to read back."""
        if not key or entries == before:
            return
        self._keep(name, _TEXTS, key, entries, before, lambda filename, part: self._write_texts(
            filename, key, ((entry, made if encode is None else encode(made)) for entry, made in part.items()),
            placed))

    def replace_texts(self, name: str, key: str, changed: Mapping[str, Any],
                      encode: Callable[[Any], Sequence[str]] = list) -> None:
        """Give these entries of a record of texts new texts (`encode(entry)`, one shard at a time; None: remove
        them), rewriting only the shards they fall in: a few entries of a large record are kept without the
        others being looked at."""
        self._replace_kept(name, _TEXTS, key, changed, lambda made: list(encode(made)),
                           lambda filename, part: self._write_texts(filename, key, part.items()))

    def _read_kept(self, name: str, kind: _Kind, key: str) -> dict[str, Any]:
        entries: dict[str, Any] = {}
        if not key:
            return entries
        whole = self._record(f"{name}/all{kind.suffix}", key, kind.parse)
        if isinstance(whole, dict):
            self._layouts[name, key] = _ONE_FILE
            return dict(whole)  # the caller's to change
        found = False
        for shard in range(_SHARDS):
            part = self._record(f"{name}/{shard:02d}{kind.suffix}", key, kind.parse)
            if isinstance(part, dict):  # not copied: `entries` is new
                entries.update(part)
                found = True
        self._layouts[name, key] = _SHARDED if found else _NOTHING
        return entries

    def _layout(self, name: str, kind: _Kind, key: str) -> str:
        """How the record is kept under `key`: as this process last read or wrote it, else as its files are."""
        known = self._layouts.get((name, key))
        if known is not None:
            return known
        return _ONE_FILE if isinstance(self._record(f"{name}/all{kind.suffix}", key, kind.parse), dict) else _SHARDED

    def _keep(self, name: str, kind: _Kind, key: str, entries: Mapping[str, Any], before: Mapping[str, Any],
              write: Callable[[str, Mapping[str, Any]], None]) -> None:
        """Keep the record as `entries` (read as `before`): in one file if they are few, else the shards
        whose entries changed (all of them, where the record was kept in one file)."""
        was = self._layout(name, kind, key)
        if len(entries) <= _ONE_FILE_MOST and _rough_size(entries) <= _ONE_FILE_BYTES:
            self._keep_whole(name, kind, key, entries, was, write)
        else:
            self._keep_sharded(name, kind, key, _sharded(entries).__getitem__,
                               _sharded(before) if was == _SHARDED else None, was, write)

    def _replace_kept(self, name: str, kind: _Kind, key: str, changed: Mapping[str, Any],
                      encode: Callable[[Any], Any], write: Callable[[str, Mapping[str, Any]], None]) -> None:
        if not key:
            return
        was = self._layout(name, kind, key)
        if was == _SHARDED:
            for shard, updates in _by_shard(key, changed):
                filename = f"{name}/{shard:02d}{kind.suffix}"
                data = self._record(filename, key, kind.parse)
                write(filename, _updated(data if isinstance(data, dict) else {}, updates, encode))
            return
        found = self._record(f"{name}/all{kind.suffix}", key, kind.parse) if was == _ONE_FILE else None
        whole: Mapping[str, Any] = found if isinstance(found, dict) else {}
        if _count_after(whole, changed) <= _ONE_FILE_MOST \
                and _rough_size(whole) + _rough_size(changed) <= _ONE_FILE_BYTES:
            self._keep_whole(name, kind, key, _updated(whole, changed, encode), was, write)
            return
        # Grown past one file: each shard is made from the entries it holds and their changes, and encoded, one
        # at a time (the whole record encoded at once would be in memory at once).
        held, changes = _sharded(whole), _sharded(changed)
        self._keep_sharded(name, kind, key, lambda shard: _updated(held[shard], changes[shard], encode), None, was,
                           write)

    def _keep_whole(self, name: str, kind: _Kind, key: str, entries: Mapping[str, Any], was: str,
                    write: Callable[[str, Mapping[str, Any]], None]) -> None:
        write(f"{name}/all{kind.suffix}", entries)
        if was != _ONE_FILE:  # shards left from before: none is read while the one file holds the record
            present = self._present(name)
            for shard in range(_SHARDS):
                if (filename := f"{name}/{shard:02d}{kind.suffix}") in present:
                    self._remove(filename)
        self._layouts[name, key] = _ONE_FILE

    def _keep_sharded(self, name: str, kind: _Kind, key: str, parts: Callable[[int], Mapping[str, Any]],
                      then: Sequence[Mapping[str, Any]] | None, was: str,
                      write: Callable[[str, Mapping[str, Any]], None]) -> None:
        """Each shard's entries (`parts(shard)`) where they differ from those read (`then`); without these, every
        shard (an empty one's file removed), and then the one file the record was kept in, last: until then
        that is the record whole."""
        present = self._present(name) if then is None else set()
        for shard in range(_SHARDS):
            filename, part = f"{name}/{shard:02d}{kind.suffix}", parts(shard)
            if then is not None and part == then[shard]:
                continue
            if part or then is not None:
                write(filename, part)
            elif filename in present:
                self._remove(filename)
        if was == _ONE_FILE:
            self._remove(f"{name}/all{kind.suffix}")
        self._layouts[name, key] = _SHARDED

    def _present(self, name: str) -> set[str]:
        """The files of a record kept in shards, as this process will have left them (with `defer`, those put
        off too)."""
        present = {f"{name}/{entry.name}" for entry in _entries(self.folder.root / name)}
        return present | {filename for filename in self._pending if filename.startswith(f"{name}/")}

    def _remove(self, filename: str) -> None:
        """Remove a record's file (with `defer`, when the records put off are written)."""
        if not self._put_off(filename, "", None, lambda: self._removed(filename)):
            self._removed(filename)

    def _removed(self, filename: str) -> bool:
        self._held.pop(filename, None)
        with contextlib.suppress(OSError, RefusedPath):
            os.unlink(self.folder.path(filename))
        return False  # nothing to hold

    def placed_texts(self, entry: str, where: Placed) -> list[str] | None:
        """The texts of an entry `write_texts` placed, read back from its shard alone; None if the shard is not
        as written (the entry is not there) or cannot be read so."""
        filename, start, end = where
        if not (self._folder_identity() and hasattr(os, "pread")):
            return None
        try:
            path = self._shards.get(filename)
            if path is None:  # a shard's path made once (10,000 readings, medians of 5: 0.118 -> 0.079 s)
                path = self._shards[filename] = str(self.folder.path(filename))
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            try:  # with the separators around the line: a line cut short, or longer, is not taken
                raw = os.pread(descriptor, end - start + 2, start - 1)
            finally:
                os.close(descriptor)
            line = raw.decode("utf-8")
        except (OSError, RefusedPath, UnicodeDecodeError):
            return None
        if not (len(line) > 2 and line[0] == line[-1] == _ENTRY and _ENTRY not in line[1:-1]):
            return None
        name, *texts = line[1:-1].split(_FIELD)
        return texts if name == entry and texts else None

    def _write_texts(self, filename: str, key: str, entries: Iterable[tuple[str, Sequence[str]]],
                     placed: dict[str, Placed] | None = None) -> None:
        """A shard of a record of texts, its entries made and written a batch at a time (a shard of 100,000
        studies' records is tens of megabytes: made whole, then encoded, it cost a second more than in
        batches); an entry with a text that would not read back as written (one holding a separator) is not
        kept. With `placed`, where each entry's texts are in the shard, once written (see `write_texts`)."""
        if placed is None and self._deferring == os.getpid():
            kept = {entry: texts for entry, made in entries if (texts := list(made)) and _plain_texts(entry, *texts)}
            if self._put_off(filename, key, kept, lambda: self._texts_written(filename, key, kept.items())):
                return
        self._texts_written(filename, key, entries, placed)

    def _texts_written(self, filename: str, key: str, entries: Iterable[tuple[str, Sequence[str]]],
                       placed: dict[str, Placed] | None = None) -> bool:
        held: dict[str, list[str]] | None = {} if self.hold else None
        lines: dict[str, Placed] = {}

        def pieces() -> Iterator[bytes]:
            batch = [key, _ENTRY]
            at = len(key.encode("utf-8")) + 1  # the separators are one byte each
            for entry, made in entries:
                texts = list(made)
                if texts and _plain_texts(entry, *texts):
                    line = _FIELD.join([entry, *texts])
                    size = len(line) if line.isascii() else len(line.encode("utf-8"))
                    if placed is not None:
                        lines[entry] = (filename, at, at + size)
                    at += size + 1
                    batch.append(line + _ENTRY)
                    if held is not None:
                        held[entry] = texts
                    if len(batch) >= _TEXTS_AT_ONCE:
                        yield "".join(batch).encode("utf-8")
                        batch = []
            yield "".join(batch).encode("utf-8")

        if not self._write_pieces(filename, pieces()):
            return False
        if held is not None:
            self._held[filename] = (self._stat(filename), key, held)
        if placed is not None:
            placed.update(lines)
        return True

    def outputs(self, name: str, key: str, last: LastBuild,
                render: Callable[[], Iterable[tuple[str, bytes | Unchanged | Pieces | Staged] | UnchangedFiles]]
                ) -> Sequence[tuple[str, bytes | Unchanged | Staged]]:
        """What `render()` gives; or, while `key` is unchanged and the files the last build wrote for it are
        intact in the site, those files, unchanged. (Files made in pieces are made whole here, to be digested.)"""
        record = self.read(name, key)
        if isinstance(record, list):
            kept = last.unchanged(record)
            if kept is not None:
                return kept
        outputs: list[tuple[str, bytes | Unchanged | Staged]] = []
        for output in render():
            if isinstance(output, UnchangedFiles):
                outputs.extend((path, Unchanged(digest)) for path, digest in output.digests.items())
            else:
                path, data = output
                outputs.append((path, b"".join(data.make()) if isinstance(data, Pieces) else data))
        self.write(name, key, [[path, data.digest if isinstance(data, (Unchanged, Staged)) else file_digest(data)]
                               for path, data in outputs])
        return outputs

    def drawing(self, name: str) -> bytes | None:
        """A kept SVG drawing, if it is whole (a drawing always ends with its closing tag)."""
        data = self._read_bytes(name)
        return data if data is not None and data.rstrip().endswith(b"</svg>") else None

    def keep_drawing(self, name: str, data: bytes) -> bool:
        """Keep a drawing; False if it could not be kept (a read-only folder, a full disk)."""
        return self._write_bytes(name, data)

    def prune(self, folder: str, keep: set[str]) -> None:
        """Delete the files of a cache subfolder that no longer serve (drawings of old data)."""
        path = self.folder.root / folder
        if path.is_symlink() or not path.is_dir():
            return
        for entry in _entries(path):
            name = f"{folder}/{entry.name}"
            if name not in keep and entry.is_file(follow_symlinks=False):
                self._held.pop(name, None)
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

    def _write_bytes(self, relative: str, data: bytes) -> bool:
        return self._write_pieces(relative, (data,))

    def _write_pieces(self, relative: str, pieces: Iterable[bytes]) -> bool:
        if not self._folder_identity():
            return False
        try:
            self.folder.write_pieces(relative, pieces)
        except (OSError, RefusedPath):  # a full disk or read-only folder: not remembered
            return False
        return True


def _utf8(raw: bytes) -> tuple[str, bytes] | None:
    """Bytes that are UTF-8 text, as they are (a damaged batch of texts is made again)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "", raw


def _json_pieces(key: str, data: Any) -> Iterator[bytes]:
    """`{"key": key, "data": data}` as compact JSON; a mapping's members encoded a batch at a time (a shard of
    100,000 studies' entries encoded whole took three times as long per entry)."""
    if not isinstance(data, dict) or len(data) <= _TEXTS_AT_ONCE:
        yield _json_text({"key": key, "data": data}).encode("utf-8")
        return
    yield _json_text({"key": key, "data": {}})[:-2].encode("utf-8")  # up to the mapping's opening brace
    members = iter(data.items())
    separator = ""
    while batch := dict(islice(members, _TEXTS_AT_ONCE)):
        yield (separator + _json_text(batch)[1:-1]).encode("utf-8")
        separator = ","
    yield b"}}"


def _json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _json_record(raw: bytes) -> tuple[str, Any] | None:
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("key"), str):
        return None
    return record["key"], record.get("data")


_FIELD, _ENTRY = "\x1f", "\x1e"  # unit and record separators: control characters, refused in every input
Placed = tuple[str, int, int]  # an entry of a record of texts: its shard, and where its line is in it (bytes)


def _texts(raw: bytes) -> tuple[str, dict[str, list[str]]] | None:
    try:
        entries = raw.decode("utf-8").split(_ENTRY)
    except UnicodeDecodeError:
        return None
    if len(entries) < 2 or entries[-1]:
        return None  # cut short: a record ends with a separator
    found = {}
    for entry in entries[1:-1]:
        name, *texts = entry.split(_FIELD)
        if texts:
            found[name] = texts
    return entries[0], found


class _Kind(NamedTuple):
    """A kind of record kept in shards: its files' suffix, and how one is parsed (key and entries)."""

    suffix: str
    parse: Callable[[bytes], tuple[str, Any] | None]


_JSON, _TEXTS = _Kind(".json", _json_record), _Kind(".txt", _texts)
_ONE_FILE, _SHARDED, _NOTHING = "one file", "sharded", "nothing"  # how a record is kept (`Cache._read_kept`)


def _updated(entries: Mapping[str, Any], changed: Mapping[str, Any], encode: Callable[[Any], Any]) -> dict[str, Any]:
    """The entries, with those changed given their new data (`encode`d), or removed where that is None."""
    data = dict(entries)
    for entry, made in changed.items():
        data.pop(entry, None)
        if made is not None:
            data[entry] = encode(made)
    return data


def _count_after(entries: Mapping[str, Any], changed: Mapping[str, Any]) -> int:
    """How many entries the record holds once changed (see `_updated`)."""
    added = sum(made is not None and entry not in entries for entry, made in changed.items())
    return len(entries) + added - sum(made is None and entry in entries for entry, made in changed.items())


def _rough_size(value: Any) -> int:
    """About how many characters a record's entries take once written: their texts counted, a number as a few,
    and anything else (a study not yet made into its record) as a study's record takes. A study is not walked
    field by field: the repository's 128 took 13 ms so, in every cold build and fresh check."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        return sum(len(key) + _rough_size(item) for key, item in value.items())
    if type(value) in (list, tuple):
        return sum(map(_rough_size, value))
    return 8 if value is None or isinstance(value, (int, float)) else _UNMADE_RECORD


def _plain_texts(*texts: Any) -> bool:
    return all(isinstance(text, str) and _FIELD not in text and _ENTRY not in text for text in texts)


def _sharded(entries: Mapping[str, Any]) -> list[dict[str, Any]]:
    shards: list[dict[str, Any]] = [{} for _ in range(_SHARDS)]
    for name, entry in entries.items():
        shards[_shard(name)][name] = entry
    return shards


def _by_shard(key: str, changed: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The changed entries of a record, by the shard each falls in (none for a record without a key)."""
    by_shard: dict[int, dict[str, Any]] = {}
    for entry, made in changed.items() if key else ():
        by_shard.setdefault(_shard(entry), {})[entry] = made
    return sorted(by_shard.items())


def _shard(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) % _SHARDS


def _entries(folder: Path) -> Iterator[os.DirEntry[str]]:
    try:
        yield from os.scandir(folder)
    except OSError:
        return


class CheckVerdict:
    """That `check` found no problem in these input files, with this engine, this year (a study's year may
    run to next year), and how many studies and codebook fields it counted: a check of unchanged files finds
    what it found before, as a build of unchanged files writes nothing. A check that finds problems leaves
    no verdict, so they are looked for (and shown) again."""

    def __init__(self, cache: Cache, inputs: Inputs):
        self.cache, self.inputs = cache, inputs

    @cached_property
    def key(self) -> str:
        return self.cache.key("checked", str(datetime.date.today().year))

    def counts(self) -> tuple[int, int] | None:
        if not self.cache.may_hold("checked"):
            return None
        found = self.cache.read("checked", self.key)
        if isinstance(found, list) and len(found) == 3 and found[0] == self.inputs.digest \
                and all(type(n) is int for n in found[1:]):
            return found[1], found[2]
        return None

    def keep(self, studies: int, fields: int) -> tuple[int, int]:
        self.cache.write("checked", self.key, [self.inputs.digest, studies, fields])
        return studies, fields


class KnownStudies:
    """Studies an earlier run found valid, by file: a file whose bytes are unchanged (same digest, same
    codebook and engine, by the record's key) need not be read and checked again. Each is kept as its
    record in data/studies.json, the text the downloads then need not make again (`texts`, by id)."""

    def __init__(self, cache: Cache, key: str, inputs: Inputs, shown: str):
        self.cache, self.key, self.inputs, self.shown = cache, key, inputs, shown  # shown: studies/ as shown
        found = cache.read_texts("studies", key)
        self.before: dict[str, Any] = found
        # A valid study's entry: its file's digest, its record (`study_json`) and where its codes and evidence
        # notes are in that (`study_record`).
        self.entries = {name: entry for name, entry in found.items() if len(entry) == 3}
        self.texts = RecordTexts(cache, shown)

    def get(self, path: Path) -> Study | None:
        name = path.name
        entry = self.entries.get(name)
        if entry is None or entry[0] != self.inputs.files.get(str(path)):
            return None
        made = (self.key, name, entry[0])
        study = self.cache.studies.get(made)
        if study is None:
            from .study import study_from_record

            try:
                study = study_from_record(entry[1], entry[2], f"{self.shown}/{path.name}")
            except (KeyError, TypeError, ValueError, AttributeError):
                del self.entries[name]  # a damaged entry: the file is read again, and remembered anew
                return None
            if self.cache.hold:
                self.cache.studies[made] = study
        self.texts.known[study.id] = entry[1]
        return study

    def keep(self, paths: Iterable[Path], studies: Iterable[Study]) -> Keeping:
        """Begin remembering the valid studies of these files (and forgetting the rest), if anything changed.
        A cold build's records of many new studies are made and written by a forked process meanwhile (see
        `_KEEP_BESIDE_FROM`); not in `serve`, whose cache holds what it writes."""
        from .study import study_record

        by_path = {study.path: study for study in studies}
        entries: dict[str, list[Any]] = {}
        for path in paths:
            name = path.name
            study, digest = by_path.get(f"{self.shown}/{name}"), self.inputs.files.get(str(path))
            if study is not None and digest:
                entry = self.entries.get(name)
                entries[name] = entry if entry is not None and entry[0] == digest else [digest, study]
        new = sum(not isinstance(entry[1], str) for entry in entries.values())

        # A new study's texts are made a shard at a time, as each is written, and not held for the downloads:
        # held for every study of a cold build until then, they raised its peak memory by a quarter (10,000
        # studies: 187 -> 240 MB). The downloads read each back from its shard instead of making it again.
        def written() -> Iterator[dict[str, Placed]]:
            placed: dict[str, Placed] = {}
            self.cache.write_texts("studies", self.key, entries, self.before,
                                   lambda entry: entry if isinstance(entry[1], str)
                                   else [entry[0], *study_record(entry[1])], placed)
            yield placed

        fork = new >= _KEEP_BESIDE_FROM and not self.cache.hold and forks_cheaply()
        return Keeping(self, entries, Beside(written, fork=fork))


class Keeping(NamedTuple):
    """The record of valid studies as `KnownStudies.keep` began it: `end` waits for it to be written (or writes
    it, where no process was forked) and takes where each study's record is; `cancel` stops a forked process
    still writing it (an interrupted build), and waits for it."""

    known: KnownStudies
    entries: dict[str, list[Any]]
    writing: Beside[dict[str, Placed]]

    def end(self) -> None:
        with self.writing:
            placed = next(self.writing)
        known = self.known
        for name, entry in self.entries.items():
            if not isinstance(entry[1], str) and name in placed:
                known.texts.placed[entry[1].id] = (name, entry[0], placed[name])
        made = {(known.key, name, entry[0]) for name, entry in self.entries.items()}
        for gone in [key for key in known.cache.studies if key not in made]:
            del known.cache.studies[gone]

    def cancel(self) -> None:
        self.writing.cancel()


# New studies' records made and written by a forked process while the build goes on (cross-checks, tallies),
# from this many. Cold builds, alternated, medians: 2,000 studies 1.67 -> 1.67 s (10 each), 5,000 2.88 -> 2.81 s
# (8 each), 10,000 5.35 -> 5.18 s (6 each). Not when the process is too large to fork cheaply (100,000: the
# process forked copied most of the studies, and the build peaked at 1562 MiB, against 1338 without it).
_KEEP_BESIDE_FROM = 5000


class RecordTexts(MutableMapping[str, str]):
    """Studies' records in data/studies.json, by id: those read with the record of valid studies (`known`), and
    those its writing placed in its shards (`placed`: the entry's name, its file's digest, where it is),
    each read back when asked for instead of encoding the study again (a cold build of 10,000 studies, medians
    of 5: 4.79 -> 4.68 s)."""

    def __init__(self, cache: Cache, shown: str = ""):
        self.cache, self.shown = cache, shown  # shown: the studies' folder as shown, where their files are
        self.known: dict[str, str] = {}
        self.placed: dict[str, tuple[str, str, Placed]] = {}

    def __getitem__(self, study_id: str) -> str:
        text = self.known.get(study_id)
        if text is not None:
            return text
        name, digest, where = self.placed[study_id]
        texts = self.cache.placed_texts(name, where)
        if texts is None or len(texts) != 3 or texts[0] != digest:
            raise KeyError(study_id)  # not as written: the caller makes the record itself
        return texts[1]

    def __setitem__(self, study_id: str, text: str) -> None:
        self.known[study_id] = text

    def __delitem__(self, study_id: str) -> None:
        if self.known.pop(study_id, None) is None and self.placed.pop(study_id, None) is None:
            raise KeyError(study_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self.known.keys() | self.placed.keys())

    def __len__(self) -> int:
        return len(self.known.keys() | self.placed.keys())


class HeldStudies:
    """What serve's last reading of studies/ found, held between its builds: the names the folder listed, the
    digest of each file in it, the valid studies in the order of their files, and the record texts of those
    read back from .cache/ (by id). While the folder lists the same names and the studies' record has the same
    key, a rebuild reads again only the files whose digest changed (`changed`), instead of looking each of
    10,000 studies up again; `replaced` is what the folder then holds."""

    def __init__(self, key: str, names: frozenset[str], files: dict[str, str], paths: list[Path],
                 studies: list[Study], texts: MutableMapping[str, str], position: dict[str, int] | None = None):
        self.key, self.names, self.files, self.paths = key, names, files, paths
        self.studies, self.texts = studies, texts
        self.position = position if position is not None else {str(path): index for index, path in enumerate(paths)}

    def changed(self, key: str, names: frozenset[str], files: Mapping[str, str]) -> list[int] | None:
        """The positions of the study files whose digest is not the one held, or None if the folder or the
        record's key is not the same (then every file is looked up as in a fresh process)."""
        if key != self.key or names != self.names or files.keys() != self.files.keys():
            return None
        held = self.files
        return sorted(self.position[path] for path, digest in files.items()
                      if digest != held[path] and path in self.position)

    def replaced(self, key: str, names: frozenset[str], files: dict[str, str],
                 studies: Mapping[int, Study]) -> HeldStudies:
        """The folder as it is now, the studies at these positions read again."""
        now = list(self.studies)
        texts = self.texts
        for index, study in studies.items():
            texts.pop(now[index].id, None)  # its record is the one of the file as it was
            now[index] = study
        return HeldStudies(key, names, files, self.paths, now, texts, self.position)


class StudyCodings:
    """What the last build's study files said that figures read (`study.coding_digest`), by file, and a
    digest of every other input: whether an edit can change a figure, known before the review is loaded.
    A small review's drawing process imports matplotlib at once only if one can (a title edit draws
    nothing, and the import on the other core slows this one's work). A file's coding is recorded
    when the build parses it, or, if a check validated it since it changed, when the record is written; the
    others keep theirs while their bytes are unchanged."""

    def __init__(self, cache: Cache, studies: Path):
        self.cache, self.key, self.studies = cache, cache.key("codings"), os.path.join(studies, "")
        found = cache.read("codings", self.key)
        entries = found.get("studies") if isinstance(found, dict) else None
        self.rest = found.get("rest") if isinstance(found, dict) else None
        self.entries: dict[str, list[str]] = {
            path: entry for path, entry in (entries.items() if isinstance(entries, dict) else ())
            if isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)}

    def may_change_figures(self, inputs: Inputs) -> bool:
        """Whether the inputs may draw other figures than the last build's: anything but a study file
        changed, a study file was added or removed, or one says other codes, year or id than before (parsed
        here, as the build parses it). Unsure (no record, a file that does not parse): yes."""
        if self.rest is None or self.rest != self._rest_digest(inputs):
            return True
        now = {path: digest for path, digest in inputs.files.items() if path.startswith(self.studies)}
        if now.keys() != self.entries.keys():
            return True
        return any(digest != self.entries[path][0] and self._coding(path) != self.entries[path][1]
                   for path, digest in now.items())

    def remember(self, inputs: Inputs, parsed: Mapping[str, str]) -> None:
        """Record the codings of the study files: those the build parsed (`parsed`, by path), those recorded
        for the same bytes, and those of the files the build did not parse although they changed since the
        record (a check found them valid meanwhile), parsed here."""
        entries = {}
        for path, digest in inputs.files.items():
            if path.startswith(self.studies):
                coding, kept = parsed.get(path), self.entries.get(path)
                if coding is None:
                    coding = kept[1] if kept is not None and kept[0] == digest else self._coding(path)
                if coding:
                    entries[path] = [digest, coding]
        self.cache.write("codings", self.key, {"rest": self._rest_digest(inputs), "studies": entries})

    @staticmethod
    def _coding(path: str) -> str:
        """Parsed as the build parses it, and remembered: the build then need not parse the text again."""
        from .load import read_yaml
        from .study import coding_digest

        return coding_digest(read_yaml(Path(path), path).data)

    def _rest_digest(self, inputs: Inputs) -> str:
        digest = hashlib.sha256()
        for path, file in sorted(inputs.files.items()):
            if not path.startswith(self.studies):
                digest.update(f"{path}\0{file}\0".encode())
        return digest.hexdigest()[:DIGEST_HEX]


class KnownReleases:
    """The release files an earlier run found valid, by digest: a release never changes, so while its file's
    bytes are those found valid, they need not be checked against the schemas again."""

    def __init__(self, cache: Cache):
        self.cache = cache
        found = cache.read("releases", self.key) if cache.may_hold("releases") else None
        self.before: dict[str, Any] = found if isinstance(found, dict) else {}
        self.valid: dict[str, str] = {}

    @cached_property
    def key(self) -> str:
        return self.cache.key("releases")

    def known(self, path: str, digest: str) -> bool:
        return bool(digest) and self.before.get(path) == digest

    def keep(self, path: str, digest: str) -> None:
        if digest:
            self.valid[path] = digest

    def save(self, valid: dict[str, str] | None = None) -> None:
        """Write the releases found valid: those kept here, or `valid`, as a process forked from this one kept
        them (so that the process that writes the other records makes the key)."""
        self.valid = self.valid if valid is None else valid
        if self.valid != self.before:
            self.cache.write("releases", self.key, self.valid)


class KnownTexts:
    """The texts of inputs (the codebook, content/site.yaml and references.bib) an earlier run found valid,
    by the digest of the text as read (the file may have changed since its digest was taken): such a text
    need not be checked again. Without a cache, none is known."""

    def __init__(self, cache: Cache | None, name: str):
        self.cache, self.name, self.key = cache, name, cache.key(name) if cache else ""
        found = cache.read(name, self.key) if cache else None
        self.before = {d for d in found if isinstance(d, str)} if isinstance(found, list) else set()
        self.valid: set[str] = set()

    def known(self, text: str) -> bool:
        return _text_digest(text) in self.before

    def keep(self, text: str) -> None:
        self.valid.add(_text_digest(text))

    def save(self) -> None:
        if self.cache and self.valid != self.before:
            self.cache.write(self.name, self.key, sorted(self.valid))


class ParsedTexts:
    """The data of the YAML texts an earlier run parsed without a problem (the content, screening and search
    files; a study's is kept by KnownStudies), by the digest of the text, as JSON (a date as a mapping from a
    key no such text holds): given back instead of parsing the text again, and kept only where it reads back
    exactly as parsing gave it. A run that parses a text anew keeps the texts it read, and forgets the others
    (a run that parses none changes nothing: `check` and `build` may read different texts).

    A text parsed anew is encoded only when `encode` is called (by `add` and `save`): a check's second process
    hands the data of the release files' texts it parsed to the first, which encodes them while it waits for
    the releases' pages (the repository's review: a hundred texts, a few milliseconds that were the second
    process's, whose work the check waits for)."""

    def __init__(self, cache: Cache):
        self.cache = cache
        self.before = cache.read_texts("parsed", self.key) if cache.may_hold("parsed") else {}
        self.now: dict[str, list[str]] = {}
        self.fresh: dict[str, Any] = {}  # the data of texts parsed anew, by digest, not yet encoded
        self.parsed = False  # whether a text parsed anew was kept

    @cached_property
    def key(self) -> str:
        return self.cache.key("parsed")

    def get(self, text: str) -> Any:
        digest = _text_digest(text)
        found = self.before.get(digest)
        if not found:
            return None
        try:
            data = _from_json(found)
        except (ValueError, TypeError):  # a damaged entry: the text is parsed, and kept anew
            return None
        self.now[digest] = found
        return data

    def keep(self, text: str, data: Any) -> None:
        """Keep a text parsed anew, and its data, which nothing may change from now on."""
        digest = _text_digest(text)
        if digest not in self.now:  # else read before in this run (the editions share most texts)
            self.fresh.setdefault(digest, data)

    def encode(self) -> None:
        """Keep each text parsed anew as JSON, where that reads back exactly as parsing gave it."""
        for digest, data in self.fresh.items():
            if digest not in self.now and (texts := _as_json(data)) is not None:
                self.now[digest] = texts
                self.parsed = True
        self.fresh = {}

    def taken(self) -> tuple[dict[str, list[str]], dict[str, Any], bool]:
        """What this run read and parsed so far, and not yet taken: for a run that parsed some of its texts in
        another process."""
        taken = self.now, self.fresh, self.parsed
        self.fresh = {}
        return taken

    def add(self, taken: tuple[dict[str, list[str]], dict[str, Any], bool]) -> None:
        """Keep what another process of this run read and parsed (`taken` there) as well, encoded here."""
        now, fresh, parsed = taken
        self.now.update(now)
        self.fresh.update(fresh)
        self.parsed = self.parsed or parsed
        self.encode()

    def save(self) -> None:
        """Write what was read and parsed, if a text was parsed anew since it was last written."""
        self.encode()
        if self.parsed:
            self.cache.write_texts("parsed", self.key, self.now, self.before)
            self.parsed = False


def _as_json(data: Any) -> list[str] | None:
    """Parsed data as ParsedTexts keeps it, or None if JSON would not give it back exactly."""
    dated = False

    def tagged(value: Any) -> dict[str, str]:
        nonlocal dated
        if isinstance(value, datetime.date):  # a datetime is a date too
            dated = True
            return {_DATE_TIME if isinstance(value, datetime.datetime) else _DATE: value.isoformat()}
        raise TypeError(type(value).__name__)

    try:
        texts = [json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=tagged)]
    except (TypeError, ValueError):  # a value JSON has no form for
        return None
    texts += ["dated"] if dated else []
    return texts if _from_json(texts) == data else None


# Keys no text parsed without a problem holds (the loader refuses a control character): a date, a time.
_DATE, _DATE_TIME = "\x00date", "\x00datetime"


def _from_json(texts: Sequence[str]) -> Any:
    return json.loads(texts[0], object_hook=_dated) if texts[1:] == ["dated"] else json.loads(texts[0])


def _dated(mapping: dict[str, Any]) -> Any:
    if len(mapping) == 1:
        if _DATE in mapping:
            return datetime.date.fromisoformat(mapping[_DATE])
        if _DATE_TIME in mapping:
            return datetime.datetime.fromisoformat(mapping[_DATE_TIME])
    return mapping


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_HEX]


class KnownAggregates:
    """The draft's tallies as the last build counted them, with the digest of each study file counted: read
    back instead of being counted again while the studies are those counted, each with the values counted
    for it, and counted again only for the studies whose values changed (10,000 synthetic studies: counted
    in 0.15 s; after a title edit, read back in 0.05 s; after a coding edit, read, counted again for one
    study and kept in 0.15 s). `files`: each study's file digest, by its path as shown; `key`: what the
    counting read besides the studies (the codebook, the tables)."""

    def __init__(self, cache: Cache, key: str, files: Mapping[str, str]):
        self.cache, self.key, self.files = cache, key, files
        found = cache.read("aggregates", key)
        found = found if isinstance(found, dict) else {}
        self.counted, self.data = found.get("files"), found.get("aggregates")

    def get(self) -> tuple[Aggregates, set[str]] | None:
        """The tallies counted, and the paths of the study files that changed since (whose studies the
        caller compares with what was counted for them); None if there are none, or other files."""
        from .aggregate import aggregates_from_data

        if not isinstance(self.counted, dict) or self.counted.keys() != self.files.keys():
            return None
        try:
            counted = aggregates_from_data(self.data)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):  # a damaged record: counted again
            return None
        changed = set() if self.counted == self.files else {
            path for path, digest in self.files.items() if self.counted[path] != digest}
        return counted, changed

    def keep(self, aggregates: Aggregates, behind: int | None = None) -> None:
        """Remember the tallies counted from the study files as they are (if each one's digest is known).
        Tallies recounted from this record, `behind` being how many study files changed since it was written,
        are not written again while these are at most RECOUNT_BEHIND_AT_MOST: the record still serves the next
        build, which counts again only the studies changed since (10,000 studies: a one-study coding edit
        no longer writes every study's values again, 0.05 s). Nor are they in serve, which holds them between
        its builds (`Cache.again`)."""
        from .aggregate import aggregates_data

        if behind is not None and (behind <= RECOUNT_BEHIND_AT_MOST or self.cache.hold):
            return
        if all(self.files.values()):
            self.cache.write("aggregates", self.key,
                             {"files": dict(self.files), "aggregates": aggregates_data(aggregates)})


RECOUNT_BEHIND_AT_MOST = 64  # study files changed since the tallies' record was written, each counted again


class KnownTitles:
    """The near-identical titles an earlier run found among the study files, with every title it compared:
    a pair of titles both unchanged since then is still a pair (or not), so only new titles are compared,
    each with every title of its year."""

    def __init__(self, cache: Cache, key: str):
        self.cache, self.key = cache, key
        found = cache.read("titles", key)
        found = found if isinstance(found, dict) else {}
        titles, pairs = found.get("titles"), found.get("pairs")
        self.titles: dict[str, tuple[Any, ...]] = {key: tuple(value) for key, value in titles.items()
                                                   if isinstance(value, list)} if isinstance(titles, dict) else {}
        self.found = {(p[0], p[1]) for p in pairs if isinstance(p, list) and len(p) == 2
                      and all(isinstance(part, str) for part in p)} if isinstance(pairs, list) else set()

    def pairs(self, titles: Mapping[str, tuple[int, str]],
              find: Callable[[Mapping[str, tuple[int, str]], Sequence[str]], set[tuple[str, str]]]
              ) -> set[tuple[str, str]]:
        same = {key for key, value in titles.items() if self.titles.get(key) == value}
        found = {pair for pair in self.found if pair[0] in same and pair[1] in same}
        found |= find(titles, [key for key in titles if key not in same])
        if found != self.found or len(same) != len(self.titles) or len(same) != len(titles):
            self.cache.write("titles", self.key, {"titles": {key: list(value) for key, value in titles.items()},
                                                  "pairs": sorted(list(pair) for pair in found)})
        return found


class StudyMemo:
    """What a build made from each study (its rows, its records, its pages), with the key it was made
    from: the store adds the study file's digest to the key, so a study whose file changed is made again.
    Entries of studies no longer in the edition (without `files`: no longer made) are forgotten when the
    memo is saved."""

    def __init__(self, cache: Cache, name: str, key: str, files: Mapping[str, str] | None, texts: bool = False):
        self.cache, self.name, self.key = cache, name, key
        self.files = files  # each study's file digest, by id; None: the keys given are whole
        # `texts`: each value a list of texts, kept as a record of texts (read without decoding)
        self.texts = texts
        # a record of texts holds each entry as [key, *texts]: made [key, texts] when asked for
        self.entries: dict[str, Any] = (cache.read_texts(name, key) if texts else cache.read_entries(name, key)) \
            if key else {}
        self.kept: dict[str, list[Any]] = {}
        self.made: set[str] = set()  # the studies whose entry was made anew (`keep`)

    def get(self, study_id: str, key: str) -> Any:
        """What was made from the study under this key, or None."""
        return self.under(study_id, self.full_key(study_id, key))

    def again(self, kind: str, make: Callable[[Any], Made]) -> Made:
        """`Cache.again` for work of this memo's (what a pass over every study found, held by serve)."""
        return self.cache.again(f"{self.name} {kind}", make)

    def under(self, study_id: str, full_key: str) -> Any:
        entry = self.entries.get(study_id)
        if self.texts and entry:
            entry = [entry[0], entry[1:]]
        if full_key and isinstance(entry, list) and len(entry) == 2 and entry[0] == full_key:
            self.kept[study_id] = entry
            return entry[1]
        return None

    def keep(self, study_id: str, key: str, value: Any) -> None:
        key = self.full_key(study_id, key)
        if key:
            self.kept[study_id] = [key, value]
            self.made.add(study_id)

    def full_key(self, study_id: str, key: str) -> str:
        """The key with the study file's digest ("" for a study with no known file: nothing is kept)."""
        if self.files is None:
            return key
        file = self.files.get(study_id)
        return f"{key}:{file}" if file else ""

    def save(self) -> None:
        """Write what was kept, once; then let it go (a memo may be saved before the build ends, to free its
        share of memory: the records of 100,000 studies are large)."""
        # Only the shards of the entries made anew or no longer made are written: the entries a build took
        # back are those read (of 10,000 after a one-study edit, all but one).
        changed: dict[str, list[Any] | None] = {study: self.kept[study] for study in self.made}
        # Forgotten: the entries of studies no longer in the edition (where the memo knows them), else of those
        # not asked for. A study's row in a batch of the table's data kept whole is not asked for, yet stays.
        changed.update(dict.fromkeys(self.entries.keys() - (self.kept.keys() if self.files is None else
                                                            self.files.keys())))
        if self.key and self.texts:
            self.cache.replace_texts(self.name, self.key, changed,
                                     lambda entry: [entry[0], *entry[1]] if isinstance(entry[1], list) else [])
        elif self.key:
            self.cache.replace_entries(self.name, self.key, changed)
        self.key, self.entries, self.kept, self.made = "", {}, {}, set()


class KeptPages:
    """Each study's pages as the last build wrote them: while a study's key is unchanged (its file, the
    page around it, the codebook, templates and engine) and its pages are intact in the site, they are
    linked instead of being rendered again."""

    def __init__(self, memo: StudyMemo, last: LastBuild):
        self.memo, self.last = memo, last

    def get(self, study_id: str, key: str) -> list[tuple[str, bytes | Unchanged]] | None:
        return self.last.unchanged(self.memo.get(study_id, key))

    def unchanged(self, study_id: str, key: str) -> dict[str, str] | None:
        return self.last.intact_digests(self.memo.get(study_id, key))

    def unchanged_all(self, studies: Sequence[Study], key: Callable[[Study], str], around: Any
                      ) -> dict[str, dict[str, str] | None]:
        """`unchanged` of each study, by id; `key(study)` is made from the study and `around` alone. In serve
        (a held cache), a study that is the very object the last build asked about is given what it was given
        then, while `around` and the memo's key are as they were and every page found unchanged then is still
        as that build left it (after a one-study edit of 10,000, one study is looked up: 0.03 s less)."""
        def found(earlier: _PagesFound | None) -> _PagesFound:
            last = earlier if earlier is not None and earlier.memo_key == self.memo.key and earlier.around == around \
                and len(earlier.studies) == len(studies) and earlier.pages.items() <= self.last.intact.items() \
                else None
            # the places of the studies that are not the very objects asked about then (each of an id known then),
            # and of those whose pages were made anew then: these are in the memo now
            again = sorted({index for index, (before, study) in enumerate(zip(last.studies, studies, strict=True))
                            if before is not study}.union(last.missing)) if last is not None else []
            if last is None or any(studies[index].id not in last.found for index in again):
                given = {study.id: self.unchanged(study.id, key(study)) for study in studies}
                pages = {path: digest for digests in given.values() if digests for path, digest in digests.items()}
                missing = tuple(index for index, study in enumerate(studies) if given[study.id] is None)
                return _PagesFound(self.memo.key, around, tuple(studies), given, pages, missing)
            given, pages = dict(last.found), dict(last.pages)
            for index in again:
                study = studies[index]
                for path in given[study.id] or ():
                    pages.pop(path, None)
                given[study.id] = digests = self.unchanged(study.id, key(study))
                pages.update(digests or ())
            missing = tuple(index for index in again if given[studies[index].id] is None)
            return _PagesFound(self.memo.key, around, tuple(studies), given, pages, missing)

        if not self.memo.cache.hold:
            return {study.id: self.unchanged(study.id, key(study)) for study in studies}
        return self.memo.cache.again(f"pages found {self.memo.name}", found).found

    def keep(self, study_id: str, key: str, digests: Mapping[str, str]) -> None:
        self.memo.keep(study_id, key, [[path, digest] for path, digest in digests.items()])

    def save(self) -> None:
        self.memo.save()


class _PagesFound(NamedTuple):
    """What `KeptPages.unchanged_all` gave in a build: under which memo key and `around`, the studies asked
    about (in order), what each was given (by id), and every page given as unchanged, with its digest."""

    memo_key: str
    around: Any
    studies: tuple[Study, ...]
    found: dict[str, dict[str, str] | None]
    pages: dict[str, str]
    missing: tuple[int, ...]  # the places of the studies given nothing (their pages were made anew)


class KeptBatches:
    """Texts made from a batch of studies (the table's exports, a thousand records at a time), each in a
    file of its own under `folder`, named by the record key of what it was made from: a build reads only the
    few it needs, and a large review's are never all in memory at once."""

    def __init__(self, cache: Cache, folder: str, key: str):
        self.cache, self.folder, self.key = cache, folder, key
        self.asked: set[str] = set()

    def _name(self, key: str) -> str:
        record = self.cache.key(self.key, key) if self.key and key else ""
        return f"{self.folder}/{record}.txt" if record else ""

    def get(self, key: str) -> bytes | None:
        name = self._name(key)
        if not name:
            return None
        self.asked.add(name)
        return cast(bytes | None, self.cache._record(name, "", _utf8))  # in serve, held: read once

    def keep(self, key: str, data: bytes) -> None:
        name = self._name(key)
        if name and self.cache._write_record(name, "", data, data):
            self.asked.add(name)

    def prune(self) -> None:
        if self.key:
            self.cache.prune(self.folder, self.asked)


class HeldBatches:
    """Texts made from a batch of studies, encoded, held in memory from one build of a process to its next
    (serve's), never on disk: the downloads' batches (40 MB at 10,000 studies) would add as much to what a cold
    build writes. `held`: those of the last build, which `prune` replaces by those asked for or kept since."""

    def __init__(self, held: dict[str, bytes]):
        self.held = held
        self.now: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        found = self.now.get(key)
        if found is None:
            found = self.held.get(key)
        if found is not None:
            self.now[key] = found
        return found

    def keep(self, key: str, data: bytes) -> None:
        self.now[key] = data

    def prune(self) -> None:
        self.held.clear()
        self.held.update(self.now)


class EditionMemory:
    """What the last build made from an edition's studies: their pages, their rows in the study table (and,
    by batch, in its data for site.js), the table's pages, and their records in the downloads and, by batch,
    in the table's exports."""

    def __init__(self, cache: Cache, label: str, key: str, last: LastBuild, files: Mapping[str, str],
                 pages_key: str):
        self.cache, self.label, self.last, self.pages_key = cache, label, last, pages_key
        self.pages = KeptPages(StudyMemo(cache, f"study-pages-{label}", key, files), last)
        self.rows = StudyMemo(cache, f"table-rows-{label}", key, files)
        self.table = StudyMemo(cache, f"table-pages-{label}", key, None)
        # A page of the table shows, around its rows, what the edition's other pages do: kept by the same key.
        self.table_files = KeptPages(StudyMemo(cache, f"table-files-{label}", self._whole(key), None), last)
        self.records = StudyMemo(cache, f"study-records-{label}", key, files, texts=True)
        self.exports = KeptBatches(cache, f"table-exports-{label}", key)
        self.table_data = KeptBatches(cache, f"table-data-{label}", key)
        self.downloads = cache.held_batches(f"downloads-{label}", key)
        self.shown = StudyMemo(cache, f"study-shown-{label}", key, files)

    def edition_pages(self, part: str, key: str, render: Callable[[], Iterable[tuple[str, bytes]]]
                      ) -> Sequence[tuple[str, bytes | Unchanged | Staged]]:
        """A part of the edition's other pages, kept while `key` and everything but the study files are
        unchanged (`pages_key`, which for a review with its own templates covers the study files too)."""
        return self.cache.outputs(f"edition-{part}-{self.label}", self._whole(key), self.last, render)

    def _whole(self, key: str) -> str:
        return self.cache.key("edition pages", self.pages_key, key) if self.pages_key else ""

    def save(self) -> None:
        for memo in (self.pages, self.rows, self.table, self.table_files, self.records, self.shown):
            memo.save()
        if self.downloads is not None:
            self.downloads.prune()
