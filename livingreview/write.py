"""Every file the generator writes goes through `Folder`: inside one folder, atomically, nowhere else.

A relative path is refused unless each of its parts is a plain name (letters, digits, dots, hyphens and
underscores; not `.` or `..`), and no folder on the way may be a symbolic link: so no study id,
figure key, release version or page name can lead a write out of the folder it was meant for.

A new site is staged in a folder beside the old one, which no reader sees: its files are created in
place (elsewhere, a file is written under a temporary name and renamed over the old one, so that it is
never seen half-written). A file of the new site whose bytes did not change is hard-linked
from the old site (its modification time stays). A build that knows a file is unchanged without making
it again says so with `Unchanged`, and the file is linked without being read. A process of the build that
renders pages beside this one puts them in the staging folder itself (`Stager`) and passes on only how
(`Staged`): the pages need not be sent here to be written. When everything is
staged, the two folders are exchanged in one rename (Linux's renameat2 with RENAME_EXCHANGE; elsewhere
two renames), so a reader or an interrupted build sees the old site or the new one, never neither.

A build that knows which files of the old site are intact may have them all linked into the staging folder
beforehand (`link_old_site`, on the other core while it loads the review): it then puts only what changed,
and removes what it no longer makes. The site a build replaces is kept beside the new one as the spare
(`.site-spare`), to stage the next build in: most of its files are the new site's own (hard links to the
same files), so only the files that differ are linked again, not every file of the site.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .diagnostics import BuildError, Diagnostic
from .named_tuple import NamedTuple
from .parallel import Press

if TYPE_CHECKING:
    from concurrent.futures import Future

_PART = re.compile(r"(?!\.\.?$)[A-Za-z0-9._-]+")


class RefusedPath(ValueError):
    """A path that would leave its folder, or name something that is not a plain file name."""


class Folder:
    """A folder the generator may write in (created on first write if its parent exists)."""

    def __init__(self, root: Path):
        self.root = root
        self._ready: set[str] = set()  # folders this Folder made or found to be real folders

    def path(self, relative: str) -> Path:
        """The file `relative` names inside the folder; RefusedPath if it is not a plain relative path."""
        return self.root.joinpath(*_parts(relative))

    def write(self, relative: str, data: bytes) -> Path:
        """Write the file whole or not at all (a reader never sees half of it); replace what was there."""
        return self._replace(relative, lambda file: file.write(data))

    def write_pieces(self, relative: str, pieces: Iterable[bytes]) -> Path:
        """`write` of the pieces' bytes, one after the other."""
        return self._replace(relative, lambda file: file.writelines(pieces))

    def _replace(self, relative: str, fill: Callable[[BinaryIO], object]) -> Path:
        target = Path(self._prepared(relative))
        partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with open(partial, "xb") as file:
                fill(file)
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise
        return target

    def create(self, relative: str, data: bytes) -> Path:
        """Write a new file; FileExistsError if the name is taken (a frozen release, a study file)."""
        return Path(self.made(relative, data)[0])

    def create_pieces(self, relative: str, pieces: Iterable[bytes]) -> tuple[str, os.stat_result]:
        """Write a new file piece by piece; return the digest of its bytes (as `file_digest`), and its size
        and times as written. The pieces are written a megabyte at a time, each digested by a thread of its own
        while the next is made: digesting lets go of Python's lock, so it runs on another core (the downloads of
        10,000 studies, 57 MB: 38 ms less of a rebuild)."""
        digest = hashlib.sha256()

        def fill(file: BinaryIO) -> None:
            # Imported here: concurrent.futures (and the logging it imports) cost every command's start some
            # 6 ms, and most commands never write a download.
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(1) as digesting:
                digested: Future[None] | None = None
                for chunk in _chunks(pieces, _CHUNK_BYTES):
                    if digested is not None:
                        digested.result()  # one chunk after the other, in order
                    digested = digesting.submit(digest.update, chunk)
                    file.write(chunk)
                if digested is not None:
                    digested.result()

        _, stat = self.made_by(relative, fill)
        return digest.hexdigest()[:_DIGEST_LENGTH], stat

    def made(self, relative: str, data: bytes) -> tuple[str, os.stat_result]:
        """Write a new file of `data`; return where, and its size and times as written (taken from the open
        file: in a folder of 100,000 files, looking a name up again costs several times as much). Written
        with no file object, whose making asks the system three things more of each file (its kind, whether it
        is a terminal, where it stands): 10,000 pages of 9 KB, 3.09 -> 2.80 s of processor time."""
        target, descriptor = self._opened(relative)
        try:
            written = memoryview(data)
            while written:
                written = written[os.write(descriptor, written):]
            return target, os.fstat(descriptor)
        finally:
            os.close(descriptor)

    def made_by(self, relative: str, fill: Callable[[BinaryIO], object]) -> tuple[str, os.stat_result]:
        """`made` of a file that `fill` writes."""
        target, descriptor = self._opened(relative)
        with os.fdopen(descriptor, "wb") as file:
            fill(file)
            file.flush()
            return target, os.fstat(descriptor)

    def _opened(self, relative: str) -> tuple[str, int]:
        """A new file's path, and its descriptor, open for writing (FileExistsError if the name is taken)."""
        target = self._prepared(relative)
        return target, os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)

    def link(self, relative: str, existing: Path | str) -> None:
        """Hard-link an existing file (not a symbolic link) into the folder under `relative`."""
        os.link(existing, self._prepared(relative), follow_symlinks=False)

    def _prepared(self, relative: str) -> str:
        """The path to write `relative` at, its folders made (and checked, once per Folder, to be no links)."""
        parts = _parts(relative)
        target = os.path.join(self.root, *parts)
        if os.path.dirname(target) in self._ready:
            return target
        folder = self.root
        for part in [None, *parts[:-1]]:
            if part is not None:
                folder = folder / part
            if folder.is_symlink():
                raise RefusedPath(f"refused to write {relative!r}: {folder} is a symbolic link")
            if not folder.is_dir():
                folder.mkdir(exist_ok=True)  # another process of the build may make it meanwhile
        self._ready.add(os.path.dirname(target))
        return target


_CHUNK_BYTES = 1 << 20


def _chunks(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The pieces' bytes joined into chunks of at least `size` bytes (but the last)."""
    batch: list[bytes] = []
    held = 0
    for piece in pieces:
        batch.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(batch)
            batch, held = [], 0
    if batch:
        yield b"".join(batch)


def _parts(relative: str) -> list[str]:
    parts = relative.split("/")
    if not all(_PART.fullmatch(part) for part in parts):
        raise RefusedPath(f"refused to write {relative!r}: not a plain relative path of file names")
    return parts


# --- the site ----------------------------------------------------------------------------------


def file_digest(data: bytes) -> str:
    """The digest by which a site file's bytes are remembered. SHA-256, as OpenSSL computes it with the
    processor's SHA instructions where there are some: the large downloads of 10,000 studies (57 MB) are
    digested in 38 ms, against 68 ms with BLAKE2b, on the machine BENCHMARKS.md names."""
    return hashlib.sha256(data).hexdigest()[:_DIGEST_LENGTH]


_DIGEST_LENGTH = 32  # hexadecimal digits kept: 128 bits tell any two files of a site apart


class Unchanged(NamedTuple):
    """An output whose bytes are those of the old site's file at the same path (which has this digest)."""

    digest: str


class UnchangedFiles(NamedTuple):
    """Outputs each of which is the old site's file at its path, passed on together (the pages of the studies a
    rebuild did not render again: 10,000 of them one by one cost more than linking them): each file's digest,
    by its path in the site."""

    digests: Mapping[str, str]


class Pieces(NamedTuple):
    """An output made piece by piece (a large download: a record per study), written as it is made, so that
    it is never whole in memory. `make()` gives the pieces; it may be called once per copy of the file."""

    make: Callable[[], Iterable[bytes]]


class Staged(NamedTuple):
    """An output already put in the staging folder (by `Stager`, perhaps in another process of the build):
    whether it was written (else the old site's file, the same bytes, is linked there), its digest, and the
    size and modification time it was written with."""

    written: bool
    digest: str
    stat: tuple[int, int] | None = None


class Stager:
    """Puts a file in the staging folder of the site being written, as `write_site` would put it, and says
    how (`Staged`), for the processes of the build that render pages beside this one: the file need not be
    sent here to be written. Bound by `write_site` to its staging folder before it takes the first output; a
    process forked since then has that folder's state as it was then. `press`: a process of the build forked
    before it grew, which may render pages too (see `render._StudyPages`), putting them with `staged_anew`."""

    def __init__(self, press: Press | None = None) -> None:
        self.staging: Staging | None = None
        self.press = press

    def fresh_folder(self) -> Path | None:
        """The staging folder, if it holds nothing of an old site (a first build): a process that knows only its
        path may put new files there (`staged_anew`)."""
        staging = self.staging
        return staging.folder.root if staging is not None and staging.no_old_site and not staging.linked else None

    def __call__(self, relative: str, data: bytes) -> Staged:
        if self.staging is None:
            raise RuntimeError("a Stager is used by the outputs of write_site, which binds it")
        try:
            written, digest = self.staging.put(relative, data)
        except FileExistsError:  # left by a process that failed before it said so: made again here
            os.unlink(self.staging.folder.path(relative))
            written, digest = self.staging.put(relative, data)
        stat = self.staging.stats.get(relative) if written else None
        return Staged(written, digest, (stat[0], stat[1]) if stat else None)


def staged_anew(folder: Folder, relative: str, data: bytes) -> Staged:
    """A new file put in a staging folder that holds no old site's files, as `Stager` would put it there."""
    stat = folder.made(relative, data)[1]
    return Staged(True, file_digest(data), (stat.st_size, stat.st_mtime_ns))


@dataclass
class WriteReport:
    """What writing the site did: files written and left unchanged, and each file's digest, link and stats."""

    written: int = 0
    unchanged: int = 0
    digests: dict[str, str] = field(default_factory=dict)  # each file's digest, by its path in the site
    kept: set[str] = field(default_factory=set)  # the paths of the files linked from the old site, not written
    stats: dict[str, list[int]] = field(default_factory=dict)  # size and modification time of the files written

    @property
    def total(self) -> int:
        return self.written + self.unchanged


def staging_folder(site: Path) -> Path:
    """Where this process stages a new site."""
    return site.with_name(f".{site.name}-staging-{os.getpid()}")


def spare_folder(site: Path) -> Path:
    """Where the site a build replaced is kept, to stage the next build in."""
    return site.with_name(f".{site.name}-spare")


def link_old_site(site: Path, staged: Path, files: Iterable[str]) -> list[str]:
    """Make the staging folder `staged` hold these files of the old site, hard-linked, and nothing else;
    return those that could not be linked (gone meanwhile, or refused). It starts from the spare, where
    there is one: a file already linked there (the old site's very file) stays, any other is removed."""
    _remove(staged)
    with contextlib.suppress(OSError):  # no spare, or another build took it: start from an empty folder
        os.rename(spare_folder(site), staged)
    if os.path.islink(staged) or not os.path.isdir(staged):
        _remove(staged)  # a spare that is no folder (a link to one is not followed): only the link goes
    wanted = list(files)
    present = _cleared(staged, set(wanted))
    current = _entries(site)[0] if present and _same_device(site, staged) else {}
    folder, missed = Folder(staged), []
    for relative in wanted:
        inode = present.get(relative)
        if inode is not None and inode == current.get(relative):
            continue
        try:
            if inode is not None:
                os.unlink(folder.path(relative))
            folder.link(relative, os.path.join(site, *_parts(relative)))
        except (OSError, RefusedPath):
            missed.append(relative)
    return missed


def _cleared(staged: Path, wanted: set[str]) -> dict[str, int]:
    """Remove from `staged` every entry not `wanted`, and folders left empty; return the inodes of the rest
    (none, and the folder emptied, if something could not be removed)."""
    present, folders = _entries(staged)
    try:
        for relative in present.keys() - wanted:
            os.unlink(os.path.join(staged, relative))
    except OSError:
        _remove(staged)
        return {}
    for path in sorted(folders, key=len, reverse=True):  # the deepest first, so that emptied parents go too
        with contextlib.suppress(OSError):
            os.rmdir(path)
    return {relative: inode for relative, inode in present.items() if relative in wanted}


def _entries(root: Path) -> tuple[dict[str, int], list[str]]:
    """The inode of every entry under `root` that is not a folder (a link is not followed), by its path
    there; and every folder under it. The inodes come with the folders' listings: no file is looked at."""
    found: dict[str, int] = {}
    folders: list[str] = []
    pending = [(str(root), "")]
    while pending:
        path, prefix = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
                pending.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                found[prefix + entry.name] = entry.inode()
    return found, folders


def _same_device(first: Path, second: Path) -> bool:
    try:
        return os.stat(first).st_dev == os.stat(second).st_dev
    except OSError:
        return False


class LinkedOldSite:
    """The intact files of the old site, linked into the staging folder by a forked process while this one
    loads the review (where no process may be forked, here, when the files are first asked for)."""

    def __init__(self, site: Path, files: Iterable[str]):
        from .parallel import Standby

        self.site, self.files = site, list(files)
        self.worker = Standby(lambda: None, partial(link_old_site, site, staging_folder(site))) if self.files else None
        if self.worker is not None:
            self.worker.give(self.files)

    def linked(self) -> set[str]:
        """The files linked (waiting until they are)."""
        return set(self.files).difference(self.worker.result()) if self.worker is not None else set()

    def cancel(self) -> None:
        """Stop linking, and remove the staging folder if the build did not publish it."""
        if self.worker is not None:
            self.worker.cancel()
        _remove(staging_folder(self.site))


class Staging:
    """The folder a new site is assembled in, beside the old one."""

    def __init__(self, site: Path, old: Callable[[str], str | None], linked: Iterable[str] = ()):
        self.site = site
        self.old = old  # the digest of an old site's file known to be intact, or None
        # Without an old site (a first build), no file is looked for there (10,000 pages: 0.15 s of CPU in all).
        self.no_old_site = not site.exists()
        self.folder = Folder(staging_folder(site))
        self.linked = set(linked)  # files of the old site already linked here (each intact: `old` knows it)
        self.stats: dict[str, list[int]] = {}  # the size and modification time of each file written

    def put(self, relative: str, data: bytes | Unchanged | Pieces | Staged) -> tuple[bool, str]:
        """Stage one file: (True if written, False if hard-linked from the old site, its digest). A file
        `Staged` already is only recorded."""
        if isinstance(data, Staged):
            if data.written:
                self.linked.discard(relative)  # made anew, in place of the old site's file
                if data.stat is not None:
                    self.stats[relative] = list(data.stat)
            return data.written, data.digest
        if isinstance(data, Unchanged):
            if relative not in self.linked:  # most are: linked while the review loaded
                self._link(relative, self._old(relative))
            return False, data.digest
        old = self._old(relative)
        if isinstance(data, Pieces):
            self._clear(relative)
            return self._put_pieces(relative, data, old)
        digest = file_digest(data)
        known = self.old(relative)
        if digest == known or (known is None and not self.no_old_site and _same_bytes(Path(old), data)):
            self._keep(relative, old)
            return False, digest
        self._clear(relative)
        self._written(relative, self.folder.made(relative, data)[1])
        return True, digest

    def put_unchanged(self, digests: Mapping[str, str]) -> None:
        """Stage many files of the old site, each as it is (those not linked yet are linked now)."""
        for relative in digests.keys() - self.linked:
            self._link(relative, self._old(relative))

    def drop_unmade(self, made: Iterable[str]) -> None:
        """Remove the files linked from the old site that this build did not make (with their folders, if
        that leaves them empty), as if they had never been staged."""
        for relative in sorted(self.linked.difference(made)):
            self._clear(relative)
            folder = self.folder.path(relative).parent
            while folder != self.folder.root and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent

    def _old(self, relative: str) -> str:
        return os.path.join(self.site, *_parts(relative))

    def _keep(self, relative: str, old: str) -> None:
        if relative not in self.linked:
            self._link(relative, old)

    def _clear(self, relative: str) -> None:
        """A file linked from the old site, to be made anew: no longer staged."""
        if relative in self.linked:
            self.linked.discard(relative)
            os.unlink(self.folder.path(relative))

    def _put_pieces(self, relative: str, data: Pieces, old: str) -> tuple[bool, str]:
        """Written, then compared with the old site's file: if the bytes are the same, the old file is kept."""
        digest, stat = self.folder.create_pieces(relative, data.make())
        known = self.old(relative)
        if digest == known or (known is None and not self.no_old_site
                               and _same_file(Path(old), self.folder.path(relative))):
            os.unlink(self.folder.path(relative))
            self._link(relative, old)
            return False, digest
        self._written(relative, stat)
        return True, digest

    def _written(self, relative: str, stat: os.stat_result) -> None:
        self.stats[relative] = [stat.st_size, stat.st_mtime_ns]

    def _link(self, relative: str, old: str) -> None:
        try:
            self.folder.link(relative, old)
        except FileNotFoundError:
            raise BuildError([Diagnostic(relative, 1, 1, "this file of the site was removed during the build; "
                                                         "build again")]) from None


def write_site(outputs: Iterable[tuple[str, bytes | Unchanged | Pieces | Staged] | UnchangedFiles], site: Path,
               old: Callable[[str], str | None] = lambda path: None,
               linked: Callable[[], Iterable[str]] = lambda: (), stager: Stager | None = None,
               folders: Iterable[str] | None = None) -> WriteReport:
    """Stage every output, then put the staged tree in place of the site in one step. `old(path)`: the digest
    of the old site's file at `path`, where it is known to be intact. `linked()`: the files of the old site
    already linked into the staging folder (waiting, if need be, until they are). `stager`, if the outputs
    use one, is bound to the staging folder; if they fail, they are closed (and so stop what they started)
    before the folder is removed. `folders`: the old site's folders, by path in it, if the caller has just
    looked (else they are looked for)."""
    _refuse_read_only(site, folders)
    remove_leftovers(site)
    report = WriteReport()
    try:
        staging = Staging(site, old, linked())
        if stager is not None:
            stager.staging = staging
        for output in outputs:
            if isinstance(output, UnchangedFiles):
                repeated = sorted(output.digests.keys() & report.digests.keys())
                if repeated:
                    raise _twice(repeated[0])
                staging.put_unchanged(output.digests)
                report.digests.update(output.digests)
                report.kept.update(output.digests)
                report.unchanged += len(output.digests)
                continue
            path, data = output
            if path in report.digests:
                raise _twice(path)
            written, report.digests[path] = staging.put(path, data)
            if written:
                report.written += 1
            else:
                report.unchanged += 1
                report.kept.add(path)
        staging.drop_unmade(report.digests)
        report.stats = staging.stats
        if not staging.folder.root.is_dir():
            staging.folder.root.mkdir()  # a review with nothing to publish still gets its (empty) site
        with _no_interruption():
            _retire(_publish(staging.folder.root, site), site)
    except BaseException:
        if isinstance(outputs, Generator):
            outputs.close()
        _remove(staging_folder(site))
        raise
    return report


def _twice(path: str) -> BuildError:
    return BuildError([Diagnostic(path, 1, 1, "two outputs would be written to this path; "
                                              "rename the page or figure that repeats it")])


def remove_leftovers(site: Path) -> None:
    """Staging folders of builds that were killed (their process is gone) are removed."""
    for leftover in site.parent.glob(f".{site.name}-staging-*"):
        pid = re.match(rf"\.{re.escape(site.name)}-staging-(\d+)", leftover.name)
        if pid and int(pid.group(1)) != os.getpid() and not _running(int(pid.group(1))):
            _remove(leftover)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        stat = path.lstat()
        if not path.is_file() or path.is_symlink() or stat.st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _same_file(old: Path, new: Path) -> bool:
    import filecmp  # here, as ctypes and shutil below: a build with nothing to do never needs them

    try:
        return old.is_file() and not old.is_symlink() and filecmp.cmp(old, new, shallow=False)
    except OSError:
        return False


def _refuse_read_only(site: Path, folders: Iterable[str] | None = None) -> None:
    """Refuse, before anything is staged, a site that could be replaced but not cleared away. `folders`: those
    of the site, by path in it, if known (10,000 pages: 0.004 s less than looking)."""
    if not os.access(site.parent, os.W_OK | os.X_OK):
        raise BuildError([Diagnostic(site.parent.as_posix(), 1, 1, "cannot write here (read-only); "
                                     "the site could not be published; make the folder writable")])
    if site.is_symlink() or not site.is_dir():
        return
    found = _folders(site) if folders is None else (site.joinpath(*name.split("/")) for name in sorted(folders))
    for folder in found:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise BuildError([Diagnostic(folder.as_posix(), 1, 1, "this folder of the old site is read-only, so "
                                         "it could not be replaced; make it writable (chmod -R u+w) and build again")])


def _folders(root: Path) -> Iterator[Path]:
    yield root
    for folder, names, _ in os.walk(root):
        for name in names:
            yield Path(folder) / name


@contextlib.contextmanager
def _no_interruption() -> Iterator[None]:
    """Ctrl-C waits while the site is swapped: it is then either the old site or the new, and said so."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _publish(staged: Path, site: Path) -> Path | None:
    """Put the staged site in place; return where the old site now is (None if there was none)."""
    if not os.path.lexists(site):
        os.rename(staged, site)
        return None
    if _exchange(staged, site):
        return staged
    retired = site.with_name(f".{site.name}-staging-{os.getpid()}-old")
    os.rename(site, retired)
    os.rename(staged, site)
    return retired


def _retire(old: Path | None, site: Path) -> None:
    """Keep the old site as the spare (in place of an earlier spare, which no build took)."""
    if old is None:
        return
    spare = spare_folder(site)
    _remove(spare)
    try:
        os.rename(old, spare)
    except OSError:
        _remove(old)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux 3.15+, glibc 2.28+); False where that is not available."""
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) != 0:
        return False
    return True


def _remove(path: Path) -> None:
    import shutil

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        with contextlib.suppress(OSError):
            path.unlink()
