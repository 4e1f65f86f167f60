"""What the render stage may ask of an earlier build: what it made from each study, by key.

The render stage makes every key from what the thing made depends on; the store (cache.py) adds the
study file's digest, the engine's and the review's settings and templates. Anything given back is
checked for its shape before it is used, and made again if it is not as expected."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .write import Pieces, Staged, Unchanged

if TYPE_CHECKING:
    from .study import Study

# a file of an earlier build, bytes, bytes to be made, or a file already staged
KeptOutput = tuple[str, bytes | Unchanged | Pieces | Staged]


class Memo(Protocol):
    key: str  # what every entry's key is made with (the review's settings, codebook and templates, the engine)

    def get(self, study_id: str, key: str) -> Any: ...

    def under(self, study_id: str, full_key: str) -> Any:
        """`get`, given the key as `full_key` makes it."""

    def keep(self, study_id: str, key: str, value: Any) -> None: ...

    def full_key(self, study_id: str, key: str) -> str: ...

    def again(self, kind: str, make: Callable[[Any], Any]) -> Any:
        """`make(earlier)`, where `earlier` is what it gave in the last build of a process that builds again
        (serve), else None."""

    def save(self) -> None:
        """Store what was kept, and let it go: a memo saved early holds no memory for the rest of the build."""


class StudyPages(Protocol):
    def get(self, study_id: str, key: str) -> Sequence[KeptOutput] | None: ...

    def unchanged(self, study_id: str, key: str) -> Mapping[str, str] | None:
        """The digests of the files `get` gives, by path, where each is the old site's file unchanged."""

    def unchanged_all(self, studies: Sequence[Study], key: Callable[[Study], str], around: Any
                      ) -> Mapping[str, Mapping[str, str] | None]:
        """`unchanged(study.id, key(study))` of each study, by id; `key` makes its key from the study and
        `around` alone."""

    def keep(self, study_id: str, key: str, digests: Mapping[str, str]) -> None:
        """Remember the files made for a study under `key`: each file's digest (`file_digest`), by path."""

    def save(self) -> None: ...


class Batches(Protocol):
    """Texts made from a batch of studies at once, encoded (UTF-8), by the key of what they were made from."""

    def get(self, key: str) -> bytes | None: ...

    def keep(self, key: str, data: bytes) -> None: ...

    def prune(self) -> None:
        """Forget the texts of keys not asked for since this store was made."""


def batch_key(name: str, start: int, keys: Sequence[str]) -> str:
    """The key of a batch of texts: what it holds (`name`), where it starts, and its items' keys; "" if some
    item has no key (a study with no known file), or there are none."""
    if not keys or not all(keys):
        return ""
    return hashlib.blake2b("\0".join((name, str(start), *keys)).encode("utf-8"), digest_size=16).hexdigest()


class Memory(Protocol):
    """An edition's memos: its study pages, its rows in the study table (and, by batch, in the table's data),
    the table's pages (by number: their rows, and the files), its studies' records in the downloads and, by
    batch, in the table's exports, what its other pages show of each study, and those pages."""

    @property
    def pages(self) -> StudyPages: ...

    @property
    def rows(self) -> Memo: ...

    @property
    def table(self) -> Memo: ...

    @property
    def table_files(self) -> StudyPages:
        """The table's pages as files, by page, kept while the review's inputs but its studies are unchanged."""

    @property
    def records(self) -> Memo: ...

    @property
    def exports(self) -> Batches: ...

    @property
    def table_data(self) -> Batches:
        """The study table's rows for site.js, by batch."""

    @property
    def downloads(self) -> Batches | None:
        """The records in the downloads, by batch (held only by a process that builds again: serve)."""

    @property
    def shown(self) -> Memo: ...

    def edition_pages(self, part: str, key: str,
                      render: Callable[[], Iterable[tuple[str, bytes]]]) -> Sequence[KeptOutput]: ...


def is_strings(value: Any, count: int) -> bool:
    """Whether a value given back is a list of `count` strings."""
    return isinstance(value, list) and len(value) == count and all(isinstance(item, str) for item in value)
